//! Safety stock formulas against textbook values worked by hand.

use qm_engine::forecast::{Forecaster, Method};
use qm_engine::safety_stock::*;
use rand::{RngExt, SeedableRng};

fn near(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn z_values_from_the_normal_table() {
    assert!(near(z_for_service_level(0.95), 1.6449, 1e-4));
    assert!(near(z_for_service_level(0.99), 2.3263, 1e-4));
    assert!(near(z_for_service_level(0.90), 1.2816, 1e-4));
    assert!(near(z_for_service_level(0.5), 0.0, 1e-12));
}

#[test]
fn standard_normal_loss_function_at_table_points() {
    // G(k) = φ(k) − k·(1 − Φ(k))
    assert!(near(normal_loss(0.0), 0.398942, 1e-6));
    assert!(near(normal_loss(1.0), 0.241971 - 0.158655, 1e-6));
    assert!(near(normal_loss(1.5), 0.129518 - 1.5 * 0.066807, 1e-6));
    assert!(near(normal_loss(-1.0), 0.241971 + 0.841345, 1e-6));
    assert!(near(normal_loss(2.0), 0.008491, 1e-6));
    for k in [-2.0, 0.3, 1.0, 2.5] {
        assert!(near(k_for_normal_loss(normal_loss(k)), k, 1e-8));
    }
}

fn example() -> PolicyInputs {
    PolicyInputs {
        mean_demand_per_day: 40.0,
        demand_std_per_day: 12.0,
        lead_time_days: 7.0,
        lead_time_std_days: 2.0,
        review_period_days: 0.0,
    }
}

#[test]
fn safety_stock_and_reorder_point_with_a_stochastic_lead_time() {
    // σ_LT = sqrt(7·12² + 40²·2²) = sqrt(1008 + 6400) = sqrt(7408) = 86.0698
    let inputs = example();
    assert!(near(
        inputs.lead_time_demand_std_units(),
        7408f64.sqrt(),
        1e-9
    ));
    let r = for_service_level(&inputs, 0.95, Some(300.0));
    assert!(near(r.z, 1.644854, 1e-6));
    assert!(near(r.safety_stock, 1.644854 * 86.06974, 1e-3)); // 141.573
    assert!(near(r.reorder_point, 280.0 + 141.573, 1e-3));
    // ESC = σ_LT·G(z) = 86.0697 · (0.103136 − 1.644854·0.05) = 86.0697 · 0.020893
    assert!(near(
        r.expected_units_short_per_cycle,
        86.06974 * 0.0208930,
        1e-3
    ));
    assert!(near(
        r.fill_rate.unwrap(),
        1.0 - 86.06974 * 0.0208930 / 300.0,
        1e-5
    ));
    assert_eq!(r.cycle_service_level, 0.95);
    // Without an order quantity there is no fill rate to speak of.
    assert_eq!(for_service_level(&inputs, 0.95, None).fill_rate, None);
}

#[test]
fn reorder_point_for_a_target_fill_rate() {
    // G(k) = (1 − 0.98)·300 / 86.0697 = 0.069711; G(1.09) = 0.069913, G(1.10) = 0.068619
    let r = for_fill_rate(&example(), 0.98, 300.0);
    assert!(r.z > 1.09 && r.z < 1.10, "k = {}", r.z);
    assert!(near(normal_loss(r.z), 0.02 * 300.0 / 7408f64.sqrt(), 1e-9));
    assert!(near(r.fill_rate.unwrap(), 0.98, 1e-9));
    assert!(near(r.reorder_point, 280.0 + r.z * 7408f64.sqrt(), 1e-9));
    // Evaluating that reorder point gives the same policy back.
    let back = evaluate(&example(), r.reorder_point, Some(300.0));
    assert!(near(back.fill_rate.unwrap(), 0.98, 1e-9));
    assert!(near(back.cycle_service_level, 0.8622, 1e-3)); // Φ(1.0915)
}

#[test]
fn review_period_widens_the_protection_interval() {
    let inputs = PolicyInputs {
        review_period_days: 7.0,
        lead_time_std_days: 0.0,
        ..example()
    };
    // (R + L) = 14 days: μ = 560, σ = sqrt(14)·12 = 44.90
    let r = for_service_level(&inputs, 0.95, None);
    assert!(near(
        r.reorder_point,
        560.0 + 1.644854 * 14f64.sqrt() * 12.0,
        1e-3
    ));
    // Certain demand: no safety stock needed, nothing short.
    let certain = PolicyInputs {
        demand_std_per_day: 0.0,
        ..inputs
    };
    let r = evaluate(&certain, 560.0, Some(100.0));
    assert_eq!(
        (r.expected_units_short_per_cycle, r.fill_rate),
        (0.0, Some(1.0))
    );
    let r = evaluate(&certain, 550.0, Some(100.0));
    assert_eq!(
        (r.expected_units_short_per_cycle, r.fill_rate),
        (10.0, Some(0.9))
    );
    // A target service level on certain demand: the reorder point is the demand, and the policy
    // delivers every cycle (not the 95 % asked), with no z.
    let r = for_service_level(&certain, 0.95, Some(100.0));
    assert_eq!(
        (
            r.reorder_point,
            r.safety_stock,
            r.cycle_service_level,
            r.fill_rate
        ),
        (560.0, 0.0, 1.0, Some(1.0))
    );
    assert!(r.z.is_infinite());
}

#[test]
fn economic_order_quantity() {
    // sqrt(2 · 1200 · 100 / 6) = sqrt(40000) = 200
    assert!(near(eoq(1200.0, 100.0, 6.0), 200.0, 1e-9));
    assert_eq!(eoq(0.0, 100.0, 6.0), 0.0);
}

#[test]
fn p2_quantile_tracks_a_known_distribution() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut q90 = P2Quantile::new(0.9);
    let mut q50 = P2Quantile::new(0.5);
    for _ in 0..20_000 {
        let x: f64 = rng.random();
        q90.observe(x);
        q50.observe(x);
    }
    assert!(near(q90.estimate(), 0.9, 0.01), "{}", q90.estimate());
    assert!(near(q50.estimate(), 0.5, 0.01), "{}", q50.estimate());
    let mut few = P2Quantile::new(0.5);
    for x in [3.0, 1.0, 2.0] {
        few.observe(x);
    }
    assert_eq!(few.estimate(), 2.0);
}

#[test]
fn empirical_safety_stock_is_the_quantile_of_lead_time_errors() {
    // Naive forecast of a series alternating 0, 10 with a one-day lead time: every error is
    // +10 (forecast 0, demand 10) or −10. The 90 % quantile is +10.
    let mut f = Forecaster::new(Method::Naive);
    let mut errors = LeadTimeErrors::new(1, 0.9);
    for day in 0..400 {
        let y = if day % 2 == 0 { 0.0 } else { 10.0 };
        f.observe(y);
        errors.observe(y, &f);
    }
    assert_eq!(errors.count(), 399);
    assert!(
        near(errors.safety_stock_units(), 10.0, 0.5),
        "{}",
        errors.safety_stock_units()
    );
    // Constant demand: no error, no safety stock.
    let mut f = Forecaster::new(Method::Naive);
    let mut errors = LeadTimeErrors::new(3, 0.95);
    for _ in 0..50 {
        f.observe(5.0);
        errors.observe(5.0, &f);
    }
    assert_eq!(errors.safety_stock_units(), 0.0);
}
