//! AutoETS for a series that grows a day at a time (a replenishment cell): the chosen model's
//! states move every day with its fitted parameters, and the model is chosen and fitted again
//! every [`REFIT_DAYS`] on the last [`HISTORY_DAYS`] days.

use std::collections::VecDeque;

use super::{auto, Fit};

/// Days between fits.
pub const REFIT_DAYS: u32 = 28;
/// Days a fit looks back over (kept as `f32`: 1.4 KiB a series).
pub const HISTORY_DAYS: usize = 364;
/// Days before the first fit; until then the forecast is the mean so far.
pub const FIRST_FIT_DAYS: usize = 28;

/// A running AutoETS.
#[derive(Clone, Debug)]
pub struct OnlineEts {
    period: usize,
    history: VecDeque<f32>,
    fit: Option<Fit>,
    days_since_fit: u32,
}

impl OnlineEts {
    /// No history yet; seasons of `period` days.
    pub fn new(period: usize) -> OnlineEts {
        OnlineEts {
            period,
            history: VecDeque::with_capacity(HISTORY_DAYS),
            fit: None,
            days_since_fit: 0,
        }
    }

    /// One more day of `y`.
    pub fn observe(&mut self, y: f64) {
        if self.history.len() == HISTORY_DAYS {
            self.history.pop_front();
        }
        self.history.push_back(y as f32);
        self.days_since_fit += 1;
        let due = match self.fit {
            None => self.history.len() >= FIRST_FIT_DAYS,
            Some(_) => self.days_since_fit >= REFIT_DAYS,
        };
        if due {
            let days: Vec<f64> = self.history.iter().map(|&v| f64::from(v)).collect();
            self.fit = Some(auto(&days, self.period));
            self.days_since_fit = 0;
        } else if let Some(fit) = &mut self.fit {
            fit.observe(y);
        }
    }

    /// The forecast `h` days ahead (1 = tomorrow): the model's, or before its first fit the
    /// mean so far (0 without history).
    pub fn forecast(&self, h: usize) -> f64 {
        match &self.fit {
            Some(fit) => fit.forecast_at(h),
            None if self.history.is_empty() => 0.0,
            None => {
                self.history.iter().map(|&v| f64::from(v)).sum::<f64>() / self.history.len() as f64
            }
        }
    }

    /// The model fitted last (`ETS(A,N,A)`…), if any.
    pub fn model(&self) -> Option<String> {
        self.fit.as_ref().map(|fit| fit.spec.name())
    }
}
