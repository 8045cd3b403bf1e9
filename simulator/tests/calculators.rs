//! `qm policy` end to end: the binary, its JSON, its errors and exit codes, against numbers
//! worked by hand and against stockpyl.

mod common;
use common::{number, ok, qm, qm_json as json};

const EXAMPLE: [&str; 8] = [
    "policy",
    "--mean-demand",
    "40",
    "--demand-std",
    "12",
    "--lead-time-days",
    "7",
    "--json",
];

#[test]
fn policy_for_a_service_level_with_a_stochastic_lead_time() {
    let mut args = EXAMPLE.to_vec();
    args.extend([
        "--lead-time-std",
        "2",
        "--service-level",
        "0.95",
        "--order-qty",
        "300",
    ]);
    let v = json(&args);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "cycle_service_level",
            "expected_units_short_per_cycle",
            "fill_rate",
            "reorder_point",
            "safety_stock",
            "z"
        ]
    );
    // σ_LT = sqrt(7·144 + 1600·4) = 86.0697; SS = 1.6449 · 86.0697 = 141.57; ROP = 280 + SS
    assert!((number(&v, "z") - 1.6449).abs() < 1e-4);
    assert!((number(&v, "safety_stock") - 141.57).abs() < 0.01);
    assert!((number(&v, "reorder_point") - 421.57).abs() < 0.01);
    // ESC = 86.0697 · G(1.6449) = 86.0697 · 0.02089 = 1.798; fill = 1 − 1.798/300
    assert!((number(&v, "expected_units_short_per_cycle") - 1.798).abs() < 0.001);
    assert!((number(&v, "fill_rate") - 0.99401).abs() < 1e-5);
    assert_eq!(number(&v, "cycle_service_level"), 0.95);
}

#[test]
fn policy_for_a_fill_rate_and_of_a_given_reorder_point() {
    let mut args = EXAMPLE.to_vec();
    args.extend([
        "--lead-time-std",
        "2",
        "--fill-rate",
        "0.98",
        "--order-qty",
        "300",
    ]);
    let v = json(&args);
    // G(k) = 0.02 · 300 / 86.0697 = 0.06971 → k = 1.0920 (between G(1.09) and G(1.10))
    assert!((number(&v, "z") - 1.0920).abs() < 1e-3);
    assert!((number(&v, "fill_rate") - 0.98).abs() < 1e-9);
    assert!((number(&v, "expected_units_short_per_cycle") - 6.0).abs() < 1e-6);

    // No lead-time variability: σ_LT = 12·sqrt(7) = 31.749; ROP 300 → z = 20/31.749 = 0.6299
    let mut args = EXAMPLE.to_vec();
    args.extend(["--reorder-point", "300", "--order-qty", "300"]);
    let v = json(&args);
    assert!((number(&v, "z") - 0.6299).abs() < 1e-4);
    assert!((number(&v, "safety_stock") - 20.0).abs() < 1e-9);
    assert!((number(&v, "cycle_service_level") - 0.7356).abs() < 1e-4);
    // Without --order-qty the fill rate is null, not a made-up number.
    let mut args = EXAMPLE.to_vec();
    args.extend(["--service-level", "0.9"]);
    assert!(json(&args)["fill_rate"].is_null());
    // Certain lead-time demand has no z: null in the JSON, `—` in the text, never `inf`.
    let certain = [
        "policy",
        "--mean-demand",
        "10",
        "--demand-std",
        "0",
        "--lead-time-days",
        "5",
        "--fill-rate",
        "0.98",
        "--order-qty",
        "10",
    ];
    let mut args = certain.to_vec();
    args.push("--json");
    assert!(json(&args)["z"].is_null());
    let text = ok(&qm(&certain));
    assert!(
        text.contains("— (lead-time demand is certain)") && !text.contains("inf"),
        "{text}"
    );
    // A target service level on certain demand is met every cycle: the policy's level is 1.
    let mut args = certain[..7].to_vec();
    args.extend(["--service-level", "0.95", "--json"]);
    let policy = json(&args);
    assert!(policy["z"].is_null(), "{policy}");
    assert_eq!(policy["cycle_service_level"], 1.0, "{policy}");
    assert_eq!(policy["reorder_point"], 50.0, "{policy}");
}

/// Under periodic review the level is an order-up-to level, named so in the text and the JSON:
/// it covers the lead time and the review period, z · σ · √(L + R) above their demand.
#[test]
fn periodic_review_names_its_order_up_to_level() {
    let base = [
        "policy",
        "--mean-demand",
        "40",
        "--demand-std",
        "12",
        "--lead-time-days",
        "7",
        "--review-period-days",
        "7",
    ];
    let v = json(&[&base[..], &["--service-level", "0.95", "--json"]].concat());
    assert!(v.get("reorder_point").is_none(), "{v}");
    let level = number(&v, "order_up_to_level");
    let expected = 40.0 * 14.0 + 1.6448536269514724 * 12.0 * 14f64.sqrt();
    assert!(
        (level - expected).abs() < 1e-9,
        "{level} against {expected}"
    );
    let text = ok(&qm(&[&base[..], &["--service-level", "0.95"]].concat()));
    assert!(
        text.contains("order-up-to level               633.85 units"),
        "{text}"
    );
    assert!(!text.contains("reorder point"), "{text}");
    // `--order-up-to` evaluates a given level, as `--reorder-point` does.
    let v = json(&[&base[..], &["--order-up-to", "640", "--json"]].concat());
    assert_eq!(number(&v, "order_up_to_level"), 640.0);
    assert!((number(&v, "safety_stock") - 80.0).abs() < 1e-9);
}

#[test]
fn policy_refuses_impossible_inputs_with_exit_code_2() {
    for (extra, message) in [
        (
            vec!["--service-level", "1.2"],
            "--service-level: must be strictly between 0 and 1",
        ),
        (
            vec!["--fill-rate", "0.98"],
            "--fill-rate: needs --order-qty",
        ),
        (
            vec!["--service-level", "0.9", "--order-qty", "-5"],
            "--order-qty: must be a number of units > 0, got -5",
        ),
        // Extreme numbers are echoed as typed, not as hundreds of digits.
        (
            vec!["--reorder-point", "-1e300"],
            "--reorder-point: must be a number of units, got -1e300\n",
        ),
        (
            vec!["--service-level", "1e300"],
            "--service-level: must be strictly between 0 and 1 (0.95 = 95 %), got 1e300\n",
        ),
    ] {
        let mut args = EXAMPLE.to_vec();
        args.extend(extra);
        let out = qm(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
    let out = qm(&[
        "policy",
        "--mean-demand",
        "-4",
        "--demand-std",
        "1",
        "--lead-time-days",
        "7",
        "--service-level",
        "0.9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--mean-demand: must be a finite number ≥ 0, got -4"));
}

/// `qm policy eoq`, `loss` and `base-stock` against stockpyl 1.0.2 itself on a spread of inputs
/// (`stockpyl.eoq.economic_order_quantity`, `stockpyl.loss_functions.standard_normal_loss` and
/// `standard_normal_second_loss`, `stockpyl.newsvendor.newsvendor_normal` and
/// `newsvendor_poisson`). Skipped, with the reason, where python3 cannot import
/// stockpyl, unless `QM_REQUIRE_STOCKPYL` is set (CI installs it and sets it).
#[test]
fn eoq_and_loss_functions_match_stockpyl() {
    let script = r#"
import json, stockpyl.eoq as e, stockpyl.loss_functions as lf
eoq = [list(e.economic_order_quantity(k, h, d)) + [e.economic_order_quantity(k, h, d, order_quantity=q)[1]]
       for k, h, d, q in [(8, 0.225, 1300, 500), (100, 2.5, 12000, 40), (0.5, 10, 3, 1), (2500, 0.01, 1e6, 2e5)]]
loss = [[float(x) for x in lf.standard_normal_loss(z) + lf.standard_normal_second_loss(z)]
        for z in [-3.0, -1.2, 0.0, 0.5, 1.2, 2.33, 4.0]]
import stockpyl.newsvendor as nv
base = [[float(x) for x in (nv.newsvendor_normal(h, p, m, sd, base_stock_level=s) if sd else nv.newsvendor_poisson(h, p, m, base_stock_level=s))]
        for h, p, m, sd, s in [(1, 4, 20, 5, None), (1, 4, 20, 5, 18), (0.5, 9, 3.2, 0, None), (2, 3, 150, 0, None), (1, 4, 20, 0, 18), (3, 1, 0.4, 0, None)]]
import stockpyl.rq as rq
problems = [(0.225, 7.5, 8, 1300, 150, 1/12), (1.0, 20.0, 50, 200, 30, 0.5), (2.0, 5.0, 100, 50, 10, 2.0)]
from scipy.stats import norm
def service(r, q, p):
    mu, sd = p[3] * p[5], p[4] * p[5] ** 0.5
    z = (r - mu) / sd
    short = sd * (norm.pdf(z) - z * norm.sf(z))
    return [norm.cdf(z), short, 1 - short / q]
rqs = [[rq.r_q_cost(p[3] * p[5] + 10, 200, *p), rq.r_q_optimal_r_for_q(200, p[0], p[1], p[3], p[4], p[5]),
        *[float(x) for x in rq.r_q_eoqss_approximation(*p)], *[float(x) for x in rq.r_q_loss_function_approximation(*p)],
        *service(p[3] * p[5] + 10, 200, p)]
       for p in problems]
print(json.dumps({"eoq": eoq, "loss": loss, "base": base, "rq": rqs}))
"#;
    let Some(reference) = common::stockpyl_reference(script) else {
        return;
    };
    check_eoq(&reference);
    check_base_stock(&reference);
    check_losses(&reference);
    check_rq(&reference);
}

/// (r, Q): the exact cost of a given policy (stockpyl integrates numerically; here in closed
/// form) and its service (against scipy's normal distribution), the best r for Q = 200 (stockpyl bisects to 1e-6 on g), EOQ plus safety stock, and
/// the loss-function heuristic (stockpyl iterates to 1e-6).
fn check_rq(reference: &serde_json::Value) {
    let problems = [
        (0.225, 7.5, 8.0, 1300.0, 150.0, 1.0 / 12.0),
        (1.0, 20.0, 50.0, 200.0, 30.0, 0.5),
        (2.0, 5.0, 100.0, 50.0, 10.0, 2.0),
    ];
    for (i, (h, p, k, mean, std, lead)) in problems.iter().enumerate() {
        let expected = |j: usize| reference["rq"][i][j].as_f64().unwrap();
        let base: Vec<String> = [h, p, k, mean, std, lead]
            .iter()
            .map(|x| x.to_string())
            .collect();
        let run = |extra: &[&str]| {
            let mut args = vec![
                "policy",
                "rq",
                "--holding-cost",
                &base[0],
                "--stockout-cost",
                &base[1],
                "--fixed-cost",
                &base[2],
                "--demand-mean",
                &base[3],
                "--demand-std",
                &base[4],
                "--lead-time",
                &base[5],
                "--json",
            ];
            args.extend(extra);
            json(&args)
        };
        let r = (mean * lead + 10.0).to_string();
        let given = run(&["--reorder-point", &r, "--order-qty", "200"]);
        let cost = given["policies"][0]["expected_cost"].as_f64().unwrap();
        // Service of the given policy, against scipy's normal distribution.
        let service = [
            ("cycle_service_level", 6),
            ("expected_units_short_per_cycle", 7),
            ("fill_rate", 8),
        ];
        for (key, j) in service {
            let ours = given["policies"][0][key].as_f64().unwrap();
            assert!(
                (ours - expected(j)).abs() < 1e-9,
                "{i} {key}: {ours} against {}",
                expected(j)
            );
        }
        assert!(
            (cost - expected(0)).abs() <= 1e-7 * expected(0),
            "{i}: {cost} against {}",
            expected(0)
        );
        let best = run(&["--order-qty", "200"]);
        let best_r = best["policies"][0]["reorder_point"].as_f64().unwrap();
        assert!(
            (best_r - expected(1)).abs() < 1e-3,
            "{i}: {best_r} against {}",
            expected(1)
        );
        let heuristics = run(&[]);
        let policy = |j: usize, key: &str| heuristics["policies"][j][key].as_f64().unwrap();
        assert!((policy(0, "reorder_point") - expected(2)).abs() < 1e-9);
        assert!((policy(0, "order_quantity") - expected(3)).abs() < 1e-9);
        assert!(
            (policy(1, "reorder_point") - expected(4)).abs() < 1e-4,
            "{}",
            policy(1, "reorder_point")
        );
        assert!(
            (policy(1, "order_quantity") - expected(5)).abs() < 1e-4,
            "{}",
            policy(1, "order_quantity")
        );
    }
}

fn check_eoq(reference: &serde_json::Value) {
    let inputs = [
        (8.0, 0.225, 1300.0, 500.0),
        (100.0, 2.5, 12000.0, 40.0),
        (0.5, 10.0, 3.0, 1.0),
        (2500.0, 0.01, 1e6, 2e5),
    ];
    for (i, (k, h, d, q)) in inputs.iter().enumerate() {
        let args = [k, h, d, q].map(|x| x.to_string());
        let v = json(&[
            "policy",
            "eoq",
            "--fixed-cost",
            &args[0],
            "--holding-cost",
            &args[1],
            "--demand-rate",
            &args[2],
            "--order-qty",
            &args[3],
            "--json",
        ]);
        let expected = &reference["eoq"][i];
        for (key, j) in [
            ("order_quantity", 0),
            ("annual_cost", 1),
            ("given_quantity_annual_cost", 2),
        ] {
            let (ours, theirs) = (number(&v, key), expected[j].as_f64().unwrap());
            assert!(
                (ours - theirs).abs() <= 1e-9 * theirs.abs().max(1.0),
                "{key} {args:?}: {ours} against {theirs}"
            );
        }
        assert!((number(&v, "orders_per_year") - d / number(&v, "order_quantity")).abs() < 1e-12);
    }
}

fn check_base_stock(reference: &serde_json::Value) {
    let base = [
        (1.0, 4.0, 20.0, Some(5.0), None),
        (1.0, 4.0, 20.0, Some(5.0), Some(18.0)),
        (0.5, 9.0, 3.2, None, None),
        (2.0, 3.0, 150.0, None, None),
        (1.0, 4.0, 20.0, None, Some(18.0)),
        (3.0, 1.0, 0.4, None, None),
    ];
    for (i, (h, p, mean, std, level)) in base.iter().enumerate() {
        let mut args: Vec<String> = ["policy", "base-stock", "--holding-cost", &h.to_string()]
            .map(String::from)
            .to_vec();
        args.extend([
            "--stockout-cost".into(),
            p.to_string(),
            "--demand-mean".into(),
            mean.to_string(),
        ]);
        if let Some(std) = std {
            args.extend(["--demand-std".into(), std.to_string()]);
        }
        if let Some(level) = level {
            args.extend(["--level".into(), level.to_string()]);
        }
        args.push("--json".into());
        let v = json(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let expected = &reference["base"][i];
        for (key, j) in [("base_stock_level", 0), ("expected_cost_per_period", 1)] {
            let (ours, theirs) = (number(&v, key), expected[j].as_f64().unwrap());
            assert!(
                (ours - theirs).abs() <= 1e-9 * theirs.abs().max(1.0),
                "{key} {args:?}: {ours} against {theirs}"
            );
        }
    }
}

fn check_losses(reference: &serde_json::Value) {
    for (i, z) in [-3.0, -1.2, 0.0, 0.5, 1.2, 2.33, 4.0].iter().enumerate() {
        let v = json(&["policy", "loss", "--z", &z.to_string(), "--json"]);
        let expected = &reference["loss"][i];
        let keys = [
            "loss",
            "complementary_loss",
            "second_order_loss",
            "complementary_second_order_loss",
        ];
        for (j, key) in keys.iter().enumerate() {
            let (ours, theirs) = (number(&v, key), expected[j].as_f64().unwrap());
            assert!(
                (ours - theirs).abs() < 1e-9,
                "{key} at z = {z}: {ours} against {theirs}"
            );
        }
    }
}
