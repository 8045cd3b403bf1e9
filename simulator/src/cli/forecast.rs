//! `qm forecast`: one series with one method, or every series of a long-format file.

use std::path::{Path, PathBuf};

use qm_engine::forecast::{Family, Method, MethodParams};
use qm_simulator::tools::calculators::{self, CalculatorError, MAX_HORIZON_DAYS};
use qm_simulator::tools::forecast_many::{self, Procedure, Request, Whole};
use qm_simulator::tools::forecast_output;
use qm_simulator::tools::series_file::{read_long, LongColumns};

use super::args::ForecastArgs;
use super::failure::Failure;

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
        per_step_quantiles,
        analytic_intervals,
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
    let given = [
        ("--alpha", alpha.is_some()),
        ("--beta", beta.is_some()),
        ("--gamma", gamma.is_some()),
        ("--season-length", season_length.is_some()),
        ("--window", window.is_some()),
        ("--alpha-demand", alpha_demand.is_some()),
        ("--alpha-probability", alpha_probability.is_some()),
    ];
    if let (Some(date), Some(value)) = (date, value) {
        let columns = LongColumns { id, date, value };
        let procedure = procedure(&method, &params, alpha)?;
        refuse_unread(&method, procedure_options(procedure), &given)?;
        if analytic_intervals && procedure != Procedure::Whole(Whole::AutoEts) {
            return Err(CalculatorError::Argument {
                option: "--analytic-intervals",
                problem: format!("only auto_ets has closed-form intervals, not `{method}`"),
            }
            .into());
        }
        let run = ManySeries {
            procedure,
            horizon: horizon as usize,
            lead_days: lead_time_days.map(|d| d as usize),
            levels: quantiles,
            per_step: per_step_quantiles,
            analytic: analytic_intervals,
            backtest: backtest as usize,
            out,
        };
        return forecast_file(&file, &columns, run);
    }
    // Check the method before reading the file: a typo is the likelier mistake.
    let chosen = Method::from_name(&method, &params).map_err(|e| CalculatorError::Argument {
        option: "--method",
        problem: if method == "weekday_ses" {
            "weekday_ses needs each day's weekday: give the file a date column, with --date and \
             --value"
                .into()
        } else {
            e.to_string()
        },
    })?;
    refuse_unread(&method, method_options(&chosen), &given)?;
    let series = calculators::read_series(&file)?;
    let forecast = calculators::forecast_series(&series, &method, &params, horizon)?;
    if json {
        println!("{}", calculators::forecast_json(&forecast));
    } else {
        print!("{}", calculators::forecast_text(&forecast));
    }
    Ok(())
}

/// Refuses a smoothing or length option (`given`: each flag and whether it was given) that
/// `method` does not read (`read`): set and silently unused, it would let a user believe the
/// forecast was made with it.
fn refuse_unread(
    method: &str,
    read: &[&'static str],
    given: &[(&'static str, bool)],
) -> Result<(), CalculatorError> {
    let Some(&(option, _)) = given.iter().find(|(flag, on)| *on && !read.contains(flag)) else {
        return Ok(());
    };
    let reads = match read {
        [] => "none of the smoothing or length options".to_string(),
        _ => read.join(", "),
    };
    Err(CalculatorError::Argument {
        option,
        problem: format!("`{method}` does not read it (it reads {reads})"),
    })
}

/// The smoothing and length options an online method reads; a fitted one reads none.
fn method_options(method: &Method) -> &'static [&'static str] {
    match method {
        Method::Naive
        | Method::Auto
        | Method::Adida
        | Method::Imapa
        | Method::Mean(_)
        | Method::Fitted(
            Family::Ses | Family::Croston | Family::Sba | Family::Tsb | Family::Holt,
        ) => &[],
        Method::SeasonalNaive { .. }
        | Method::AutoEts { .. }
        | Method::Fitted(Family::HoltWinters { .. }) => &["--season-length"],
        Method::MovingAverage { .. } => &["--window"],
        Method::Ses { .. } | Method::Croston { .. } | Method::Sba { .. } => &["--alpha"],
        Method::Holt { .. } => &["--alpha", "--beta"],
        Method::HoltWinters { .. } => &["--alpha", "--beta", "--gamma", "--season-length"],
        Method::Tsb { .. } => &["--alpha-demand", "--alpha-probability"],
    }
}

/// The options a procedure for a file of series reads: `--alpha` is `weekday_ses`'s (alone or
/// in a mean; `auto` chooses it on the collection), and the whole-history methods fit a weekly
/// season.
fn procedure_options(procedure: Procedure) -> &'static [&'static str] {
    match procedure {
        Procedure::WeekdaySes(_) => &["--alpha"],
        Procedure::Mean(members, _) if members.has_weekday_ses() => &["--alpha"],
        Procedure::Mean(..) | Procedure::Auto | Procedure::Whole(_) => &[],
        Procedure::Online(method) => method_options(&method),
    }
}

/// A long-format forecast's settings.
struct ManySeries {
    procedure: Procedure,
    horizon: usize,
    lead_days: Option<usize>,
    levels: Vec<f64>,
    per_step: bool,
    analytic: bool,
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
    let weekday_ses = method == "weekday_ses" || method.starts_with("mean:");
    if let Some(a) = alpha.filter(|a| weekday_ses && !(*a > 0.0 && *a <= 1.0)) {
        return Err(CalculatorError::Argument {
            option: "--alpha",
            problem: format!("must be in (0, 1], got {}", calculators::typed(a)),
        });
    }
    match method {
        "weekday_ses" => Ok(Procedure::WeekdaySes(alpha)),
        "auto" => Ok(Procedure::Auto),
        _ if method.starts_with("mean:") => forecast_many::Members::parse(&method["mean:".len()..])
            .map(|members| Procedure::Mean(members, alpha))
            .map_err(argument),
        _ => match Whole::from_name(method) {
            Some(whole) => Ok(Procedure::Whole(whole)),
            None => Method::from_name(method, params)
                .map(Procedure::Online)
                .map_err(|e| {
                    argument(format!(
                        "{e}, or weekday_ses, adida, imapa, ses_fitted, croston_fitted, \
                         sba_fitted, tsb_fitted, holt_fitted, holt_winters_fitted, auto_ets, mean:A,B[,…]"
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
            problem: format!("levels must be in (0, 1), got {}", calculators::typed(*p)),
        }
        .into());
    }
    calculators::folder_to_write("--out", &run.out.join("forecast"))?;
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
        per_step: run.per_step,
        analytic: run.analytic,
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
        alpha.map_or(String::new(), |a| format!(" (weekday_ses α {})", a.alpha))
    );
    let filled = json["days_filled_with_zero"].as_u64().unwrap_or(0);
    if filled > 0 {
        println!("days the file left out inside a series, taken as 0 units: {filled}");
    }
    let unchosen = json["series_auto_could_not_choose"].as_u64().unwrap_or(0);
    if unchosen > 0 {
        println!(
            "series too short for auto to compare its methods, forecast by weekday_ses: {unchosen}"
        );
    }
    let short = json["series_without_quantiles"].as_u64().unwrap_or(0);
    if short > 0 {
        println!(
            "series too short for quantiles, their quantile columns left empty: {short} (under {} \
             + {} days, the history gives no forecast error to draw them from)",
            forecast_many::MIN_TRAIN_DAYS,
            run.horizon
        );
    }
    print!("{}", forecast_output::backtest_text(&scores, run.horizon));
    super::output::print_written(&dir, &written);
    Ok(())
}

/// `forecast.json`: the procedure, what it chose per series, the backtest's scores.
fn forecast_json(
    series: &[qm_simulator::tools::series_file::Series],
    forecasts: &[forecast_many::SeriesForecast],
    alpha: Option<forecast_many::CollectionAlpha>,
    scores: &[forecast_many::OriginScores],
    run: &ManySeries,
) -> serde_json::Value {
    let method = match run.procedure {
        Procedure::WeekdaySes(_) => "weekday_ses",
        Procedure::Online(m) => m.name(),
        Procedure::Whole(w) => w.name(),
        Procedure::Auto => "auto",
        Procedure::Mean(..) => "mean",
    };
    let members = match run.procedure {
        Procedure::Mean(members, _) => Some(members.names()),
        _ => None,
    };
    let mut chosen = std::collections::BTreeMap::<&str, usize>::new();
    for f in forecasts {
        *chosen.entry(f.chosen.name()).or_default() += 1;
    }
    serde_json::json!({
        "method": method,
        "combined_methods": members,
        "weekday_ses_alpha": alpha.map(|a| a.alpha),
        "alpha_chosen_by": alpha.map(|a| match a.chosen_by {
            forecast_many::AlphaChoice::Given => "--alpha".to_string(),
            forecast_many::AlphaChoice::LeastRmsse => format!(
                "the least mean RMSSE over {} rolling origins, every series together",
                forecast_many::ALPHA_ORIGINS
            ),
            forecast_many::AlphaChoice::DefaultNoneScored => format!(
                "the default {}: no series is long enough ({} + {} days) and varied enough to score one",
                forecast_many::DEFAULT_ALPHA,
                forecast_many::MIN_TRAIN_DAYS,
                run.horizon
            ),
        }),
        "horizon_days": run.horizon,
        "lead_time_days": run.lead_days,
        "quantile_levels": run.levels,
        "quantiles_from": if run.analytic {
            "the chosen ETS model's closed-form variance where it has one, else every horizon \
             step's errors pooled, over the rolling origins"
        } else if run.per_step {
            "each horizon step's errors with 3 steps either side, over the rolling origins"
        } else {
            "every horizon step's errors pooled, over the rolling origins"
        },
        "interval_origins": forecast_many::INTERVAL_ORIGINS,
        "series_with_analytic_intervals": forecasts.iter().filter(|f| f.analytic).count(),
        // `auto` with nothing to compare its candidates by: the first taken, not chosen.
        "series_auto_could_not_choose": forecasts.iter().filter(|f| f.defaulted).count(),
        // Too short a history for a forecast error: quantile columns left empty (null).
        "series_without_quantiles": forecasts.iter().filter(|f| f.quantiles.is_none()).count(),
        "series_without_lead_time_quantiles": forecasts.iter().filter(|f| f.lead_time.as_ref().is_some_and(|l| l.quantiles.is_none())).count(),
        "series": series.len(),
        "days_filled_with_zero": series.iter().map(|s| s.days_filled).sum::<usize>(),
        "methods_chosen": chosen,
        "series_methods": series.iter().zip(forecasts).map(|(s, f)| serde_json::json!({"id": s.id, "method": f.chosen.name(), "model": f.model, "chosen": !f.defaulted})).collect::<Vec<_>>(),
        "backtest": scores,
    })
}
