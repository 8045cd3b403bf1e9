//! What the terminal shows at the end of a command: the run's summary and the files written.

use std::path::{Path, PathBuf};

use qm_simulator::sim::RunOutput;

/// The run's headline figures and where its files went.
pub fn print_summary(output: &RunOutput, dir: &Path, written: &[PathBuf]) {
    let k = &output.summary;
    let l = &output.data.latency;
    let percent = |x: f64| format!("{:.2} %", 100.0 * x);
    println!(
        "scenario {} · seed {} · {} days from {}",
        k.scenario, k.seed, k.days, k.start_date
    );
    let reserve = l.kinds.iter().find(|x| x.call == "reserve");
    let rows: Vec<(&str, String)> = vec![
        ("orders placed", k.orders_placed.to_string()),
        ("order fulfillment rate", percent(k.order_fulfillment_rate)),
        ("unit fill rate", percent(k.unit_fill_rate)),
        ("order accuracy", percent(k.order_accuracy)),
        (
            "oversold orders (units)",
            format!("{} ({})", k.orders_oversold, k.oversold_units),
        ),
        (
            "lost sales, units (not shown)",
            format!("{} ({})", k.lost_sales_units, k.lost_sales_units_not_shown),
        ),
        (
            "backordered orders (units)",
            format!("{} ({})", k.orders_backordered, k.units_backordered),
        ),
        (
            "carts abandoned",
            format!(
                "{} ({:.0} held unit-hours)",
                k.orders_abandoned, k.held_but_abandoned_unit_hours
            ),
        ),
        (
            "processing time mean / p50 / p95",
            format!(
                "{:.1} h / {:.1} h / {:.1} h",
                k.processing_time_hours_mean,
                k.processing_time_hours_p50,
                k.processing_time_hours_p95
            ),
        ),
        (
            "shipped within 24 h / 48 h",
            format!(
                "{} / {}",
                percent(k.shipped_within_24h_share),
                percent(k.shipped_within_48h_share)
            ),
        ),
        ("split shipment rate", percent(k.split_shipment_rate)),
        (
            "shipping cost / distance per order",
            format!(
                "{:.2} / {:.0} km",
                k.shipping_cost_cents_per_order / 100.0,
                k.shipping_distance_km_per_order
            ),
        ),
        (
            "capacity-saturated warehouse-days",
            k.capacity_saturated_warehouse_days.to_string(),
        ),
        (
            "average on hand",
            format!("{:.0} units", k.average_on_hand_units),
        ),
        ("stockout SKU-days", k.stockout_sku_days.to_string()),
        (
            "inventory turns a year",
            format!("{:.1}", k.inventory_turns_per_year),
        ),
        (
            "reserve latency p50 / p99",
            reserve.map_or("-".into(), |r| {
                format!("{} ns / {} ns", r.latency_ns_p50, r.latency_ns_p99)
            }),
        ),
        (
            "engine calls per second",
            format!("{:.0}", l.engine_calls_per_second),
        ),
    ];
    for (name, value) in rows {
        println!("  {name:<36} {value}");
    }
    print_written(dir, written);
    if written.iter().any(|p| p.ends_with("report.html")) {
        println!("open {}/report.html in a browser", dir.display());
    }
}

/// The files a command wrote, by name, under their folder.
pub fn print_written(dir: &Path, written: &[PathBuf]) {
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    println!("wrote {}/: {}", dir.display(), names.join(", "));
}
