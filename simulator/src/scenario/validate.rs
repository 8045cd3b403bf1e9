//! Validation: every range and reference a scenario must respect, checked once at load, each
//! failure located (`file:line:column: key: problem`).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use toml::Spanned;

use super::checker::{is_code, is_plain_name, Checker, MAX_CODE_CHARS};
use super::limits::*;
use super::spec::*;

impl Scenario {
    fn validate_recorded(&self, c: &mut Checker) {
        let d = &self.demand;
        let Some(spec) = &d.recorded else {
            c.fail(
                d.source.span(),
                "demand.recorded",
                "source = \"recorded\" needs a [demand.recorded] table with its path",
            );
            return;
        };
        let r = spec.get_ref();
        let path = self.base_dir.join(r.path.get_ref());
        c.check(
            path.is_file(),
            r.path.span(),
            "demand.recorded.path",
            &if path.exists() {
                format!("not a file (a folder or a device): {}", path.display())
            } else {
                format!("no such file: {}", path.display())
            },
        );
        let is_log = path.extension().is_some_and(|e| e == "qmd");
        c.check(
            is_log || r.preset.is_some() != r.columns.is_some(),
            spec.span(),
            "demand.recorded",
            "a CSV or Parquet file needs exactly one of `preset` or a `[demand.recorded.columns]` table (a .qmd demand log needs neither)",
        );
        let region_known = |name: &str| self.customers.iter().any(|x| x.name == name);
        let default = r
            .default_region
            .iter()
            .map(|d| ("demand.recorded.default_region".to_string(), d));
        let mapped = r
            .regions
            .iter()
            .map(|(recorded, d)| (format!("demand.recorded.regions.{recorded}"), d));
        for (key, region) in mapped.chain(default) {
            c.check(
                region_known(region.get_ref()),
                region.span(),
                &key,
                &format!(
                    "`{}` is not the name of a [[customers]] region",
                    region.get_ref()
                ),
            );
        }
        for (recorded, channel) in &r.channels {
            c.check(
                self.channels.iter().any(|x| x.code == *channel.get_ref()),
                channel.span(),
                &format!("demand.recorded.channels.{recorded}"),
                &format!(
                    "`{}` is not the code of a [[channels]] entry",
                    channel.get_ref()
                ),
            );
        }
    }

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
        let days_ok = (1..=MAX_DAYS).contains(self.horizon.days.get_ref());
        c.check(
            days_ok,
            self.horizon.days.span(),
            "horizon.days",
            &format!("must be between 1 and {MAX_DAYS}"),
        );
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

    /// `[catalog]` and `[[skus]]`.
    fn validate_catalog(&self, c: &mut Checker) {
        let cat = &self.catalog;
        c.check(
            (1..=MAX_SKUS).contains(cat.skus.get_ref()),
            cat.skus.span(),
            "catalog.skus",
            &format!("must be between 1 and {MAX_SKUS}"),
        );
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
    fn validate_warehouses(&self, c: &mut Checker) {
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
    fn validate_initial_stock(&self, c: &mut Checker, names: &Names) {
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
    fn validate_channels(&self, c: &mut Checker, names: &Names) {
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
    fn validate_customers(&self, c: &mut Checker) {
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

    /// `[demand]` but its events.
    fn validate_demand(&self, c: &mut Checker) {
        let d = &self.demand;
        if self.is_recorded() {
            self.validate_recorded(c);
        } else {
            let rate = *d.orders_per_day.get_ref();
            c.check(
                rate.is_finite() && rate > 0.0 && rate <= MAX_ORDERS_PER_DAY,
                d.orders_per_day.span(),
                "demand.orders_per_day",
                &format!(
                    "must be a rate > 0 and ≤ {MAX_ORDERS_PER_DAY} (required for synthetic demand)"
                ),
            );
        }
        let max_lines = *d.max_lines_per_order.get_ref();
        c.check(
            (1..=qm_engine::constants::MAX_LINES_PER_ORDER as u32).contains(&max_lines),
            d.max_lines_per_order.span(),
            "demand.max_lines_per_order",
            &format!(
                "must be between 1 and {}",
                qm_engine::constants::MAX_LINES_PER_ORDER
            ),
        );
        let mean_lines = *d.mean_lines_per_order.get_ref();
        c.check(
            mean_lines >= 1.0 && mean_lines <= max_lines as f64,
            d.mean_lines_per_order.span(),
            "demand.mean_lines_per_order",
            "must be between 1 and max_lines_per_order",
        );
        let max_units = *d.max_units_per_line.get_ref();
        c.check(
            (1..=MAX_UNITS_PER_LINE).contains(&max_units),
            d.max_units_per_line.span(),
            "demand.max_units_per_line",
            &format!("must be between 1 and {MAX_UNITS_PER_LINE}"),
        );
        let mean_units = *d.mean_units_per_line.get_ref();
        c.check(
            mean_units >= 1.0 && mean_units <= max_units as f64,
            d.mean_units_per_line.span(),
            "demand.mean_units_per_line",
            "must be between 1 and max_units_per_line",
        );
        let weights_ok = |w: &[f64], n: usize| {
            w.len() == n
                && w.iter()
                    .all(|&x| x == 0.0 || (MIN_WEIGHT..=MAX_WEIGHT).contains(&x))
                && w.iter().any(|&x| x > 0.0)
        };
        for (weights, n, name, first) in [
            (&d.day_of_week, 7, "day_of_week", "Monday"),
            (&d.intraday, 24, "intraday", "midnight"),
        ] {
            c.check(
                weights_ok(weights.get_ref(), n),
                weights.span(),
                &format!("demand.{name}"),
                &format!(
                    "must be {n} weights, each 0 or within {MIN_WEIGHT:e}..={MAX_WEIGHT:e} \
                     ({first} first), not all 0"
                ),
            );
        }
        let trend = *d.trend_per_year.get_ref();
        c.check(
            trend.is_finite() && trend > -1.0 && trend <= MAX_TREND_PER_YEAR,
            d.trend_per_year.span(),
            "demand.trend_per_year",
            &format!("must be a number > -1 and ≤ {MAX_TREND_PER_YEAR}"),
        );
        let k = *d.dispersion.get_ref();
        c.check(
            k.is_finite() && k >= MIN_DISPERSION,
            d.dispersion.span(),
            "demand.dispersion",
            &format!("must be a number ≥ {MIN_DISPERSION}"),
        );
        c.probability(&d.express_share, "demand.express_share");
        c.check(
            (1..=30).contains(d.express_transit_days.get_ref()),
            d.express_transit_days.span(),
            "demand.express_transit_days",
            "must be between 1 and 30 days",
        );
    }

    /// `[[demand.events]]`, within the horizon from `start`.
    fn validate_events(&self, c: &mut Checker, names: &Names, start: NaiveDate) {
        let d = &self.demand;
        let last = start + chrono::Days::new(*self.horizon.days.get_ref() as u64 - 1);
        for (i, e) in d.events.iter().enumerate() {
            let key = format!("demand.events[{i}]");
            c.check(
                is_code(&e.name) && !e.name.contains(';'),
                0..0,
                &format!("{key}.name"),
                &format!(
                    "must be 1 to {MAX_CODE_CHARS} characters, with no `;` (the daily table's \
                     separator of events), no control character and no space at either end"
                ),
            );
            let m = *e.multiplier.get_ref();
            c.check(
                m.is_finite() && m > 0.0 && m <= MAX_EVENT_MULTIPLIER,
                e.multiplier.span(),
                &format!("{key}.multiplier"),
                &format!("must be a number > 0 and ≤ {MAX_EVENT_MULTIPLIER}"),
            );
            let (from, to) = (
                c.date(&e.start, &format!("{key}.start")),
                c.date(&e.end, &format!("{key}.end")),
            );
            if let (Some(from), Some(to)) = (from, to) {
                let inside = |d: NaiveDate| d >= start && d <= last;
                let window = format!("must be within the horizon, {start} to {last}");
                c.check(
                    inside(from),
                    e.start.span(),
                    &format!("{key}.start"),
                    &window,
                );
                c.check(inside(to), e.end.span(), &format!("{key}.end"), &window);
                c.check(
                    to >= from,
                    e.end.span(),
                    &format!("{key}.end"),
                    "must not be before start",
                );
            }
            for (ramp, name) in [
                (&e.ramp_up_days, "ramp_up_days"),
                (&e.ramp_down_days, "ramp_down_days"),
            ] {
                c.at_most(ramp, MAX_DAYS.into(), "days", &format!("{key}.{name}"));
            }
            for (j, code) in e.skus.iter().enumerate() {
                names.check_sku(c, code, &format!("{key}.skus[{j}]"));
            }
            if let Some(top) = &e.top_skus {
                let n = *top.get_ref();
                c.check(
                    n >= 1 && n as usize <= names.sku_count,
                    top.span(),
                    &format!("{key}.top_skus"),
                    &format!(
                        "must be between 1 and the number of SKUs ({})",
                        names.sku_count
                    ),
                );
                c.check(
                    e.skus.is_empty(),
                    top.span(),
                    &format!("{key}.top_skus"),
                    "give skus or top_skus, not both",
                );
            }
        }
    }

    /// `[carts]`.
    fn validate_carts(&self, c: &mut Checker) {
        let carts = &self.carts;
        let ttl = *carts.hold_ttl_minutes.get_ref() as u64 * 60_000;
        c.check(
            (qm_engine::constants::MIN_HOLD_TTL_MS..=qm_engine::constants::MAX_HOLD_TTL_MS)
                .contains(&ttl),
            carts.hold_ttl_minutes.span(),
            "carts.hold_ttl_minutes",
            "must be between 1 minute and 30 days",
        );
        c.probability(&carts.abandonment_rate, "carts.abandonment_rate");
        c.probability(&carts.payment_failure_rate, "carts.payment_failure_rate");
        c.within(
            &carts.minutes_to_pay,
            MAX_MINUTES_TO_PAY,
            "carts.minutes_to_pay",
        );
    }

    /// `[fulfillment]`.
    fn validate_fulfillment(&self, c: &mut Checker) {
        let carriers = &self.fulfillment.carriers;
        c.codes(
            carriers.iter().map(|x| x.code.as_str()),
            "fulfillment.carriers",
            "code",
        );
        c.check(
            carriers.len() <= qm_engine::constants::MAX_CARRIERS,
            0..0,
            &format!(
                "fulfillment.carriers[{}]",
                qm_engine::constants::MAX_CARRIERS
            ),
            &format!("at most {} carriers", qm_engine::constants::MAX_CARRIERS),
        );
        for (i, carrier) in self.fulfillment.carriers.iter().enumerate() {
            let key = format!("fulfillment.carriers[{i}]");
            c.check(
                !carrier.bands.is_empty(),
                0..0,
                &format!("{key}.bands"),
                "needs at least one band",
            );
            let mut previous = 0.0;
            for (j, band) in carrier.bands.iter().enumerate() {
                let km = *band.max_distance_km.get_ref();
                c.check(
                    km.is_finite() && km > previous,
                    band.max_distance_km.span(),
                    &format!("{key}.bands[{j}].max_distance_km"),
                    "must be > 0 and grow from band to band",
                );
                previous = km;
                let band_key = format!("{key}.bands[{j}]");
                let transit = format!("{band_key}.transit_days");
                c.at_most(&band.transit_days, 60, "days", &transit);
                for (fee, name) in [
                    (&band.base_cents, "base_cents"),
                    (&band.per_kg_cents, "per_kg_cents"),
                ] {
                    let key = format!("{band_key}.{name}");
                    c.at_most(fee, MAX_FEE_CENTS, "cents", &key);
                }
            }
        }
    }

    /// `[returns]`.
    fn validate_returns(&self, c: &mut Checker) {
        let r = &self.returns;
        c.probability(&r.rate, "returns.rate");
        c.probability(&r.restockable_share, "returns.restockable_share");
        c.check(
            r.delay_days_max.get_ref() >= r.delay_days_min.get_ref()
                && *r.delay_days_max.get_ref() <= 365,
            r.delay_days_max.span(),
            "returns.delay_days_max",
            "must be ≥ delay_days_min and ≤ 365",
        );
    }

    /// `[targets]`.
    fn validate_targets(&self, c: &mut Checker) {
        let t = &self.targets;
        c.probability(&t.order_accuracy, "targets.order_accuracy");
        c.probability(&t.order_fulfillment_rate, "targets.order_fulfillment_rate");
        c.probability(&t.demand_fill_rate, "targets.demand_fill_rate");
        let hours = MAX_PROCESSING_HOURS;
        c.positive(
            &t.processing_time_hours_p50,
            hours,
            "targets.processing_time_hours_p50",
        );
        c.positive(
            &t.processing_time_hours_p95,
            hours,
            "targets.processing_time_hours_p95",
        );
    }

    /// `[accuracy]`.
    fn validate_accuracy(&self, c: &mut Checker) {
        let a = &self.accuracy;
        c.probability(&a.pick_error_rate, "accuracy.pick_error_rate");
        c.probability(&a.shrinkage_rate_per_day, "accuracy.shrinkage_rate_per_day");
        c.check(
            *a.cycle_count_days.get_ref() <= 3_650,
            a.cycle_count_days.span(),
            "accuracy.cycle_count_days",
            "must be at most 3650 (0 turns cycle counts off)",
        );
    }

    /// `[replenishment]`.
    fn validate_replenishment(&self, c: &mut Checker, names: &Names) {
        let rep = &self.replenishment;
        c.within(
            &rep.reorder_point_days,
            MAX_DAYS_OF_COVER,
            "replenishment.reorder_point_days",
        );
        let (rop, up_to) = (
            *rep.reorder_point_days.get_ref(),
            *rep.order_up_to_days.get_ref(),
        );
        c.check(
            up_to.is_finite() && up_to >= rop && up_to <= MAX_DAYS_OF_COVER,
            rep.order_up_to_days.span(),
            "replenishment.order_up_to_days",
            &format!("must be ≥ reorder_point_days and ≤ {MAX_DAYS_OF_COVER}"),
        );
        for (i, policy) in rep.skus.iter().enumerate() {
            let key = format!("replenishment.skus[{i}]");
            names.check_sku(c, &policy.sku, &format!("{key}.sku"));
            c.check(
                !rep.skus[..i]
                    .iter()
                    .any(|p| p.sku.get_ref() == policy.sku.get_ref()),
                policy.sku.span(),
                &format!("{key}.sku"),
                &format!("{:?} has a policy already", policy.sku.get_ref()),
            );
            let quantity = *policy.order_quantity_units.get_ref();
            c.check(
                (1..=qm_engine::constants::MAX_MOVEMENT_UNITS).contains(&quantity),
                policy.order_quantity_units.span(),
                &format!("{key}.order_quantity_units"),
                "must be between 1 and 100000000 units",
            );
        }
        if let Err(e) = qm_engine::forecast::Method::from_name(
            rep.forecast.get_ref(),
            &qm_engine::forecast::MethodParams::default(),
        ) {
            c.fail(
                rep.forecast.span(),
                "replenishment.forecast",
                &e.to_string(),
            );
        }
        for (value, key) in [
            (&rep.service_level, "replenishment.service_level"),
            (&rep.fill_rate, "replenishment.fill_rate"),
        ] {
            let v = *value.get_ref();
            c.check(
                v > 0.0 && v < 1.0,
                value.span(),
                key,
                "must be strictly between 0 and 1 (0.95 = 95 %)",
            );
        }
        c.check(
            (1..=qm_engine::constants::MAX_MOVEMENT_UNITS)
                .contains(rep.fixed_order_units.get_ref()),
            rep.fixed_order_units.span(),
            "replenishment.fixed_order_units",
            "must be between 1 and 100000000 units",
        );
        c.check(
            (1..=MAX_REVIEW_PERIOD_DAYS).contains(rep.review_period_days.get_ref()),
            rep.review_period_days.span(),
            "replenishment.review_period_days",
            &format!("must be between 1 and {MAX_REVIEW_PERIOD_DAYS} days"),
        );
        let key = "replenishment.order_cost_cents";
        c.at_most(&rep.order_cost_cents, MAX_FEE_CENTS, "cents", key);
        c.check(
            *rep.warmup_days.get_ref() <= MAX_DAYS,
            rep.warmup_days.span(),
            "replenishment.warmup_days",
            "must be at most the longest horizon",
        );
        self.validate_suppliers(c);
    }

    /// `[[replenishment.suppliers]]`.
    fn validate_suppliers(&self, c: &mut Checker) {
        let rep = &self.replenishment;
        c.codes(
            rep.suppliers.iter().map(|x| x.code.as_str()),
            "replenishment.suppliers",
            "code",
        );
        for (i, supplier) in rep.suppliers.iter().enumerate() {
            let key = format!("replenishment.suppliers[{i}]");
            c.weight(&supplier.share, WEIGHTS, &format!("{key}.share"));
            let lead = *supplier.lead_time_days.get_ref();
            c.check(
                lead.is_finite() && (0.0..=MAX_LEAD_TIME_DAYS).contains(&lead),
                supplier.lead_time_days.span(),
                &format!("{key}.lead_time_days"),
                "must be between 0 and 365 days",
            );
            c.within(
                &supplier.lead_time_std_days,
                MAX_LEAD_TIME_DAYS,
                &format!("{key}.lead_time_std_days"),
            );
        }
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
