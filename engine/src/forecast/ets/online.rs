//! AutoETS for a series that grows a day at a time (a replenishment cell): the chosen model's
//! states move every day with its fitted parameters, and the model is chosen and fitted again
//! on the schedule of [`RefitWindow`] (every 28 days, on the last 364).

use super::super::window::RefitWindow;
use super::{auto, Fit};

/// A running AutoETS.
#[derive(Clone, Debug)]
pub struct OnlineEts {
    period: usize,
    window: RefitWindow,
    fit: Option<Fit>,
}

impl OnlineEts {
    /// No history yet; seasons of `period` days.
    pub fn new(period: usize) -> OnlineEts {
        OnlineEts {
            period,
            window: RefitWindow::default(),
            fit: None,
        }
    }

    /// One more day of `y`.
    pub fn observe(&mut self, y: f64) {
        if self.window.push(y, self.fit.is_some()) {
            self.fit = Some(auto(&self.window.to_vec(), self.period));
            self.window.fitted();
        } else if let Some(fit) = &mut self.fit {
            fit.observe(y);
        }
    }

    /// The forecast `h` days ahead (1 = tomorrow): the model's, or before its first fit the
    /// mean so far (0 without history).
    pub fn forecast(&self, h: usize) -> f64 {
        match &self.fit {
            Some(fit) => fit.forecast_at(h),
            None => self.window.mean(),
        }
    }

    /// The model fitted last (`ETS(A,N,A)`…), if any.
    pub fn model(&self) -> Option<String> {
        self.fit.as_ref().map(|fit| fit.spec.name())
    }
}
