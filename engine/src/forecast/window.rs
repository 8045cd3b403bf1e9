//! The last year of a series that grows a day at a time, and when a model fitted on it is due
//! again: the schedule `auto_ets`, `adida` and `imapa` share in a replenishment cell.

use std::collections::VecDeque;

/// Days between fits.
pub const REFIT_DAYS: u32 = 28;
/// Days a fit looks back over (kept as `f32`: 1.4 KiB a series).
pub const HISTORY_DAYS: usize = 364;
/// Days before the first fit; until then the forecast is the mean so far.
pub const FIRST_FIT_DAYS: usize = 28;

/// The last [`HISTORY_DAYS`] days and the days since the last fit.
#[derive(Clone, Debug)]
pub struct RefitWindow {
    days: VecDeque<f32>,
    days_since_fit: u32,
}

impl Default for RefitWindow {
    fn default() -> Self {
        RefitWindow {
            days: VecDeque::with_capacity(HISTORY_DAYS),
            days_since_fit: 0,
        }
    }
}

impl RefitWindow {
    /// Keeps one more day of `y` (dropping the oldest past [`HISTORY_DAYS`]) and says whether
    /// a fit is due: the first once [`FIRST_FIT_DAYS`] are kept (`fitted` false), the next
    /// [`REFIT_DAYS`] after the last ([`RefitWindow::fitted`]).
    pub fn push(&mut self, y: f64, fitted: bool) -> bool {
        if self.days.len() == HISTORY_DAYS {
            self.days.pop_front();
        }
        self.days.push_back(y as f32);
        self.days_since_fit += 1;
        if fitted {
            self.days_since_fit >= REFIT_DAYS
        } else {
            self.days.len() >= FIRST_FIT_DAYS
        }
    }

    /// A fit was made on the days kept now.
    pub fn fitted(&mut self) {
        self.days_since_fit = 0;
    }

    /// The days kept, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        self.days.iter().map(|&v| f64::from(v))
    }

    /// The days kept, oldest first, as a history to fit.
    pub fn to_vec(&self) -> Vec<f64> {
        self.iter().collect()
    }

    /// Days kept.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// Whether no day is kept.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The newest day kept, if any.
    pub fn last(&self) -> Option<f64> {
        self.days.back().map(|&v| f64::from(v))
    }

    /// The mean of the days kept; 0 without any.
    pub fn mean(&self) -> f64 {
        if self.days.is_empty() {
            0.0
        } else {
            self.iter().sum::<f64>() / self.days.len() as f64
        }
    }
}
