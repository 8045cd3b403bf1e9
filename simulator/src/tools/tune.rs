//! `qm tune`: a grid of safety-stock settings (service level × method × forecast) run on the
//! same demand, the cost and service of each, the Pareto front of holding cost against fill
//! rate, and the cheapest setting that meets a target fill rate.

use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;
use toml::Spanned;

use super::error::ToolError;
use crate::scenario::{PolicyKind, SafetyStockMethod, Scenario};
use crate::sim::simulate;
use crate::tools::calculators::CalculatorError;

/// Most grid cells one `qm tune` runs: each is a whole simulation.
pub const MAX_GRID_CELLS: usize = 500;

/// One setting of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// Target: the cycle service level (normal, empirical) or the fill rate (fill_rate).
    pub service_level: f64,
    /// How safety stock is set.
    pub safety_stock: SafetyStockMethod,
    /// Forecast method.
    pub forecast: String,
}

/// What one setting cost and delivered.
#[derive(Clone, Debug)]
pub struct TuneRow {
    /// The setting.
    pub setting: Setting,
    /// Mean on-hand units at the closes.
    pub average_on_hand_units: f64,
    /// Holding cost over the run, cents.
    pub holding_cost_cents: f64,
    /// Achieved fill rate (0 when no demand after the warm-up).
    pub fill_rate: f64,
    /// Achieved cycle service level (0 when no cycle ended after the warm-up).
    pub cycle_service_level: f64,
    /// SKU-days with no free unit anywhere.
    pub stockout_sku_days: u64,
    /// Units lost.
    pub lost_sales_units: u64,
    /// Supplier orders placed.
    pub supplier_orders: u64,
}

/// Checks the grid's values and builds it (every combination, in the order given).
pub fn grid(
    service_levels: &[f64],
    methods: &[String],
    forecasts: &[String],
) -> Result<Vec<Setting>, CalculatorError> {
    let argument = |option, problem: String| CalculatorError::Argument { option, problem };
    for &level in service_levels {
        if !(level > 0.0 && level < 1.0) {
            return Err(argument(
                "--service-levels",
                format!("{level} is not strictly between 0 and 1 (0.95 = 95 %)"),
            ));
        }
    }
    let methods = methods
        .iter()
        .map(|method| {
            SafetyStockMethod::from_name(method).ok_or_else(|| {
                let names: Vec<&str> = SafetyStockMethod::ALL.iter().map(|m| m.name()).collect();
                argument(
                    "--methods",
                    format!(
                        "unknown safety stock method `{method}` (methods: {})",
                        names.join(", ")
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for forecast in forecasts {
        qm_engine::forecast::Method::from_name(forecast, &Default::default())
            .map_err(|e| argument("--forecasts", e.to_string()))?;
    }
    let cells = service_levels.len() * methods.len() * forecasts.len();
    if cells == 0 || cells > MAX_GRID_CELLS {
        return Err(argument(
            "--service-levels/--methods/--forecasts",
            format!("the grid has {cells} settings; give between 1 and {MAX_GRID_CELLS}"),
        ));
    }
    let mut settings = Vec::with_capacity(cells);
    for &service_level in service_levels {
        for &method in &methods {
            for forecast in forecasts {
                settings.push(Setting {
                    service_level,
                    safety_stock: method,
                    forecast: forecast.replace('-', "_"),
                });
            }
        }
    }
    Ok(settings)
}

/// Runs every setting on the scenario at `path` with `seed` (the same demand for all: demand
/// draws have their own random stream), in parallel. A scenario on the `days` policy is tuned as
/// continuous review (s, Q).
pub fn run_grid(
    path: &Path,
    settings: &[Setting],
    seed: Option<u64>,
    days: Option<u32>,
    run_done: &(dyn Fn() + Sync),
) -> Result<Vec<TuneRow>, ToolError> {
    settings
        .par_iter()
        .map(|setting| {
            let mut s = Scenario::load_variant(path, days)?;
            let r = &mut s.replenishment;
            if *r.policy.get_ref() == PolicyKind::Days {
                r.policy = Spanned::new(0..0, PolicyKind::ReorderQuantity);
            }
            r.safety_stock = Spanned::new(0..0, setting.safety_stock);
            r.forecast = Spanned::new(0..0, setting.forecast.clone());
            if setting.safety_stock == SafetyStockMethod::FillRate {
                r.fill_rate = Spanned::new(0..0, setting.service_level);
            } else {
                r.service_level = Spanned::new(0..0, setting.service_level);
            }
            let seed = seed.unwrap_or(s.horizon.seed);
            let output = simulate(&s, seed, &mut |_| {});
            run_done();
            let k = output
                .map_err(|cause| ToolError::Run {
                    which: format!("setting {setting:?}"),
                    cause,
                })?
                .summary;
            Ok(TuneRow {
                setting: setting.clone(),
                average_on_hand_units: k.average_on_hand_units,
                holding_cost_cents: k.holding_cost_cents,
                fill_rate: k.achieved_fill_rate.unwrap_or(0.0),
                cycle_service_level: k.achieved_cycle_service_level.unwrap_or(0.0),
                stockout_sku_days: k.stockout_sku_days,
                lost_sales_units: k.lost_sales_units,
                supplier_orders: k.supplier_orders,
            })
        })
        .collect()
}

/// Indexes of the rows no other row beats on both holding cost (lower) and fill rate (higher),
/// cheapest first.
pub fn pareto_front(rows: &[TuneRow]) -> Vec<usize> {
    let mut front: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            let a = &rows[i];
            !rows.iter().any(|b| {
                b.holding_cost_cents <= a.holding_cost_cents
                    && b.fill_rate >= a.fill_rate
                    && (b.holding_cost_cents < a.holding_cost_cents || b.fill_rate > a.fill_rate)
            })
        })
        .collect();
    front.sort_by(|&a, &b| {
        rows[a]
            .holding_cost_cents
            .total_cmp(&rows[b].holding_cost_cents)
            .then(a.cmp(&b))
    });
    front
}

/// The cheapest row whose achieved fill rate meets `target`.
pub fn cheapest_meeting(rows: &[TuneRow], target: f64) -> Option<usize> {
    (0..rows.len())
        .filter(|&i| rows[i].fill_rate >= target)
        .min_by(|&a, &b| {
            rows[a]
                .holding_cost_cents
                .total_cmp(&rows[b].holding_cost_cents)
                .then(a.cmp(&b))
        })
}

/// The grid as a table: parameters → cost and service, with the Pareto flag.
pub fn table(rows: &[TuneRow]) -> PolarsResult<DataFrame> {
    let front = pareto_front(rows);
    df!(
        "service_level" => rows.iter().map(|r| r.setting.service_level).collect::<Vec<_>>(),
        "safety_stock_method" => rows.iter().map(|r| r.setting.safety_stock.name()).collect::<Vec<_>>(),
        "forecast_method" => rows.iter().map(|r| r.setting.forecast.as_str()).collect::<Vec<_>>(),
        "average_on_hand_units" => rows.iter().map(|r| r.average_on_hand_units).collect::<Vec<_>>(),
        "holding_cost_cents" => rows.iter().map(|r| r.holding_cost_cents).collect::<Vec<_>>(),
        "achieved_fill_rate" => rows.iter().map(|r| r.fill_rate).collect::<Vec<_>>(),
        "achieved_cycle_service_level" => rows.iter().map(|r| r.cycle_service_level).collect::<Vec<_>>(),
        "stockout_sku_days" => rows.iter().map(|r| r.stockout_sku_days).collect::<Vec<_>>(),
        "lost_sales_units" => rows.iter().map(|r| r.lost_sales_units).collect::<Vec<_>>(),
        "supplier_orders" => rows.iter().map(|r| r.supplier_orders).collect::<Vec<_>>(),
        "pareto" => (0..rows.len()).map(|i| front.contains(&i)).collect::<Vec<_>>(),
    )
}

/// Writes the table as CSV to `path`.
pub fn write_csv(rows: &[TuneRow], path: &Path) -> Result<(), ToolError> {
    let frame = table(rows)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(ToolError::io("creating", dir))?;
    }
    qm_reports::export::write_csv(&frame, path)?;
    Ok(())
}

/// The table, the front and the recommendation as text.
pub fn report(rows: &[TuneRow], target_fill_rate: f64) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:>7} {:<10} {:<15} {:>12} {:>22} {:>8} {:>8} {:>9} {:>9} {:>8}\n",
        "target",
        "safety",
        "forecast",
        "on hand",
        "holding cost (cents)",
        "fill",
        "CSL",
        "stockout",
        "lost",
        "orders"
    ));
    let front = pareto_front(rows);
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&format!(
            "{:>7.3} {:<10} {:<15} {:>12.0} {:>22} {:>7.2}% {:>7.2}% {:>9} {:>9} {:>8}{}\n",
            r.setting.service_level,
            r.setting.safety_stock.name(),
            r.setting.forecast,
            r.average_on_hand_units,
            qm_reports::format::cents(r.holding_cost_cents.round()),
            100.0 * r.fill_rate,
            100.0 * r.cycle_service_level,
            r.stockout_sku_days,
            r.lost_sales_units,
            r.supplier_orders,
            if front.contains(&i) {
                "  ◆ pareto"
            } else {
                ""
            }
        ));
    }
    out.push_str("\nPareto front (holding cost against fill rate), cheapest first:\n");
    for &i in &front {
        let r = &rows[i];
        out.push_str(&format!(
            "  holding cost {} → {:.2} % fill  ({} {} @ {})\n",
            qm_reports::format::cents(r.holding_cost_cents.round()),
            100.0 * r.fill_rate,
            r.setting.safety_stock.name(),
            r.setting.forecast,
            r.setting.service_level
        ));
    }
    match cheapest_meeting(rows, target_fill_rate) {
        Some(i) => {
            let r = &rows[i];
            out.push_str(&format!(
                "\ncheapest setting with fill rate ≥ {:.2} %: safety_stock = \"{}\", forecast = \"{}\", {} = {} (holding cost {}, fill {:.2} %)\n",
                100.0 * target_fill_rate,
                r.setting.safety_stock.name(),
                r.setting.forecast,
                if r.setting.safety_stock == SafetyStockMethod::FillRate { "fill_rate" } else { "service_level" },
                r.setting.service_level,
                qm_reports::format::cents(r.holding_cost_cents.round()),
                100.0 * r.fill_rate
            ));
        }
        None => out.push_str(&format!(
            "\nno setting reached a fill rate of {:.2} %: raise the service levels or lower the target\n",
            100.0 * target_fill_rate
        )),
    }
    out
}
