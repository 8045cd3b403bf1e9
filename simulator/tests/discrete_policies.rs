//! `qm policy rq` under Poisson demand and `qm policy ss` against stockpyl 1.0.2 itself:
//! `r_q_poisson_exact` and `r_q_cost_poisson`, `s_s_discrete_exact` and `s_s_cost_discrete`
//! (Poisson), `s_s_power_approximation`, on a spread of problems. Skipped, with the reason,
//! where python3 cannot import stockpyl, unless `QM_REQUIRE_STOCKPYL` is set (CI sets it).

mod common;

/// (h, p, K, λ, L): the textbook's Example 5.8 and others, from a slow mover to a fast one.
const RQ: [(f64, f64, f64, f64, f64); 5] = [
    (20.0, 150.0, 100.0, 1.5, 2.0),
    (1.0, 10.0, 50.0, 4.0, 3.0),
    (0.5, 25.0, 400.0, 20.0, 1.5),
    (2.0, 3.0, 10.0, 0.3, 5.0),
    (1.0, 9.0, 200.0, 60.0, 0.5),
];

/// (h, p, K, μ): Example 4.7 and others.
const SS: [(f64, f64, f64, f64); 5] = [
    (1.0, 4.0, 5.0, 6.0),
    (0.18, 0.7, 2.5, 50.0),
    (1.0, 20.0, 100.0, 12.0),
    (2.0, 5.0, 8.0, 1.2),
    (0.5, 9.0, 40.0, 30.0),
];

/// (h, p, K, μ, σ) for the power approximation.
const POWER: [(f64, f64, f64, f64, f64); 4] = [
    (0.18, 0.7, 2.5, 50.0, 8.0),
    (1.0, 4.0, 5.0, 6.0, 2.449_489_742_783_178),
    (1.0, 20.0, 100.0, 12.0, 5.0),
    (0.5, 9.0, 40.0, 300.0, 60.0),
];

const SCRIPT: &str = r#"
import json, stockpyl.rq as rq, stockpyl.ss as ss
RQ = RQ_PROBLEMS
SS = SS_PROBLEMS
POWER = POWER_PROBLEMS
out = {
  "rq": [[float(x) for x in rq.r_q_poisson_exact(h, p, k, m, l)] for h, p, k, m, l in RQ],
  "rq_given": [rq.r_q_cost_poisson(int(m * l) + 2, 7, h, p, k, m, l) for h, p, k, m, l in RQ],
  "ss": [[float(x) for x in ss.s_s_discrete_exact(h, p, k, True, m)] for h, p, k, m in SS],
  "ss_given": [ss.s_s_cost_discrete(int(m), int(m) + 9, h, p, k, True, m) for h, p, k, m in SS],
  "power": [[float(x) for x in ss.s_s_power_approximation(h, p, k, m, sd)] for h, p, k, m, sd in POWER],
}
print(json.dumps(out))
"#;

fn python_list<const N: usize>(rows: &[[f64; N]]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().map(|x| format!("{x:?}")).collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

fn policy(args: &[String]) -> serde_json::Value {
    let mut all = vec!["policy".to_string()];
    all.extend_from_slice(args);
    all.push("--json".into());
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let out = common::qm(&all);
    assert!(
        out.status.success(),
        "qm {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn options(pairs: &[(&str, f64)]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|(name, value)| [format!("--{name}"), value.to_string()])
        .collect()
}

fn close(ours: f64, theirs: &serde_json::Value, what: &str) {
    let theirs = theirs.as_f64().unwrap();
    assert!(
        (ours - theirs).abs() <= 1e-9 * theirs.abs().max(1.0),
        "{what}: {ours} against stockpyl's {theirs}"
    );
}

#[test]
fn poisson_and_s_s_policies_match_stockpyl() {
    let script = SCRIPT
        .replace(
            "RQ_PROBLEMS",
            &python_list(&RQ.map(|(h, p, k, m, l)| [h, p, k, m, l])),
        )
        .replace(
            "SS_PROBLEMS",
            &python_list(&SS.map(|(h, p, k, m)| [h, p, k, m])),
        )
        .replace(
            "POWER_PROBLEMS",
            &python_list(&POWER.map(|(h, p, k, m, sd)| [h, p, k, m, sd])),
        );
    let Some(reference) = common::stockpyl_reference(&script) else {
        return;
    };
    for (i, (h, p, k, m, l)) in RQ.iter().enumerate() {
        let base = [
            ("holding-cost", *h),
            ("stockout-cost", *p),
            ("fixed-cost", *k),
            ("demand-mean", *m),
            ("lead-time", *l),
        ];
        let mut args = vec!["rq".to_string()];
        args.extend(options(&base));
        let best = &policy(&args)["policies"][0];
        let theirs = &reference["rq"][i];
        close(best["reorder_point"].as_f64().unwrap(), &theirs[0], "r");
        close(best["order_quantity"].as_f64().unwrap(), &theirs[1], "Q");
        close(
            best["expected_cost"].as_f64().unwrap(),
            &theirs[2],
            "g(r, Q)",
        );
        let r = (m * l).floor() + 2.0;
        args.extend(options(&[("reorder-point", r), ("order-qty", 7.0)]));
        let given = &policy(&args)["policies"][0];
        close(
            given["expected_cost"].as_f64().unwrap(),
            &reference["rq_given"][i],
            "given (r, Q)",
        );
    }
    for (i, (h, p, k, m)) in SS.iter().enumerate() {
        let base = [
            ("holding-cost", *h),
            ("stockout-cost", *p),
            ("fixed-cost", *k),
            ("demand-mean", *m),
        ];
        let mut args = vec!["ss".to_string()];
        args.extend(options(&base));
        let best = &policy(&args)["policies"][0];
        assert_eq!(best["policy"], "optimal (Zheng and Federgruen)");
        let theirs = &reference["ss"][i];
        close(best["reorder_point"].as_f64().unwrap(), &theirs[0], "s");
        close(best["order_up_to_level"].as_f64().unwrap(), &theirs[1], "S");
        close(
            best["expected_cost"].as_f64().unwrap(),
            &theirs[2],
            "g(s, S)",
        );
        let s = m.floor();
        args.extend(options(&[("reorder-point", s), ("order-up-to", s + 9.0)]));
        let given = &policy(&args)["policies"][0];
        close(
            given["expected_cost"].as_f64().unwrap(),
            &reference["ss_given"][i],
            "given (s, S)",
        );
    }
    for (i, (h, p, k, m, sd)) in POWER.iter().enumerate() {
        let base = [
            ("holding-cost", *h),
            ("stockout-cost", *p),
            ("fixed-cost", *k),
            ("demand-mean", *m),
            ("demand-std", *sd),
        ];
        let mut args = vec!["ss".to_string()];
        args.extend(options(&base));
        let approximation = &policy(&args)["policies"][0];
        let theirs = &reference["power"][i];
        close(
            approximation["reorder_point"].as_f64().unwrap(),
            &theirs[0],
            "power s",
        );
        close(
            approximation["order_up_to_level"].as_f64().unwrap(),
            &theirs[1],
            "power S",
        );
    }
}

/// The exact search's result is no worse than its own power approximation, and bad inputs are
/// refused with the option named and exit code 2.
#[test]
fn exact_beats_the_approximation_and_bad_inputs_are_refused() {
    let mut args = vec!["ss".to_string()];
    args.extend(options(&[
        ("holding-cost", 1.0),
        ("stockout-cost", 20.0),
        ("fixed-cost", 100.0),
        ("demand-mean", 12.0),
        ("lead-time", 2.0),
    ]));
    let both = policy(&args);
    let cost = |j: usize| both["policies"][j]["expected_cost"].as_f64().unwrap();
    assert_eq!(
        both["policies"][1]["policy"],
        "power approximation, rounded"
    );
    assert!(cost(0) <= cost(1), "{} vs {}", cost(0), cost(1));
    let refused = [
        (
            vec!["rq", "--holding-cost", "1", "--stockout-cost", "2", "--fixed-cost", "3",
                 "--demand-mean", "4", "--lead-time", "1", "--reorder-point", "2.5", "--order-qty", "3"],
            "--reorder-point: must be a whole number of units under Poisson demand, got 2.5",
        ),
        (
            vec!["ss", "--holding-cost", "1", "--stockout-cost", "2", "--fixed-cost", "3",
                 "--demand-mean", "4", "--reorder-point", "5", "--order-up-to", "5"],
            "--order-up-to: must be above the reorder point by 1 to 20000 units, got S 5, s 5",
        ),
        (
            vec!["ss", "--holding-cost", "1", "--stockout-cost", "2", "--fixed-cost", "3",
                 "--demand-mean", "1e6"],
            "--demand-mean: under Poisson demand the mean over the lead time must be at most 100000",
        ),
        (
            vec!["ss", "--holding-cost", "1e-9", "--stockout-cost", "2", "--fixed-cost", "1e9",
                 "--demand-mean", "50"],
            "--fixed-cost: the exact search passed its limit",
        ),
    ];
    for (args, message) in refused {
        let mut all = vec!["policy"];
        all.extend(&args);
        let out = common::qm(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
