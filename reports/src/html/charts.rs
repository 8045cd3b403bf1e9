//! The report's charts: each a [`Chart`] built from one run's rows, or several runs' overlaid,
//! and [`figure`] that places one in the page.

use crate::chart::{self, Chart, Series, Style, XAxis};
use crate::format::escape;
use crate::run::*;
use crate::tables::start_date;

const CHART_WIDTH: u32 = 1040;
const CHART_HEIGHT: u32 = 340;
pub(super) const SMALL_WIDTH: u32 = 510;
pub(super) const SMALL_HEIGHT: u32 = 240;
/// Latency histogram buckets with fewer calls than this share are left out of the chart.
const LATENCY_MIN_SHARE: f64 = 1e-5;

/// `chart` at the page's full width, with its caption.
pub(super) fn wide_figure(chart: &Chart, caption: &str) -> String {
    figure(chart, CHART_WIDTH, CHART_HEIGHT, caption)
}

pub(super) fn figure(chart: &Chart, width: u32, height: u32, caption: &str) -> String {
    if !chart.has_data() {
        return format!(
            "<figure><figcaption><b>{}</b>: no data in this run.</figcaption></figure>\n",
            escape(&chart.title)
        );
    }
    format!(
        "<figure>{}<figcaption>{}</figcaption></figure>\n",
        chart::svg(chart, width, height),
        escape(caption)
    )
}

fn day_points(rows: &[DayRow], f: impl Fn(&DayRow) -> f64) -> Vec<(f64, f64)> {
    rows.iter().map(|r| (r.day as f64, f(r))).collect()
}

fn event_bands(run: &RunData) -> Vec<(f64, f64, String)> {
    run.events
        .iter()
        .map(|e| (e.first_day as f64, e.last_day as f64, e.name.clone()))
        .collect()
}

/// A chart over the days of `run`, its calendar events shaded.
fn over_days(run: &RunData, title: &str, y_label: &str) -> Chart {
    let mut chart = Chart::new(title, "day", y_label, XAxis::Days(start_date(run)));
    chart.bands = event_bands(run);
    chart
}

/// Orders placed each day, how many of them were to ship, and how many shipped complete (a day's
/// counts are its placed orders', whenever they shipped): the gap between the last two is what
/// `order_fulfillment_rate` counts. Several runs show the last two only.
pub(super) fn daily_orders(runs: &[(&str, &RunData)]) -> Chart {
    let mut c = over_days(
        runs[0].1,
        "Orders placed per day: to ship, and shipped complete",
        "orders",
    );
    let single = runs.len() == 1;
    for (i, (label, run)) in runs.iter().enumerate() {
        let name = |what: &str| {
            if single {
                what.to_string()
            } else {
                format!("{label}: {what}")
            }
        };
        if single {
            c.series.push(Series::new(
                name("placed"),
                day_points(&run.daily, |r| r.counts.orders_placed as f64),
                7,
                Style::Faint,
            ));
        }
        c.series.push(Series::new(
            name("to ship"),
            day_points(&run.daily, |r| r.counts.orders_to_ship() as f64),
            if single { 1 } else { i },
            if single { Style::Line } else { Style::Faint },
        ));
        c.series.push(Series::new(
            name("shipped complete"),
            day_points(&run.daily, |r| r.counts.orders_shipped_complete as f64),
            if single { 0 } else { i },
            Style::Line,
        ));
    }
    c
}

/// Carrier cost per shipment of the orders placed each day, whenever they shipped; a gap where a
/// day's orders made no shipment.
pub(super) fn shipping_cost(runs: &[(&str, &RunData)]) -> Chart {
    let mut c = over_days(
        runs[0].1,
        "Shipping cost per shipment, by the day orders were placed",
        "cents per shipment",
    );
    for (i, (label, run)) in runs.iter().enumerate() {
        c.series.push(Series::new(
            if runs.len() == 1 {
                "shipping cost ÷ shipments".to_string()
            } else {
                label.to_string()
            },
            day_points(&run.daily, |r| {
                let shipments = r.counts.shipments;
                if shipments == 0 {
                    f64::NAN
                } else {
                    r.counts.shipping_cost_cents.as_f64() / shipments as f64
                }
            }),
            i,
            Style::Line,
        ));
    }
    c
}

/// Total on-hand units against total safety stock, per day.
pub(super) fn stock_totals(runs: &[(&str, &RunData)]) -> Chart {
    let safety = |run: &RunData| run.daily.iter().any(|r| r.safety_stock_units.is_some());
    let title = if runs.iter().any(|(_, run)| safety(run)) {
        "On-hand units and safety stock, all SKUs"
    } else {
        "On-hand units, all SKUs"
    };
    let mut c = over_days(runs[0].1, title, "units");
    let single = runs.len() == 1;
    for (i, (label, run)) in runs.iter().enumerate() {
        let prefix = if single {
            String::new()
        } else {
            format!("{label}: ")
        };
        c.series.push(Series::new(
            format!("{prefix}on hand"),
            day_points(&run.daily, |r| r.on_hand_units as f64),
            if single { 0 } else { i },
            Style::Line,
        ));
        if safety(run) {
            c.series.push(Series::new(
                format!("{prefix}safety stock"),
                day_points(&run.daily, |r| r.safety_stock_units.unwrap_or(f64::NAN)),
                if single { 3 } else { i },
                Style::Faint,
            ));
        }
    }
    c
}

/// One top SKU's on-hand units against its safety stock and reorder point.
pub(super) fn sku_stock(run: &RunData, sku: &str) -> Chart {
    let rows: Vec<&SkuDayRow> = run.sku_daily.iter().filter(|r| r.sku == sku).collect();
    let mut c = over_days(run, &format!("SKU {sku}"), "units");
    let points = |f: &dyn Fn(&SkuDayRow) -> f64| -> Vec<(f64, f64)> {
        rows.iter().map(|r| (r.day as f64, f(r))).collect()
    };
    c.series.push(Series::new(
        "on hand",
        points(&|r| r.on_hand_units as f64),
        0,
        Style::Line,
    ));
    if rows.iter().any(|r| r.safety_stock_units.is_some()) {
        c.series.push(Series::new(
            "safety stock",
            points(&|r| r.safety_stock_units.unwrap_or(f64::NAN)),
            3,
            Style::Line,
        ));
    }
    c.series.push(Series::new(
        "reorder point",
        points(&|r| r.reorder_point_units),
        1,
        Style::Faint,
    ));
    c
}

/// Orders shipped complete by processing time: bars for one run, shares overlaid for several.
pub(super) fn processing(runs: &[(&str, &RunData)]) -> Chart {
    let single = runs.len() == 1;
    let mut c = Chart::new(
        "Processing time: placement to shipped complete",
        "hours",
        if single { "orders" } else { "share of orders" },
        XAxis::Linear,
    );
    c.y_percent = !single;
    c.v_lines = vec![(24.0, "24 h".into()), (48.0, "48 h".into())];
    for (i, (label, run)) in runs.iter().enumerate() {
        let total: u64 = run.processing_time.iter().map(|b| b.orders).sum();
        let width = PROCESSING_BIN_HOURS as f64;
        let used = run
            .processing_time
            .iter()
            .rposition(|b| b.orders > 0)
            .map_or(0, |last| last + 1);
        let points = run.processing_time[..used]
            .iter()
            .map(|b| {
                let y = if single {
                    b.orders as f64
                } else if total > 0 {
                    b.orders as f64 / total as f64
                } else {
                    f64::NAN
                };
                (b.processing_time_hours_from as f64 + width / 2.0, y)
            })
            .collect();
        c.series.push(Series::new(
            if single {
                format!("last bin: {PROCESSING_LAST_BIN_HOURS} h and more")
            } else {
                label.to_string()
            },
            points,
            i,
            if single {
                Style::Bars(width)
            } else {
                Style::Line
            },
        ));
    }
    c
}

/// Share of calls per power-of-two latency bucket: every call kind of one run, or `reserve`
/// of several.
pub(super) fn latency(runs: &[(&str, &RunData)]) -> Chart {
    let mut c = Chart::new(
        "Engine call latency (wall clock)",
        "latency",
        "share of calls",
        XAxis::Log10Nanoseconds,
    );
    c.y_percent = true;
    let single = runs.len() == 1;
    for (i, (label, run)) in runs.iter().enumerate() {
        for (k, kind) in run.latency.kinds.iter().enumerate() {
            if !single && kind.call != "reserve" {
                continue;
            }
            let total = kind.calls.max(1) as f64;
            let points: Vec<(f64, f64)> = run
                .latency
                .histogram
                .iter()
                .filter(|b| b.call == kind.call && b.calls as f64 / total >= LATENCY_MIN_SHARE)
                .map(|b| {
                    (
                        (b.latency_ns_to.max(1) as f64).log10(),
                        b.calls as f64 / total,
                    )
                })
                .collect();
            c.series.push(Series::new(
                if single {
                    format!("{} (p99 {} ns)", kind.call, kind.latency_ns_p99)
                } else {
                    format!("{label}: reserve (p99 {} ns)", kind.latency_ns_p99)
                },
                points,
                if single { k } else { i },
                Style::Line,
            ));
        }
    }
    c
}

/// Each warehouse's lines shipped as a share of its capacity, per day (the busiest warehouse
/// per run when comparing).
pub(super) fn warehouse_load(runs: &[(&str, &RunData)]) -> Chart {
    let mut c = over_days(
        runs[0].1,
        "Warehouse load against pick/pack capacity",
        "lines shipped ÷ capacity",
    );
    c.y_percent = true;
    c.h_lines = vec![(1.0, "capacity".into())];
    let use_share =
        |r: &WarehouseDayRow| crate::tables::day_capacity_use_share(r).unwrap_or(f64::NAN);
    if let [(_, run)] = runs {
        for (i, w) in run.warehouses.iter().enumerate() {
            c.series.push(Series::new(
                w.warehouse.clone(),
                run.warehouse_daily
                    .iter()
                    .filter(|r| r.warehouse == w.warehouse)
                    .map(|r| (r.day as f64, use_share(r)))
                    .collect(),
                i,
                Style::Line,
            ));
        }
        return c;
    }
    for (i, (label, run)) in runs.iter().enumerate() {
        let mut busiest: Vec<(f64, f64)> = run.daily.iter().map(|d| (d.day as f64, 0.0)).collect();
        for r in &run.warehouse_daily {
            if let Some(point) = busiest.get_mut(r.day as usize) {
                point.1 = point.1.max(use_share(r));
            }
        }
        c.series.push(Series::new(
            format!("{label}: busiest warehouse"),
            busiest,
            i,
            Style::Line,
        ));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::Counts;
    use qm_money::Cents;

    #[test]
    fn shipping_cost_per_shipment_is_the_day_s_cost_over_its_shipments() {
        let day = |day: u32, shipments: u64, cents: u64| DayRow {
            day,
            counts: Counts {
                shipments,
                shipping_cost_cents: Cents::new(cents),
                ..Counts::default()
            },
            ..DayRow::default()
        };
        let run = RunData {
            daily: vec![day(0, 4, 3_700), day(1, 0, 0), day(2, 3, 3_300)],
            ..RunData::default()
        };
        let chart = shipping_cost(&[("a", &run)]);
        let points = &chart.series[0].points;
        assert_eq!((points[0], points[2]), ((0.0, 925.0), (2.0, 1_100.0)));
        assert!(
            points[1].1.is_nan(),
            "a day without shipments has no cost per shipment"
        );
    }
}
