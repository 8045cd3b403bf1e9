use super::*;

#[test]
fn stock_levels_round_up_to_the_resolution() {
    assert_eq!(round_to(1.0, 0.05), 1.0);
    assert_eq!(round_to(1.01, 0.05), 1.05);
    assert_eq!(round_to(0.2371, 0.05), 0.25);
    assert_eq!(round_to(0.0, 0.05), 0.0);
    assert_eq!(lines(0.2), 1);
    assert_eq!(lines(1234.01), 1235);
}

#[test]
fn misses_name_every_target_missed_over_the_run_and_the_peak() {
    let targets = SizeTargets::new(0.98, 48.0, 0.99).unwrap();
    let m = Measured {
        order_fulfillment_rate: 0.985,
        peak_order_fulfillment_rate: Some(0.95),
        processing_time_hours_p95: Some(30.0),
        peak_processing_time_hours_p95: Some(60.0),
        demand_fill_rate: 0.995,
        peak_demand_fill_rate: None,
        ..Default::default()
    };
    assert_eq!(
        m.misses(&targets),
        [
            "peak fulfillment 95.00 % < 98.00 %",
            "peak processing p95 60.0 h > 48.0 h"
        ]
    );
    // A miss that rounds to its target shows the decimals that tell them apart.
    let close = Measured {
        order_fulfillment_rate: 0.99,
        processing_time_hours_p95: Some(48.04),
        peak_processing_time_hours_p95: Some(48.000_2),
        demand_fill_rate: 0.989_96,
        ..Default::default()
    };
    assert_eq!(
        close.misses(&targets),
        [
            "fill rate 98.996 % < 99.00 %",
            "processing p95 48.04 h > 48.0 h",
            "peak processing p95 48.0002 h > 48.0 h"
        ]
    );
    // A target is shown as given: 99.999 %, not "100.00 %".
    let strict = SizeTargets::new(0.99999, 0.25, 0.95).unwrap();
    let near = Measured {
        order_fulfillment_rate: 0.99998,
        processing_time_hours_p95: Some(0.3),
        demand_fill_rate: 0.96,
        ..Default::default()
    };
    assert_eq!(
        near.misses(&strict),
        [
            "fulfillment 99.998 % < 99.999 %",
            "processing p95 0.30 h > 0.25 h"
        ]
    );
    assert!(SizeTargets::new(1.5, 48.0, 0.95).is_err());
    assert!(SizeTargets::new(0.98, -1.0, 0.95).is_err());
    let error = SizeTargets::new(0.98, 1e300, 0.95).unwrap_err().to_string();
    assert!(
        error.ends_with("1e300 is not a number of hours > 0 and ≤ 87840 (the longest run's)"),
        "{error}"
    );
    assert!(SizeTargets::new(0.98, 48.0, 0.0).is_err());
}

#[test]
fn a_mean_is_undefined_unless_every_replication_defines_it() {
    let shipped = |p95: Option<f64>| Measured {
        processing_time_hours_p95: p95,
        ..Default::default()
    };
    let mut e = Evaluation {
        step: "scenario".into(),
        point: Point {
            capacity_lines_per_day: vec![100],
            stock_multiplier: vec![1.0],
        },
        runs: vec![shipped(Some(20.0)), shipped(None)],
        misses: Vec::new(),
    };
    assert_eq!(e.mean(|m| m.processing_time_hours_p95), None);
    e.runs[1] = shipped(Some(30.0));
    assert_eq!(e.mean(|m| m.processing_time_hours_p95), Some(25.0));
}

#[test]
fn largest_warehouses_are_trimmed_first() {
    assert_eq!(largest_first(&[2.0, 5.0, 2.0, 7.0]), [3, 1, 0, 2]);
}
