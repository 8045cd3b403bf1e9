//! `docs/outputs.md` lists, file by file, the columns the analysis commands write, and the keys
//! of `forecast.json`; `docs/tables.md` ends with the keys of a run's `summary.json` and
//! `latency.json`. Each command runs here on a small case, and every file's header (and each
//! JSON's keys) is held to its list: a column or key added, renamed, moved or dropped fails until
//! the reference says so.

mod common;
use common::{manifest_dir, ok, qm, scenario, simulate_two_days, small_sizing_scenario, temp_dir};

use std::path::Path;

/// The reference's column names per file: `## \`file.csv\`` sections, the first cell of each
/// table row.
fn documented() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(manifest_dir().join("../docs/outputs.md")).unwrap();
    let mut files: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## `") {
            files.push((name.trim_end_matches('`').to_string(), Vec::new()));
        } else if let (Some(row), Some((_, columns))) = (line.strip_prefix("| `"), files.last_mut())
        {
            columns.push(row.split('`').next().unwrap().to_string());
        }
    }
    files
}

/// What `column` puts in the place of `pattern`'s `<…>` (`88` for `seed_<N>` and `seed_88`);
/// `None` when it does not fit. `<N>` and `<level>` stand for digits.
fn bind<'c>(pattern: &str, column: &'c str) -> Option<&'c str> {
    let Some((prefix, rest)) = pattern.split_once('<') else {
        return (pattern == column).then_some("");
    };
    let (placeholder, suffix) = rest.split_once('>').unwrap();
    let value = column.strip_prefix(prefix)?.strip_suffix(suffix)?;
    let digits = matches!(placeholder, "N" | "level");
    let fits = !value.is_empty() && (!digits || value.bytes().all(|b| b.is_ascii_digit()));
    fits.then_some(value)
}

/// The `<…>` of a column name (`N` of `seed_<N>`), if it has one.
fn placeholder(column: &str) -> Option<&str> {
    let (_, rest) = column.split_once('<')?;
    rest.split('>').next()
}

/// Whether `header` is `columns` with each run of rows sharing a `<…>` repeated once or more,
/// the one value throughout a repetition; else what differs.
fn check(columns: &[String], header: &[&str]) -> Result<(), String> {
    let mut groups: Vec<Vec<&String>> = Vec::new();
    for column in columns {
        match groups.last_mut() {
            Some(group)
                if placeholder(column).is_some()
                    && placeholder(group[0]) == placeholder(column) =>
            {
                group.push(column);
            }
            _ => groups.push(vec![column]),
        }
    }
    let mut at = 0;
    for group in &groups {
        let repeats = placeholder(group[0]).is_some();
        let mut times = 0;
        'repetition: loop {
            let mut value = None;
            for (k, pattern) in group.iter().enumerate() {
                let bound = header.get(at + k).and_then(|c| bind(pattern, c));
                match (bound, value) {
                    (Some(v), None) => value = Some(v),
                    (Some(v), Some(w)) if v == w => {}
                    _ => break 'repetition,
                }
            }
            at += group.len();
            times += 1;
            if !repeats {
                break;
            }
        }
        if times == 0 {
            let found = header.get(at).unwrap_or(&"the end");
            return Err(format!(
                "column {} is `{found}`, documented `{}`",
                at + 1,
                group[0]
            ));
        }
    }
    match header.get(at) {
        None => Ok(()),
        Some(extra) => Err(format!("column {} `{extra}` is not documented", at + 1)),
    }
}

fn header(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let first = text.lines().next().unwrap_or("");
    first.split(',').map(str::to_string).collect()
}

/// Runs every command the reference covers into `dir`; the files, by name.
fn written(dir: &Path) -> Vec<(&'static str, std::path::PathBuf)> {
    let out = dir.to_str().unwrap();
    let flash = scenario("flash-sale.toml");
    let flash = flash.to_str().unwrap();
    ok(&qm(&[
        "simulate", flash, "--seeds", "1,2", "--days", "2", "--out", out, "--quiet",
    ]));
    ok(&qm(&[
        "bench",
        flash,
        "--strategies",
        "nearest,priority",
        "--replications",
        "2",
        "--days",
        "2",
        "--out",
        out,
        "--quiet",
    ]));
    let tune = scenario("safety-stock.toml");
    ok(&qm(&[
        "tune",
        tune.to_str().unwrap(),
        "--service-levels",
        "0.9",
        "--methods",
        "normal",
        "--forecasts",
        "ses",
        "--replications",
        "2",
        "--days",
        "60",
        "--out",
        out,
        "--quiet",
    ]));
    // The sizing example at a quarter of its demand, over 5 days.
    let small_path = small_sizing_scenario(dir);
    ok(&qm(&[
        "size",
        small_path.to_str().unwrap(),
        "--replications",
        "1",
        "--days",
        "5",
        "--out",
        out,
        "--quiet",
    ]));
    let series = dir.join("series.csv");
    let mut rows = String::from("item,date,units\n");
    for item in ["A", "B"] {
        for day in 1..=28 {
            rows.push_str(&format!("{item},2026-02-{day:02},{}\n", (day * 7) % 5));
        }
    }
    std::fs::write(&series, rows).unwrap();
    ok(&qm(&[
        "forecast",
        series.to_str().unwrap(),
        "--id",
        "item",
        "--date",
        "date",
        "--value",
        "units",
        "--method",
        "ses",
        "--horizon",
        "2",
        "--quantiles",
        "0.05,0.5,0.975",
        "--backtest",
        "2",
        "--lead-time-days",
        "7",
        "--out",
        out,
    ]));
    let bench = dir.join("flash-sale/bench");
    let size = dir.join("warehouse-sizing/size");
    let forecast = dir.join("forecast");
    vec![
        ("seeds.csv", dir.join("flash-sale/seeds.csv")),
        ("bench.csv", bench.join("bench.csv")),
        ("engine_speed.csv", bench.join("engine_speed.csv")),
        ("compare.csv", bench.join("compare.csv")),
        ("tune.csv", dir.join("safety-stock/tune.csv")),
        ("tune_runs.csv", dir.join("safety-stock/tune_runs.csv")),
        ("recommendation.csv", size.join("recommendation.csv")),
        ("sensitivity.csv", size.join("sensitivity.csv")),
        ("search.csv", size.join("search.csv")),
        ("forecast.csv", forecast.join("forecast.csv")),
        ("lead_time.csv", forecast.join("lead_time.csv")),
    ]
}

/// The keys of `forecast.json` as the reference names them: a top-level key, or
/// `key[].field` for a field of the objects a list holds.
fn json_keys(path: &Path) -> Vec<String> {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut keys = Vec::new();
    for (key, value) in json.as_object().unwrap() {
        match value
            .as_array()
            .and_then(|a| a.first())
            .and_then(|v| v.as_object())
        {
            Some(element) => keys.extend(element.keys().map(|field| format!("{key}[].{field}"))),
            None => keys.push(key.clone()),
        }
    }
    keys.sort();
    keys
}

#[test]
fn every_file_the_analysis_commands_write_has_the_columns_the_reference_lists() {
    let dir = temp_dir("outputs-doc");
    let files = written(&dir);
    let mut reference = documented();
    // The one JSON file: its keys, in any order.
    let (json_name, mut json_documented) = reference.pop().unwrap();
    assert_eq!(json_name, "forecast.json");
    json_documented.sort();
    assert_eq!(
        json_keys(&dir.join("forecast/forecast.json")),
        json_documented
    );
    let names: Vec<&str> = reference.iter().map(|(name, _)| name.as_str()).collect();
    let run: Vec<&str> = files.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names, run,
        "the reference's files, in order, are the ones run here"
    );
    for ((name, columns), (_, path)) in reference.iter().zip(&files) {
        let header = header(path);
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        if let Err(problem) = check(columns, &header) {
            panic!(
                "docs/outputs.md, `{name}`: {problem}\nwritten: {}",
                header.join(",")
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_header_is_held_to_its_list_with_groups_repeated() {
    let columns: Vec<String> = [
        "point",
        "<warehouse>_capacity",
        "<warehouse>_stock",
        "seed_<N>",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(
        check(
            &columns,
            &[
                "point",
                "A_capacity",
                "A_stock",
                "B_capacity",
                "B_stock",
                "seed_1",
                "seed_22"
            ]
        ),
        Ok(())
    );
    assert!(check(&columns, &["point", "A_capacity", "B_stock", "seed_1"]).is_err());
    assert!(check(&columns, &["point", "A_capacity", "A_stock"]).is_err());
    assert!(check(&columns, &["point", "A_capacity", "A_stock", "seed_x"]).is_err());
    assert!(check(
        &columns,
        &["point", "A_capacity", "A_stock", "seed_1", "extra"]
    )
    .is_err());
}

/// The key rows of `**`name`**` in `docs/tables.md`'s JSON section: each row's first cell and
/// the table its `<column>` rows name (`the columns of the `warehouses` table`).
fn run_json_documented(name: &str) -> Vec<(String, Option<String>)> {
    let text = std::fs::read_to_string(manifest_dir().join("../docs/tables.md")).unwrap();
    let (_, json) = text
        .split_once("## The JSON files")
        .expect("a JSON section");
    let (_, part) = json
        .split_once(&format!("**`{name}`**"))
        .expect("the file's part");
    let part = part.split("**`").next().unwrap();
    let rows = part.lines().filter_map(|line| line.strip_prefix("| `"));
    rows.map(|row| {
        let key = row.split('`').next().unwrap().to_string();
        let table = row
            .split_once("the columns of the `")
            .map(|(_, rest)| rest.split('`').next().unwrap().to_string());
        (key, table)
    })
    .collect()
}

/// A pretty-printed object's top-level keys, in the order written.
fn top_level_keys(text: &str) -> Vec<String> {
    let keys = text.lines().filter_map(|line| line.strip_prefix("  \""));
    keys.map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

/// `name` of a run in `dir`: its top-level keys against the reference, in order (`<kpi>` is every
/// KPI of the catalog), and each list's objects against the columns of the table it names.
fn check_run_json(dir: &Path, name: &str) {
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut expected = Vec::new();
    for (key, table) in run_json_documented(name) {
        if key == "<kpi>" {
            expected.extend(qm_reports::kpi::KPIS.iter().map(|k| k.name.to_string()));
            continue;
        }
        let Some((list, "<column>")) = key.split_once("[].") else {
            expected.push(key);
            continue;
        };
        let table = table.unwrap_or_else(|| panic!("{name}: `{key}` names no table"));
        let mut columns = header(&dir.join(format!("{table}.csv")));
        let mut fields: Vec<String> = json[list][0]
            .as_object()
            .unwrap_or_else(|| panic!("{name}: `{list}` holds no object"))
            .keys()
            .cloned()
            .collect();
        columns.sort();
        fields.sort();
        assert_eq!(
            fields, columns,
            "{name}: `{list}[]` against the `{table}` table"
        );
        expected.push(list.to_string());
    }
    assert_eq!(
        top_level_keys(&text),
        expected,
        "{name}'s keys against docs/tables.md"
    );
}

#[test]
fn a_runs_json_files_have_the_keys_the_reference_lists() {
    let dir = temp_dir("outputs-doc-json");
    let flash = scenario("flash-sale.toml");
    simulate_two_days(&flash, &dir);
    let run = dir.join("flash-sale");
    check_run_json(&run, "summary.json");
    check_run_json(&run, "latency.json");
    std::fs::remove_dir_all(&dir).unwrap();
}
