//! The scenario's named choices as typed values: serde reads them once, and an unknown name is
//! refused at load with its line and column.

use serde::Deserialize;

use super::columns::ColumnMapping;

/// Where orders come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandSource {
    /// Drawn from the scenario's rates, calendar and events.
    Synthetic,
    /// Replayed from a recorded history (`[demand.recorded]`).
    Recorded,
}

/// Day-to-day noise of the order count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountNoise {
    /// Poisson counts.
    Poisson,
    /// Gamma–Poisson counts with `demand.dispersion`.
    NegativeBinomial,
}

/// How a recorded history's times are placed on the horizon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordedTime {
    /// At their recorded times, shifted to the horizon's start.
    AsRecorded,
    /// The recorded days packed onto the horizon's days.
    Compressed,
}

/// A built-in column layout of recorded histories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// UCI "Online Retail".
    #[serde(alias = "online-retail")]
    OnlineRetail,
}

impl Preset {
    /// The layout's columns.
    pub fn mapping(self) -> ColumnMapping {
        match self {
            Preset::OnlineRetail => ColumnMapping::preset("online_retail").expect("built in"),
        }
    }
}

/// Whether an order may ship from several warehouses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitRule {
    /// One warehouse ships the whole order, or it is rejected.
    SingleWarehouse,
    /// Lines may ship from different warehouses.
    SplitAllowed,
    /// What stock covers is held now; the rest is backordered.
    Partial,
}

impl SplitRule {
    /// The engine's split policy.
    pub fn policy(self) -> qm_engine::SplitPolicy {
        match self {
            SplitRule::SingleWarehouse => qm_engine::SplitPolicy::SingleWarehouse,
            SplitRule::SplitAllowed => qm_engine::SplitPolicy::SplitAllowed,
            SplitRule::Partial => qm_engine::SplitPolicy::PartialWithBackorder,
        }
    }
}

/// What happens to an order the channel accepted and the engine cannot fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Oversold {
    /// The order is cancelled.
    Cancel,
    /// What stock covers is held; the rest waits for a receipt.
    Backorder,
}

/// The replenishment policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum PolicyKind {
    /// Reorder point and order-up-to level in days of expected demand (no forecast).
    #[serde(rename = "days")]
    Days,
    /// Continuous review: below s, order Q.
    #[serde(rename = "s_q")]
    ReorderQuantity,
    /// Continuous review: below s, order up to S = s + Q.
    #[serde(rename = "s_s")]
    ReorderUpTo,
    /// Every R days, order up to S.
    #[serde(rename = "r_s")]
    PeriodicUpTo,
}

impl PolicyKind {
    /// The name as written in a scenario.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Days => "days",
            PolicyKind::ReorderQuantity => "s_q",
            PolicyKind::ReorderUpTo => "s_s",
            PolicyKind::PeriodicUpTo => "r_s",
        }
    }
}

/// How safety stock is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SafetyStockMethod {
    /// z · σ of lead-time demand for the cycle service level.
    Normal,
    /// The least safety stock whose expected shortage meets the fill rate.
    FillRate,
    /// The service level's quantile of past lead-time forecast errors.
    Empirical,
    /// The service level's quantile of lead-time demand as a whole-unit distribution (negative
    /// binomial with the forecast's mean and variance), alternating between the two levels
    /// around it so that the share of cycles without a stockout is the promise.
    Quantile,
}

impl SafetyStockMethod {
    /// Every method, in the order `qm tune` lists them.
    pub const ALL: [SafetyStockMethod; 4] = [
        Self::Normal,
        Self::FillRate,
        Self::Empirical,
        Self::Quantile,
    ];

    /// The name as written in a scenario.
    pub fn name(self) -> &'static str {
        match self {
            SafetyStockMethod::Normal => "normal",
            SafetyStockMethod::FillRate => "fill_rate",
            SafetyStockMethod::Empirical => "empirical",
            SafetyStockMethod::Quantile => "quantile",
        }
    }

    /// Parses a name as written on the command line.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// How much a replenishment order asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderQuantity {
    /// The economic order quantity of the cell's forecast.
    Eoq,
    /// `fixed_order_units`.
    Fixed,
}
