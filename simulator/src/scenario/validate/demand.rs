//! `[demand]` (generated or recorded), its events, and `[carts]`.

use chrono::NaiveDate;

use crate::scenario::checker::{is_code, Checker, MAX_CODE_CHARS};
use crate::scenario::limits::*;
use crate::scenario::spec::*;

use super::Names;

impl Scenario {
    /// `[demand.recorded]`: the file, and the regions and channels its rows map to.
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

    /// `[demand]` but its events.
    pub(super) fn validate_demand(&self, c: &mut Checker) {
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
        let (lines, units) = (&d.max_lines_per_order, &d.max_units_per_line);
        let most_lines = qm_engine::constants::MAX_LINES_PER_ORDER as u32;
        c.one_to(lines, most_lines, "demand.max_lines_per_order");
        let (key, max_key) = ("demand.mean_lines_per_order", "max_lines_per_order");
        c.mean_one_to(&d.mean_lines_per_order, *lines.get_ref(), key, max_key);
        c.one_to(units, MAX_UNITS_PER_LINE, "demand.max_units_per_line");
        let (key, max_key) = ("demand.mean_units_per_line", "max_units_per_line");
        c.mean_one_to(&d.mean_units_per_line, *units.get_ref(), key, max_key);
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
    pub(super) fn validate_events(&self, c: &mut Checker, names: &Names, start: NaiveDate) {
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
    pub(super) fn validate_carts(&self, c: &mut Checker) {
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
}
