//! Every kind of malformed input `docs/bad-input.md` lists, run through the `qm` binary: the exit
//! code and the exact message a user sees. That list is generated from this table (run with
//! `QM_BLESS=1` to rewrite it), so the documentation cannot drift from what `qm` prints.

mod common;
use common::{ok, qm, scenario};

use std::path::Path;
use std::process::Output;

/// One malformed input: what it is, how the case makes it, and the command it breaks.
struct Case {
    title: &'static str,
    how: &'static str,
    exit: i32,
    run: fn(&Path) -> Output,
}

/// The shipped baseline with `from` replaced by `to`, written as `dir/bad.toml`.
fn bad_scenario(dir: &Path, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(scenario("baseline.toml")).unwrap();
    assert!(text.contains(from), "{from}");
    let path = dir.join("bad.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path.to_str().unwrap().to_string()
}

fn simulate(dir: &Path, from: &str, to: &str) -> Output {
    qm(&[
        "simulate",
        &bad_scenario(dir, from, to),
        "--out",
        dir.to_str().unwrap(),
    ])
}

/// A one-day run of the baseline, written to `dir/baseline`.
fn one_day_baseline(dir: &Path) {
    let scenario = scenario("baseline.toml");
    let (scenario, out) = (scenario.to_str().unwrap(), dir.to_str().unwrap());
    ok(&qm(&[
        "simulate", scenario, "--days", "1", "--out", out, "--quiet",
    ]));
}

/// Flips the bits `mask` of one byte of `file`: the byte `at` picks from the file's length.
fn flip(file: &Path, at: fn(usize) -> usize, mask: u8) {
    let mut bytes = std::fs::read(file).unwrap();
    let byte = at(bytes.len());
    bytes[byte] ^= mask;
    std::fs::write(file, bytes).unwrap();
}

const HISTORY: &str = "\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,HANGING HEART,6,2011-06-01 08:26:00,2.55,17850,United Kingdom
536366,22633,HAND WARMER,12,2011-06-01 09:00:00,1.85,,France
536367,21730,GLASS STAR,oops,2011-06-01 09:10:00,4.25,13047,United Kingdom
";

fn import(dir: &Path, text: &str) -> Output {
    let csv = dir.join("history.csv");
    std::fs::write(&csv, text).unwrap();
    let out = dir.join("history.qmd");
    qm(&[
        "import",
        csv.to_str().unwrap(),
        "--preset",
        "online_retail",
        "--strict",
        "--out",
        out.to_str().unwrap(),
    ])
}

const CASES: &[Case] = &[
    Case {
        title: "A scenario key that does not exist",
        how: "`speed = 3` under `[horizon]`",
        exit: 2,
        run: |dir| simulate(dir, "seed = 42", "seed = 42\nspeed = 3"),
    },
    Case {
        title: "A negative rate",
        how: "`orders_per_day = -5`",
        exit: 2,
        run: |dir| simulate(dir, "orders_per_day = 3000", "orders_per_day = -5"),
    },
    Case {
        title: "A value of the wrong type",
        how: "`days = \"many\"`",
        exit: 2,
        run: |dir| simulate(dir, "days = 28", "days = \"many\""),
    },
    Case {
        title: "A share outside 0–1",
        how: "`abandonment_rate = 1.5`",
        exit: 2,
        run: |dir| simulate(dir, "abandonment_rate = 0.2", "abandonment_rate = 1.5"),
    },
    Case {
        title: "An unknown warehouse",
        how: "a channel served from `XYZ`",
        exit: 2,
        run: |dir| {
            simulate(
                dir,
                "warehouses = [\"MAN\", \"LON\"]",
                "warehouses = [\"MAN\", \"XYZ\"]",
            )
        },
    },
    Case {
        title: "An unknown SKU",
        how: "opening stock for SKU `NOPE`",
        exit: 2,
        run: |dir| {
            simulate(
                dir,
                "days_of_cover = 10.0",
                "days_of_cover = 10.0\ncells = [{ sku = \"NOPE\", warehouse = \"LON\", units = 5 }]",
            )
        },
    },
    Case {
        title: "A code listed twice in an inline table",
        how: "two SKUs coded `MUG` in a multi-line `skus` list",
        exit: 2,
        run: |dir| {
            simulate(
                dir,
                "name = \"baseline\"\n",
                "name = \"baseline\"\nskus = [\n  { code = \"MUG\", unit_weight_grams = 300, unit_price_cents = 900 },\n  { code = \"MUG\", unit_weight_grams = 500, unit_price_cents = 1200 },\n]\n",
            )
        },
    },
    Case {
        title: "A scenario file that is not there",
        how: "`qm simulate DIR/missing.toml`",
        exit: 2,
        run: |dir| qm(&["simulate", dir.join("missing.toml").to_str().unwrap()]),
    },
    Case {
        title: "A scenario file without end",
        how: "`qm simulate /dev/zero`",
        exit: 2,
        run: |_| qm(&["simulate", "/dev/zero"]),
    },
    Case {
        title: "A CSV row that does not parse",
        how: "`qm import --strict` of a history whose third row has quantity `oops`",
        exit: 2,
        run: |dir| import(dir, HISTORY),
    },
    Case {
        title: "A CSV history without a mapped column",
        how: "the `Quantity` column missing",
        exit: 2,
        run: |dir| {
            import(dir, "InvoiceNo,StockCode,InvoiceDate,UnitPrice,CustomerID,Country\n1,A,2011-06-01 08:26:00,2.55,1,UK\n")
        },
    },
    Case {
        title: "A history that is not a CSV",
        how: "`qm import` of 20 MiB of zero bytes, what /dev/zero gives",
        exit: 2,
        run: |dir| import(dir, &"\0".repeat(20 << 20)),
    },
    Case {
        title: "More days than the horizon has",
        how: "`qm simulate --days 29` of the 28-day baseline",
        exit: 2,
        run: |dir| {
            let scenario = bad_scenario(dir, "days = 28", "days = 28");
            let out = dir.to_str().unwrap();
            qm(&["simulate", &scenario, "--days", "29", "--out", out])
        },
    },
    Case {
        title: "An argument out of range",
        how: "`qm bench --replications 0`",
        exit: 2,
        run: |_| {
            qm(&[
                "bench",
                scenario("baseline.toml").to_str().unwrap(),
                "--replications",
                "0",
            ])
        },
    },
    Case {
        title: "An output folder that is a file",
        how: "`qm bench --out DIR/file`, where `DIR/file` is a file",
        exit: 2,
        run: |dir| {
            std::fs::write(dir.join("file"), "").unwrap();
            let baseline = scenario("baseline.toml");
            let out = dir.join("file");
            qm(&[
                "bench",
                baseline.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
        },
    },
    Case {
        title: "A sizing target that is not a share",
        how: "`qm size --target-fulfillment 1.5`",
        exit: 2,
        run: |_| {
            qm(&[
                "size",
                scenario("warehouse-sizing.toml").to_str().unwrap(),
                "--target-fulfillment",
                "1.5",
            ])
        },
    },
    Case {
        title: "A folder that holds no run",
        how: "`qm report` of the output folder above the run's (`runs`, not `runs/baseline`)",
        exit: 2,
        run: |dir| {
            one_day_baseline(dir);
            qm(&["report", dir.to_str().unwrap()])
        },
    },
    Case {
        title: "A damaged results file",
        how: "one bit of a one-day run's `results.qmr` flipped, then `qm report`",
        exit: 1,
        run: |dir| {
            one_day_baseline(dir);
            flip(&dir.join("baseline/results.qmr"), |len| len - 1, 0x10);
            qm(&["report", dir.join("baseline").to_str().unwrap()])
        },
    },
    Case {
        title: "A journal damaged in the middle",
        how: "byte 2,500 of a 2,000-command journal flipped, then `qm engine inspect`",
        exit: 1,
        run: |dir| {
            let engine = dir.join("engine");
            ok(&qm(&[
                "engine",
                "drive",
                engine.to_str().unwrap(),
                "--scenario",
                scenario("baseline.toml").to_str().unwrap(),
                "--commands",
                "2000",
                "--snapshot-every",
                "0",
            ]));
            let journal = engine.join("journal-00000000000000000001.qmj");
            flip(&journal, |_| 2_500, 0x20);
            qm(&["engine", "inspect", engine.to_str().unwrap()])
        },
    },
    Case {
        title: "A folder that is not a durable engine",
        how: "`qm engine recover` of an empty folder",
        exit: 2,
        run: |dir| {
            let empty = dir.join("empty");
            std::fs::create_dir_all(&empty).unwrap();
            qm(&["engine", "recover", empty.to_str().unwrap()])
        },
    },
    Case {
        title: "A new durable engine without its scenario",
        how: "`qm serve` of a folder that does not exist yet, without `--scenario`",
        exit: 2,
        run: |dir| {
            let new = dir.join("new");
            let out = qm(&["serve", new.to_str().unwrap()]);
            assert!(!new.exists(), "nothing made");
            out
        },
    },
];

/// The docs section: each case with the exact message, temporary paths shown as `DIR`.
fn markdown(outputs: &[(usize, String)]) -> String {
    let mut out = String::new();
    for &(i, ref message) in outputs {
        let case = &CASES[i];
        out += &format!(
            "**{}** — {} (exit {}):\n\n```text\n{}\n```\n\n",
            case.title, case.how, case.exit, message
        );
    }
    out
}

#[test]
fn every_malformed_input_kind_gets_the_message_the_readme_shows() {
    let root = common::test_root().join("malformed");
    let _ = std::fs::remove_dir_all(&root);
    let mut outputs = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let dir = root.join(i.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let output = (case.run)(&dir);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(case.exit),
            "{}: exit {:?}\n{stderr}",
            case.title,
            output.status.code()
        );
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.title);
        outputs.push((i, stderr.trim_end().replace(dir.to_str().unwrap(), "DIR")));
    }
    let expected = markdown(&outputs);
    let path = common::manifest_dir().join("../docs/bad-input.md");
    let mut readme = std::fs::read_to_string(&path).unwrap();
    let (start_marker, end_marker) = ("<!-- malformed:start -->\n", "<!-- malformed:end -->");
    let start = readme
        .find(start_marker)
        .expect("docs/bad-input.md has a malformed:start marker")
        + start_marker.len();
    let end = readme[start..]
        .find(end_marker)
        .expect("docs/bad-input.md has a malformed:end marker")
        + start;
    if std::env::var_os("QM_BLESS").is_some() {
        readme.replace_range(start..end, &expected);
        std::fs::write(&path, readme).unwrap();
    } else {
        assert!(
            readme[start..end] == expected,
            "docs/bad-input.md's list differs from what qm prints: run \
             `QM_BLESS=1 cargo test -p qm-simulator --test malformed`\n--- qm prints ---\n{expected}"
        );
    }
    std::fs::remove_dir_all(&root).unwrap();
}

/// Every command that writes refuses, before any run, an output path it could not write: a
/// file where a folder goes (or a folder where its file goes). The runs would otherwise be made
/// and then lost at the write.
#[test]
fn every_output_path_that_cannot_be_written_is_refused_before_the_work() {
    let dir = common::temp_dir("malformed-out");
    let file = dir.join("file");
    std::fs::write(&file, "kept").unwrap();
    one_day_baseline(&dir);
    let (file_arg, run) = (file.to_str().unwrap(), dir.join("baseline"));
    let (baseline, sizing) = (scenario("baseline.toml"), scenario("warehouse-sizing.toml"));
    let (baseline, sizing) = (baseline.to_str().unwrap(), sizing.to_str().unwrap());
    let safety = scenario("safety-stock.toml");
    let long = dir.join("long.csv");
    std::fs::write(&long, "id,date,units\na,2024-01-01,3\na,2024-01-02,4\n").unwrap();
    let history = dir.join("history.csv");
    std::fs::write(&history, HISTORY).unwrap();
    let nested = format!("{file_arg}/inside");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["simulate", baseline, "--days", "1"], "baseline"),
        (vec!["simulate", baseline, "--seeds", "1,2"], "baseline"),
        (vec!["bench", baseline, "--days", "1"], "baseline/bench"),
        (vec!["size", sizing, "--days", "1"], "warehouse-sizing/size"),
        (
            vec!["tune", safety.to_str().unwrap(), "--days", "60"],
            "safety-stock",
        ),
        (vec!["report", run.to_str().unwrap()], ""),
        (
            vec!["compare", run.to_str().unwrap(), dir.to_str().unwrap()],
            "",
        ),
        (
            vec![
                "forecast",
                long.to_str().unwrap(),
                "--id",
                "id",
                "--date",
                "date",
            ]
            .into_iter()
            .chain(["--value", "units", "--method", "ses", "--horizon", "2"])
            .collect(),
            "forecast",
        ),
    ];
    for (args, made) in cases {
        let out = qm(&args
            .iter()
            .copied()
            .chain(["--out", &nested])
            .collect::<Vec<_>>());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let folder = match made {
            "" => Path::new(&nested).to_path_buf(),
            made => Path::new(&nested).join(made),
        };
        let expected = format!(
            "error: --out: `{file_arg}` is a file, not a folder, so `{}` cannot be made\n",
            folder.display()
        );
        assert_eq!(
            (out.status.code(), stderr.as_ref()),
            (Some(2), expected.as_str()),
            "{args:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?}: nothing runs");
    }
    for command in [vec!["serve"], vec!["engine", "drive"]] {
        let args: Vec<&str> = command
            .into_iter()
            .chain([file_arg, "--scenario", baseline])
            .collect();
        let out = qm(&args);
        let expected = format!("error: DIR: `{file_arg}` is a file, not a folder\n");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), expected, "{args:?}");
    }
    let import = |to: &Path| {
        let (history, to) = (history.to_str().unwrap(), to.to_str().unwrap());
        qm(&["import", history, "--preset", "online_retail", "--out", to])
    };
    let out = import(&dir);
    let expected = format!(
        "error: --out: `{}` is a folder; name the file to write\n",
        dir.display()
    );
    assert_eq!(
        (out.status.code(), String::from_utf8_lossy(&out.stderr)),
        (Some(2), expected.into())
    );
    let out = import(&file.join("log.qmd"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be written"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept");
    std::fs::remove_dir_all(&dir).unwrap();
}
