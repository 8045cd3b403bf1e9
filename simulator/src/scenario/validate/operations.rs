//! `[fulfillment]`, `[returns]`, `[targets]`, `[accuracy]`, and `[replenishment]` with its
//! suppliers: how orders are served and stock comes back.

use crate::scenario::checker::Checker;
use crate::scenario::limits::*;
use crate::scenario::spec::*;

use super::Names;

impl Scenario {
    /// `[fulfillment]`.
    pub(super) fn validate_fulfillment(&self, c: &mut Checker) {
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
    pub(super) fn validate_returns(&self, c: &mut Checker) {
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
    pub(super) fn validate_targets(&self, c: &mut Checker) {
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
    pub(super) fn validate_accuracy(&self, c: &mut Checker) {
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
    pub(super) fn validate_replenishment(&self, c: &mut Checker, names: &Names) {
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
    pub(super) fn validate_suppliers(&self, c: &mut Checker) {
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
