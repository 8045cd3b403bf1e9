//! `deploy/slurm/` on a real Slurm cluster: the test starts one of its own (munged, slurmctld and
//! slurmd from Debian's `munge` and `slurm-wlm`, on free loopback ports, with their state in a
//! temporary folder), submits a bench with `submit.sh` (an array of shards, then the
//! gather) and checks the gathered tables against one process's, byte for byte.
//!
//! Skipped, with the reason, where Slurm is not installed or the test is not root (slurmd runs
//! jobs as their owner); with `QM_REQUIRE_SLURM` set (CI installs Slurm and sets it) it fails
//! instead.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{deterministic_files, manifest_dir, ok, qm, scenario, temp_dir};

/// How long the cluster may take to come up, and the bench to run through it.
const CLUSTER_START: Duration = Duration::from_secs(60);
const BENCH_THROUGH_SLURM: Duration = Duration::from_secs(300);

/// Wall time: the deadlines for the daemons and the jobs, which run on the wall clock.
#[allow(clippy::disallowed_methods, reason = "deadlines for outside processes")]
fn now() -> Instant {
    Instant::now()
}

/// The daemons of a one-node cluster, stopped when dropped.
struct Cluster {
    dir: PathBuf,
    daemons: Vec<Child>,
}

impl Drop for Cluster {
    /// SIGTERM first, so that slurmctld stops the helpers it started; SIGKILL after 10 s.
    fn drop(&mut self) {
        for daemon in self.daemons.iter_mut().rev() {
            let pid = daemon.id() as libc::pid_t;
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let asked = now();
            while matches!(daemon.try_wait(), Ok(None)) && asked.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
    }
}

impl Cluster {
    fn config(&self) -> PathBuf {
        self.dir.join("slurm.conf")
    }

    /// What the daemons logged, for a failure's message.
    fn logs(&self) -> String {
        ["munged.log", "slurmctld.log", "slurmd.log"]
            .iter()
            .map(|log| {
                let text = std::fs::read_to_string(self.dir.join(log)).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(15).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                format!("--- {log}\n{}\n", tail.join("\n"))
            })
            .collect()
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("SLURM_CONF", self.config());
        command
    }
}

/// Why Slurm cannot run here, if it cannot.
fn missing() -> Option<String> {
    if unsafe { libc::geteuid() } != 0 {
        return Some("not root: slurmd runs jobs as their owner".into());
    }
    for program in ["munged", "slurmctld", "slurmd", "sbatch", "sinfo"] {
        let found = ["/usr/sbin", "/usr/bin"]
            .iter()
            .any(|dir| Path::new(dir).join(program).is_file());
        if !found {
            return Some(format!(
                "{program} is not installed (Debian's slurm-wlm and munge)"
            ));
        }
    }
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(mut command: Command, log: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    command
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"))
}

/// Starts munged, slurmctld and slurmd in `dir` and waits for the node to be idle.
fn start_cluster(dir: &Path) -> Cluster {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    let key = dir.join("munge.key");
    let mut bytes = [0u8; 1024];
    let mut urandom = std::fs::File::open("/dev/urandom").unwrap();
    std::io::Read::read_exact(&mut urandom, &mut bytes).unwrap();
    std::fs::write(&key, bytes).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o400)).unwrap();
    let socket = dir.join("munge.socket");
    let host = String::from_utf8(Command::new("hostname").arg("-s").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let d = dir.display();
    let config = format!(
        "ClusterName=qmtest\nSlurmctldHost={host}(127.0.0.1)\nSlurmUser=root\nSlurmdUser=root\n\
         SlurmctldPort={}\nSlurmdPort={}\nAuthType=auth/munge\nAuthInfo=socket={}\n\
         StateSaveLocation={d}/state\nSlurmdSpoolDir={d}/spool\n\
         SlurmctldPidFile={d}/slurmctld.pid\nSlurmdPidFile={d}/slurmd.pid\n\
         ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nSelectType=select/cons_tres\n\
         SelectTypeParameters=CR_CPU\nReturnToService=2\nMpiDefault=none\n\
         JobAcctGatherType=jobacct_gather/none\n\
         NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN\n\
         PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
        free_port(),
        free_port(),
        socket.display(),
    );
    std::fs::write(dir.join("slurm.conf"), config).unwrap();
    for folder in ["state", "spool"] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
    }
    let mut cluster = Cluster {
        dir: dir.to_path_buf(),
        daemons: Vec::new(),
    };
    let mut munged = Command::new("/usr/sbin/munged");
    munged.args(["--foreground", "--force"]).args([
        format!("--socket={}", socket.display()),
        format!("--key-file={}", key.display()),
        format!("--pid-file={d}/munged.pid"),
        format!("--seed-file={d}/munged.seed"),
        format!("--log-file={d}/munged.log"),
    ]);
    cluster.daemons.push(spawn(munged, &dir.join("munged.out")));
    let started = now();
    while !socket.exists() {
        assert!(
            started.elapsed() < CLUSTER_START,
            "munged did not start\n{}",
            cluster.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for (daemon, log) in [("slurmctld", "slurmctld.log"), ("slurmd", "slurmd.log")] {
        let mut command = cluster.command(&format!("/usr/sbin/{daemon}"));
        command.args(["-D", "-L"]).arg(dir.join(log));
        if daemon == "slurmctld" {
            command.arg("-c");
        }
        cluster
            .daemons
            .push(spawn(command, &dir.join(format!("{daemon}.out"))));
    }
    loop {
        let state = cluster.command("sinfo").args(["-h", "-o", "%T"]).output();
        let state = state.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        if matches!(state.as_deref(), Ok("idle")) {
            return cluster;
        }
        assert!(
            started.elapsed() < CLUSTER_START,
            "the node is not idle after {CLUSTER_START:?}: {state:?}\n{}",
            cluster.logs()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn a_bench_split_over_slurm_writes_what_one_process_writes() {
    if common::skip_without("QM_REQUIRE_SLURM", missing()) {
        return;
    }
    let dir = temp_dir("slurm");
    let cluster = start_cluster(&dir.join("cluster"));
    let flash_sale = scenario("flash-sale.toml");
    let bench = |out: &Path| -> Vec<String> {
        [
            flash_sale.to_str().unwrap(),
            "--strategies",
            "nearest,lowest_cost,priority",
            "--replications",
            "3",
            "--days",
            "5",
            "--out",
            out.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let whole = dir.join("whole");
    let mut args = vec!["bench".to_string()];
    args.extend(bench(&whole));
    args.push("--quiet".into());
    ok(&qm(&args.iter().map(String::as_str).collect::<Vec<_>>()));

    let through_slurm = dir.join("slurm");
    let submit = manifest_dir().join("../deploy/slurm/submit.sh");
    let mut command = cluster.command("bash");
    command
        .arg(submit)
        .args(["4", "bench"])
        .args(bench(&through_slurm))
        .current_dir(&dir)
        .env("QM", env!("CARGO_BIN_EXE_qm"))
        .env("QM_SLURM_WAIT", "1")
        .env("SBATCH_OPTIONS", "--cpus-per-task=1");
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > BENCH_THROUGH_SLURM {
            let _ = child.kill();
            panic!(
                "the bench did not end within {BENCH_THROUGH_SLURM:?}\n{}",
                cluster.logs()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let submitted = child.wait_with_output().unwrap();
    let job_output: String = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "out"))
        .map(|p| {
            format!(
                "--- {}\n{}",
                p.display(),
                std::fs::read_to_string(&p).unwrap()
            )
        })
        .collect();
    assert!(
        submitted.status.success(),
        "submit.sh: {}{}\n{job_output}\n{}",
        String::from_utf8_lossy(&submitted.stdout),
        String::from_utf8_lossy(&submitted.stderr),
        cluster.logs()
    );
    // Four shard tasks and the gather each left their output file.
    let outputs = job_output.matches("--- ").count();
    assert_eq!(outputs, 5, "{job_output}");
    assert!(
        job_output.contains("order_fulfillment_rate"),
        "{job_output}"
    );

    let expected = deterministic_files(&whole.join("flash-sale/bench"));
    assert_eq!(expected.len(), 3 * 17 + 3);
    let gathered = deterministic_files(&through_slurm.join("flash-sale/bench"));
    assert_eq!(
        gathered.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &expected {
        assert!(&gathered[name] == bytes, "{name} differs");
    }
    drop(cluster);
    std::fs::remove_dir_all(&dir).unwrap();
}
