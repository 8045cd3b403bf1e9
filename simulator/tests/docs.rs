//! The documents checked against the code. `scenarios/README.md` lists every scenario key with
//! its default and the limits: every key the code accepts (serde names them when it refuses an
//! unknown one) has a row, a scenario that sets a key to the default its row gives reads exactly
//! as one that leaves the key out, and each limit it states is the constant the code checks
//! against. Every `qm` command the READMEs show exists, with every option it names.

mod common;
use common::document;

use qm_simulator::scenario::Scenario;

/// The keys a scenario cannot leave out, plus one entry of every list of tables, so that the
/// defaults inside those entries can be checked too.
const BASE: &str = r#"
name = "defaults"

[horizon]
days = 7
seed = 1

[[skus]]
code = "A"
unit_weight_grams = 100
unit_price_cents = 100

[[warehouses]]
code = "W"
latitude_deg = 0.0
longitude_deg = 0.0
capacity_lines_per_day = 10

[[channels]]
code = "web"
warehouses = ["W"]
strategy = "nearest"
share = 1.0

[[customers]]
name = "R"
latitude_deg = 0.0
longitude_deg = 0.0
share = 1.0

[demand.recorded]
path = "history.csv"

[demand.recorded.columns]
order_id = "o"
timestamp = "t"
sku = "s"
quantity = "q"

[[demand.events]]
name = "E"
start = 2026-01-05
end = 2026-01-06
multiplier = 2.0

[[fulfillment.carriers]]
code = "C"
bands = [{ max_distance_km = 1.0, base_cents = 1, per_kg_cents = 1, transit_days = 1 }]

[[replenishment.suppliers]]
code = "S"
lead_time_days = 3.0
"#;

/// One README row: the key's path from the file's root, the default as written, its line.
struct Row {
    path: Vec<String>,
    default: String,
    line: usize,
}

/// The tables a line names: `[demand]`, `[[demand.events]]` → `demand`, `demand.events`.
fn tables_named(line: &str) -> Vec<String> {
    line.split('`')
        .skip(1)
        .step_by(2)
        .filter(|code| code.starts_with('['))
        .map(|code| code.trim_matches(|c| c == '[' || c == ']').to_string())
        .collect()
}

/// A key as the README writes it, resolved against the tables its section names: a key whose
/// first part is one of those tables' last part continues that table (`events.name` in
/// `[[demand.events]]`); any other key is inside the section's first table, or at the root.
fn resolve(key: &str, tables: &[String]) -> Vec<String> {
    let parts: Vec<&str> = key.split('.').collect();
    for table in tables {
        let table: Vec<&str> = table.split('.').collect();
        if table.last() == parts.first() {
            return table[..table.len() - 1]
                .iter()
                .chain(&parts)
                .map(|p| p.to_string())
                .collect();
        }
    }
    let mut path: Vec<String> = match tables.first() {
        Some(table) => table.split('.').map(String::from).collect(),
        None => Vec::new(),
    };
    path.extend(parts.iter().map(|p| p.to_string()));
    path
}

/// The fields of an inline table a row describes: `{ sku, warehouse, units }`.
fn inline_fields(line: &str) -> Vec<String> {
    let Some((_, rest)) = line.split_once("`{ ") else {
        return Vec::new();
    };
    let fields = rest.split_once(" }`").map_or("", |(fields, _)| fields);
    fields.split(", ").map(String::from).collect()
}

/// Every (key, default) row of the README's key tables; a row naming several keys gives one
/// row each, with the matching one of several comma-separated defaults (`3, 14`).
fn rows(readme: &str) -> Vec<Row> {
    let mut tables = Vec::new();
    let mut out = Vec::new();
    let mut default_column = None;
    for (i, line) in readme.lines().enumerate() {
        if line.starts_with("## ") || line.starts_with("`[") {
            tables = tables_named(line);
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if !line.starts_with('|') || cells.len() < 4 {
            default_column = None;
            continue;
        }
        if cells[1] == "key" {
            default_column = cells.iter().position(|c| *c == "default");
            continue;
        }
        let Some(column) = default_column else {
            continue;
        };
        // A row may open with its own table: `[[skus]]` `code`, `unit_weight_grams`.
        let (row_tables, key_cell) = match cells[1].split_once("` `") {
            Some((table, keys)) if table.starts_with("`[") => {
                (tables_named(&format!("{table}`")), format!("`{keys}"))
            }
            _ => (tables.clone(), cells[1].to_string()),
        };
        let keys: Vec<&str> = key_cell.split(", ").collect();
        if !keys
            .iter()
            .all(|k| k.starts_with('`') && k.ends_with('`') && k.len() > 2)
        {
            continue;
        }
        let defaults: Vec<&str> = if keys.len() > 1 {
            cells[column].split(", ").collect()
        } else {
            vec![cells[column]]
        };
        for (k, key) in keys.iter().enumerate() {
            let default = defaults.get(k).unwrap_or(&defaults[0]);
            let path = resolve(key.trim_matches('`'), &row_tables);
            // A list of small tables is documented inline: list of `{ sku, warehouse, units }`.
            for field in inline_fields(line) {
                out.push(Row {
                    path: path.iter().cloned().chain([field]).collect(),
                    default: "—".into(),
                    line: i + 1,
                });
            }
            out.push(Row {
                path,
                default: default.to_string(),
                line: i + 1,
            });
        }
    }
    out
}

/// The default as a TOML value, if the README writes it as one: a number, `true`/`false`, a
/// date, `""`, `[]`, or a name in backticks (a string). `—`, `none` and prose are not values.
fn as_value(default: &str, keys: &[String]) -> Option<toml::Value> {
    let literal = match default.strip_prefix('`').and_then(|d| d.strip_suffix('`')) {
        // A default that names another key (`accuracy.pick_error_rate`) is a fallback, not a value.
        Some(name) if keys.iter().any(|k| k == name) => return None,
        Some(name) => format!("{name:?}"),
        None => default.to_string(),
    };
    let table: toml::Table = toml::from_str(&format!("v = {literal}")).ok()?;
    table.get("v").cloned()
}

/// `table` with `path` set to `value`: in the first entry of a list of tables, making tables
/// that are not there yet.
fn with_key(mut table: toml::Table, path: &[String], value: toml::Value) -> toml::Table {
    let mut at = &mut table;
    for part in &path[..path.len() - 1] {
        let next = at
            .entry(part.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        at = match next {
            toml::Value::Table(t) => t,
            toml::Value::Array(entries) => entries[0].as_table_mut().expect("a list of tables"),
            other => panic!("{part} is {other:?}, not a table"),
        };
    }
    let key = path.last().expect("a key");
    assert!(
        !at.contains_key(key),
        "{} is already in the base scenario",
        path.join(".")
    );
    at.insert(key.clone(), value);
    table
}

/// The scenario's `Debug` text without the places its values were read from (a default has
/// none, a value written in the file has its own).
fn without_spans(scenario: &Scenario) -> String {
    let text = format!("{scenario:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("span: ") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let end = after
            .find(", value: ")
            .expect("a Spanned's Debug is { span, value }");
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn read(text: &str) -> Scenario {
    toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn every_default_the_readme_gives_is_the_codes_default() {
    let readme = document("scenarios/README.md");
    let rows = rows(&readme);
    let keys: Vec<String> = rows.iter().map(|r| r.path.join(".")).collect();
    let base: toml::Table = toml::from_str(BASE).expect("the base scenario");
    let left_out = without_spans(&read(BASE));
    let mut checked = Vec::new();
    let mut wrong = Vec::new();
    for row in &rows {
        let Some(value) = as_value(&row.default, &keys) else {
            continue;
        };
        let key = row.path.join(".");
        let text = toml::to_string(&with_key(base.clone(), &row.path, value))
            .expect("a table writes as TOML");
        let set = match toml::from_str::<Scenario>(&text) {
            Ok(scenario) => without_spans(&scenario),
            Err(e) => {
                wrong.push(format!(
                    "README line {}: {key} = {} is refused: {e}",
                    row.line, row.default
                ));
                continue;
            }
        };
        if set != left_out {
            let at = set
                .bytes()
                .zip(left_out.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let from = at.saturating_sub(80);
            wrong.push(format!(
                "README line {}: {key} defaults to {}, but the code's default differs:\n  set:      …{}…\n  left out: …{}…",
                row.line,
                row.default,
                &set[from..(at + 40).min(set.len())],
                &left_out[from..(at + 40).min(left_out.len())],
            ));
        }
        checked.push(key);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    println!("{} defaults checked: {}", checked.len(), checked.join(", "));
    // The README's tables hold well over this many defaults written as values; fewer means the
    // tables were not read, not that the defaults agree.
    assert!(checked.len() >= 60, "only {} defaults read", checked.len());
    for key in [
        "catalog.skus",
        "demand.events.ramp_up_days",
        "returns.delay_days_max",
    ] {
        assert!(checked.iter().any(|k| k == key), "{key} not checked");
    }
}

/// The keys the code accepts in the table at `path`, as serde lists them when refusing an
/// unknown one.
fn accepted_keys(base: &toml::Table, path: &[String]) -> Vec<String> {
    let probe: Vec<String> = path.iter().cloned().chain(["no_such_key".into()]).collect();
    let text = toml::to_string(&with_key(base.clone(), &probe, toml::Value::Integer(0)))
        .expect("a table writes as TOML");
    let error = match toml::from_str::<Scenario>(&text) {
        Ok(_) => panic!("{}: an unknown key was accepted", path.join(".")),
        Err(e) => e.to_string(),
    };
    let expected = error
        .split_once("expected one of ")
        .or_else(|| error.split_once("expected "))
        .unwrap_or_else(|| panic!("{}: {error}", path.join(".")))
        .1;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect()
}

#[test]
fn every_key_the_code_accepts_is_in_the_readme() {
    let readme = document("scenarios/README.md");
    let documented: Vec<String> = rows(&readme).iter().map(|r| r.path.join(".")).collect();
    let mut base: toml::Table = toml::from_str(BASE).expect("the base scenario");
    // One entry of each list of tables documented inline, so that its keys can be probed.
    let cells = r#"cells = [{ sku = "A", warehouse = "W", units = 1 }]"#;
    let skus = r#"skus = [{ sku = "A", reorder_point_units = 1, order_quantity_units = 1 }]"#;
    for (table, entry) in [
        (vec!["initial_stock"], cells),
        (vec!["replenishment"], skus),
    ] {
        let entry: toml::Table = toml::from_str(entry).expect("an entry");
        let (key, value) = entry.into_iter().next().expect("one key");
        let mut path: Vec<String> = table.into_iter().map(String::from).collect();
        path.push(key);
        base = with_key(base, &path, value);
    }
    let tables = [
        "",
        "horizon",
        "catalog",
        "skus",
        "warehouses",
        "initial_stock",
        "initial_stock.cells",
        "channels",
        "customers",
        "demand",
        "demand.recorded",
        "demand.recorded.columns",
        "demand.events",
        "carts",
        "fulfillment",
        "fulfillment.carriers",
        "fulfillment.carriers.bands",
        "returns",
        "accuracy",
        "replenishment",
        "replenishment.suppliers",
        "replenishment.skus",
        "targets",
    ];
    let mut missing = Vec::new();
    let mut probed = 0;
    for table in tables {
        let path: Vec<String> = table
            .split('.')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect();
        for key in accepted_keys(&base, &path) {
            let full: Vec<String> = path.iter().cloned().chain([key]).collect();
            probed += 1;
            // A table is documented by its own keys, probed in turn.
            let is_table = tables.contains(&full.join(".").as_str());
            if !is_table && !documented.contains(&full.join(".")) {
                missing.push(full.join("."));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys the code accepts that scenarios/README.md does not list: {}",
        missing.join(", ")
    );
    println!("{probed} keys the code accepts, every one in scenarios/README.md");
    assert!(probed > 100, "only {probed} keys probed");
}

/// `n` with a comma between thousands, as the README writes numbers.
fn thousands(n: u64) -> String {
    qm_reports::format::group_thousands(n as f64, 0)
}

/// `x` as the README writes a power of ten: `2 × 10⁹`.
fn power_of_ten(x: f64) -> String {
    let exponent = x.log10().floor();
    let superscript: String = (exponent as u32)
        .to_string()
        .chars()
        .map(|d| {
            "⁰¹²³⁴⁵⁶⁷⁸⁹"
                .chars()
                .nth(d as usize - '0' as usize)
                .expect("a digit")
        })
        .collect();
    format!("{} × 10{superscript}", x / 10f64.powf(exponent))
}

/// What the README's limits table, and the rows of the keys it names, must say: (how the row
/// starts, the words).
fn stated_limits() -> Vec<(&'static str, String)> {
    use qm_engine::constants as engine;
    use qm_simulator::scenario::limits::*;
    let t = |x: f64| thousands(x as u64);
    let pay_days = MAX_MINUTES_TO_PAY / (24.0 * 60.0);
    vec![
        (
            "| the scenario file |",
            format!("≤ {} MiB", MAX_SCENARIO_BYTES >> 20),
        ),
        (
            "| cells: SKUs × warehouses |",
            format!(
                "≤ {} (SKUs ≤ {}, warehouses ≤ {})",
                thousands(MAX_CELLS),
                thousands(MAX_SKUS.into()),
                engine::MAX_WAREHOUSES
            ),
        ),
        (
            "| forecasters:",
            format!("≤ {}", thousands(MAX_FORECASTERS)),
        ),
        (
            "| `demand.orders_per_day` (the base rate) |",
            format!("≤ {}", t(MAX_ORDERS_PER_DAY)),
        ),
        (
            "| the busiest day:",
            format!("≤ {} orders", t(MAX_PEAK_ORDERS_PER_DAY)),
        ),
        (
            "| the horizon's order lines:",
            format!("≤ {}", power_of_ten(MAX_HORIZON_LINES)),
        ),
        (
            "| opening stock:",
            format!(
                "≤ {} units (a cell's limit)",
                thousands(engine::MAX_CELL_UNITS.into())
            ),
        ),
        (
            "| `horizon.days` | 1",
            format!("1–{}", thousands(MAX_DAYS.into())),
        ),
        (
            "| `horizon.days` | days",
            format!("1–{}", thousands(MAX_DAYS.into())),
        ),
        (
            "| `demand.trend_per_year` |",
            format!("> −1 and ≤ {MAX_TREND_PER_YEAR}"),
        ),
        (
            "| `trend_per_year` |",
            format!("> −1 and ≤ {MAX_TREND_PER_YEAR}"),
        ),
        (
            "| event `multiplier` |",
            format!("> 0 and ≤ {}", t(MAX_EVENT_MULTIPLIER)),
        ),
        (
            "| `events.multiplier` |",
            format!("> 0, ≤ {}", t(MAX_EVENT_MULTIPLIER)),
        ),
        ("| `demand.dispersion` |", format!("≥ {MIN_DISPERSION}")),
        ("| `dispersion` |", format!("k ≥ {MIN_DISPERSION}")),
        (
            "| `carts.minutes_to_pay` |",
            format!("0–{} ({pay_days} days)", t(MAX_MINUTES_TO_PAY)),
        ),
        (
            "| `minutes_to_pay` |",
            format!("≤ {}", t(MAX_MINUTES_TO_PAY)),
        ),
        (
            "| supplier `lead_time_days`",
            format!("0–{MAX_LEAD_TIME_DAYS}"),
        ),
        (
            "| `suppliers.lead_time_days` |",
            format!("(0–{MAX_LEAD_TIME_DAYS})"),
        ),
        (
            "| channels, carriers |",
            format!("≤ {}, ≤ {}", engine::MAX_CHANNELS, engine::MAX_CARRIERS),
        ),
    ]
}

/// What the key tables must say of the other bounds the code checks.
fn stated_bounds() -> Vec<(&'static str, String)> {
    use qm_engine::constants as engine;
    use qm_simulator::scenario::limits::*;
    let t = |x: f64| thousands(x as u64);
    let ttl_days = engine::MAX_HOLD_TTL_MS / engine::MS_PER_DAY;
    vec![
        (
            "| `orders_per_day` |",
            format!("> 0 and ≤ {}", t(MAX_ORDERS_PER_DAY)),
        ),
        (
            "| `max_lines_per_order` |",
            format!("(≤ {})", engine::MAX_LINES_PER_ORDER),
        ),
        (
            "| `max_units_per_line` |",
            format!("(≤ {})", thousands(MAX_UNITS_PER_LINE.into())),
        ),
        (
            "| `stock_multiplier` |",
            format!("| 0–{MAX_STOCK_MULTIPLIER} |"),
        ),
        (
            "| `days_of_cover` |",
            format!("days, 0–{}", t(MAX_DAYS_OF_COVER)),
        ),
        (
            "| `cells` |",
            format!("0 to {} each", thousands(engine::MAX_CELL_UNITS.into())),
        ),
        (
            "| `hold_ttl_minutes` |",
            format!("(1 minute to {ttl_days} days)"),
        ),
        (
            "| `catalog.unit_price_cents` |",
            format!("1 to {} cents", thousands(MAX_UNIT_PRICE_CENTS)),
        ),
        (
            "| `[[skus]]` `code`,",
            format!("at most {} cents", thousands(MAX_UNIT_PRICE_CENTS)),
        ),
        (
            "| `catalog.holding_cost_rate_per_year` |",
            format!("0–{MAX_HOLDING_COST_RATE_PER_YEAR} |"),
        ),
        (
            "| `bands` |",
            format!(
                "`base_cents` and `per_kg_cents` at most {} cents",
                thousands(MAX_FEE_CENTS)
            ),
        ),
        (
            "| `order_cost_cents` |",
            format!("at most {} cents", thousands(MAX_FEE_CENTS)),
        ),
        (
            "| `reorder_point_days` |",
            format!("days 0–{}", t(MAX_DAYS_OF_COVER)),
        ),
        (
            "| `order_up_to_days` |",
            format!(
                "≤ {} days; a supplier order is at most {} units",
                t(MAX_DAYS_OF_COVER),
                thousands(engine::MAX_MOVEMENT_UNITS.into())
            ),
        ),
        (
            "| `review_period_days` |",
            format!("days, 1–{MAX_REVIEW_PERIOD_DAYS}"),
        ),
    ]
}

#[test]
fn every_limit_the_readme_states_is_the_codes() {
    let readme = document("scenarios/README.md");
    let mut wrong = Vec::new();
    for (start, says) in stated_limits().into_iter().chain(stated_bounds()) {
        match readme.lines().find(|line| line.starts_with(start)) {
            Some(line) if line.contains(says.as_str()) => {}
            Some(line) => wrong.push(format!("{start}… should say {says:?}:\n  {line}")),
            None => wrong.push(format!("no row starts with {start:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every `qm …` command in the code blocks of `text` (continued lines joined, comments cut):
/// its subcommand words and the options it names.
fn commands_shown(text: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut joined = String::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        joined.push_str(line.trim_end().trim_end_matches('\\'));
        if line.trim_end().ends_with('\\') {
            continue;
        }
        let command = std::mem::take(&mut joined);
        let command = command.split(" # ").next().unwrap_or_default();
        for part in command.split(" | ") {
            let Some(rest) = part.trim().strip_prefix("qm ") else {
                continue;
            };
            let words: Vec<String> = rest
                .split_whitespace()
                .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
                .take_while(|w| !w.starts_with('-'))
                .map(String::from)
                .collect();
            let options: Vec<String> = rest
                .split(|c: char| c.is_whitespace() || "[]|".contains(c))
                .filter(|w| w.starts_with("--"))
                .map(|w| w.split('=').next().unwrap_or(w).to_string())
                .collect();
            out.push((words, options));
        }
    }
    out
}

#[test]
fn every_command_and_option_the_readmes_show_exists() {
    let mut wrong = Vec::new();
    let mut checked = 0;
    for readme in ["README.md", "simulator/README.md", "deploy/README.md"] {
        let text = document(readme);
        for (words, options) in commands_shown(&text) {
            let mut args: Vec<&str> = words.iter().map(String::as_str).collect();
            args.push("--help");
            let output = common::qm(&args);
            let help = String::from_utf8_lossy(&output.stdout);
            if !output.status.success() {
                wrong.push(format!("{readme}: qm {} is not a command", words.join(" ")));
                continue;
            }
            for option in &options {
                if !help.contains(&format!("{option} ")) && !help.contains(&format!("{option}\n")) {
                    wrong.push(format!("{readme}: qm {} has no {option}", words.join(" ")));
                }
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    println!("{checked} commands checked");
    assert!(checked >= 30, "only {checked} commands read");
}

#[test]
fn every_shipped_scenario_is_in_both_readmes() {
    let folder = common::scenario("");
    let guide = document("scenarios/README.md");
    let examples = guide
        .split("\n\n")
        .find(|paragraph| paragraph.starts_with("The examples:"))
        .expect("scenarios/README.md's paragraph of examples");
    let readme = document("README.md");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .expect("scenarios/")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 9, "{names:?}");
    for name in &names {
        assert!(
            examples.contains(&format!("`{name}`")),
            "scenarios/README.md's examples do not describe {name}"
        );
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "README.md's table has no row for {name}"
        );
    }
}

#[test]
fn every_crate_is_in_the_readmes_layout() {
    let root = common::manifest_dir().join("..");
    let manifest: toml::Table = toml::from_str(&document("Cargo.toml")).expect("the manifest");
    let members = manifest["workspace"]["members"]
        .as_array()
        .expect("members");
    let readme = document("README.md");
    for member in members {
        let member = member.as_str().expect("a folder");
        assert!(
            readme.contains(&format!("| `{member}/` (")),
            "README.md's layout has no {member}/"
        );
        for document in ["README.md", "DESIGN.md"] {
            assert!(
                root.join(member).join(document).exists(),
                "{member}/{document} is missing"
            );
        }
    }
}
