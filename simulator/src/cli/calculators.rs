//! `qm policy` and `qm forecast`: the stand-alone calculators.

use std::path::{Path, PathBuf};

use qm_engine::forecast::{Method, MethodParams};
use qm_simulator::tools::calculators::{self, CalculatorError, PolicyTarget, MAX_HORIZON_DAYS};
use qm_simulator::tools::forecast_many::{self, Procedure, Request, Whole};
use qm_simulator::tools::forecast_output;
use qm_simulator::tools::series_file::{read_long, LongColumns};

use super::args::{
    BaseStockArgs, EoqArgs, ForecastArgs, LossArgs, PolicyArgs, PolicyProblem, RqArgs,
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

/// `qm forecast`: one series forecast with one method.
pub fn forecast(args: ForecastArgs) -> Result<(), Failure> {
    let ForecastArgs {
        file,
        method,
        horizon,
        season_length,
        window,
        alpha,
        beta,
        gamma,
        alpha_demand,
        alpha_probability,
        json,
        id,
        date,
        value,
        quantiles,
        backtest,
        lead_time_days,
        out,
    } = args;
    let params = qm_engine::forecast::MethodParams {
        alpha,
        beta,
        gamma,
        season_length,
        window,
        alpha_demand,
        alpha_probability,
    };
    if let (Some(date), Some(value)) = (date, value) {
        let columns = LongColumns { id, date, value };
        let procedure = procedure(&method, &params, alpha)?;
        let run = ManySeries {
            procedure,
            horizon: horizon as usize,
            lead_days: lead_time_days.map(|d| d as usize),
            levels: quantiles,
            backtest: backtest as usize,
            out,
        };
        return forecast_file(&file, &columns, run);
    }
    // Check the method before reading the file: a typo is the likelier mistake.
    qm_engine::forecast::Method::from_name(&method, &params).map_err(|e| {
        CalculatorError::Argument {
            option: "--method",
            problem: e.to_string(),
        }
    })?;
    let series = calculators::read_series(&file)?;
    let forecast = calculators::forecast_series(&series, &method, &params, horizon)?;
    if json {
        println!("{}", calculators::forecast_json(&forecast));
    } else {
        print!("{}", calculators::forecast_text(&forecast));
    }
    Ok(())
}

/// A long-format forecast's settings.
struct ManySeries {
    procedure: Procedure,
    horizon: usize,
    lead_days: Option<usize>,
    levels: Vec<f64>,
    backtest: usize,
    out: PathBuf,
}

/// The procedure `--method` names for a file of series.
fn procedure(
    method: &str,
    params: &MethodParams,
    alpha: Option<f64>,
) -> Result<Procedure, CalculatorError> {
    let argument = |problem: String| CalculatorError::Argument {
        option: "--method",
        problem,
    };
    match method {
        "weekday_ses" => {
            if let Some(a) = alpha.filter(|a| !(*a > 0.0 && *a <= 1.0)) {
                return Err(CalculatorError::Argument {
                    option: "--alpha",
                    problem: format!("must be in (0, 1], got {a}"),
                });
            }
            Ok(Procedure::WeekdaySes(alpha))
        }
        "auto" => Ok(Procedure::Auto),
        _ => match Whole::from_name(method) {
            Some(whole) => Ok(Procedure::Whole(whole)),
            None => Method::from_name(method, params)
                .map(Procedure::Online)
                .map_err(|e| {
                    argument(format!(
                        "{e}, or weekday_ses, adida, imapa, ses_fitted, croston_fitted"
                    ))
                }),
        },
    }
}

/// `qm forecast FILE --id … --date … --value …`: every series of a long-format file.
fn forecast_file(file: &Path, columns: &LongColumns, run: ManySeries) -> Result<(), Failure> {
    if !(1..=MAX_HORIZON_DAYS as usize).contains(&run.horizon) {
        return Err(CalculatorError::Argument {
            option: "--horizon",
            problem: format!("must be 1 to {MAX_HORIZON_DAYS} days, got {}", run.horizon),
        }
        .into());
    }
    if let Some(p) = run.levels.iter().find(|p| !(**p > 0.0 && **p < 1.0)) {
        return Err(CalculatorError::Argument {
            option: "--quantiles",
            problem: format!("levels must be in (0, 1), got {p}"),
        }
        .into());
    }
    let mut levels = run.levels.clone();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    let series = read_long(file, columns)?;
    let histories: Vec<&[f64]> = series.iter().map(|s| s.values.as_slice()).collect();
    let request = Request {
        procedure: run.procedure,
        horizon: run.horizon,
        levels: levels.clone(),
        lead_days: run.lead_days,
    };
    let (forecasts, alpha) = forecast_many::forecast_all(&histories, &request);
    let scores = forecast_many::backtest_scores(&series, &request, run.backtest);
    let json = forecast_json(&series, &forecasts, alpha, &scores, &run);
    let tables = forecast_output::tables(&series, &forecasts, &levels)
        .map_err(|e| anyhow::anyhow!("building the forecast tables: {e}"))?;
    let dir = run.out.join("forecast");
    let written = forecast_output::write(tables, &json, &dir)?;
    println!(
        "{} series, {} days ahead, method {}{}",
        series.len(),
        run.horizon,
        json["method"].as_str().unwrap_or(""),
        alpha.map_or(String::new(), |a| format!(" (weekday_ses α {a})"))
    );
    print!("{}", forecast_output::backtest_text(&scores, run.horizon));
    super::output::print_written(&dir, &written);
    Ok(())
}

/// `forecast.json`: the procedure, what it chose per series, the backtest's scores.
fn forecast_json(
    series: &[qm_simulator::tools::series_file::Series],
    forecasts: &[forecast_many::SeriesForecast],
    alpha: Option<f64>,
    scores: &[forecast_many::OriginScores],
    run: &ManySeries,
) -> serde_json::Value {
    let method = match run.procedure {
        Procedure::WeekdaySes(_) => "weekday_ses",
        Procedure::Online(m) => m.name(),
        Procedure::Whole(w) => w.name(),
        Procedure::Auto => "auto",
    };
    let mut chosen = std::collections::BTreeMap::<&str, usize>::new();
    for f in forecasts {
        *chosen.entry(f.chosen.name()).or_default() += 1;
    }
    serde_json::json!({
        "method": method,
        "weekday_ses_alpha": alpha,
        "alpha_chosen_by": match (run.procedure, alpha) {
            (_, None) => None,
            (Procedure::WeekdaySes(Some(_)), _) => Some("--alpha"),
            _ => Some("the least mean RMSSE over 4 rolling origins, every series together"),
        },
        "horizon_days": run.horizon,
        "lead_time_days": run.lead_days,
        "quantile_levels": run.levels,
        "interval_origins": forecast_many::INTERVAL_ORIGINS,
        "series": series.len(),
        "days_filled_with_zero": series.iter().map(|s| s.days_filled).sum::<usize>(),
        "methods_chosen": chosen,
        "series_methods": series.iter().zip(forecasts).map(|(s, f)| serde_json::json!({"id": s.id, "method": f.chosen.name()})).collect::<Vec<_>>(),
        "backtest": scores,
    })
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
            problem: format!("must be a number within ±40, got {z}"),
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

/// `qm policy rq`: (r, Q) under normal lead-time demand.
fn rq(args: RqArgs) -> Result<(), Failure> {
    let RqArgs {
        holding_cost,
        stockout_cost,
        fixed_cost,
        demand_mean,
        demand_std,
        lead_time,
        reorder_point,
        order_qty,
        json,
    } = args;
    let positive = [
        ("--holding-cost", Some(holding_cost)),
        ("--stockout-cost", Some(stockout_cost)),
        ("--fixed-cost", Some(fixed_cost)),
        ("--demand-mean", Some(demand_mean)),
        ("--demand-std", Some(demand_std)),
        ("--lead-time", Some(lead_time)),
        ("--order-qty", order_qty),
    ];
    check_positive(&positive, 1e9)?;
    check_units("--reorder-point", reorder_point)?;
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
                 {:.2} % · {:.4} units short a cycle · fill rate {:.2} %",
                p["policy"].as_str().unwrap_or(""),
                p["reorder_point"].as_f64().unwrap_or(f64::NAN),
                p["order_quantity"].as_f64().unwrap_or(f64::NAN),
                p["expected_cost"].as_f64().unwrap_or(f64::NAN),
                100.0 * p["cycle_service_level"].as_f64().unwrap_or(f64::NAN),
                p["expected_units_short_per_cycle"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
                100.0 * p["fill_rate"].as_f64().unwrap_or(f64::NAN),
            );
        }
    }
    Ok(())
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
                problem: format!("must be a positive number up to {most:e}, got {v}"),
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
            problem: format!("must be a number of units, got {v}"),
        }),
        None => Ok(()),
    }
}
