//! `deploy/nginx/qm-serve.conf` in front of a real `qm serve`: the test starts nginx (Debian's)
//! with the file as shipped, its addresses and paths pointed at a temporary folder, a
//! self-signed certificate and a password made with openssl, then talks HTTPS to it with curl.
//! Without the password nothing reaches the engine; with it, every call goes through and answers
//! as docs/openapi.json says; nginx's own refusals are JSON like the engine's.
//!
//! Skipped, with the reason, where nginx, curl or openssl is missing; with `QM_REQUIRE_NGINX` set
//! (CI installs nginx and sets it) it fails instead.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::server::{check_against_openapi, codes, skus, Server};
use common::{manifest_dir, temp_dir};
use serde_json::{json, Value};

/// What is missing to run nginx, curl and openssl, if anything.
fn missing() -> Option<String> {
    let absent: Vec<&str> = ["/usr/sbin/nginx", "/usr/bin/curl", "/usr/bin/openssl"]
        .into_iter()
        .filter(|tool| !Path::new(tool).exists())
        .collect();
    (!absent.is_empty()).then(|| format!("{} not installed", absent.join(", ")))
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// An nginx running the shipped server block in `dir`, in front of `upstream`; stopped when
/// dropped.
struct Proxy {
    dir: PathBuf,
    port: u16,
}

impl Proxy {
    fn start(dir: &Path, upstream: &str) -> Proxy {
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        let file = |name: &str| dir.join(name).to_str().unwrap().to_string();
        run(
            "openssl",
            &[
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ]
            .into_iter()
            .chain([
                "-subj",
                "/CN=localhost",
                "-keyout",
                &file("key.pem"),
                "-out",
                &file("cert.pem"),
            ])
            .collect::<Vec<_>>(),
        );
        let hash = run("openssl", &["passwd", "-apr1", "secret"]);
        std::fs::write(dir.join("htpasswd"), format!("qm:{}", hash.trim())).unwrap();
        let port = free_port();
        let shipped =
            std::fs::read_to_string(manifest_dir().join("../deploy/nginx/qm-serve.conf")).unwrap();
        let server = shipped
            .replace("127.0.0.1:8080", upstream)
            .replace("listen 8443", &format!("listen 127.0.0.1:{port}"))
            .replace("/etc/quartermaster/tls/", &format!("{}/", dir.display()))
            .replace("/etc/quartermaster/htpasswd", &file("htpasswd"));
        assert_ne!(
            server, shipped,
            "the shipped file names what the test replaces"
        );
        std::fs::write(dir.join("server.conf"), server).unwrap();
        let temp = file("tmp");
        let main = format!(
            "pid {pid};\nerror_log {log};\nevents {{}}\nhttp {{\n    access_log off;\n    \
             client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n    \
             fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n    \
             scgi_temp_path {temp}/scgi;\n    include {server};\n}}\n",
            pid = file("nginx.pid"),
            log = file("error.log"),
            server = file("server.conf"),
        );
        std::fs::write(dir.join("nginx.conf"), main).unwrap();
        let prefix = file("");
        run(
            "/usr/sbin/nginx",
            &["-p", &prefix, "-c", &file("nginx.conf")],
        );
        Proxy {
            dir: dir.to_path_buf(),
            port,
        }
    }

    /// One HTTPS request through the proxy, with `user:password` if given: the status and the
    /// JSON body.
    fn call(&self, user: Option<&str>, method: &str, path: &str, body: &str) -> (u16, Value) {
        let url = format!("https://127.0.0.1:{}{path}", self.port);
        let mut curl = Command::new("curl");
        curl.args(["-sk", "-X", method, "-w", "\n%{http_code}", &url]);
        curl.args([
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            "@-",
        ]);
        if let Some(user) = user {
            curl.args(["-u", user]);
        }
        let mut child = curl
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), body.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let (body, status) = text.rsplit_once('\n').unwrap();
        let value = serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("{method} {path}: {status} {body:?} is not JSON: {e}"));
        (status.parse().unwrap(), value)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let file = |name: &str| self.dir.join(name).to_str().unwrap().to_string();
        let prefix = file("");
        let _ = Command::new("/usr/sbin/nginx")
            .args(["-p", &prefix, "-c", &file("nginx.conf"), "-s", "stop"])
            .output();
    }
}

#[test]
fn nginx_puts_tls_and_a_password_in_front_of_qm_serve() {
    if common::skip_without("QM_REQUIRE_NGINX", missing()) {
        return;
    }
    let dir = temp_dir("nginx");
    let server = Server::start(&dir.join("engine"));
    let proxy = Proxy::start(&dir.join("proxy"), &server.address);
    let (status, body) = proxy.call(None, "GET", "/v1/health", "");
    assert_eq!(
        (status, &body["error"]),
        (401, &json!("a user name and password are needed"))
    );
    let (status, _) = proxy.call(Some("qm:wrong"), "GET", "/v1/health", "");
    assert_eq!(status, 401);
    assert_eq!(
        server.call("GET", "/v1/health", "").1["orders"],
        0,
        "nothing reached the engine"
    );

    let user = Some("qm:secret");
    let sku = &skus()[0];
    let (channel, region) = codes();
    let order = json!({ "order": 1, "channel": channel, "region": region,
                        "lines": [{ "sku": sku, "quantity": 2 }] });
    let calls = [
        ("POST", "/v1/orders", order.to_string(), 201),
        ("POST", "/v1/orders/1/confirm", String::new(), 200),
        ("GET", "/v1/orders/1", String::new(), 200),
        ("GET", "/v1/orders/2", String::new(), 404),
        (
            "POST",
            "/v1/orders",
            format!("{{\"pad\": \"{}\"}}", "x".repeat(300 * 1024)),
            413,
        ),
    ];
    for (method, path, body, expected) in calls {
        let (status, answer) = proxy.call(user, method, path, &body);
        assert_eq!(status, expected, "{method} {path}: {answer}");
        check_against_openapi(method, path, status, &answer);
    }
    // The engine stops: the proxy says so (502, bad gateway) in JSON.
    server.kill();
    let (status, body) = proxy.call(user, "GET", "/v1/health", "");
    assert_eq!(
        (status, &body["error"]),
        (502, &json!("the engine is not answering; try again"))
    );
    drop(proxy);
    std::fs::remove_dir_all(&dir).unwrap();
}
