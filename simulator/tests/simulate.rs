//! The simulator end to end: every shipped scenario runs (shortened) and shows what it is
//! for, runs are reproducible, the trade-offs move the way operations people expect, and
//! `qm simulate` writes its outputs or, refused, exits 2 having written nothing (a scenario
//! file's own errors are in `scenario_refusals.rs`).

mod common;
use common::edited::edited;
use common::runs::{assert_accounts_add_up, load, run};
use common::{qm, scenario as path};

use std::path::Path;

use qm_reports::export::Format;
use qm_simulator::scenario::Scenario;
use qm_simulator::sim::metrics::Summary;
use qm_simulator::sim::{simulate, write_outputs};
use toml::Spanned;

#[test]
fn baseline_runs_and_its_kpis_add_up() {
    let output = run(&load("baseline.toml", Some(7)));
    assert_accounts_add_up(&output);
    let k = &output.summary;
    // 3,000 a day shaped by the day-of-week profile (Mon 1.15 … Sun 1.0, mean 1): 7 days ≈ 21,000,
    // less the orders whose every line was shown out of stock.
    assert!(
        (20_000..=21_400).contains(&k.orders_placed),
        "{}",
        k.orders_placed
    );
    let abandoned = k.orders_abandoned as f64 / k.orders_held as f64;
    assert!(
        (0.19..0.21).contains(&abandoned),
        "20 % of carts are abandoned: {abandoned}"
    );
    let failed = k.orders_payment_failed as f64 / (k.orders_held - k.orders_abandoned) as f64;
    assert!(
        (0.015..0.025).contains(&failed),
        "2 % of payments fail: {failed}"
    );
    // Abandoned carts and failed payments are the customer's choice, not the shop's failure, and
    // the last evening's orders are still in flight: of the orders to ship, holds that lapse
    // before a slow payment (e^-6 of payments, 0.25 %) and short picks leave about 99.4 % shipped complete.
    assert!(
        k.order_fulfillment_rate > 0.985 && k.order_fulfillment_rate < 0.997,
        "{}",
        k.order_fulfillment_rate
    );
    assert_eq!((k.peak_days, k.peak_orders_placed), (0, 0), "no events");
    assert!(
        k.order_accuracy > 0.99 && k.order_accuracy < 1.0,
        "pick errors at 0.3 %: {}",
        k.order_accuracy
    );
    // Paid orders ship at the next 16:00 cutoff, capacity permitting: always within 24 h here.
    assert!(k.processing_time_hours_p95 <= 24.0 && k.capacity_saturated_warehouse_days == 0);
    assert_eq!(output.data.daily[0].date, "2026-03-02");
    assert!(
        (output.data.daily[0].demand_multiplier - 1.15).abs() < 1e-9,
        "a Monday"
    );
}

#[test]
fn same_seed_gives_identical_outputs_and_another_seed_differs() {
    let scenario = load("baseline.toml", Some(3));
    let files = |seed: u64| {
        let dir = common::test_root().join(format!("determinism-{seed}-{}", rand_suffix()));
        let output = simulate(&scenario, seed, &mut |_| {}).unwrap();
        let written = write_outputs(&output.data, &dir, &Format::ALL).unwrap();
        // Every file but the wall-clock ones (latency, and the HTML that shows it) and the
        // results file that keeps them.
        let mut out: Vec<(String, Vec<u8>)> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .filter(|name| {
                !name.starts_with("latency") && name != "report.html" && name != "results.qmr"
            })
            .map(|name| {
                let bytes = std::fs::read(dir.join(&name)).unwrap();
                (name, bytes)
            })
            .collect();
        out.sort();
        std::fs::remove_dir_all(&dir).unwrap();
        out
    };
    let first = files(7);
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 2 * 8 + 1, "{names:?}");
    assert!(names.contains(&"skus.parquet") && names.contains(&"summary.json"));
    assert!(
        first == files(7),
        "byte-identical reports for the same seed"
    );
    let other = files(8);
    let summary = |files: &[(String, Vec<u8>)]| {
        files
            .iter()
            .find(|(n, _)| n == "summary.json")
            .unwrap()
            .1
            .clone()
    };
    assert_ne!(summary(&first), summary(&other));
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[test]
fn black_friday_saturates_capacity_and_stretches_processing_time() {
    // 2026-11-01 + 36 days takes in Black Friday (day 26) and Cyber Monday (day 29).
    let output = run(&load("black-friday.toml", Some(36)));
    assert_accounts_add_up(&output);
    let k = &output.summary;
    let friday = &output.data.daily[26];
    assert_eq!(
        (friday.date.as_str(), friday.events.as_str()),
        ("2026-11-27", "Black Friday")
    );
    // 4× on the day (× Friday's 1.0 / 1.0 profile weight × the 10 %-a-year trend).
    assert!(
        friday.demand_multiplier > 4.0 && friday.demand_multiplier < 4.1,
        "{}",
        friday.demand_multiplier
    );
    let normal = &output.data.daily[15];
    assert!(
        friday.counts.orders_placed as f64 > 2.0 * normal.counts.orders_placed as f64,
        "{} vs {}",
        friday.counts.orders_placed,
        normal.counts.orders_placed
    );
    assert!(
        k.capacity_saturated_warehouse_days >= 10,
        "{}",
        k.capacity_saturated_warehouse_days
    );
    let after = &output.data.daily[30];
    assert!(
        after.processing_time_hours_p95.unwrap() > 48.0,
        "backlog after Cyber Monday: {}",
        after.processing_time_hours_p95.unwrap()
    );
    assert!(
        normal.processing_time_hours_p95.unwrap() <= 24.0,
        "{}",
        normal.processing_time_hours_p95.unwrap()
    );
    assert!(k.shipped_within_48h_share < 0.97);
    // Peak days: Black Friday with its 3-day ramp (days 23–26) and Cyber Monday with its
    // 1-day ramp (28–29); the Christmas run-up starts after day 35.
    assert_eq!(k.peak_days, 6);
    assert!(
        k.peak_processing_time_hours_p95 > k.processing_time_hours_p95 + 12.0,
        "the peak's own p95 {} against the run's {}",
        k.peak_processing_time_hours_p95,
        k.processing_time_hours_p95
    );
    assert!(
        output
            .data
            .warehouses
            .iter()
            .all(|w| w.peak_day_lines <= w.capacity_lines_per_day as u64 + 6),
        "no cutoff ships past capacity"
    );
    // The marketplace's half-hour-old view oversells; it backorders instead of cancelling.
    assert!(output.data.channels[1].counts.orders_oversold > 0 && k.orders_backordered > 0);
}

#[test]
fn flash_sale_sells_out_the_sale_skus_without_overselling_a_unit() {
    let output = run(&load("flash-sale.toml", None));
    assert_accounts_add_up(&output);
    let sale = &output.data.daily[2];
    assert_eq!(sale.events, "Flash sale");
    assert!(sale.demand_multiplier > 5.0, "{}", sale.demand_multiplier);
    // Customers only order what the channel shows in stock: once the sale SKUs sell out,
    // their demand becomes lost sales, not orders.
    assert!(
        sale.counts.orders_placed > 2 * output.data.daily[0].counts.orders_placed,
        "{} vs {}",
        sale.counts.orders_placed,
        output.data.daily[0].counts.orders_placed
    );
    // 3,400 units of sale stock against about 36,000 units of sale demand: most is lost.
    assert!(
        sale.counts.lost_sales_units > 15_000,
        "{}",
        sale.counts.lost_sales_units
    );
    // The marketplace's five-minute-old figure oversells while the web store (live) never does.
    let (web, marketplace) = (&output.data.channels[0], &output.data.channels[1]);
    assert!(marketplace.counts.orders_oversold > 0);
    assert!(
        web.counts.orders_oversold < marketplace.counts.orders_oversold,
        "{} vs {}",
        web.counts.orders_oversold,
        marketplace.counts.orders_oversold
    );
}

#[test]
fn per_sku_policies_order_their_fixed_lots() {
    // Days-of-demand reordering off: only the two sale SKUs' fixed lots (400 and 200 units) are ordered.
    let mut s = load("flash-sale.toml", None);
    s.replenishment.reorder_point_days = Spanned::new(0..0, 0.0);
    s.replenishment.order_up_to_days = Spanned::new(0..0, 0.0);
    s.replenishment.suppliers[0].lead_time_days = Spanned::new(0..0, 1.0);
    let k = run(&s).summary;
    assert!(
        k.supplier_orders >= 2,
        "both sale SKUs fall below their reorder points: {}",
        k.supplier_orders
    );
    assert!(
        k.units_received > 0 && k.units_received.is_multiple_of(200),
        "whole lots of 400 and 200: {}",
        k.units_received
    );
    assert!(k.units_received <= 400 * k.supplier_orders);
}

#[test]
fn stale_channel_views_oversell_and_live_views_do_not() {
    let scenario = load("multichannel-lag.toml", Some(10));
    let lagged = run(&scenario);
    assert_accounts_add_up(&lagged);
    let c = &lagged.data.channels;
    // The live web shop almost never oversells; the hourly and four-hourly marketplaces do.
    let rate = |i: usize| c[i].counts.orders_oversold as f64 / c[i].counts.orders_placed as f64;
    assert!(
        rate(0) < 0.001 && rate(1) > 10.0 * rate(0) && rate(2) > 10.0 * rate(0),
        "{} {} {}",
        rate(0),
        rate(1),
        rate(2)
    );
    assert!(
        lagged.summary.orders_backordered > 0,
        "the four-hourly channel backorders its oversells"
    );

    let mut live = load("multichannel-lag.toml", Some(10));
    for channel in &mut live.channels {
        channel.view_refresh_minutes = Spanned::new(0..0, 0);
    }
    let live = run(&live);
    assert_accounts_add_up(&live);
    assert!(
        live.summary.orders_oversold * 3 < lagged.summary.orders_oversold,
        "{} vs {}",
        live.summary.orders_oversold,
        lagged.summary.orders_oversold
    );
}

#[test]
fn a_channel_buffer_trades_oversells_for_lost_sales() {
    // A buffer keeps units back from the channel's stale view: fewer orders it accepts find the
    // network short, more lines show out of stock.
    let with_buffer = |units: u32| {
        let mut s = load("multichannel-lag.toml", None);
        s.channels[1].buffer_units = units;
        run(&s).data.channels[1].clone()
    };
    let (thin, thick) = (with_buffer(0), with_buffer(10));
    assert!(
        thick.counts.orders_oversold < thin.counts.orders_oversold,
        "{} vs {}",
        thick.counts.orders_oversold,
        thin.counts.orders_oversold
    );
    assert!(thick.counts.lost_sales_units_not_shown > thin.counts.lost_sales_units_not_shown);
}

#[test]
fn long_tail_shrinkage_is_found_by_pickers_and_cycle_counts() {
    let output = run(&load("long-tail.toml", Some(35)));
    assert_accounts_add_up(&output);
    let k = &output.summary;
    assert!(
        k.units_shrunk > 0 && k.units_short_picked + k.units_found_by_cycle_count <= k.units_shrunk
    );
    assert!(
        k.units_found_by_cycle_count > 0,
        "counts every 28 days find shrinkage"
    );
    assert!(
        k.units_returned > 0 && k.units_restocked < k.units_returned,
        "70 % of returns restock"
    );
    assert!(
        k.order_accuracy < 1.0 && k.order_accuracy > 0.98,
        "{}",
        k.order_accuracy
    );
    // Most of 20,000 SKUs sell less than once a day: the daily stockout count is a small share.
    assert!(output.data.daily.iter().all(|d| d.stockout_skus < 2_000));

    let mut no_counts = load("long-tail.toml", Some(35));
    no_counts.accuracy.cycle_count_days = Spanned::new(0..0, 0);
    let no_counts = run(&no_counts).summary;
    assert_eq!(no_counts.units_found_by_cycle_count, 0);
    assert!(
        no_counts.units_short_picked > k.units_short_picked,
        "{} vs {}",
        no_counts.units_short_picked,
        k.units_short_picked
    );
}

#[test]
fn a_longer_cart_ttl_loses_fewer_late_payers_and_holds_more_stock() {
    let with_ttl = |minutes: u32| {
        let mut s = load("baseline.toml", Some(4));
        s.carts.hold_ttl_minutes = Spanned::new(0..0, minutes);
        run(&s).summary
    };
    let (short, long) = (with_ttl(5), with_ttl(60));
    // Mean time to pay is 5 minutes (exponential): e^-1 ≈ 37 % pay after a 5-minute hold, and
    // the checkout reserves each of them again.
    let late = short.orders_rereserved_at_payment as f64
        / (short.orders_held - short.orders_abandoned) as f64;
    assert!((0.30..0.40).contains(&late), "{late}");
    assert!(long.orders_rereserved_at_payment * 100 < short.orders_rereserved_at_payment);
    assert!(short.orders_lost_hold_expired < short.orders_rereserved_at_payment);
    // 12× longer holds, but the short TTL also expires every late payer's hold.
    assert!(
        long.expired_hold_unit_hours > 3.0 * short.expired_hold_unit_hours,
        "{} vs {}",
        long.expired_hold_unit_hours,
        short.expired_hold_unit_hours
    );
}

#[test]
fn every_shipped_scenario_loads() {
    let mut names: Vec<String> = std::fs::read_dir(path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "baseline.toml",
            "black-friday.toml",
            "flash-sale.toml",
            "long-tail.toml",
            "multichannel-lag.toml",
            "one-year-benchmark.toml",
            "online-retail.toml",
            "safety-stock.toml",
            "warehouse-sizing.toml"
        ]
    );
    for name in names {
        Scenario::load(&path(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // The benchmark scenario runs (two days of it) like any other.
    assert_accounts_add_up(&run(&load("one-year-benchmark.toml", Some(2))));
}

#[test]
fn qm_simulate_writes_its_outputs_and_exits_2_on_a_bad_scenario() {
    let out = common::test_root().join("cli");
    let scenario = path("baseline.toml");
    let done = qm(&[
        "simulate",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--days",
        "2",
    ]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let printed = String::from_utf8_lossy(&done.stdout);
    assert!(
        printed.contains("order_fulfillment_rate") && printed.contains("seed 42 · 2 days"),
        "{printed}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("baseline/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["days"], 2);
    for file in ["daily.csv", "warehouse_daily.csv", "latency.json"] {
        assert!(out.join("baseline").join(file).exists(), "{file}");
    }

    // Two seeds in parallel, each in its own folder.
    let done = qm(&[
        "simulate",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--days",
        "1",
        "--seeds",
        "1,2",
        "--quiet",
    ]);
    assert!(done.status.success() && done.stdout.is_empty());
    let read = |seed: u32| {
        std::fs::read_to_string(out.join(format!("baseline/seed-{seed}/summary.json"))).unwrap()
    };
    assert_ne!(read(1), read(2));
    // Beside them, every KPI's mean and 95 % interval across the seeds, and each seed's value.
    let seeds = std::fs::read_to_string(out.join("baseline/seeds.csv")).unwrap();
    let mut lines = seeds.lines();
    assert_eq!(
        lines.next(),
        Some(
            "kpi,unit,seeds_defined,mean,ci95_low,ci95_high,target,target_bound,\
             seeds_meeting_target,seed_1,seed_2"
        )
    );
    let placed: Vec<&str> = lines
        .find(|l| l.starts_with("orders_placed,"))
        .unwrap()
        .split(',')
        .collect();
    let value = |i: usize| placed[i].parse::<f64>().unwrap();
    assert_eq!(value(3), (value(9) + value(10)) / 2.0);
    assert!(value(4) < value(3) && value(3) < value(5));
    let done = qm(&[
        "simulate",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--days",
        "1",
        "--seeds",
        "1,2,3",
        "--format",
        "json",
    ]);
    let printed = String::from_utf8_lossy(&done.stdout);
    assert!(
        printed.contains("across 3 seeds") && printed.contains("orders_placed"),
        "{printed}"
    );

    let bad = out.join("bad.toml");
    std::fs::write(
        &bad,
        edited(
            "baseline.toml",
            &[("orders_per_day = 3000", "orders_per_day = -5")],
        ),
    )
    .unwrap();
    let refused = qm(&[
        "simulate",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("bad.toml:83:18: demand.orders_per_day: must be a rate > 0"),
        "{message}"
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn every_summary_field_is_a_catalogued_kpi_and_back() {
    // The reports' catalog (and the README generated from it) must name exactly the simulator's KPIs.
    let json = serde_json::to_value(Summary::default()).unwrap();
    let fields: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for field in &fields {
        assert!(
            qm_reports::kpi::find(field).is_some(),
            "{field} is missing from qm_reports::kpi::KPIS"
        );
    }
    for kpi in qm_reports::kpi::KPIS {
        assert!(
            fields.contains(&kpi.name),
            "{} is not a Summary field",
            kpi.name
        );
    }
    // A KPI that can be null (an `Option`, null in the default summary) says when: through the
    // KPI it divides by, or in words, so a null value's note never guesses.
    for (field, value) in json.as_object().unwrap() {
        let kpi = qm_reports::kpi::find(field).unwrap();
        if value.is_null() {
            assert!(
                kpi.per.is_some() || kpi.undefined_when.is_some(),
                "{field} can be null but the catalog does not say when"
            );
        }
    }
}

#[test]
fn a_stopped_run_reports_the_days_it_closed_and_says_it_failed() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let scenario = load("baseline.toml", Some(7));
    let stop = AtomicBool::new(false);
    let output = qm_simulator::sim::simulate_until(
        &scenario,
        scenario.horizon.seed,
        &mut |day| stop.store(day == 1, Ordering::Relaxed),
        &stop,
    )
    .unwrap();
    assert_eq!(output.failure(), Some("interrupted after day 2 of 7"));
    assert_eq!(output.summary.days, 2);
    // The partial figures still add up, over the two days closed.
    assert_accounts_add_up(&output);
    let dir = common::test_root().join("stopped");
    write_outputs(&output.data, &dir, &[Format::Json]).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["status"], "failed");
    assert_eq!(summary["failure"], "interrupted after day 2 of 7");
    assert_eq!(summary["days"], 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--days` only shortens a run: more days than the horizon has are refused by every command
/// that takes it, before anything runs or is written (a 28-day scenario asked for 100 days ran
/// 28 and said so only in its header, not at all with `--quiet`).
#[test]
fn days_beyond_the_horizon_are_refused_not_cut_back() {
    let out = common::temp_dir("days-beyond");
    let scenario = path("baseline.toml");
    let (scenario, out) = (scenario.to_str().unwrap(), out.to_str().unwrap());
    for command in ["simulate", "bench", "size", "tune"] {
        let done = qm(&[command, scenario, "--days", "29", "--out", out, "--quiet"]);
        assert_eq!(done.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(
            stderr.trim_end(),
            format!(
                "error: {scenario}: --days 29 is longer than the scenario's horizon (28 days, \
                 horizon.days): --days only shortens a run"
            ),
            "{command}"
        );
        assert!(done.stdout.is_empty(), "{command}");
    }
    let written: Vec<_> = std::fs::read_dir(out).unwrap().collect();
    assert!(written.is_empty(), "{written:?}");
}

/// Replication k runs with seed + k, wrapping past the largest seed to 0 in every command that
/// replicates (as `qm tune` always did): `--seed 18446744073709551615` stopped `qm bench` and
/// `qm size` on an arithmetic overflow.
#[test]
fn replications_from_the_largest_seed_wrap_to_zero() {
    let out = common::temp_dir("largest-seed");
    let out = out.to_str().unwrap();
    let largest = u64::MAX.to_string();
    let common = [
        "--replications",
        "2",
        "--days",
        "1",
        "--seed",
        &largest,
        "--out",
        out,
    ];
    for (command, scenario, more) in [
        ("bench", "flash-sale.toml", &["--strategies", "nearest"][..]),
        ("size", "warehouse-sizing.toml", &[][..]),
    ] {
        let scenario = path(scenario);
        let head = [command, scenario.to_str().unwrap(), "--quiet"];
        let done = qm(&[&head[..], &common, more].concat());
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert!(done.status.success(), "{command}: {stderr}");
    }
    let speed = Path::new(out).join("flash-sale/bench/engine_speed.csv");
    let speed = std::fs::read_to_string(speed).unwrap();
    assert_eq!(speed.lines().count(), 3, "{speed}");
    let bench = std::fs::read_to_string(Path::new(out).join("flash-sale/bench/bench.csv")).unwrap();
    let header = bench.lines().next().unwrap();
    assert!(
        header.ends_with(&format!(",seed_{largest},seed_0")),
        "{header}"
    );
}
