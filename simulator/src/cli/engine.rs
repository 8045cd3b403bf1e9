//! `qm engine drive | recover | inspect` and `qm serve`: the durable engine from the command
//! line.

use qm_reports::format;
use qm_simulator::durable;
use qm_simulator::scenario::Scenario;
use qm_simulator::tools::calculators::CalculatorError;

use super::args::{EngineCommand, ServeArgs};
use super::failure::Failure;

/// Runs one `qm engine` subcommand.
pub fn engine(command: EngineCommand) -> Result<(), Failure> {
    match command {
        EngineCommand::Drive {
            dir,
            scenario,
            seed,
            commands,
            submission,
            in_flight,
            batch_max_commands,
            flush_interval_us,
            snapshot_every,
            print_acks,
        } => {
            open_or_make_folder(&dir, scenario.as_deref(), seed)?;
            let options = durable::DriveOptions {
                commands,
                submission,
                in_flight,
                settings: durable::Settings {
                    batch_max_commands,
                    flush_interval_us,
                    snapshot_every_commands: snapshot_every,
                },
            };
            let stdout = std::io::stdout();
            let mut on_ack = |seq: u64| {
                if print_acks {
                    use std::io::Write;
                    let mut out = stdout.lock();
                    let _ = writeln!(out, "acked {seq}");
                    let _ = out.flush();
                }
            };
            let report = durable::drive(&dir, options, &mut on_ack)?;
            eprintln!("{}", drive_summary(&report));
            Ok(())
        }
        EngineCommand::Recover { dir } => recover(&dir),
        EngineCommand::Inspect { dir } => inspect(&dir),
    }
}

/// `qm serve DIR`: the durable engine over HTTP until Ctrl-C or SIGTERM.
pub fn serve(args: ServeArgs) -> Result<(), Failure> {
    fits_in_memory(args.open_orders)?;
    open_or_make_folder(&args.dir, args.scenario.as_deref(), args.seed)?;
    let settings = durable::Settings {
        snapshot_every_commands: args.snapshot_every,
        ..durable::Settings::default()
    };
    let options = qm_simulator::serve::Options {
        settings,
        open_orders: args.open_orders,
        keep_finished_days: args.keep_finished_days,
        idle: std::time::Duration::from_secs(args.idle_seconds),
    };
    qm_simulator::serve::serve(&args.dir, args.listen, options, |address| {
        println!("listening on http://{address}");
    })?;
    Ok(())
}

/// Refuses `--open-orders` whose room the machine's memory cannot hold: an allocator that
/// reserves address space lazily would hand it out, and touching its pages would run the
/// machine out of memory instead of saying so.
fn fits_in_memory(open_orders: usize) -> Result<(), CalculatorError> {
    let room = qm_engine::Engine::order_room_bytes(open_orders);
    let Some(memory) = memory_bytes() else {
        return Ok(());
    };
    if room <= u128::from(memory) {
        return Ok(());
    }
    let gb = |bytes: u128| format::group_thousands(bytes as f64 / 1e9, 1);
    Err(CalculatorError::Argument {
        option: "--open-orders",
        problem: format!(
            "room for {open_orders} open orders takes {} GB, more than this machine's {} GB of \
             memory",
            gb(room),
            gb(u128::from(memory))
        ),
    })
}

/// The machine's memory in bytes (`MemTotal` of `/proc/meminfo`), where the system says.
fn memory_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Checks an engine folder against `scenario` and `seed` if given, or makes a new one from them.
pub fn open_or_make_folder(
    dir: &std::path::Path,
    scenario: Option<&std::path::Path>,
    seed: Option<u64>,
) -> Result<(), Failure> {
    if dir.join("genesis.json").exists() {
        durable::Genesis::read(dir)?.check_same(dir, scenario, seed)?;
        return Ok(());
    }
    let Some(scenario) = scenario else {
        return Err(Failure {
            error: anyhow::anyhow!(
                "{}: a new engine folder needs --scenario (the opening engine)",
                dir.display()
            ),
            code: 2,
        });
    };
    qm_simulator::tools::calculators::folder_to_write("DIR", dir)?;
    let s = Scenario::load(scenario)?.scenario;
    durable::Genesis::create(dir, scenario, seed.unwrap_or(s.horizon.seed))?;
    Ok(())
}

/// `qm engine recover DIR`: rebuilds the state, checks it, prints what recovery found.
fn recover(dir: &std::path::Path) -> Result<(), Failure> {
    let genesis = durable::Genesis::read(dir)?;
    let (durable, recovery) = durable::Durable::open(
        dir,
        &|| Ok(genesis.engine(dir)?.0),
        durable::Settings::default(),
    )?;
    let invariants = durable.engine().check_invariants();
    durable.close()?;
    println!("records            {}", recovery.records);
    match recovery.snapshot {
        Some(seq) => println!(
            "snapshot           at record {seq}; {} records replayed after it",
            recovery.replayed
        ),
        None => println!(
            "snapshot           none; {} records replayed",
            recovery.replayed
        ),
    }
    for skipped in &recovery.snapshots_skipped {
        println!("passed over        {skipped}");
    }
    let torn = recovery.torn.as_ref().map(|t| {
        let acknowledged = recovery.acknowledged.map_or_else(
            || "the folder keeps no acknowledged position".to_string(),
            |seq| format!("acknowledged up to record {seq}, all kept"),
        );
        format!(
            "cut {} bytes at byte {} ({}): 1 record that was being written, never \
             acknowledged ({acknowledged})",
            t.bytes, t.offset, t.reason
        )
    });
    print_torn_and_hash(torn, recovery.state_hash);
    print_invariants(invariants, "recovery")
}

/// `qm engine inspect DIR`: reads the journal and the snapshots without changing a file.
fn inspect(dir: &std::path::Path) -> Result<(), Failure> {
    let i = durable::inspect(dir)?;
    println!("records            {}", i.records);
    for (kind, n) in &i.kinds {
        if *n > 0 {
            println!("  {kind:<17}{n}");
        }
    }
    let first = i.segments.first().map_or(1, |s| s.0);
    println!(
        "segments           {} (records {first}–{})",
        i.segments.len(),
        i.records
    );
    println!(
        "whole records end  byte {} of the last segment",
        i.valid_len
    );
    if let Some(offset) = i.last_record_offset {
        println!("last record at     byte {offset}");
    }
    let torn = i.torn.as_ref().map(|t| {
        format!(
            "{} bytes at byte {} ({}); `qm engine recover` cuts it",
            t.bytes, t.offset, t.reason
        )
    });
    print_torn_and_hash(torn, i.state_hash);
    let s = &i.from_snapshot;
    for skipped in &s.snapshots_skipped {
        println!("passed over        {skipped}");
    }
    match s.snapshot {
        Some(seq) if s.state_hash == i.state_hash => println!(
            "snapshot           at record {seq} + {} records: the same state hash as {}",
            s.replayed,
            if i.reference_is_full_replay {
                "a full replay"
            } else {
                "the oldest snapshot kept + its records"
            }
        ),
        Some(seq) => {
            return Err(anyhow::anyhow!(
                "the snapshot at record {seq} plus the journal after it gives state hash \
                 {:016x}, the reference {:016x}",
                s.state_hash,
                i.state_hash
            )
            .into())
        }
        None => println!("snapshot           none"),
    }
    print_invariants(i.invariants, "replay")
}

fn print_torn_and_hash(torn: Option<String>, state_hash: u64) {
    println!("torn tail          {}", torn.as_deref().unwrap_or("none"));
    println!("state hash         {state_hash:016x}");
}

/// Prints the invariant check; a broken one is an error (exit 1) naming what was just done.
fn print_invariants(
    invariants: Result<qm_engine::InvariantReport, qm_engine::InvariantViolation>,
    after: &str,
) -> Result<(), Failure> {
    match invariants {
        Ok(report) => {
            println!("invariants         hold ({} open holds)", report.open_holds);
            Ok(())
        }
        Err(violation) => {
            Err(anyhow::anyhow!("invariants broken after {after}: {violation}").into())
        }
    }
}

/// What a drive did, on one line: recovery, throughput, acknowledgement latency, batches,
/// snapshots and the state hash. A drive of no command has no rate or latency to show.
fn drive_summary(report: &durable::DriveReport) -> String {
    let r = &report.recovery;
    let grouped = |x: f64| qm_reports::format::group_thousands(x, 0);
    let recovered = format!(
        "recovered {} records{}{}",
        grouped(r.records as f64),
        r.snapshot.map_or(String::new(), |seq| format!(
            " (snapshot at record {seq}, {} replayed after it)",
            r.replayed
        )),
        r.torn.as_ref().map_or(String::new(), |t| format!(
            " (cut a torn tail of {} bytes: {})",
            t.bytes, t.reason
        )),
    );
    let latency_us = |quantile: f64| report.ack_latency_ns.value_at_quantile(quantile) as f64 / 1e3;
    let timing = if report.commands == 0 {
        "nothing to time".to_string()
    } else {
        format!(
            "{} commands/s, {} reserve lines/s; acknowledgement latency p50 {:.1} µs, p99 \
             {:.1} µs, max {:.1} µs",
            grouped(report.commands as f64 / report.seconds),
            grouped(report.reserve_lines as f64 / report.seconds),
            latency_us(0.5),
            latency_us(0.99),
            report.ack_latency_ns.max() as f64 / 1e3,
        )
    };
    // A pause is a snapshot's: without one there is no pause to report, not a pause of 0 ms.
    let snapshots = match report.snapshots {
        0 => "no snapshot".to_string(),
        n => format!(
            "{n} snapshot(s) (longest pause {:.1} ms)",
            report.longest_snapshot_pause_ns as f64 / 1e6
        ),
    };
    format!(
        "{recovered}; drove {} commands ({} order lines reserved) in {:.3} s: {timing}; {} \
         batches, {snapshots}; state hash {:016x}",
        grouped(report.commands as f64),
        grouped(report.reserve_lines as f64),
        report.seconds,
        grouped(report.batches as f64),
        report.state_hash
    )
}
