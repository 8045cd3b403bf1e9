//! A forecaster's one-step-ahead errors, smoothed: σ_e for the safety stock and the accuracy KPIs.

/// Weight of the newest squared error in the smoothed error variance (about 40 days of memory).
pub const ERROR_SMOOTHING: f64 = 0.05;

/// One-step-ahead forecast errors of one series (or, merged, of many).
///
/// Error is `forecast − actual`: a positive bias means over-forecasting (stock piles up).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ForecastErrors {
    /// Days with a forecast and an actual.
    pub days: u64,
    /// Σ |error|, units.
    pub sum_abs_units: f64,
    /// Σ error², units².
    pub sum_squared_units: f64,
    /// Σ error, units.
    pub sum_error_units: f64,
    /// Σ actual, units.
    pub sum_actual_units: f64,
    /// Σ |error| / actual over days with demand.
    pub sum_ape: f64,
    /// Days with demand (the MAPE denominator).
    pub days_with_demand: u64,
    /// Σ |actual − previous actual|: the naive method's in-sample error, for MASE.
    pub sum_naive_abs_units: f64,
    /// Days counted in `sum_naive_abs_units`.
    pub naive_days: u64,
    /// Exponentially smoothed squared error ([`ERROR_SMOOTHING`]): σ_e² for the safety stock.
    pub smoothed_squared_units: f64,
}

impl ForecastErrors {
    /// Records one day: what was forecast for it and what happened.
    #[inline]
    pub fn record(&mut self, forecast: f64, actual: f64, previous_actual: Option<f64>) {
        let error = forecast - actual;
        let squared = error * error;
        self.smoothed_squared_units = if self.days == 0 {
            squared
        } else {
            self.smoothed_squared_units + ERROR_SMOOTHING * (squared - self.smoothed_squared_units)
        };
        self.days += 1;
        self.sum_abs_units += error.abs();
        self.sum_squared_units += squared;
        self.sum_error_units += error;
        self.sum_actual_units += actual;
        if actual > 0.0 {
            self.sum_ape += error.abs() / actual;
            self.days_with_demand += 1;
        }
        if let Some(previous) = previous_actual {
            self.sum_naive_abs_units += (actual - previous).abs();
            self.naive_days += 1;
        }
    }

    /// Adds another series' errors (for totals over SKUs or warehouses).
    pub fn merge(&mut self, other: &ForecastErrors) {
        self.days += other.days;
        self.sum_abs_units += other.sum_abs_units;
        self.sum_squared_units += other.sum_squared_units;
        self.sum_error_units += other.sum_error_units;
        self.sum_actual_units += other.sum_actual_units;
        self.sum_ape += other.sum_ape;
        self.days_with_demand += other.days_with_demand;
        self.sum_naive_abs_units += other.sum_naive_abs_units;
        self.naive_days += other.naive_days;
        // A merged smoothed variance has no meaning; keep the larger (conservative).
        self.smoothed_squared_units = self
            .smoothed_squared_units
            .max(other.smoothed_squared_units);
    }

    /// `numerator ÷ denominator`; `None` when the denominator is 0 (nothing to average over).
    fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
        (denominator > 0.0).then(|| numerator / denominator)
    }

    /// Mean absolute error, units per day; `None` with no day scored.
    pub fn mae(&self) -> Option<f64> {
        Self::ratio(self.sum_abs_units, self.days as f64)
    }

    /// Root mean squared error, units per day; `None` with no day scored.
    pub fn rmse(&self) -> Option<f64> {
        Self::ratio(self.sum_squared_units, self.days as f64).map(f64::sqrt)
    }

    /// Mean absolute percentage error over the days **with demand** (a day without demand has
    /// no percentage error); `None` when no scored day had demand. A share: 0.25 = 25 %.
    pub fn mape(&self) -> Option<f64> {
        Self::ratio(self.sum_ape, self.days_with_demand as f64)
    }

    /// Weighted absolute percentage error: Σ|error| / Σ actual; `None` when nothing was
    /// demanded.
    pub fn wape(&self) -> Option<f64> {
        Self::ratio(self.sum_abs_units, self.sum_actual_units)
    }

    /// Mean absolute scaled error: MAE over the naive method's in-sample MAE. `None` when the
    /// series never changed (the scale is zero).
    pub fn mase(&self) -> Option<f64> {
        let naive = Self::ratio(self.sum_naive_abs_units, self.naive_days as f64)?;
        if naive > 0.0 {
            self.mae().map(|mae| mae / naive)
        } else {
            None
        }
    }

    /// Mean of forecast − actual, units per day: positive = over-forecast; `None` with no day
    /// scored.
    pub fn bias(&self) -> Option<f64> {
        Self::ratio(self.sum_error_units, self.days as f64)
    }

    /// Standard deviation of one-day forecast errors for the safety stock (smoothed).
    pub fn sigma_units(&self) -> f64 {
        self.smoothed_squared_units.sqrt()
    }
}
