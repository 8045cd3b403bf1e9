//! Scenario files (TOML): the business to simulate. Unknown keys are errors;
//! every error names the file, the line and column where known, and what is expected.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// Most simulated days in one run.
pub const MAX_DAYS: u32 = 3_660;
/// Most orders per day on average.
pub const MAX_ORDERS_PER_DAY: f64 = 10_000_000.0;

/// A scenario as written in its file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A short name, used for the output folder.
    pub name: String,
    /// Simulated period and seed.
    pub horizon: Horizon,
    /// The SKU catalog (generated).
    pub catalog: Catalog,
    /// Warehouses, at least one.
    pub warehouses: Vec<WarehouseSpec>,
    /// Opening stock.
    #[serde(default)]
    pub initial_stock: InitialStock,
    /// Sales channels, at least one.
    pub channels: Vec<ChannelSpec>,
    /// Where customers are, with their share of demand.
    pub customers: Vec<Region>,
    /// How much is ordered.
    pub demand: Demand,
    /// Cart holds and payment.
    #[serde(default)]
    pub carts: Carts,
    /// Supplier reorders.
    #[serde(default)]
    pub replenishment: Replenishment,
}

/// Simulated period and seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Horizon {
    /// Days simulated, 1..=[`MAX_DAYS`].
    pub days: Spanned<u32>,
    /// Seed of every random draw.
    pub seed: u64,
}

/// A generated catalog.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Number of SKUs.
    pub skus: Spanned<u32>,
    /// Zipf exponent of SKU popularity (0 = uniform).
    #[serde(default = "default_zipf")]
    pub zipf_exponent: Spanned<f64>,
    /// Weight of one unit, grams.
    #[serde(default = "default_weight")]
    pub unit_weight_grams: u32,
    /// Price of one unit, cents.
    #[serde(default = "default_price")]
    pub unit_price_cents: u64,
}

fn default_zipf() -> Spanned<f64> {
    Spanned::new(0..0, 1.1)
}
fn default_weight() -> u32 {
    500
}
fn default_price() -> u64 {
    2_000
}

/// A warehouse.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarehouseSpec {
    /// Its code.
    pub code: String,
    /// Latitude, degrees.
    pub latitude_deg: f64,
    /// Longitude, degrees.
    pub longitude_deg: f64,
    /// Order lines it can pick and pack a day.
    pub capacity_lines_per_day: u32,
}

/// Opening stock.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitialStock {
    /// Days of expected demand each warehouse starts with (demand split evenly over warehouses).
    pub days_of_cover: Spanned<f64>,
}

impl Default for InitialStock {
    fn default() -> Self {
        Self { days_of_cover: Spanned::new(0..0, 14.0) }
    }
}

/// A sales channel.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSpec {
    /// Its code.
    pub code: String,
    /// Warehouses that serve it, in priority order (codes).
    pub warehouses: Vec<Spanned<String>>,
    /// Allocation strategy: nearest, lowest_cost, fewest_shipments, most_stock, priority.
    pub strategy: Spanned<String>,
    /// single_warehouse, split_allowed or partial.
    #[serde(default = "default_split")]
    pub split: Spanned<String>,
    /// Units per cell this channel may not take.
    #[serde(default)]
    pub buffer_units: u32,
    /// Skip warehouses whose pick/pack capacity for the day is used up.
    #[serde(default)]
    pub capacity_aware: bool,
    /// Share of orders placed on this channel.
    pub share: Spanned<f64>,
}

fn default_split() -> Spanned<String> {
    Spanned::new(0..0, "split_allowed".into())
}

/// A customer region.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Its name.
    pub name: String,
    /// Latitude, degrees.
    pub latitude_deg: f64,
    /// Longitude, degrees.
    pub longitude_deg: f64,
    /// Share of demand.
    pub share: Spanned<f64>,
}

/// Demand.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demand {
    /// Mean orders a day (Poisson).
    pub orders_per_day: Spanned<f64>,
    /// Lines per order are uniform in 1..=this.
    #[serde(default = "default_lines")]
    pub max_lines_per_order: Spanned<u32>,
    /// Units per line are uniform in 1..=this.
    #[serde(default = "default_units")]
    pub max_units_per_line: Spanned<u32>,
}

fn default_lines() -> Spanned<u32> {
    Spanned::new(0..0, 3)
}
fn default_units() -> Spanned<u32> {
    Spanned::new(0..0, 2)
}

/// Cart holds and payment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Carts {
    /// How long a cart holds stock, minutes.
    pub hold_ttl_minutes: Spanned<u32>,
    /// Share of carts never paid (their holds expire).
    pub abandonment_rate: Spanned<f64>,
    /// Minutes from cart to payment.
    pub minutes_to_pay: Spanned<u32>,
}

impl Default for Carts {
    fn default() -> Self {
        Self { hold_ttl_minutes: Spanned::new(0..0, 30), abandonment_rate: Spanned::new(0..0, 0.0), minutes_to_pay: Spanned::new(0..0, 5) }
    }
}

/// Fixed reorder point / order-up-to policy per cell, in days of expected demand.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replenishment {
    /// Reorder when free units fall below this many days of demand.
    pub reorder_point_days: Spanned<f64>,
    /// Order up to this many days of demand.
    pub order_up_to_days: Spanned<f64>,
    /// Days from order to receipt.
    pub lead_time_days: Spanned<u32>,
}

impl Default for Replenishment {
    fn default() -> Self {
        Self {
            reorder_point_days: Spanned::new(0..0, 5.0),
            order_up_to_days: Spanned::new(0..0, 14.0),
            lead_time_days: Spanned::new(0..0, 3),
        }
    }
}

/// A scenario that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("{path}: cannot read the scenario file: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed, or a key is unknown or of the wrong type.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// toml's message (it names the line and column).
        message: String,
    },
    /// A value is out of range or refers to something that does not exist.
    #[error("{path}:{line}:{column}: {key}: {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when the value was defaulted).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The key, as a path (`channels[1].warehouses[0]`).
        key: String,
        /// What is wrong and what is expected.
        problem: String,
    },
}

/// A loaded scenario with its source, for error positions.
pub struct LoadedScenario {
    /// The scenario.
    pub scenario: Scenario,
    /// Where it came from.
    pub path: PathBuf,
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

impl Scenario {
    /// Reads, parses and validates a scenario file.
    pub fn load(path: &Path) -> Result<LoadedScenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read { path: path.into(), source })?;
        Self::parse(&text, path)
    }

    /// Parses and validates scenario text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<LoadedScenario, ScenarioError> {
        let scenario: Scenario =
            toml::from_str(text).map_err(|e| ScenarioError::Parse { path: path.into(), message: e.to_string().trim_end().to_string() })?;
        let invalid = |span: std::ops::Range<usize>, key: String, problem: String| {
            let (line, column) = if span.end == 0 { (0, 0) } else { position(text, span.start) };
            ScenarioError::Invalid { path: path.into(), line, column, key, problem }
        };
        let s = &scenario;
        let check = |ok: bool, span: std::ops::Range<usize>, key: &str, problem: &str| {
            if ok { Ok(()) } else { Err(invalid(span, key.into(), problem.into())) }
        };
        check((1..=MAX_DAYS).contains(s.horizon.days.get_ref()), s.horizon.days.span(), "horizon.days", &format!("must be between 1 and {MAX_DAYS}"))?;
        check(*s.catalog.skus.get_ref() >= 1, s.catalog.skus.span(), "catalog.skus", "must be at least 1")?;
        let zipf = *s.catalog.zipf_exponent.get_ref();
        check(zipf.is_finite() && zipf >= 0.0, s.catalog.zipf_exponent.span(), "catalog.zipf_exponent", "must be a number ≥ 0")?;
        let cover = *s.initial_stock.days_of_cover.get_ref();
        check(cover.is_finite() && cover >= 0.0, s.initial_stock.days_of_cover.span(), "initial_stock.days_of_cover", "must be a number ≥ 0")?;
        let rate = *s.demand.orders_per_day.get_ref();
        check(rate.is_finite() && rate > 0.0 && rate <= MAX_ORDERS_PER_DAY, s.demand.orders_per_day.span(), "demand.orders_per_day", &format!("must be a rate > 0 and ≤ {MAX_ORDERS_PER_DAY}"))?;
        let lines = *s.demand.max_lines_per_order.get_ref() as usize;
        check((1..=qm_engine::constants::MAX_LINES_PER_ORDER).contains(&lines), s.demand.max_lines_per_order.span(), "demand.max_lines_per_order", "must be between 1 and 64")?;
        check(*s.demand.max_units_per_line.get_ref() >= 1, s.demand.max_units_per_line.span(), "demand.max_units_per_line", "must be at least 1")?;
        let ttl = *s.carts.hold_ttl_minutes.get_ref() as u64 * 60_000;
        check((qm_engine::constants::MIN_HOLD_TTL_MS..=qm_engine::constants::MAX_HOLD_TTL_MS).contains(&ttl), s.carts.hold_ttl_minutes.span(), "carts.hold_ttl_minutes", "must be between 1 minute and 30 days")?;
        let abandon = *s.carts.abandonment_rate.get_ref();
        check((0.0..=1.0).contains(&abandon), s.carts.abandonment_rate.span(), "carts.abandonment_rate", "must be a probability within 0..=1")?;
        let r = &s.replenishment;
        let (rop, up_to) = (*r.reorder_point_days.get_ref(), *r.order_up_to_days.get_ref());
        check(rop.is_finite() && rop >= 0.0, r.reorder_point_days.span(), "replenishment.reorder_point_days", "must be a number ≥ 0")?;
        check(up_to.is_finite() && up_to >= rop, r.order_up_to_days.span(), "replenishment.order_up_to_days", "must be ≥ reorder_point_days")?;
        check(!s.warehouses.is_empty(), 0..0, "warehouses", "at least one [[warehouses]] table is needed")?;
        check(!s.channels.is_empty(), 0..0, "channels", "at least one [[channels]] table is needed")?;
        check(!s.customers.is_empty(), 0..0, "customers", "at least one [[customers]] table is needed")?;
        for (i, region) in s.customers.iter().enumerate() {
            let share = *region.share.get_ref();
            check(share.is_finite() && share > 0.0, region.share.span(), &format!("customers[{i}].share"), "must be a share > 0")?;
        }
        for (i, channel) in s.channels.iter().enumerate() {
            let share = *channel.share.get_ref();
            check(share.is_finite() && share > 0.0, channel.share.span(), &format!("channels[{i}].share"), "must be a share > 0")?;
            check(qm_engine::StrategyKind::from_name(channel.strategy.get_ref()).is_some(), channel.strategy.span(), &format!("channels[{i}].strategy"), "must be one of nearest, lowest_cost, fewest_shipments, most_stock, priority")?;
            check(split_policy(channel.split.get_ref()).is_some(), channel.split.span(), &format!("channels[{i}].split"), "must be one of single_warehouse, split_allowed, partial")?;
            for (j, code) in channel.warehouses.iter().enumerate() {
                let known = s.warehouses.iter().any(|w| w.code == *code.get_ref());
                check(known, code.span(), &format!("channels[{i}].warehouses[{j}]"), &format!("no warehouse has code {:?}", code.get_ref()))?;
            }
        }
        Ok(LoadedScenario { scenario, path: path.into() })
    }
}

/// The engine's split policy for a scenario's name of it.
pub fn split_policy(name: &str) -> Option<qm_engine::SplitPolicy> {
    match name {
        "single_warehouse" => Some(qm_engine::SplitPolicy::SingleWarehouse),
        "split_allowed" => Some(qm_engine::SplitPolicy::SplitAllowed),
        "partial" => Some(qm_engine::SplitPolicy::PartialWithBackorder),
        _ => None,
    }
}
