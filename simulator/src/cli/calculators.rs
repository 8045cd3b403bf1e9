//! `qm policy` and `qm forecast`: the stand-alone calculators.

use qm_simulator::tools::calculators::{self, CalculatorError, PolicyTarget};

use super::args::{ForecastArgs, PolicyArgs};
use super::failure::Failure;

/// `qm policy`: safety stock and reorder point for a target, or the figures of a given one.
pub fn policy(args: PolicyArgs) -> Result<(), Failure> {
    let PolicyArgs {
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
    let inputs = qm_engine::safety_stock::PolicyInputs {
        mean_demand_per_day: mean_demand,
        demand_std_per_day: demand_std,
        lead_time_days,
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
        println!("{}", calculators::policy_json(&report));
    } else {
        print!("{}", calculators::policy_text(&report, order_qty));
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
