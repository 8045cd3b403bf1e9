//! Validation: every range and reference a scenario must respect, checked once at load, each
//! failure located (`file:line:column: key: problem`). One function a section of the scenario,
//! grouped by what the sections describe: the network and its catalog (`network.rs`), the
//! demand (`demand.rs`), and how orders are served and stock replenished (`operations.rs`).

mod demand;
mod network;
mod operations;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use toml::Spanned;

use super::checker::{is_plain_name, Checker};
use super::limits::*;
use super::spec::*;

impl Scenario {
    pub(super) fn validate(&self, c: &mut Checker) {
        c.check(
            is_plain_name(&self.name),
            0..0,
            "name",
            &format!(
                "{:?} cannot name the output folder: use a plain name (letters, digits, `-`, `_`, `.`; no `/`, not `.` or `..`)",
                self.name
            ),
        );
        let start = self.validate_horizon(c);
        self.validate_catalog(c);
        let names = Names::of(self);
        self.validate_warehouses(c);
        self.validate_initial_stock(c, &names);
        self.validate_channels(c, &names);
        self.validate_customers(c);
        self.validate_demand(c);
        if let Some(start) = start {
            self.validate_events(c, &names, start);
        }
        self.validate_carts(c);
        self.validate_fulfillment(c);
        self.validate_returns(c);
        self.validate_targets(c);
        self.validate_accuracy(c);
        self.validate_replenishment(c, &names);
        if c.first.is_none() {
            self.validate_scale(c);
        }
    }

    /// `[horizon]`; the start date when it and the number of days are valid (the events'
    /// window needs both).
    fn validate_horizon(&self, c: &mut Checker) -> Option<NaiveDate> {
        let days_ok = c.one_to(&self.horizon.days, MAX_DAYS, "horizon.days");
        let start = c.date(&self.horizon.start_date, "horizon.start_date");
        let start = start.filter(|_| days_ok)?;
        let last = start + chrono::Days::new(u64::from(*self.horizon.days.get_ref()) - 1);
        let last_ok = last <= LAST_DATE;
        c.check(
            last_ok,
            self.horizon.days.span(),
            "horizon.days",
            &format!(
                "the run would end on {last}, after {LAST_DATE}, the last date with a four-digit \
                 year: start earlier or run fewer days"
            ),
        );
        last_ok.then_some(start)
    }
}

/// The SKU and warehouse codes other sections refer to.
pub(super) struct Names<'a> {
    /// Listed SKU codes (`[[skus]]`); empty for a generated catalog.
    listed_skus: BTreeSet<&'a str>,
    /// SKUs in the catalog.
    sku_count: usize,
    /// Warehouse codes.
    warehouses: BTreeSet<&'a str>,
    /// Whether the catalog is generated (`SKU00001`…).
    generated: bool,
}

impl<'a> Names<'a> {
    fn of(s: &'a Scenario) -> Self {
        let generated = s.skus.is_empty();
        Names {
            listed_skus: s.skus.iter().map(|k| k.code.as_str()).collect(),
            sku_count: if generated {
                *s.catalog.skus.get_ref() as usize
            } else {
                s.skus.len()
            },
            warehouses: s.warehouses.iter().map(|w| w.code.as_str()).collect(),
            generated,
        }
    }

    fn sku_known(&self, code: &str) -> bool {
        if self.generated {
            parse_sku_code(code).is_some_and(|n| n >= 1 && n as usize <= self.sku_count)
        } else {
            self.listed_skus.contains(code)
        }
    }

    /// Refuses `code`, at `key`, unless the scenario has a SKU of that code.
    fn check_sku(&self, c: &mut Checker, code: &Spanned<String>, key: &str) {
        let problem = format!("no SKU has code {:?}", code.get_ref());
        c.check(self.sku_known(code.get_ref()), code.span(), key, &problem);
    }

    /// Refuses `code`, at `key`, unless the scenario has a warehouse of that code.
    fn check_warehouse(&self, c: &mut Checker, code: &Spanned<String>, key: &str) {
        let known = self.warehouses.contains(code.get_ref().as_str());
        let problem = format!("no warehouse has code {:?}", code.get_ref());
        c.check(known, code.span(), key, &problem);
    }
}
