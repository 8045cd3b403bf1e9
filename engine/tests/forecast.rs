//! Forecast methods against worked examples computed by hand (each step written out).

use qm_engine::forecast::{Family, Forecaster, Method, MethodError, MethodParams, UpliftLearner};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn run(method: Method, series: &[f64]) -> Forecaster {
    let mut f = Forecaster::new(method);
    for &y in series {
        f.observe(y);
    }
    f
}

#[test]
fn ses_level_and_every_error_measure_by_hand() {
    // level: 10 → 10 + 0.1·(12 − 10) = 10.2 → 10.2 + 0.1·(8 − 10.2) = 9.98 → 9.982
    let f = run(Method::Ses { alpha: 0.1 }, &[10.0, 12.0, 8.0, 10.0]);
    assert!(close(f.forecast(1), 9.982));
    assert!(close(f.forecast(5), 9.982), "SES is flat");
    // one-step errors (forecast − actual): 10 − 12 = −2, 10.2 − 8 = 2.2, 9.98 − 10 = −0.02
    let e = f.errors();
    assert_eq!(e.days, 3);
    assert!(close(e.mae().unwrap(), 4.22 / 3.0));
    assert!(close(e.rmse().unwrap(), (8.8404f64 / 3.0).sqrt()));
    assert!(close(e.bias().unwrap(), 0.18 / 3.0));
    assert!(close(
        e.mape().unwrap(),
        (2.0 / 12.0 + 2.2 / 8.0 + 0.02 / 10.0) / 3.0
    ));
    assert!(close(e.wape().unwrap(), 4.22 / 30.0));
    // naive in-sample: |12 − 10|, |8 − 12|, |10 − 8| → mean 8/3
    assert!(close(e.mase().unwrap(), (4.22 / 3.0) / (8.0 / 3.0)));
}

#[test]
fn mape_skips_days_without_demand_and_mase_needs_a_moving_series() {
    // No day with demand: no percentage error to average, no demand to weigh by.
    let f = run(Method::Naive, &[0.0, 0.0, 0.0]);
    assert_eq!(f.errors().mape(), None);
    assert_eq!(f.errors().wape(), None);
    assert_eq!(f.errors().mase(), None);
    assert_eq!(f.errors().mae(), Some(0.0));
    // One day of history: nothing forecast yet, so nothing scored.
    let f = run(Method::Naive, &[5.0]);
    assert_eq!(f.errors().days, 0);
    assert_eq!(f.errors().mae(), None);
    assert_eq!(f.errors().rmse(), None);
    assert_eq!(f.errors().bias(), None);
    // naive: forecasts 0, 4; actuals 4, 0 → APE only on the day with demand: |0 − 4| / 4 = 1
    let f = run(Method::Naive, &[0.0, 4.0, 0.0]);
    assert_eq!(f.errors().days_with_demand, 1);
    assert!(close(f.errors().mape().unwrap(), 1.0));
}

#[test]
fn holt_trend_by_hand() {
    // l = 10; then b = 12 − 10 = 2, l = 12; then l = 0.5·15 + 0.5·(12 + 2) = 14.5,
    // b = 0.5·(14.5 − 12) + 0.5·2 = 2.25
    let f = run(
        Method::Holt {
            alpha: 0.5,
            beta: 0.5,
        },
        &[10.0, 12.0, 15.0],
    );
    assert!(close(f.forecast(1), 16.75));
    assert!(close(f.forecast(3), 14.5 + 3.0 * 2.25));
    assert!(close(f.forecast_total(2), 16.75 + 19.0));
}

#[test]
fn holt_winters_additive_by_hand() {
    let method = Method::HoltWinters {
        alpha: 0.5,
        beta: 0.5,
        gamma: 0.5,
        season_length: 2,
    };
    // First season: level 15, trend 0, indices −5, +5.
    // y = 12: l = 0.5·(12 + 5) + 0.5·15 = 16, b = 0.5, s = 0.5·(12 − 15) + 0.5·(−5) = −4
    // y = 22: l = 0.5·(22 − 5) + 0.5·16.5 = 16.75, b = 0.5·0.75 + 0.5·0.5 = 0.625,
    //         s = 0.5·(22 − 16.5) + 0.5·5 = 5.25
    let f = run(method, &[10.0, 20.0, 12.0, 22.0]);
    assert!(close(f.forecast(1), 16.75 + 0.625 - 4.0));
    assert!(close(f.forecast(2), 16.75 + 1.25 + 5.25));
    assert!(close(f.forecast(3), 16.75 + 1.875 - 4.0));
    // Before a full season it forecasts the mean seen so far.
    assert!(close(run(method, &[10.0]).forecast(1), 10.0));
}

#[test]
fn moving_average_and_seasonal_naive_by_hand() {
    let f = run(Method::MovingAverage { window: 3 }, &[1.0, 2.0, 3.0, 4.0]);
    assert!(close(f.forecast(1), 3.0));
    assert!(close(f.forecast_total(5), 15.0));
    let f = run(
        Method::SeasonalNaive { season_length: 3 },
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    );
    assert_eq!(
        [f.forecast(1), f.forecast(2), f.forecast(3), f.forecast(4)],
        [4.0, 5.0, 6.0, 4.0]
    );
    let f = run(Method::Naive, &[3.0, 7.0]);
    assert_eq!(f.forecast(9), 7.0);
}

#[test]
fn croston_sba_and_tsb_by_hand() {
    let series = [0.0, 0.0, 6.0, 0.0, 4.0];
    // Croston α = 0.5: first demand on day 3 → size 6, interval 3; day 5 (2 days later):
    // size = 6 + 0.5·(4 − 6) = 5, interval = 3 + 0.5·(2 − 3) = 2.5 → 5 / 2.5 = 2
    assert!(close(
        run(Method::Croston { alpha: 0.5 }, &series).forecast(1),
        2.0
    ));
    // SBA: (1 − 0.5/2) · 2 = 1.5
    assert!(close(
        run(Method::Sba { alpha: 0.5 }, &series).forecast(1),
        1.5
    ));
    // TSB: p starts at day 1's 0 and moves every day: 0, 0.5, 0.25, 0.625; the size starts at
    // the first demand, 6, then 6 + 0.5·(4 − 6) = 5 → 5 · 0.625
    let tsb = Method::Tsb {
        alpha_demand: 0.5,
        alpha_probability: 0.5,
    };
    assert!(close(run(tsb, &series).forecast(1), 3.125));
    // No demand yet: nothing forecast.
    assert_eq!(
        run(Method::Croston { alpha: 0.5 }, &[0.0, 0.0]).forecast(1),
        0.0
    );
}

#[test]
fn known_event_uplift_keeps_the_level_and_scores_the_uplifted_forecast() {
    let mut f = Forecaster::new(Method::Ses { alpha: 0.5 });
    f.observe(10.0);
    f.observe_with_uplift(30.0, 3.0);
    assert!(
        close(f.forecast(1), 10.0),
        "a tripled day learnt as an ordinary 10"
    );
    assert_eq!(
        f.errors().sum_abs_units,
        0.0,
        "the event was forecast: 10 × 3 = 30"
    );
    let mut plain = Forecaster::new(Method::Ses { alpha: 0.5 });
    plain.observe(10.0);
    plain.observe(30.0);
    assert!(
        close(plain.forecast(1), 20.0),
        "without the calendar the spike leaks into the level"
    );

    let mut learner = UpliftLearner::new(1.0);
    assert_eq!(learner.uplift(), 1.0);
    learner.observe(300.0, 100.0);
    learner.observe(500.0, 100.0);
    assert!(close(learner.uplift(), 4.0));
}

#[test]
fn auto_picks_seasonal_naive_for_a_pure_weekly_pattern() {
    let week = [0.0, 0.0, 0.0, 0.0, 0.0, 20.0, 30.0];
    let series: Vec<f64> = week.iter().cycle().take(7 * 12).copied().collect();
    let f = run(Method::Auto, &series);
    assert_eq!(f.chosen_method().name(), "seasonal_naive");
    assert_eq!(f.forecast(6), 20.0);
    assert_eq!(f.forecast(7), 30.0);
}

/// A fitted family forecasts with the member of its grid whose squared one-step errors since
/// the first day sum least, found here by running each member alone.
#[test]
fn a_fitted_family_forecasts_with_its_least_squared_error_member() {
    let week = [3.0, 4.0, 4.0, 5.0, 6.0, 9.0, 2.0];
    let series: Vec<f64> = (0..120)
        .map(|t| week[t % 7] * (1.0 + 0.004 * t as f64) + ((t * 37) % 5) as f64 - 2.0)
        .collect();
    let families = [
        Family::Ses,
        Family::Croston,
        Family::Sba,
        Family::Tsb,
        Family::Holt,
        Family::HoltWinters { season_length: 7 },
    ];
    for family in families {
        let fitted = run(Method::Fitted(family), &series);
        let sse = |method: Method| {
            let mut f = Forecaster::new(method);
            let mut sum = 0.0;
            for (t, &y) in series.iter().enumerate() {
                if t > 0 {
                    sum += (f.forecast(1) - y).powi(2);
                }
                f.observe(y);
            }
            (sum, f)
        };
        let members = family.members();
        assert!(members.len() >= 5, "{family:?}");
        let (best_sse, best) = members
            .iter()
            .map(|&m| sse(m))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap();
        assert_eq!(fitted.chosen_method(), best.method(), "{family:?}");
        assert!(close(fitted.forecast(3), best.forecast(3)), "{family:?}");
        let worst = members.iter().map(|&m| sse(m).0).fold(0.0, f64::max);
        assert!(best_sse < worst, "{family:?}: the grid's members differ");
        let name = Method::Fitted(family).name();
        assert_eq!(
            Method::from_name(name, &MethodParams::default()).unwrap(),
            Method::Fitted(family)
        );
    }
}

#[test]
fn method_names_and_parameters_are_checked() {
    let p = MethodParams::default();
    assert_eq!(
        Method::from_name("ses", &p).unwrap(),
        Method::Ses { alpha: 0.1 }
    );
    assert_eq!(
        Method::from_name("holt-winters", &p).unwrap(),
        Method::HoltWinters {
            alpha: 0.1,
            beta: 0.1,
            gamma: 0.1,
            season_length: 7
        }
    );
    assert!(matches!(
        Method::from_name("arima", &p),
        Err(MethodError::Unknown(_))
    ));
    let zero = MethodParams {
        alpha: Some(0.0),
        ..p
    };
    assert_eq!(
        Method::from_name("ses", &zero).unwrap_err().to_string(),
        "alpha must be in (0, 1], got 0"
    );
    let window = MethodParams {
        window: Some(0),
        ..p
    };
    assert!(matches!(
        Method::from_name("moving_average", &window),
        Err(MethodError::Length { .. })
    ));
}

#[test]
fn fitting_methods_together_matches_fitting_them_one_by_one() {
    let series = [3.0, 0.0, 5.0, 8.0, 2.0, 0.0, 7.0, 4.0, 4.0, 9.0];
    let methods = Method::candidates();
    let together = qm_engine::forecast::fit(&methods, &series);
    for (method, fitted) in methods.iter().zip(&together) {
        let alone = run(*method, &series);
        assert_eq!(fitted.forecast(3), alone.forecast(3), "{method}");
        assert_eq!(fitted.errors(), alone.errors(), "{method}");
    }
}

/// TSB as statsforecast 2.1.1 computes it (`statsforecast.models._tsb(y, 1, False, 0.1, 0.2)`,
/// printed with `repr`), on sparse series with leading zeros: equal to 1e-9.
#[test]
fn tsb_matches_statsforecast_on_sparse_series() {
    let cases: [(&[u8], f64); 3] = [
        (&[0, 0, 3, 0, 0, 5, 0], 0.7741440000000002),
        (
            &[
                0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0,
                0, 0, 0, 0, 4, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 5, 0, 0, 0,
                0, 0, 0, 0,
            ],
            0.3290430889382274,
        ),
        (
            &[
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 3, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 3, 0, 3, 0, 0, 3, 0, 0, 3, 0, 0, 0, 0, 2, 3, 0, 1, 0, 0, 0, 0, 3, 0, 0,
                0, 0, 0, 0,
            ],
            0.2533700889723429,
        ),
    ];
    let tsb = Method::Tsb {
        alpha_demand: 0.1,
        alpha_probability: 0.2,
    };
    for (series, expected) in cases {
        let series: Vec<f64> = series.iter().map(|&u| u as f64).collect();
        let got = run(tsb, &series).forecast(1);
        assert!((got - expected).abs() < 1e-9, "{got} against {expected}");
    }
}

/// An intermittent series of `days` days: demand on about one day in four, sizes 1 to 6.
fn intermittent(days: usize) -> Vec<f64> {
    let mut state = 12345u64;
    (0..days)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let draw = (state >> 33) % 24;
            if draw < 6 {
                (draw + 1) as f64
            } else {
                0.0
            }
        })
        .collect()
}

/// Online ADIDA and IMAPA forecast, on each day they fit, what the whole-history functions give
/// for the window they fit on (the last 364 days), and never NaN; before the first fit, the mean
/// so far.
#[test]
fn online_adida_and_imapa_match_the_whole_history_fits_on_their_fit_days() {
    use qm_engine::forecast::aggregate::{self, FIRST_FIT_DAYS, HISTORY_DAYS, REFIT_DAYS};
    let y = intermittent(500);
    for (method, whole) in [
        (Method::Adida, aggregate::adida as fn(&[f64]) -> f64),
        (Method::Imapa, aggregate::imapa),
    ] {
        let mut f = Forecaster::new(method);
        let mut checked = 0;
        for (n, &units) in (1..).zip(&y) {
            f.observe(units);
            let forecast = f.forecast(1);
            assert!(forecast.is_finite() && forecast >= 0.0, "{method} day {n}");
            assert_eq!(f.forecast(9), forecast, "{method}: flat");
            if n < FIRST_FIT_DAYS {
                let mean = y[..n].iter().sum::<f64>() / n as f64;
                assert!(close(forecast, mean), "{method} day {n}");
            } else if (n - FIRST_FIT_DAYS).is_multiple_of(REFIT_DAYS as usize) {
                let window = &y[n.saturating_sub(HISTORY_DAYS)..n];
                assert!(close(forecast, whole(window)), "{method} day {n}");
                checked += 1;
            }
        }
        assert_eq!(checked, 17, "{method}"); // days 28, 56, …, 476
                                             // Between fits the α stay and the totals move: the forecast of day 500 is not the
                                             // one of the last fit's day (476) unless the window did not change.
        assert!(!close(f.forecast(1), whole(&y[476 - HISTORY_DAYS..476])));
        assert!(close(f.forecast_total(5), 5.0 * f.forecast(1)));
    }
    let zeros = run(Method::Imapa, &[0.0; 60]);
    assert_eq!(zeros.forecast(1), 0.0);
}

/// `mean:` forecasts the mean of its members run alone, and names them back.
#[test]
fn a_combination_forecasts_the_mean_of_its_members() {
    let p = MethodParams::default();
    let y = intermittent(200);
    let mean = Method::from_name("mean:sba_fitted, adida,holt_winters", &p).unwrap();
    assert_eq!(mean.to_string(), "mean:holt_winters,sba_fitted,adida");
    assert_eq!(Method::from_name(&mean.to_string(), &p).unwrap(), mean);
    let plus = Method::from_name("mean:adida+holt_winters+sba_fitted", &p);
    assert_eq!(plus.unwrap(), mean);
    assert_eq!(mean.forecasters(), 1 + 5 + 6);
    let together = run(mean, &y);
    let alone: Vec<Forecaster> = ["holt_winters", "sba_fitted", "adida"]
        .iter()
        .map(|name| run(Method::from_name(name, &p).unwrap(), &y))
        .collect();
    for h in [1, 4, 7] {
        let expected = alone.iter().map(|f| f.forecast(h)).sum::<f64>() / 3.0;
        assert!(close(together.forecast(h), expected), "h = {h}");
    }
    assert_eq!(together.errors().days, 199);
    assert_eq!(
        Method::from_name("mean:ses,auto", &p).unwrap_err(),
        MethodError::NotCombinable("auto".into())
    );
    assert_eq!(
        Method::from_name("mean:ses,ses", &p)
            .unwrap_err()
            .to_string(),
        "`mean:ses,ses` needs two or more distinct methods"
    );
}
