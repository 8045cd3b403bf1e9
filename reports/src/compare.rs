//! Several runs side by side: every KPI per run with its difference against the first run, as a
//! long table (CSV, Parquet), a text table for the terminal, and an HTML page with the charts
//! overlaid.

use std::path::{Path, PathBuf};

use crate::export::{write_table, ExportError, Format};
use crate::files::PathError;
use crate::format;
use crate::html::{self, ComparedKpi};
use crate::kpi;
use crate::run::{KpiValue, RunData};
use crate::tables::{Frame, Table};

/// The KPIs of `runs`, in catalog order (undefined rates are `Missing`).
pub fn kpis(runs: &[(&str, &RunData)]) -> Vec<ComparedKpi> {
    let readings: Vec<Vec<kpi::KpiReading>> = runs.iter().map(|(_, r)| kpi::readings(r)).collect();
    kpi::KPIS
        .iter()
        .enumerate()
        .map(|(i, kpi)| ComparedKpi {
            kpi,
            values: readings.iter().map(|r| r[i].value.clone()).collect(),
        })
        .collect()
}

/// The long comparison table: one row per run and KPI.
pub fn table(runs: &[(&str, &RunData)], kpis: &[ComparedKpi]) -> Table {
    // One row per (KPI, run index).
    let rows: Vec<(&ComparedKpi, usize)> = kpis
        .iter()
        .flat_map(|c| (0..runs.len()).map(move |i| (c, i)))
        .collect();
    Frame::new(&rows)
        .col("run", "the run's label (its folder name)", |&(_, i)| {
            runs[i].0
        })
        .col("kpi", "KPI name, as in the summary table", |(c, _)| {
            c.kpi.name
        })
        .col("unit", "what it is counted or measured in", |(c, _)| {
            c.kpi.unit.as_str()
        })
        .col(
            "value",
            "its value in the run; null when undefined or text",
            |&(c, i)| c.values[i].as_f64(),
        )
        .col(
            "text",
            "its value when it is a name or a date",
            |&(c, i)| match &c.values[i] {
                KpiValue::Text(t) => Some(t.clone()),
                _ => None,
            },
        )
        .col(
            "difference_vs_first",
            "value − the first run's value",
            |&(c, i)| c.difference(i),
        )
        .col(
            "relative_difference_vs_first",
            "difference ÷ |the first run's value| (null when that is 0)",
            |&(c, i)| -> Option<f64> {
                let base = c.values[0].as_f64().filter(|&b| b != 0.0)?;
                Some(c.difference(i)? / base.abs())
            },
        )
        .table("compare", "run and KPI", false)
}

/// A note when the runs cover different numbers of days: their totals then differ with the
/// horizon as much as with anything compared, while rates, means and per-order figures do not.
pub fn horizon_note(runs: &[(&str, &RunData)]) -> Option<String> {
    let days: Vec<Option<f64>> = runs.iter().map(|(_, run)| run.number("days")).collect();
    if days.iter().all(|d| *d == days[0]) {
        return None;
    }
    let each: Vec<String> = runs
        .iter()
        .zip(&days)
        .map(|((label, _), d)| format!("{label}: {}", d.map_or("—".into(), format::number)))
        .collect();
    Some(format!(
        "the runs cover different numbers of days ({}): their totals (orders, units, cents …) \
         differ with the horizon; compare rates, means and per-order figures",
        each.join(", ")
    ))
}

/// The comparison as a terminal table: the headline KPIs and every KPI that differs, each run's
/// value with its difference against the first run.
pub fn text(runs: &[(&str, &RunData)], kpis: &[ComparedKpi]) -> String {
    let headline = [
        "order_fulfillment_rate",
        "order_accuracy",
        "processing_time_hours_p95",
        "unit_fill_rate",
        "shipping_cost_cents_per_order",
        "split_shipment_rate",
    ];
    let mut rows: Vec<Vec<String>> = vec![std::iter::once("KPI".to_string())
        .chain(runs.iter().map(|(label, _)| label.to_string()))
        .collect()];
    for c in kpis {
        let differs = c.values.iter().any(|v| v != &c.values[0]);
        if !(differs || headline.contains(&c.kpi.name)) || matches!(c.values[0], KpiValue::Text(_))
        {
            continue;
        }
        let mut row = vec![c.kpi.name.to_string()];
        for (i, value) in c.values.iter().enumerate() {
            let mut cell = format::display(value, c.kpi.unit);
            if let Some(d) = c.difference_text(i).filter(|_| i > 0) {
                cell += &format!(" ({d})");
            }
            row.push(cell);
        }
        rows.push(row);
    }
    if rows.len() == 1 {
        return "no KPI differs between the runs\n".into();
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = horizon_note(runs).map_or(String::new(), |note| format!("note: {note}\n"));
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            if i == 0 {
                out += &format!("{cell}{}", " ".repeat(pad));
            } else {
                out += &format!("  {}{cell}", " ".repeat(pad));
            }
        }
        out += "\n";
    }
    out
}

/// Writes `compare.csv`, `compare.parquet` and `compare.html` into `dir`; returns the files.
pub fn write(runs: &[(&str, &RunData)], dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    std::fs::create_dir_all(dir).map_err(PathError::on::<ExportError>("cannot write", dir))?;
    let kpis = kpis(runs);
    let mut table = table(runs, &kpis);
    let mut written = vec![
        write_table(&mut table, dir, Format::Csv)?,
        write_table(&mut table, dir, Format::Parquet)?,
    ];
    let path = dir.join("compare.html");
    crate::files::write(
        &path,
        html::comparison(runs, &kpis, horizon_note(runs).as_deref()),
    )
    .map_err(PathError::on::<ExportError>("cannot write", &path))?;
    written.push(path);
    Ok(written)
}
