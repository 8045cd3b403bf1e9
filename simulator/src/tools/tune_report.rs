//! `qm tune`'s outputs: `tune.csv` (every setting's figures with their intervals, the Pareto
//! front, the cheapest setting meeting the target), `tune_runs.csv` (the replications behind
//! them) and the terminal report, with the bisections' findings.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use qm_reports::unit::Unit;

use super::error::ToolError;
use super::tune::{
    cheapest_meeting, pareto_front, total_cost, Found, Outcome, Setting, TuneRow, SEARCH_RANGE,
    SEARCH_TOLERANCE,
};
use crate::scenario::SafetyStockMethod;
use crate::tools::stats::Estimate;

/// What the bisections found, as text.
pub fn search_report(found: &[Found], goal: f64) -> String {
    let mut out = format!(
        "\nleast target meeting a mean fill rate of {} (bisection over {}–{}, to {}):\n",
        qm_reports::format::display_given(goal, Unit::Share),
        SEARCH_RANGE.0,
        SEARCH_RANGE.1,
        SEARCH_TOLERANCE
    );
    for f in found {
        let name = format!("{} {}", f.setting.safety_stock.name(), f.setting.forecast);
        let Some(row) = &f.found else {
            out.push_str(&format!(
                "  {name:<28} none: even {} misses it ({} settings run)\n",
                SEARCH_RANGE.1, f.evaluated
            ));
            continue;
        };
        let level = row.setting.service_level;
        out.push_str(&format!(
            "  {name:<28} {level}: total cost {}, fill {} ({} settings run){}\n",
            shown(row.estimate(total_cost), Unit::Cents),
            shown(row.estimate(|o| o.fill_rate), Unit::Share),
            f.evaluated,
            if level == SEARCH_RANGE.0 {
                "; the range's lowest edge already meets it"
            } else {
                ""
            }
        ));
    }
    out
}

/// A figure of an outcome; `None` where the run leaves it undefined.
type Figure = fn(&Outcome) -> Option<f64>;

/// The figures of the table, each as a mean and its 95 % half-width over the replications that
/// define it.
const FIGURES: [(&str, Figure); 8] = [
    ("average_on_hand_units", |o| Some(o.average_on_hand_units)),
    ("holding_cost_cents", |o| {
        Some(o.holding_cost_cents.as_f64())
    }),
    ("ordering_cost_cents", |o| {
        Some(o.ordering_cost_cents.as_f64())
    }),
    ("total_cost_cents", |o| Some(total_cost(o))),
    ("achieved_fill_rate", |o| Some(o.fill_rate)),
    ("achieved_cycle_service_level", |o| o.cycle_service_level),
    ("stockout_sku_days", |o| Some(o.stockout_sku_days)),
    ("lost_sales_units", |o| Some(o.lost_sales_units)),
];

/// The grid as a table: parameters → each figure's mean and 95 % half-width (null with one
/// replication), supplier orders, the Pareto flag, and the days the figures count.
pub fn table(rows: &[TuneRow]) -> PolarsResult<DataFrame> {
    let front = pareto_front(rows);
    let mut columns = setting_columns(rows.iter().map(|r| &r.setting));
    columns.push(Column::new(
        "replications".into(),
        rows.iter().map(|r| r.runs.len() as u32).collect::<Vec<_>>(),
    ));
    for (name, figure) in FIGURES {
        let estimates: Vec<Option<Estimate>> = rows.iter().map(|r| r.defined(figure)).collect();
        columns.push(Column::new(
            name.into(),
            estimates
                .iter()
                .map(|e| e.map(|e| e.mean))
                .collect::<Vec<_>>(),
        ));
        columns.push(Column::new(
            format!("{name}_ci95").into(),
            estimates
                .iter()
                .map(|e| e.and_then(|e| e.half_width))
                .collect::<Vec<_>>(),
        ));
    }
    columns.push(Column::new(
        "supplier_orders".into(),
        rows.iter()
            .map(|r| r.mean(|o| o.supplier_orders))
            .collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "pareto".into(),
        (0..rows.len())
            .map(|i| front.contains(&i))
            .collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "days_counted".into(),
        rows.iter()
            .map(|r| r.runs.first().map_or(0, |o| o.days_counted))
            .collect::<Vec<_>>(),
    ));
    DataFrame::new(rows.len(), columns)
}

/// The setting's columns of both tables: target, safety-stock method, forecast method.
fn setting_columns<'a>(settings: impl Iterator<Item = &'a Setting> + Clone) -> Vec<Column> {
    vec![
        Column::new(
            "service_level".into(),
            settings
                .clone()
                .map(|s| s.service_level)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "safety_stock_method".into(),
            settings
                .clone()
                .map(|s| s.safety_stock.name())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "forecast_method".into(),
            settings.map(|s| s.forecast.as_str()).collect::<Vec<_>>(),
        ),
    ]
}

/// The replications behind [`table`]: one row per setting and replication (with its seed,
/// `first_seed` + k), each figure's value, the supplier orders and the days counted: what the
/// table's means and intervals are drawn from.
pub fn runs_table(rows: &[TuneRow], first_seed: u64) -> PolarsResult<DataFrame> {
    let runs: Vec<(&TuneRow, usize)> = (rows.iter())
        .flat_map(|r| (0..r.runs.len()).map(move |k| (r, k)))
        .collect();
    let mut columns = setting_columns(runs.iter().map(|(r, _)| &r.setting));
    columns.push(Column::new(
        "replication".into(),
        runs.iter().map(|&(_, k)| k as u32).collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "seed".into(),
        (runs.iter())
            .map(|&(_, k)| first_seed.wrapping_add(k as u64))
            .collect::<Vec<_>>(),
    ));
    for (name, figure) in FIGURES {
        let values: Vec<Option<f64>> = runs.iter().map(|&(r, k)| figure(&r.runs[k])).collect();
        columns.push(Column::new(name.into(), values));
    }
    columns.push(Column::new(
        "supplier_orders".into(),
        (runs.iter())
            .map(|&(r, k)| r.runs[k].supplier_orders)
            .collect::<Vec<_>>(),
    ));
    columns.push(Column::new(
        "days_counted".into(),
        (runs.iter())
            .map(|&(r, k)| r.runs[k].days_counted)
            .collect::<Vec<_>>(),
    ));
    DataFrame::new(runs.len(), columns)
}

/// Writes the table as CSV to `path`.
pub fn write_csv(rows: &[TuneRow], path: &Path) -> Result<(), ToolError> {
    let frame = table(rows)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(ToolError::io("cannot create", dir))?;
    }
    qm_reports::export::write_csv(&frame, path)?;
    Ok(())
}

/// Writes `tune.csv` ([`table`]) and `tune_runs.csv` ([`runs_table`]) into `dir`; the first's
/// path.
pub fn write(rows: &[TuneRow], first_seed: u64, dir: &Path) -> Result<PathBuf, ToolError> {
    let path = dir.join("tune.csv");
    write_csv(rows, &path)?;
    qm_reports::export::write_csv(&runs_table(rows, first_seed)?, &dir.join("tune_runs.csv"))?;
    Ok(path)
}

/// A mean and its 95 % half-width in `unit`, or the mean alone with one replication.
fn shown(e: Estimate, unit: Unit) -> String {
    match e.half_width {
        Some(h) => qm_reports::format::estimate(e.mean, h, unit),
        None if unit == Unit::Share => qm_reports::format::share_text(Some(e.mean)),
        None => qm_reports::format::cents(e.mean.round()),
    }
}

/// The table, the front and the recommendation as text.
pub fn report(rows: &[TuneRow], target_fill_rate: f64) -> String {
    let replications = rows.first().map_or(0, |r| r.runs.len());
    let mut out = if replications == 1 {
        "one replication: no interval (more --replications give each figure its 95 % interval)\n"
            .to_string()
    } else {
        format!(
            "means over {replications} replications with common random numbers, ± the 95 % \
             interval\n"
        )
    };
    // The target, forecast, cost, fill and CSL columns are as wide as their widest text, so the
    // columns stay aligned whatever the names and magnitudes. A target shows as given (its
    // shortest form), so that 0.99999 and 0.9999999999 are told apart.
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.setting.service_level.to_string(),
                r.setting.forecast.clone(),
                shown(r.estimate(total_cost), Unit::Cents),
                shown(r.estimate(|o| o.fill_rate), Unit::Share),
                r.defined(|o| o.cycle_service_level)
                    .map_or("—".into(), |e| shown(e, Unit::Share)),
            ]
        })
        .collect();
    let headers = [
        "target",
        "forecast",
        "total cost (holding + ordering)",
        "fill",
        "CSL",
    ];
    let width = |c: usize| {
        cells
            .iter()
            .map(|row| row[c].chars().count())
            .chain([headers[c].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let target_w = width(0).max(7);
    let (forecast_w, cost_w, fill_w, csl_w) = (width(1), width(2), width(3), width(4));
    out.push_str(&format!(
        "{:>target_w$} {:<10} {:<forecast_w$} {:>12}  {:>cost_w$}  {:>fill_w$}  {:>csl_w$} {:>8}\n",
        headers[0], "safety", headers[1], "on hand", headers[2], headers[3], headers[4], "orders"
    ));
    let front = pareto_front(rows);
    for (i, (r, [target, forecast, cost, fill, csl])) in rows.iter().zip(&cells).enumerate() {
        out.push_str(&format!(
            "{target:>target_w$} {:<10} {forecast:<forecast_w$} {:>12.0}  {cost:>cost_w$}  {fill:>fill_w$}  {csl:>csl_w$} {:>8.0}{}\n",
            r.setting.safety_stock.name(),
            r.mean(|o| o.average_on_hand_units),
            r.mean(|o| o.supplier_orders),
            if front.contains(&i) {
                "  ◆ pareto"
            } else {
                ""
            }
        ));
    }
    out.push_str(
        "\nPareto front (total cost against fill rate; a setting is off it only when another beats \
         it beyond the noise), cheapest first:\n",
    );
    for &i in &front {
        let r = &rows[i];
        out.push_str(&format!(
            "  total cost {} → {} fill  ({} {} @ {})\n",
            shown(r.estimate(total_cost), Unit::Cents),
            shown(r.estimate(|o| o.fill_rate), Unit::Share),
            r.setting.safety_stock.name(),
            r.setting.forecast,
            r.setting.service_level
        ));
    }
    out.push_str(&recommendation(rows, target_fill_rate));
    out
}

/// The cheapest setting meeting the target, and a warning when every setting meets it.
fn recommendation(rows: &[TuneRow], target_fill_rate: f64) -> String {
    let Some(i) = cheapest_meeting(rows, target_fill_rate) else {
        return format!(
            "\nno setting reached a fill rate of {}: raise the service levels or lower the target\n",
            qm_reports::format::display_given(target_fill_rate, Unit::Share)
        );
    };
    let r = &rows[i];
    let mut out = format!(
        "\ncheapest setting with mean fill rate ≥ {}: safety_stock = \"{}\", forecast = \"{}\", {} = {} (total cost {}, fill {})\n",
        qm_reports::format::display_given(target_fill_rate, Unit::Share),
        r.setting.safety_stock.name(),
        r.setting.forecast,
        if r.setting.safety_stock == SafetyStockMethod::FillRate { "fill_rate" } else { "service_level" },
        r.setting.service_level,
        shown(r.estimate(total_cost), Unit::Cents),
        shown(r.estimate(|o| o.fill_rate), Unit::Share),
    );
    let fill = r.estimate(|o| o.fill_rate);
    if let Some(h) = fill
        .half_width
        .filter(|&h| fill.mean - h < target_fill_rate)
    {
        // The interval's low end at the precision the estimate is shown at.
        let decimals = qm_reports::format::decimals_for(h, Unit::Share);
        out.push_str(&format!(
            "note: its fill rate's 95 % interval reaches {}, below the target: the mean meets \
             it, the replications do not show it does; more --replications would tell\n",
            qm_reports::format::fixed(fill.mean - h, Unit::Share, decimals)
        ));
    }
    if rows
        .iter()
        .all(|r| r.mean(|o| o.fill_rate) >= target_fill_rate)
    {
        out.push_str(
            "warning: every setting meets the target, so the cheapest is the grid's lowest edge and \
             a cheaper one may lie below it: try lower --service-levels\n",
        );
    }
    out
}
