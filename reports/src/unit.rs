//! What a KPI is counted or measured in. The catalog names each KPI's unit once, as a [`Unit`];
//! [`crate::format`] shows a value by its unit, and the tables write the unit's name.

use std::fmt;

/// The unit of a KPI. Money has one: [`Unit::Cents`], whole cents of the scenario's currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Text that names the run (its scenario).
    Text,
    /// A calendar date.
    Date,
    /// A plain count (the seed).
    Count,
    Orders,
    Lines,
    Units,
    Shipments,
    Events,
    Skus,
    /// A fraction between 0 and 1, shown as a percentage.
    Share,
    /// A quotient of two quantities in the same unit.
    Ratio,
    /// Money, in cents.
    Cents,
    Hours,
    Days,
    Kilometres,
    Cycles,
    Turns,
    SkuDays,
    SeriesDays,
    WarehouseDays,
    UnitHours,
}

impl Unit {
    /// The unit's name in every table and document.
    pub const fn as_str(self) -> &'static str {
        match self {
            Unit::Text => "text",
            Unit::Date => "date",
            Unit::Count => "count",
            Unit::Orders => "orders",
            Unit::Lines => "lines",
            Unit::Units => "units",
            Unit::Shipments => "shipments",
            Unit::Events => "events",
            Unit::Skus => "SKUs",
            Unit::Share => "share",
            Unit::Ratio => "ratio",
            Unit::Cents => "cents",
            Unit::Hours => "hours",
            Unit::Days => "days",
            Unit::Kilometres => "km",
            Unit::Cycles => "cycles",
            Unit::Turns => "turns",
            Unit::SkuDays => "SKU-days",
            Unit::SeriesDays => "series-days",
            Unit::WarehouseDays => "warehouse-days",
            Unit::UnitHours => "unit-hours",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
