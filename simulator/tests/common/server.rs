//! A `qm serve` child process for tests, and docs/openapi.json as the judge of its answers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use qm_simulator::scenario::Scenario;
use serde_json::{json, Value};

use super::scenario;

/// A running `qm serve`, stopped (SIGTERM) when dropped unless `stop` or `kill` ended it.
pub struct Server {
    child: Option<Child>,
    /// `host:port` it listens on.
    pub address: String,
}

impl Server {
    pub fn start(dir: &Path) -> Server {
        Server::start_with(dir, &[])
    }

    /// `qm serve DIR` on a free loopback port, a new folder made from the baseline scenario.
    pub fn start_with(dir: &Path, options: &[&str]) -> Server {
        let baseline = scenario("baseline.toml");
        let mut serve = Command::new(env!("CARGO_BIN_EXE_qm"));
        serve
            .args(["serve", dir.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .args(["--open-orders", "20000"])
            .args(options)
            .args(["--scenario", baseline.to_str().unwrap()]);
        Server::spawn(serve)
    }

    /// Starts `serve`, a `qm serve` command line, and waits until it says where it listens.
    pub fn spawn(mut serve: Command) -> Server {
        let mut child = serve
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("qm serve said {line:?}"))
            .to_string();
        Server {
            child: Some(child),
            address,
        }
    }

    /// One request; the status and the JSON body (an OpenMetrics text as a JSON string).
    pub fn call(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let (status, value, _) = self.exchange(method, path, "", body);
        (status, value)
    }

    /// A POST under `Idempotency-Key: key`; the status, the JSON body, and whether the answer
    /// says it repeats the key's first (`Idempotent-Replayed: true`).
    pub fn call_keyed(&self, path: &str, key: &str, body: &str) -> (u16, Value, bool) {
        let (status, value, head) =
            self.exchange("POST", path, &format!("Idempotency-Key: {key}\r\n"), body);
        let replayed = head.contains("\r\nidempotent-replayed: true");
        (status, value, replayed)
    }

    /// One request with `headers` (each line ending in CRLF) added: the status, the body as
    /// JSON, and the answer's head in lower case.
    fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &str,
        body: &str,
    ) -> (u16, Value, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: qm\r\nContent-Type: application/json\r\n{headers}\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        let head = head.to_ascii_lowercase();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let text = head.contains("content-type: application/openmetrics-text");
        let value = if text {
            Value::String(body.to_string())
        } else {
            serde_json::from_str(body).unwrap_or_else(|e| {
                panic!("{method} {path}: {status} answered {body:?}, not JSON: {e}")
            })
        };
        check_against_openapi(method, path, status, &value);
        (status, value, head)
    }

    pub fn reserve(&self, order: u64, sku: &str, quantity: u64, ttl_seconds: u64) -> (u16, Value) {
        let (channel, region) = codes();
        let body = json!({ "order": order, "channel": channel, "region": region,
                           "lines": [{ "sku": sku, "quantity": quantity }],
                           "hold_ttl_seconds": ttl_seconds });
        self.call("POST", "/v1/orders", &body.to_string())
    }

    /// Units of `sku` reserved and free, over every warehouse.
    pub fn stock(&self, sku: &str) -> (u64, u64) {
        let (status, body) = self.call("GET", &format!("/v1/stock/{sku}"), "");
        assert_eq!(status, 200, "{body}");
        let sum = |key: &str| -> u64 {
            body["warehouses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w[key].as_u64().unwrap())
                .sum()
        };
        (sum("reserved_units"), sum("free_units"))
    }

    /// One warehouse's stock of `sku`: on hand, allocated, free.
    pub fn cell(&self, sku: &str, warehouse: &str) -> (u64, u64, u64) {
        let (status, body) = self.call("GET", &format!("/v1/stock/{sku}"), "");
        assert_eq!(status, 200, "{body}");
        let cell = (body["warehouses"].as_array().unwrap().iter())
            .find(|w| w["warehouse"] == warehouse)
            .unwrap_or_else(|| panic!("no {warehouse} in {body}"));
        let units = |key: &str| cell[key].as_u64().unwrap();
        (
            units("on_hand_units"),
            units("allocated_units"),
            units("free_units"),
        )
    }

    /// Ends it with SIGKILL.
    pub fn kill(mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Ends it with SIGTERM, as a service manager does, and returns how it ended.
    pub fn stop(mut self) -> std::process::ExitStatus {
        terminate(self.child.take().unwrap()).unwrap()
    }
}

/// How long a server may take to stop after SIGTERM before it is killed.
const STOP_LIMIT: Duration = Duration::from_secs(20);

/// Sends SIGTERM and waits for the end, at most [`STOP_LIMIT`]: past it, SIGKILL, and the status
/// says so (a server that does not stop fails its test instead of hanging it).
fn terminate(mut child: Child) -> std::io::Result<std::process::ExitStatus> {
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let step = Duration::from_millis(20);
    for _ in 0..STOP_LIMIT.as_millis() / step.as_millis() {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        std::thread::sleep(step);
    }
    child.kill()?;
    child.wait()
}

impl Drop for Server {
    /// Never panics: it may run while a failed test unwinds.
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            let _ = terminate(child);
        }
    }
}

/// docs/openapi.json, read once.
pub fn openapi() -> &'static Value {
    static SPEC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// Whether `path` is an instance of the OpenAPI path `template` (`/v1/orders/{order}`).
pub fn instance_of(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
}

/// The answer is one docs/openapi.json lists for the call, in the shape it gives; a call no
/// route takes is answered 404 or 405 with an error.
pub fn check_against_openapi(method: &str, path: &str, status: u16, body: &Value) {
    let spec = openapi();
    let operation = (spec["paths"].as_object().unwrap().iter())
        .find(|(template, _)| instance_of(template, path))
        .and_then(|(_, operations)| operations.get(method.to_lowercase()));
    let schema = match operation {
        Some(operation) => {
            let answer = &operation["responses"][status.to_string()];
            assert!(
                answer.is_object(),
                "docs/openapi.json has no {status} for {method} {path}: {body}"
            );
            if body.is_string() {
                let text = &answer["content"]["application/openmetrics-text"];
                assert!(
                    text.is_object(),
                    "{method} {path}: text the document does not list"
                );
                return;
            }
            answer["content"]["application/json"]["schema"].clone()
        }
        None => {
            assert!(
                matches!(status, 404 | 405),
                "{method} {path} is not in docs/openapi.json"
            );
            json!({ "$ref": "#/components/schemas/Error" })
        }
    };
    let mut document = schema;
    document["components"] = spec["components"].clone();
    let validator = jsonschema::validator_for(&document).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} answered {status} {body}, not as docs/openapi.json says: {errors:?}"
    );
}

/// Each answer has its expected status and an error that says the expected words.
pub fn assert_refusals(refusals: &[((u16, Value), u16, &str)]) {
    for ((status, body), expected, says) in refusals {
        assert_eq!(status, expected, "{body}");
        assert!(body["error"].as_str().unwrap().contains(says), "{body}");
    }
}

/// The baseline's first channel and first customer region.
pub fn codes() -> (String, String) {
    let s = Scenario::load(&scenario("baseline.toml")).unwrap().scenario;
    (s.channels[0].code.clone(), s.customers[0].name.clone())
}

/// The SKU codes of the baseline's opening engine (its catalog is drawn from its seed).
pub fn skus() -> Vec<String> {
    let s = Scenario::load(&scenario("baseline.toml")).unwrap().scenario;
    let (engine, _) = qm_simulator::sim::opening_engine(&s, s.horizon.seed).unwrap();
    engine
        .network()
        .skus()
        .iter()
        .map(|k| k.code.clone())
        .collect()
}
