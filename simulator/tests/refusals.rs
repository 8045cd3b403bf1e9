//! Hostile inputs that once panicked, ran away with memory, gave a silently wrong result, wrote
//! where they should not, or failed without saying where: each is now refused with its
//! location and exit code 2, or read correctly. A scenario file's own errors and values out of
//! range are in `scenario_refusals.rs`.

mod common;
use common::edited::{edited, refusal, shipped};
use common::{qm, scenario, temp_dir};

#[test]
fn a_recorded_history_that_is_not_a_file_is_located() {
    for (path, problem) in [
        ("/", "not a file (a folder or a device): /"),
        (
            "/nonexistent/history.csv",
            "no such file: /nonexistent/history.csv",
        ),
    ] {
        let error = refusal(&edited(
            "online-retail.toml",
            &[(
                "path = \"data/online-retail-2011-10-to-12.csv.gz\"",
                &format!("path = \"{path}\""),
            )],
        ));
        assert!(
            error.contains(&format!("demand.recorded.path: {problem}")),
            "{error}"
        );
    }
}

#[test]
fn entries_that_clash_or_overflow_are_located() {
    /// A shipped scenario, its edits, and the refusal expected.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (
            "baseline.toml",
            &[("warehouses = [\"MAN\", \"LON\"]", "warehouses = [\"MAN\", \"MAN\"]")],
            "bad.toml:46:22: channels[1].warehouses[1]: \"MAN\" is listed twice",
        ),
        (
            "baseline.toml",
            &[("code = \"marketplace\"", "code = \"web\"")],
            "bad.toml:45:8: channels[1].code: \"web\" is listed twice",
        ),
        (
            "baseline.toml",
            &[("code = \"MAN\"", "code = \"LON\"")],
            "bad.toml:23:8: warehouses[1].code: \"LON\" is listed twice",
        ),
        (
            "baseline.toml",
            &[("warehouses = [\"MAN\", \"LON\"]", "warehouses = []")],
            "bad.toml:46:14: channels[1].warehouses: must name at least one warehouse",
        ),
        (
            "baseline.toml",
            &[("orders_per_day = 3000\n", "")],
            "bad.toml:82:1: demand.orders_per_day: must be a rate > 0",
        ),
        (
            "baseline.toml",
            &[("name = \"Bristol\"", "name = \"London\"")],
            "customers[4].name: \"London\" is listed twice",
        ),
        (
            "baseline.toml",
            &[("code = \"IMPORT\"", "code = \"DOMESTIC\"")],
            "replenishment.suppliers[1].code: \"DOMESTIC\" is listed twice",
        ),
        (
            "flash-sale.toml",
            &[("sku = \"SKU00002\"\nreorder_point_units", "sku = \"SKU00001\"\nreorder_point_units")],
            "replenishment.skus[1].sku: \"SKU00001\" has a policy already",
        ),
        (
            "black-friday.toml",
            &[("code = \"AIR\"", "code = \"GROUND\"")],
            "fulfillment.carriers[1].code: \"GROUND\" is listed twice",
        ),
        (
            "black-friday.toml",
            &[(
                "bands = [\n  { max_distance_km = 6000, base_cents = 2200, per_kg_cents = 300, transit_days = 1 },\n]",
                "bands = []",
            )],
            "bad.toml:153:9: fulfillment.carriers[1].bands: needs at least one band",
        ),
        (
            "baseline.toml",
            &[
                ("days_of_cover = ", "days_of_cover = 3000 # "),
                ("orders_per_day = 3000", "orders_per_day = 900000"),
            ],
            "initial_stock.days_of_cover: 3000 days of up to",
        ),
    ];
    for (name, edits, expected) in cases {
        let error = refusal(&edited(name, edits));
        assert!(error.contains(expected), "{expected}\n{error}");
    }
}

#[test]
fn more_channels_carriers_or_warehouses_than_the_engine_takes_are_located() {
    let mut text = shipped("baseline.toml");
    for i in 0..256 {
        text.push_str(&format!(
            "\n[[channels]]\ncode = \"extra{i}\"\nwarehouses = [\"LON\"]\nstrategy = \"nearest\"\nshare = 1.0\n"
        ));
    }
    let error = refusal(&text);
    assert!(
        error.contains("channels[256]: at most 256 channels"),
        "{error}"
    );
    let mut text = shipped("black-friday.toml");
    for i in 0..31 {
        text.push_str(&format!(
            "\n[[fulfillment.carriers]]\ncode = \"C{i}\"\nbands = [{{ max_distance_km = 100, base_cents = 1, per_kg_cents = 1, transit_days = 1 }}]\n"
        ));
    }
    let error = refusal(&text);
    assert!(
        error.contains("fulfillment.carriers[32]: at most 32 carriers"),
        "{error}"
    );
    let mut text = shipped("baseline.toml");
    for i in 0..62 {
        text.push_str(&format!(
            "\n[[warehouses]]\ncode = \"W{i}\"\nlatitude_deg = 51.0\nlongitude_deg = 0.0\ncapacity_lines_per_day = 10\n"
        ));
    }
    let error = refusal(&text);
    assert!(
        error.contains("warehouses: at most 64 warehouses"),
        "{error}"
    );
}

#[test]
fn invalid_utf8_in_a_scenario_names_its_line_and_byte() {
    let dir = temp_dir("utf8");
    let mut bytes = shipped("baseline.toml").into_bytes();
    let at = bytes.windows(6).position(|w| w == b"London").unwrap();
    bytes[at + 1] = 0xff;
    let path = dir.join("bad.toml");
    std::fs::write(&path, &bytes).unwrap();
    let out = qm(&[
        "simulate",
        path.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let error = String::from_utf8_lossy(&out.stderr);
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let column = at + 1 - bytes[..at].iter().rposition(|&b| b == b'\n').unwrap();
    assert!(
        error.contains(&format!(
            "bad.toml:{line}:{column}: invalid UTF-8 at byte {}",
            at + 1
        )),
        "{error}"
    );
}

#[test]
fn a_run_folder_name_stays_inside_out_and_links_there_are_not_followed() {
    for name in ["../../x", "/tmp/abs", "", ".", "a/b"] {
        let error = refusal(&edited(
            "baseline.toml",
            &[("name = \"baseline\"", &format!("name = {name:?}"))],
        ));
        assert!(error.contains("cannot name the output folder"), "{error}");
    }
    let dir = temp_dir("links");
    let precious = dir.join("precious.txt");
    std::fs::write(&precious, "keep").unwrap();
    std::fs::create_dir_all(dir.join("baseline")).unwrap();
    for file in ["summary.json", "daily.csv", "results.qmr"] {
        std::os::unix::fs::symlink(&precious, dir.join("baseline").join(file)).unwrap();
    }
    let out = qm(&[
        "simulate",
        scenario("baseline.toml").to_str().unwrap(),
        "--days",
        "1",
        "--format",
        "csv,json",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep");
    let summary = std::fs::read_to_string(dir.join("baseline/summary.json")).unwrap();
    assert!(summary.starts_with('{'));
}

#[test]
fn text_cells_a_spreadsheet_would_run_are_defused_in_csv_only() {
    let dir = temp_dir("formula");
    let text = edited(
        "baseline.toml",
        &[("code = \"marketplace\"", "code = \"=HYPERLINK(1)\"")],
    );
    let path = dir.join("formula.toml");
    std::fs::write(&path, text).unwrap();
    let out = qm(&[
        "simulate",
        path.to_str().unwrap(),
        "--days",
        "1",
        "--format",
        "csv,parquet",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let channels = std::fs::read_to_string(dir.join("baseline/channels.csv")).unwrap();
    assert!(channels.contains("'=HYPERLINK(1)"), "{channels}");
    assert!(
        !channels.lines().any(|l| l.starts_with("=HYPERLINK")),
        "{channels}"
    );
}

#[test]
fn calculators_refuse_figures_that_would_overflow_or_hang() {
    let out = qm(&[
        "policy",
        "--mean-demand",
        "1e300",
        "--demand-std",
        "1e300",
        "--lead-time-days",
        "5",
        "--service-level",
        "0.9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--mean-demand: must be at most"));
    let out = qm(&[
        "engine",
        "drive",
        "/nonexistent",
        "--flush-interval-us",
        "1000000000000",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1000000000000 is not in 0..=1000000"));
    // A count of commands or submissions is at least 1: 0 is refused as an argument, before the
    // folder is touched (it was taken as 1, or refused later as a setting with exit code 1).
    for (option, value) in [
        ("--submission", "0"),
        ("--in-flight", "0"),
        ("--batch-max-commands", "0"),
        ("--batch-max-commands", "1048577"),
    ] {
        let out = qm(&["engine", "drive", "/nonexistent", option, value]);
        assert_eq!(out.status.code(), Some(2), "{option} {value}");
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(
            message.contains(&format!("'{value}' for '{option} <"))
                && message.contains(&format!("{value} is not in 1..=1048576")),
            "{message}"
        );
    }
}

/// A list option is one run, folder or row per value: a value given twice is refused before
/// anything runs (two seeds `1` wrote `seed-1` twice, then failed with a table error).
#[test]
fn list_options_that_name_a_value_twice_are_refused() {
    let scenario = scenario("baseline.toml");
    for (args, message) in [
        (
            vec!["simulate", "--seeds", "1,2,1"],
            "--seeds: `1` is listed twice",
        ),
        (
            vec!["simulate", "--format", "csv,html,csv"],
            "--format: `csv` is listed twice",
        ),
        (
            vec!["bench", "--strategies", "nearest,priority,nearest"],
            "--strategies: `nearest` is listed twice",
        ),
        (
            vec!["tune", "--service-levels", "0.9,0.95,0.9"],
            "--service-levels: `0.9` is listed twice",
        ),
        (
            vec!["tune", "--methods", "normal,normal"],
            "--methods: `normal` is listed twice",
        ),
        (
            vec!["tune", "--forecasts", "holt_winters,holt-winters"],
            "--forecasts: `holt_winters` is listed twice",
        ),
    ] {
        let out = temp_dir("twice");
        let mut args = args.clone();
        args.extend([scenario.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        let output = qm(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!out.join("baseline").exists(), "{args:?} wrote nothing");
    }
}

#[test]
fn an_unknown_cost_bound_relaxation_is_refused_naming_both() {
    let out = temp_dir("relaxation");
    let baseline = scenario("baseline.toml");
    for command in ["simulate", "bench"] {
        let output = qm(&[
            command,
            baseline.to_str().unwrap(),
            "--cost-bound=lines",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("`lines` is not a relaxation: unit_share or line_share"),
            "{command}: {stderr}"
        );
        assert!(!out.join("baseline").exists(), "{command} wrote nothing");
    }
}

/// `qm … | head` closes the pipe before `qm` has printed everything: `qm` ends quietly (by
/// SIGPIPE, as Unix tools do), never with a panic about a broken pipe.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_qm_quietly() {
    use std::os::unix::process::ExitStatusExt;
    for _ in 0..5 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_qm"))
            .args(["policy", "loss", "--z", "1.2"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reading end closes at once, most often before qm's first line.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            output.status.success() || output.status.signal() == Some(libc::SIGPIPE),
            "{:?}: {stderr}",
            output.status
        );
    }
}
