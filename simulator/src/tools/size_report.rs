//! `qm size`'s outputs: the recommendation, the ±10 % sensitivity and the search as tables, the
//! TOML to paste back into the scenario, and the terminal report.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::error::ToolError;
use super::size::*;
use crate::sim::write_outputs;

/// `recommendation.csv`: one row per warehouse.
pub fn recommendation_table(sizing: &Sizing, r: &Recommendation) -> PolarsResult<DataFrame> {
    let n = sizing.warehouses.len();
    let peak_on_hand: Vec<u64> = (0..n)
        .map(|w| r.at.most(|m| &m.peak_on_hand_units, w))
        .collect();
    df!(
        "warehouse" => sizing.warehouses.clone(),
        "scenario_capacity_lines_per_day" => sizing.scenario_point.capacity_lines_per_day.clone(),
        "recommended_capacity_lines_per_day" => r.point.capacity_lines_per_day.clone(),
        "scenario_stock_multiplier" => sizing.scenario_point.stock_multiplier.clone(),
        "recommended_stock_multiplier" => r.point.stock_multiplier.clone(),
        "recommended_opening_days_of_cover" => r.point.stock_multiplier.iter().map(|m| (m * sizing.days_of_cover * 1e6).round() / 1e6).collect::<Vec<_>>(),
        "peak_day_lines_shipped" => (0..n).map(|w| r.at.most(|m| &m.peak_day_lines, w)).collect::<Vec<_>>(),
        "peak_backlog_lines" => (0..n).map(|w| r.at.most(|m| &m.peak_backlog_lines, w)).collect::<Vec<_>>(),
        "peak_on_hand_units" => peak_on_hand.clone(),
        "storage_capacity_units" => sizing.storage_capacity_units.clone(),
        "storage_use_share" => (0..n).map(|w| sizing.storage_capacity_units[w].map(|c| peak_on_hand[w] as f64 / c as f64)).collect::<Vec<_>>(),
    )
}

fn kpi_columns(evaluations: &[&Evaluation]) -> PolarsResult<Vec<Column>> {
    let mean = |name: &str, f: &dyn Fn(&Measured) -> Option<f64>| {
        Column::new(
            name.into(),
            evaluations.iter().map(|e| e.mean(f)).collect::<Vec<_>>(),
        )
    };
    Ok(vec![
        Column::new(
            "meets_targets".into(),
            evaluations.iter().map(|e| e.meets()).collect::<Vec<_>>(),
        ),
        Column::new(
            "misses".into(),
            evaluations
                .iter()
                .map(|e| e.misses.join("; "))
                .collect::<Vec<_>>(),
        ),
        mean("order_fulfillment_rate", &|m| {
            Some(m.order_fulfillment_rate)
        }),
        mean("peak_order_fulfillment_rate", &|m| {
            m.peak_order_fulfillment_rate
        }),
        mean("processing_time_hours_p95", &|m| {
            m.processing_time_hours_p95
        }),
        mean("peak_processing_time_hours_p95", &|m| {
            m.peak_processing_time_hours_p95
        }),
        mean("demand_fill_rate", &|m| Some(m.demand_fill_rate)),
        mean("peak_demand_fill_rate", &|m| m.peak_demand_fill_rate),
    ])
}

fn point_columns(sizing: &Sizing, points: &[&Point]) -> Vec<Column> {
    let mut columns = Vec::new();
    for (w, code) in sizing.warehouses.iter().enumerate() {
        // Unlimited capacity (the stock search) is left empty.
        columns.push(Column::new(
            format!("{code}_capacity_lines_per_day").into(),
            points
                .iter()
                .map(|p| {
                    Some(p.capacity_lines_per_day[w]).filter(|&c| c != UNLIMITED_LINES_PER_DAY)
                })
                .collect::<Vec<_>>(),
        ));
        columns.push(Column::new(
            format!("{code}_stock_multiplier").into(),
            points
                .iter()
                .map(|p| p.stock_multiplier[w])
                .collect::<Vec<_>>(),
        ));
    }
    columns
}

/// `sensitivity.csv`: the recommendation and its ±10 % neighbours, KPIs averaged over replications.
pub fn sensitivity_table(sizing: &Sizing, r: &Recommendation) -> PolarsResult<DataFrame> {
    let evaluations: Vec<&Evaluation> = r.sensitivity.iter().map(|(_, e)| e).collect();
    let points: Vec<&Point> = evaluations.iter().map(|e| &e.point).collect();
    let mut columns = vec![Column::new(
        "point".into(),
        r.sensitivity
            .iter()
            .map(|(l, _)| l.as_str())
            .collect::<Vec<_>>(),
    )];
    columns.extend(point_columns(sizing, &points));
    columns.extend(kpi_columns(&evaluations)?);
    DataFrame::new_infer_height(columns)
}

/// `search.csv`: every point the search ran, in order.
pub fn search_table(sizing: &Sizing) -> PolarsResult<DataFrame> {
    let evaluations: Vec<&Evaluation> = sizing.log.iter().collect();
    let points: Vec<&Point> = evaluations.iter().map(|e| &e.point).collect();
    let mut columns = vec![Column::new(
        "step".into(),
        evaluations
            .iter()
            .map(|e| e.step.as_str())
            .collect::<Vec<_>>(),
    )];
    columns.extend(point_columns(sizing, &points));
    columns.extend(kpi_columns(&evaluations)?);
    DataFrame::new_infer_height(columns)
}

/// Writes the tables, and the recommendation's full report under `recommended/`.
pub fn write(sizing: &Sizing, r: &Recommendation, dir: &Path) -> Result<Vec<PathBuf>, ToolError> {
    std::fs::create_dir_all(dir).map_err(ToolError::io("cannot create", dir))?;
    let mut written = Vec::new();
    for (name, table) in [
        ("recommendation.csv", recommendation_table(sizing, r)?),
        ("sensitivity.csv", sensitivity_table(sizing, r)?),
        ("search.csv", search_table(sizing)?),
    ] {
        let path = dir.join(name);
        qm_reports::export::write_csv(&table, &path)?;
        written.push(path);
    }
    let snippet = dir.join("recommended-warehouses.toml");
    qm_reports::files::write(&snippet, toml_snippet(sizing, r))
        .map_err(ToolError::io("cannot write", &snippet))?;
    written.push(snippet);
    written.extend(write_outputs(
        &r.report.data,
        &dir.join("recommended"),
        &qm_reports::export::Format::ALL,
    )?);
    Ok(written)
}

/// The recommended values as TOML lines to paste into the scenario's `[[warehouses]]`.
pub fn toml_snippet(sizing: &Sizing, r: &Recommendation) -> String {
    let mut out = String::from(
        "# qm size's recommendation: paste each pair into its [[warehouses]] entry.\n",
    );
    for (w, code) in sizing.warehouses.iter().enumerate() {
        out += &format!(
            "\n# {code}\ncapacity_lines_per_day = {}\nstock_multiplier = {}\n",
            r.point.capacity_lines_per_day[w], r.point.stock_multiplier[w]
        );
    }
    out
}

/// The terminal report: per warehouse, then the edge.
pub fn report(sizing: &Sizing, r: &Recommendation) -> String {
    let mut out = format!(
        "{} runs ({} points × {})\n\n",
        sizing.log.len() * sizing.seeds.len(),
        sizing.log.len(),
        super::stats::replications_text(sizing.seeds.len())
    );
    out += &format!(
        "{:<10} {:>22} {:>16} {:>10} {:>10} {:>12} {:>22}\n",
        "warehouse",
        "capacity lines/day",
        "stock ×",
        "peak day",
        "backlog",
        "peak on hand",
        "storage used"
    );
    for (w, code) in sizing.warehouses.iter().enumerate() {
        let on_hand = r.at.most(|m| &m.peak_on_hand_units, w);
        let storage = match sizing.storage_capacity_units[w] {
            Some(c) => format!(
                "{:.1} % of {}",
                on_hand as f64 / c as f64 * 100.0,
                qm_reports::format::group_thousands(c as f64, 0)
            ),
            None => "no limit set".into(),
        };
        out += &format!(
            "{:<10} {:>22} {:>16} {:>10} {:>10} {:>12} {:>22}\n",
            code,
            format!(
                "{} (was {})",
                r.point.capacity_lines_per_day[w], sizing.scenario_point.capacity_lines_per_day[w]
            ),
            format!(
                "{} (was {})",
                r.point.stock_multiplier[w], sizing.scenario_point.stock_multiplier[w]
            ),
            r.at.most(|m| &m.peak_day_lines, w),
            r.at.most(|m| &m.peak_backlog_lines, w),
            on_hand,
            storage
        );
    }
    out += "\nKPIs: means over the replications; `meets` and `missed` judge the worst one.\n";
    out += &format!(
        "{:<16} {:>6} {:>12} {:>12} {:>10} {:>10} {:>10} {:>10}  missed\n",
        "point", "meets", "fulfillment", "peak", "p95 h", "peak p95", "fill", "peak fill"
    );
    let percent = qm_reports::format::share_text;
    let hours = |x: Option<f64>| x.map_or("—".into(), |x| format!("{x:.1}"));
    for (label, e) in &r.sensitivity {
        out += &format!(
            "{:<16} {:>6} {:>12} {:>12} {:>10} {:>10} {:>10} {:>10}  {}\n",
            label,
            if e.meets() { "yes" } else { "no" },
            percent(e.mean(|m| Some(m.order_fulfillment_rate))),
            percent(e.mean(|m| m.peak_order_fulfillment_rate)),
            hours(e.mean(|m| m.processing_time_hours_p95)),
            hours(e.mean(|m| m.peak_processing_time_hours_p95)),
            percent(e.mean(|m| Some(m.demand_fill_rate))),
            percent(e.mean(|m| m.peak_demand_fill_rate)),
            e.misses.join(", ")
        );
    }
    out
}
