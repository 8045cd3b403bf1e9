//! `[catalog]`, `[[skus]]`, `[[warehouses]]`, `[initial_stock]`, `[[channels]]` and
//! `[[customers]]`: the network and what it stocks.

use std::collections::BTreeSet;

use crate::scenario::checker::Checker;
use crate::scenario::limits::*;
use crate::scenario::spec::*;

use super::Names;

impl Scenario {
    /// `[catalog]` and `[[skus]]`.
    pub(super) fn validate_catalog(&self, c: &mut Checker) {
        let cat = &self.catalog;
        c.one_to(&cat.skus, MAX_SKUS, "catalog.skus");
        c.non_negative(&cat.zipf_exponent, "catalog.zipf_exponent");
        c.check(
            (1..=MAX_UNIT_WEIGHT_GRAMS).contains(cat.unit_weight_grams.get_ref()),
            cat.unit_weight_grams.span(),
            "catalog.unit_weight_grams",
            &format!("must be 1 to {MAX_UNIT_WEIGHT_GRAMS} grams"),
        );
        c.check(
            (1..=MAX_UNIT_PRICE_CENTS).contains(&cat.unit_price_cents.get_ref().get()),
            cat.unit_price_cents.span(),
            "catalog.unit_price_cents",
            &format!("must be 1 to {MAX_UNIT_PRICE_CENTS} cents"),
        );
        c.non_negative(&cat.weight_sigma, "catalog.weight_sigma");
        c.non_negative(&cat.price_sigma, "catalog.price_sigma");
        c.within(
            &cat.holding_cost_rate_per_year,
            MAX_HOLDING_COST_RATE_PER_YEAR,
            "catalog.holding_cost_rate_per_year",
        );
        for (i, sku) in self.skus.iter().enumerate() {
            c.weight(&sku.popularity, WEIGHTS, &format!("skus[{i}].popularity"));
            let (weight, price) = (&sku.unit_weight_grams, &sku.unit_price_cents);
            let key = format!("skus[{i}].unit_weight_grams");
            c.at_most(weight, MAX_UNIT_WEIGHT_GRAMS.into(), "grams", &key);
            let key = format!("skus[{i}].unit_price_cents");
            c.at_most(price, MAX_UNIT_PRICE_CENTS, "cents", &key);
        }
        c.codes(self.skus.iter().map(|x| x.code.as_str()), "skus", "code");
        c.check(
            self.skus.len() as u64 <= MAX_SKUS as u64,
            0..0,
            "skus",
            &format!("at most {MAX_SKUS} SKUs"),
        );
    }

    /// `[[warehouses]]`.
    pub(super) fn validate_warehouses(&self, c: &mut Checker) {
        c.some_tables(&self.warehouses, "warehouses");
        c.check(
            self.warehouses.len() <= qm_engine::constants::MAX_WAREHOUSES,
            0..0,
            "warehouses",
            &format!(
                "at most {} warehouses",
                qm_engine::constants::MAX_WAREHOUSES
            ),
        );
        for (i, w) in self.warehouses.iter().enumerate() {
            let key = format!("warehouses[{i}]");
            c.coordinates(&w.latitude_deg, &w.longitude_deg, &key);
            c.check(
                *w.capacity_lines_per_day.get_ref() >= 1,
                w.capacity_lines_per_day.span(),
                &format!("{key}.capacity_lines_per_day"),
                "must be at least 1 line a day",
            );
            c.check(
                *w.cutoff_hour.get_ref() <= 23,
                w.cutoff_hour.span(),
                &format!("{key}.cutoff_hour"),
                "must be an hour within 0..=23",
            );
            if let Some(rate) = &w.pick_error_rate {
                c.probability(rate, &format!("{key}.pick_error_rate"));
            }
            if let Some(storage) = &w.storage_capacity_units {
                c.check(
                    *storage.get_ref() >= 1,
                    storage.span(),
                    &format!("{key}.storage_capacity_units"),
                    "must be at least 1 unit (leave it out for no limit)",
                );
            }
            let multiplier = *w.stock_multiplier.get_ref();
            c.check(
                (0.0..=MAX_STOCK_MULTIPLIER).contains(&multiplier),
                w.stock_multiplier.span(),
                &format!("{key}.stock_multiplier"),
                &format!("must be a number ≥ 0 and ≤ {MAX_STOCK_MULTIPLIER}"),
            );
        }
        c.codes(
            self.warehouses.iter().map(|x| x.code.as_str()),
            "warehouses",
            "code",
        );
    }

    /// `[initial_stock]`.
    pub(super) fn validate_initial_stock(&self, c: &mut Checker, names: &Names) {
        c.within(
            &self.initial_stock.days_of_cover,
            MAX_DAYS_OF_COVER,
            "initial_stock.days_of_cover",
        );
        let mut listed = BTreeSet::new();
        for (i, cell) in self.initial_stock.cells.iter().enumerate() {
            let key = format!("initial_stock.cells[{i}]");
            names.check_sku(c, &cell.sku, &format!("{key}.sku"));
            names.check_warehouse(c, &cell.warehouse, &format!("{key}.warehouse"));
            let (sku, warehouse) = (cell.sku.get_ref(), cell.warehouse.get_ref());
            let problem = format!("{sku:?} at {warehouse:?} is listed already");
            c.check(
                listed.insert((sku, warehouse)),
                cell.sku.span(),
                &key,
                &problem,
            );
            let units = *cell.units.get_ref();
            c.check(
                (0..=qm_engine::constants::MAX_CELL_UNITS as i64).contains(&units),
                cell.units.span(),
                &format!("{key}.units"),
                &format!(
                    "must be a unit count ≥ 0 and ≤ {}",
                    qm_engine::constants::MAX_CELL_UNITS
                ),
            );
        }
    }

    /// `[[channels]]`.
    pub(super) fn validate_channels(&self, c: &mut Checker, names: &Names) {
        c.some_tables(&self.channels, "channels");
        for (i, channel) in self.channels.iter().enumerate() {
            let key = format!("channels[{i}]");
            c.weight(&channel.share, WEIGHTS, &format!("{key}.share"));
            c.check(
                *channel.view_refresh_minutes.get_ref() <= 7 * 24 * 60,
                channel.view_refresh_minutes.span(),
                &format!("{key}.view_refresh_minutes"),
                "must be at most a week (10080 minutes)",
            );
            if let Some(percent) = &channel.buffer_percent {
                let p = *percent.get_ref();
                c.check(
                    (0.0..=100.0).contains(&p),
                    percent.span(),
                    &format!("{key}.buffer_percent"),
                    "must be a percentage within 0..=100",
                );
            }
            c.check(
                !channel.warehouses.is_empty(),
                0..0,
                &format!("{key}.warehouses"),
                "must name at least one warehouse",
            );
            for (j, code) in channel.warehouses.iter().enumerate() {
                names.check_warehouse(c, code, &format!("{key}.warehouses[{j}]"));
                c.check(
                    !channel.warehouses[..j].contains(code),
                    code.span(),
                    &format!("{key}.warehouses[{j}]"),
                    &format!("{:?} is listed twice", code.get_ref()),
                );
            }
        }
        c.codes(
            self.channels.iter().map(|x| x.code.as_str()),
            "channels",
            "code",
        );
        c.check(
            self.channels.len() <= qm_engine::constants::MAX_CHANNELS,
            0..0,
            &format!("channels[{}]", qm_engine::constants::MAX_CHANNELS),
            &format!("at most {} channels", qm_engine::constants::MAX_CHANNELS),
        );
    }

    /// `[[customers]]`.
    pub(super) fn validate_customers(&self, c: &mut Checker) {
        c.some_tables(&self.customers, "customers");
        for (i, region) in self.customers.iter().enumerate() {
            c.weight(&region.share, WEIGHTS, &format!("customers[{i}].share"));
            c.coordinates(
                &region.latitude_deg,
                &region.longitude_deg,
                &format!("customers[{i}]"),
            );
        }
        c.codes(
            self.customers.iter().map(|x| x.name.as_str()),
            "customers",
            "name",
        );
    }
}
