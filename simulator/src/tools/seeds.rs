//! `qm simulate --seeds`: one scenario under several seeds, and every KPI's mean with its 95 %
//! interval across them (Student's t) and, for a KPI with a target, how many seeds met it,
//! beside each seed's own folder.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use qm_reports::format;
use qm_reports::kpi::{self, Kpi};
use qm_reports::run::{KpiValue, RunData, Target};

use super::error::ToolError;
use super::stats::Estimate;
use crate::sim::{remove_file, remove_run};

/// File the aggregate goes to, in the scenario's folder beside the `seed-N` folders.
pub const SEEDS_FILE: &str = "seeds.csv";

/// The folder of one seed's run inside the scenario's folder `dir`.
pub fn seed_dir(dir: &Path, seed: u64) -> PathBuf {
    dir.join(format!("seed-{seed}"))
}

/// Removes from the scenario's folder `dir` what an earlier run left that the run about to be
/// written will not replace, so that the folder holds one run: before a run of several `seeds`,
/// a single run's results and reports, and the `seed-N` folders of other seeds; before a single
/// run (`seeds` empty), `seeds.csv` and every `seed-N` folder. `seeds.csv` goes before a run of
/// several seeds too, so that one whose seeds fail leaves none behind. Only the files qm writes
/// are removed, and a seed's folder once that leaves it empty.
pub fn clear_earlier_run(dir: &Path, seeds: &[u64]) -> Result<(), ToolError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(()); // nothing written there yet
    };
    if !seeds.is_empty() {
        remove_run(dir)?;
    }
    remove_file(&dir.join(SEEDS_FILE))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let seed = (name.to_str())
            .and_then(|n| n.strip_prefix("seed-"))
            .and_then(|n| n.parse::<u64>().ok());
        if seed.is_some_and(|seed| !seeds.contains(&seed)) && entry.path().is_dir() {
            remove_run(&entry.path())?;
        }
    }
    Ok(())
}

/// One KPI across the seeds.
pub struct SeedKpi {
    /// The KPI.
    pub kpi: &'static Kpi,
    /// Its value under each seed, in the order the seeds were given (`None` where undefined).
    pub values: Vec<Option<f64>>,
    /// The mean and interval over the seeds where it is defined.
    pub estimate: Option<Estimate>,
    /// The scenario's target for it, if any (every seed runs the same scenario).
    pub target: Option<Target>,
}

impl SeedKpi {
    /// How many seeds met the target (an undefined value meets none); `None` without a target.
    pub fn seeds_meeting(&self) -> Option<usize> {
        let target = self.target.as_ref()?;
        Some(
            self.values
                .iter()
                .filter(|v| v.is_some_and(|v| target.met_by(v)))
                .count(),
        )
    }
}

/// Every measured KPI of `runs` (one per seed) across the seeds, in catalog order.
pub fn aggregate(runs: &[&RunData]) -> Vec<SeedKpi> {
    let readings: Vec<Vec<kpi::KpiReading>> = runs.iter().map(|r| kpi::readings(r)).collect();
    kpi::KPIS
        .iter()
        .enumerate()
        .filter(|(_, k)| k.is_measured())
        .map(|(i, k)| {
            let values: Vec<Option<f64>> = readings.iter().map(|r| r[i].value.as_f64()).collect();
            let defined: Vec<f64> = values.iter().flatten().copied().collect();
            SeedKpi {
                kpi: k,
                values,
                estimate: Estimate::of(&defined),
                target: runs.first().and_then(|r| r.target(k.name)).cloned(),
            }
        })
        .collect()
}

/// The aggregate as a table: KPI, unit, seeds defined, mean, interval, target and the seeds
/// meeting it, then one column per seed.
pub fn table(seeds: &[u64], rows: &[SeedKpi]) -> PolarsResult<DataFrame> {
    let estimate = |f: fn(&Estimate) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter()
            .map(|r| r.estimate.as_ref().and_then(f))
            .collect()
    };
    let mut columns: Vec<Column> = vec![
        Column::new(
            "kpi".into(),
            rows.iter().map(|r| r.kpi.name).collect::<Vec<_>>(),
        ),
        Column::new(
            "unit".into(),
            rows.iter().map(|r| r.kpi.unit.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "seeds_defined".into(),
            rows.iter()
                .map(|r| r.estimate.map_or(0, |e| e.n as u32))
                .collect::<Vec<_>>(),
        ),
        Column::new("mean".into(), estimate(|e| Some(e.mean))),
        Column::new(
            "ci95_low".into(),
            estimate(|e| e.half_width.map(|h| e.mean - h)),
        ),
        Column::new(
            "ci95_high".into(),
            estimate(|e| e.half_width.map(|h| e.mean + h)),
        ),
        Column::new(
            "target".into(),
            rows.iter()
                .map(|r| r.target.as_ref().map(|t| t.value))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "target_bound".into(),
            rows.iter()
                .map(|r| r.target.as_ref().map(|t| t.bound.name()))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "seeds_meeting_target".into(),
            rows.iter()
                .map(|r| r.seeds_meeting().map(|n| n as u32))
                .collect::<Vec<_>>(),
        ),
    ];
    for (i, seed) in seeds.iter().enumerate() {
        columns.push(Column::new(
            format!("seed_{seed}").into(),
            rows.iter().map(|r| r.values[i]).collect::<Vec<_>>(),
        ));
    }
    DataFrame::new(rows.len(), columns)
}

/// Writes the aggregate as `seeds.csv` into `dir`.
pub fn write(seeds: &[u64], rows: &[SeedKpi], dir: &Path) -> Result<PathBuf, ToolError> {
    std::fs::create_dir_all(dir).map_err(ToolError::io("cannot create", dir))?;
    let path = dir.join(SEEDS_FILE);
    qm_reports::export::write_csv(&table(seeds, rows)?, &path)?;
    Ok(path)
}

/// The headline KPIs across the seeds as text: each mean with its 95 % interval, over how many
/// seeds when some leave it undefined, and how many seeds met its target.
pub fn report(first: &RunData, rows: &[SeedKpi]) -> String {
    let readings = kpi::readings(first);
    let names: Vec<&str> = kpi::headline(first, &readings)
        .iter()
        .map(|h| h.reading.kpi.name)
        .collect();
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    let seeds = rows.first().map_or(0, |r| r.values.len());
    let mut out = format!("across {seeds} seeds: mean ± 95 % interval\n");
    for name in names {
        let Some(row) = rows.iter().find(|r| r.kpi.name == name) else {
            continue;
        };
        let unit = row.kpi.unit;
        let mut text = match row.estimate {
            Some(Estimate {
                mean,
                half_width: Some(h),
                ..
            }) => format::estimate(mean, h, unit),
            Some(e) => format::display(&KpiValue::Number(e.mean), unit),
            None => "—".into(),
        };
        if let Some(e) = row.estimate.filter(|e| e.n < seeds) {
            text += &format!(" (over the {} of {seeds} seeds that define it)", e.n);
        }
        let judged = match (&row.target, row.seeds_meeting()) {
            (Some(t), Some(met)) => format!(
                "  {}: met by {met} of {seeds} seeds",
                format::target_text(t, unit)
            ),
            _ => String::new(),
        };
        let line = format!("  {name:<width$}  {text:<24}{judged}");
        out += line.trim_end();
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(placed: u64, rate: f64) -> RunData {
        RunData {
            kpis: vec![
                ("orders_placed".into(), KpiValue::Count(placed)),
                ("orders_to_ship".into(), KpiValue::Count(placed)),
                ("order_fulfillment_rate".into(), KpiValue::Number(rate)),
                ("seed".into(), KpiValue::Count(placed)),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn each_kpi_gets_its_mean_and_interval_across_the_seeds() {
        let runs = [run(100, 0.90), run(110, 0.94), run(120, 0.92)];
        let rows = aggregate(&runs.iter().collect::<Vec<_>>());
        let placed = rows.iter().find(|r| r.kpi.name == "orders_placed").unwrap();
        let e = placed.estimate.unwrap();
        assert_eq!((e.n, e.mean), (3, 110.0));
        // t(0.975, 2) = 4.303, s = 10, so 4.303 × 10 / √3.
        assert!((e.half_width.unwrap() - 24.84).abs() < 0.01, "{e:?}");
        assert!(!rows.iter().any(|r| r.kpi.name == "seed"));
        let frame = table(&[1, 2, 3], &rows).unwrap();
        assert_eq!(frame.width(), 9 + 3);
    }

    #[test]
    fn a_target_is_judged_seed_by_seed_and_an_undefined_value_meets_none() {
        use qm_reports::run::Bound;
        let mut runs = [run(100, 0.90), run(0, 0.95), run(120, 0.92)];
        for r in &mut runs {
            r.targets = vec![Target {
                kpi: "order_fulfillment_rate".into(),
                bound: Bound::AtLeast,
                value: 0.92,
            }];
        }
        let rows = aggregate(&runs.iter().collect::<Vec<_>>());
        let rate = rows
            .iter()
            .find(|r| r.kpi.name == "order_fulfillment_rate")
            .unwrap();
        // The second seed shipped nothing, so its rate is undefined: met by 1 of 3, mean of 2.
        assert_eq!(rate.seeds_meeting(), Some(1));
        assert_eq!(rate.estimate.unwrap().n, 2);
        let text = report(&runs[0], &rows);
        assert!(
            text.contains("(over the 2 of 3 seeds that define it)")
                && text.contains("target ≥ 92.00 %: met by 1 of 3 seeds"),
            "{text}"
        );
        let placed = rows.iter().find(|r| r.kpi.name == "orders_placed").unwrap();
        assert_eq!(placed.seeds_meeting(), None);
        let frame = table(&[1, 2, 3], &rows).unwrap();
        let met = frame.column("seeds_meeting_target").unwrap();
        let i = rows
            .iter()
            .position(|r| r.kpi.name == "order_fulfillment_rate")
            .unwrap();
        assert_eq!(met.get(i).unwrap(), AnyValue::UInt32(1));
    }
}
