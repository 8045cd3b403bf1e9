//! `qm policy`: the reorder point for a target, and the textbook problems (EOQ, the normal loss
//! functions, base stock, (r, Q), (s, S)).

use qm_reports::format::share_text;
use qm_simulator::tools::calculators::{self, CalculatorError, PolicyTarget};

use super::args::{
    BaseStockArgs, CostArgs, EoqArgs, LossArgs, PolicyArgs, PolicyProblem, RqArgs, SsArgs,
};
use super::failure::Failure;

/// `qm policy`: safety stock and reorder point for a target, or the figures of a given one.
pub fn policy(args: PolicyArgs) -> Result<(), Failure> {
    let PolicyArgs {
        problem,
        mean_demand,
        demand_std,
        lead_time_days,
        lead_time_std,
        review_period_days,
        service_level,
        fill_rate,
        reorder_point,
        order_qty,
        json,
    } = args;
    match problem {
        Some(PolicyProblem::Eoq(args)) => return eoq(args),
        Some(PolicyProblem::Loss(args)) => return loss(args),
        Some(PolicyProblem::BaseStock(args)) => return base_stock(args),
        Some(PolicyProblem::Rq(args)) => return rq(args),
        Some(PolicyProblem::Ss(args)) => return ss(args),
        None => {}
    }
    let required = "clap requires it without a subcommand";
    let inputs = qm_engine::safety_stock::PolicyInputs {
        mean_demand_per_day: mean_demand.expect(required),
        demand_std_per_day: demand_std.expect(required),
        lead_time_days: lead_time_days.expect(required),
        lead_time_std_days: lead_time_std,
        review_period_days,
    };
    let target = match (service_level, fill_rate, reorder_point) {
        (Some(csl), _, _) => PolicyTarget::ServiceLevel(csl),
        (_, Some(beta), _) => PolicyTarget::FillRate(beta),
        (_, _, Some(r)) => PolicyTarget::ReorderPoint(r),
        _ => unreachable!("clap requires one target"),
    };
    let report = calculators::policy(&inputs, target, order_qty)?;
    if json {
        println!(
            "{}",
            calculators::policy_json(&report, inputs.review_period_days)
        );
    } else {
        print!(
            "{}",
            calculators::policy_text(&report, order_qty, inputs.review_period_days)
        );
    }
    Ok(())
}

/// `qm policy eoq`: the EOQ problem.
fn eoq(args: EoqArgs) -> Result<(), Failure> {
    let EoqArgs {
        fixed_cost,
        holding_cost,
        demand_rate,
        order_qty,
        json,
    } = args;
    check_positive(
        &[
            ("--fixed-cost", Some(fixed_cost)),
            ("--holding-cost", Some(holding_cost)),
            ("--demand-rate", Some(demand_rate)),
            ("--order-qty", order_qty),
        ],
        1e15,
    )?;
    let r = qm_engine::safety_stock::eoq_report(fixed_cost, holding_cost, demand_rate, order_qty);
    if json {
        println!(
            "{}",
            serde_json::json!({
                "order_quantity": r.order_quantity,
                "annual_cost": r.annual_cost,
                "orders_per_year": r.orders_per_year,
                "given_order_quantity": order_qty,
                "given_quantity_annual_cost": r.given_quantity_cost,
            })
        );
    } else {
        println!(
            "{:<32}{:.4} units",
            "economic order quantity", r.order_quantity
        );
        println!(
            "{:<32}{:.4} a year (ordering + holding)",
            "its cost", r.annual_cost
        );
        println!("{:<32}{:.4}", "orders a year", r.orders_per_year);
        if let (Some(q), Some(cost)) = (order_qty, r.given_quantity_cost) {
            println!(
                "{:<32}{cost:.4} a year",
                format!("cost of {q} units an order")
            );
        }
    }
    Ok(())
}

/// `qm policy loss`: the standard normal loss functions.
fn loss(args: LossArgs) -> Result<(), Failure> {
    let LossArgs { z, json } = args;
    if !(z.is_finite() && z.abs() <= 40.0) {
        return Err(CalculatorError::Argument {
            option: "--z",
            problem: format!("must be a number within ±40, got {}", calculators::typed(z)),
        }
        .into());
    }
    let l = qm_engine::safety_stock::normal_losses(z);
    if json {
        println!(
            "{}",
            serde_json::json!({
                "z": z,
                "loss": l.first,
                "complementary_loss": l.first_complement,
                "second_order_loss": l.second,
                "complementary_second_order_loss": l.second_complement,
            })
        );
    } else {
        println!("{:<40}{:.10}", "L(z) = E[(Z − z)+]", l.first);
        println!(
            "{:<40}{:.10}",
            "complementary L(z) = E[(z − Z)+]", l.first_complement
        );
        println!(
            "{:<40}{:.10}",
            "second order L2(z) = ½ E[((Z − z)+)²]", l.second
        );
        println!("{:<40}{:.10}", "complementary L2(z)", l.second_complement);
    }
    Ok(())
}

/// `qm policy base-stock`: the optimal base-stock level and its cost.
fn base_stock(args: BaseStockArgs) -> Result<(), Failure> {
    use qm_engine::safety_stock::PeriodDemand;
    let BaseStockArgs {
        holding_cost,
        stockout_cost,
        demand_mean,
        demand_std,
        level,
        json,
    } = args;
    let positive = [
        ("--holding-cost", Some(holding_cost)),
        ("--stockout-cost", Some(stockout_cost)),
        ("--demand-mean", Some(demand_mean)),
        ("--demand-std", demand_std),
    ];
    check_positive(&positive, 1e9)?;
    check_units("--level", level)?;
    let demand = match demand_std {
        Some(std) => PeriodDemand::Normal {
            mean: demand_mean,
            std,
        },
        None => PeriodDemand::Poisson { mean: demand_mean },
    };
    let r = qm_engine::safety_stock::base_stock(holding_cost, stockout_cost, demand, level);
    if json {
        println!(
            "{}",
            serde_json::json!({
                "demand": if demand_std.is_some() { "normal" } else { "poisson" },
                "base_stock_level": r.level,
                "expected_cost_per_period": r.expected_cost,
                "optimal": level.is_none(),
            })
        );
    } else {
        let name = if level.is_some() {
            "base-stock level"
        } else {
            "optimal base-stock level"
        };
        println!("{name:<32}{:.4} units", r.level);
        println!("{:<32}{:.4} a period", "expected cost", r.expected_cost);
    }
    Ok(())
}

/// `qm policy rq`: (r, Q) under normal or Poisson lead-time demand.
fn rq(args: RqArgs) -> Result<(), Failure> {
    let RqArgs {
        costs,
        lead_time,
        reorder_point,
        order_qty,
        json,
    } = args;
    let CostArgs {
        holding_cost,
        stockout_cost,
        fixed_cost,
        demand_mean,
        demand_std,
    } = check_costs(costs)?;
    let positive = [("--lead-time", Some(lead_time)), ("--order-qty", order_qty)];
    check_positive(&positive, 1e9)?;
    check_units("--reorder-point", reorder_point)?;
    let Some(demand_std) = demand_std else {
        check_poisson_mean(demand_mean * lead_time)?;
        let problem = qm_engine::discrete_policy::PoissonRq::new(
            holding_cost,
            stockout_cost,
            fixed_cost,
            demand_mean,
            lead_time,
        );
        return rq_poisson(problem, reorder_point, order_qty, json);
    };
    let problem = qm_engine::safety_stock::RqProblem {
        holding_cost,
        stockout_cost,
        fixed_cost,
        demand_mean,
        demand_std,
        lead_time,
    };
    let policy = |name: &str, r: f64, q: f64| {
        let (cycle_service_level, units_short, fill_rate) = problem.service(r, q);
        serde_json::json!({
            "policy": name,
            "reorder_point": r,
            "order_quantity": q,
            "expected_cost": problem.cost(r, q),
            "cycle_service_level": cycle_service_level,
            "expected_units_short_per_cycle": units_short,
            "fill_rate": fill_rate,
        })
    };
    let policies = match (reorder_point, order_qty) {
        (Some(r), Some(q)) => vec![policy("given", r, q)],
        (None, Some(q)) => vec![policy("best r for the given Q", problem.best_r_for_q(q), q)],
        _ => {
            let (r1, q1) = problem.eoq_plus_safety_stock();
            let (r2, q2) = problem.loss_function_heuristic();
            vec![
                policy("EOQ plus safety stock", r1, q1),
                policy("loss-function heuristic", r2, q2),
            ]
        }
    };
    if json {
        println!("{}", serde_json::json!({ "policies": policies }));
    } else {
        for p in &policies {
            println!(
                "{:<26} r {:.4} · Q {:.4} · expected cost {:.4} a unit of time · cycle service \
                 {} · {:.4} units short a cycle · fill rate {}",
                p["policy"].as_str().unwrap_or(""),
                p["reorder_point"].as_f64().unwrap_or(f64::NAN),
                p["order_quantity"].as_f64().unwrap_or(f64::NAN),
                p["expected_cost"].as_f64().unwrap_or(f64::NAN),
                share_text(p["cycle_service_level"].as_f64()),
                p["expected_units_short_per_cycle"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
                share_text(p["fill_rate"].as_f64()),
            );
        }
    }
    Ok(())
}

/// (r, Q) under Poisson demand: a given whole policy's exact cost, or the optimum.
fn rq_poisson(
    problem: qm_engine::discrete_policy::PoissonRq,
    reorder_point: Option<f64>,
    order_qty: Option<f64>,
    json: bool,
) -> Result<(), Failure> {
    let given = match (reorder_point, order_qty) {
        (Some(r), Some(q)) => {
            let q = whole("--order-qty", q)?;
            if q > qm_engine::discrete_policy::MAX_SEARCH_STEPS {
                return Err(CalculatorError::Argument {
                    option: "--order-qty",
                    problem: format!("must be at most 10000000 under Poisson demand, got {q}"),
                }
                .into());
            }
            Some((whole("--reorder-point", r)?, q))
        }
        (None, Some(_)) => {
            return Err(CalculatorError::Argument {
                option: "--order-qty",
                problem: "under Poisson demand needs --reorder-point (or neither, for the \
                          optimum)"
                    .into(),
            }
            .into())
        }
        _ => None,
    };
    let policy = match given {
        Some((r, q)) => qm_engine::discrete_policy::DiscretePolicy {
            reorder_point: r,
            second: q,
            expected_cost: problem.cost(r, q),
        },
        None => problem.optimal().ok_or_else(too_wide)?,
    };
    let name = if given.is_some() {
        "given"
    } else {
        "optimal (Federgruen and Zheng)"
    };
    if json {
        println!(
            "{}",
            serde_json::json!({
                "demand": "poisson",
                "policies": [{
                    "policy": name,
                    "reorder_point": policy.reorder_point,
                    "order_quantity": policy.second,
                    "expected_cost": policy.expected_cost,
                }],
            })
        );
    } else {
        println!(
            "{name:<32} r {} · Q {} · expected cost {:.4} a unit of time",
            policy.reorder_point, policy.second, policy.expected_cost
        );
    }
    Ok(())
}

/// `qm policy ss`: (s, S) under periodic review.
fn ss(args: SsArgs) -> Result<(), Failure> {
    let SsArgs {
        costs,
        lead_time,
        reorder_point,
        order_up_to,
        json,
    } = args;
    let costs = check_costs(costs)?;
    if lead_time > 3650 {
        return Err(CalculatorError::Argument {
            option: "--lead-time",
            problem: format!("must be at most 3650 periods, got {lead_time}"),
        }
        .into());
    }
    let problem = qm_engine::discrete_policy::SsProblem {
        holding_cost: costs.holding_cost,
        stockout_cost: costs.stockout_cost,
        fixed_cost: costs.fixed_cost,
        demand_mean: costs.demand_mean,
        lead_time,
    };
    let policies = match costs.demand_std {
        Some(_) if reorder_point.is_some() => {
            return Err(CalculatorError::Argument {
                option: "--reorder-point",
                problem: "is costed under Poisson demand only (leave out --demand-std)".into(),
            }
            .into());
        }
        Some(std) => {
            let (s, up_to) = problem.power_approximation(std);
            vec![serde_json::json!({
                "policy": "power approximation",
                "reorder_point": s,
                "order_up_to_level": up_to,
            })]
        }
        None => ss_poisson(&problem, reorder_point.zip(order_up_to))?,
    };
    let demand = if costs.demand_std.is_some() {
        "normal"
    } else {
        "poisson"
    };
    if json {
        println!(
            "{}",
            serde_json::json!({ "demand": demand, "policies": policies })
        );
        return Ok(());
    }
    for p in &policies {
        let cost = p["expected_cost"].as_f64().map_or(String::new(), |c| {
            format!(" · expected cost {c:.4} a period")
        });
        println!(
            "{:<32} s {} · S {}{cost}",
            p["policy"].as_str().unwrap_or(""),
            p["reorder_point"],
            p["order_up_to_level"],
        );
    }
    Ok(())
}

/// (s, S) under Poisson demand: a given whole policy's cost, or the optimum and the rounded
/// power approximation (σ² = μ) with its cost.
fn ss_poisson(
    problem: &qm_engine::discrete_policy::SsProblem,
    given: Option<(f64, f64)>,
) -> Result<Vec<serde_json::Value>, Failure> {
    use qm_engine::discrete_policy::DiscretePolicy;
    check_poisson_mean(problem.demand_mean * (f64::from(problem.lead_time) + 1.0))?;
    let mut exact = problem.poisson();
    let row = |name: &str, p: DiscretePolicy| {
        serde_json::json!({
            "policy": name,
            "reorder_point": p.reorder_point,
            "order_up_to_level": p.second,
            "expected_cost": p.expected_cost,
        })
    };
    if let Some((s, up_to)) = given {
        let s = whole("--reorder-point", s)?;
        let up_to = whole("--order-up-to", up_to)?;
        return Ok(vec![row("given", ss_costed(&mut exact, s, up_to)?)]);
    }
    let optimal = exact.optimal().ok_or_else(too_wide)?;
    let mut rows = vec![row("optimal (Zheng and Federgruen)", optimal)];
    let (s, up_to) = problem.power_approximation(problem.demand_mean.sqrt());
    let (s, up_to) = (s.round() as i64, up_to.round() as i64);
    if let Ok(approximation) = ss_costed(&mut exact, s, up_to.max(s + 1)) {
        rows.push(row("power approximation, rounded", approximation));
    }
    Ok(rows)
}

/// A given (s, S) and its cost under Poisson demand, S above s within the exact method's reach.
fn ss_costed(
    problem: &mut qm_engine::discrete_policy::PoissonSs,
    s: i64,
    up_to: i64,
) -> Result<qm_engine::discrete_policy::DiscretePolicy, CalculatorError> {
    use qm_engine::discrete_policy::MAX_SS_GAP;
    if up_to <= s || up_to - s > MAX_SS_GAP {
        return Err(CalculatorError::Argument {
            option: "--order-up-to",
            problem: format!(
                "must be above the reorder point by 1 to {MAX_SS_GAP} units, got S {up_to}, s {s}"
            ),
        });
    }
    Ok(qm_engine::discrete_policy::DiscretePolicy {
        reorder_point: s,
        second: up_to,
        expected_cost: problem.cost(s, up_to),
    })
}

/// A whole number of units, or a refusal naming the option.
fn whole(option: &'static str, value: f64) -> Result<i64, CalculatorError> {
    if value.fract() == 0.0 && value.abs() <= 1e12 {
        Ok(value as i64)
    } else {
        Err(CalculatorError::Argument {
            option,
            problem: format!(
                "must be a whole number of units under Poisson demand, got {}",
                calculators::typed(value)
            ),
        })
    }
}

/// The exact Poisson methods walk the distribution unit by unit: a mean demand (over the
/// protection interval) past 100,000 units is refused.
fn check_poisson_mean(mean: f64) -> Result<(), CalculatorError> {
    if mean <= 100_000.0 {
        Ok(())
    } else {
        Err(CalculatorError::Argument {
            option: "--demand-mean",
            problem: format!(
                "under Poisson demand the mean over the lead time must be at most 100000 \
                 units, got {}; give --demand-std for the normal methods",
                calculators::typed(mean)
            ),
        })
    }
}

/// The exact search would pass its limit.
fn too_wide() -> Failure {
    CalculatorError::Argument {
        option: "--fixed-cost",
        problem: "the exact search passed its limit of order quantities; the fixed cost is too \
                  large against the holding cost for a whole-unit search"
            .into(),
    }
    .into()
}

/// The costs and demand of an (r, Q) or (s, S) problem, each a positive number up to 1e9.
fn check_costs(costs: CostArgs) -> Result<CostArgs, CalculatorError> {
    check_positive(
        &[
            ("--holding-cost", Some(costs.holding_cost)),
            ("--stockout-cost", Some(costs.stockout_cost)),
            ("--fixed-cost", Some(costs.fixed_cost)),
            ("--demand-mean", Some(costs.demand_mean)),
            ("--demand-std", costs.demand_std),
        ],
        1e9,
    )?;
    Ok(costs)
}

/// Refuses the first given value that is not a positive number up to `most`, naming its option.
fn check_positive(
    values: &[(&'static str, Option<f64>)],
    most: f64,
) -> Result<(), CalculatorError> {
    for &(option, value) in values {
        if let Some(v) = value.filter(|v| !(v.is_finite() && *v > 0.0 && *v <= most)) {
            return Err(CalculatorError::Argument {
                option,
                problem: format!(
                    "must be a positive number up to {most:e}, got {}",
                    calculators::typed(v)
                ),
            });
        }
    }
    Ok(())
}

/// Refuses a given number of units that is not finite or past 1e12, naming its option.
fn check_units(option: &'static str, value: Option<f64>) -> Result<(), CalculatorError> {
    match value.filter(|v| !(v.is_finite() && v.abs() <= 1e12)) {
        Some(v) => Err(CalculatorError::Argument {
            option,
            problem: format!("must be a number of units, got {}", calculators::typed(v)),
        }),
        None => Ok(()),
    }
}
