"""statsforecast's side of the M5 comparison: each method's mean RMSSE over the 280 series of
m5_tiny_sales_long.csv.gz, forecasting the 28 days after each origin from the days before it.

    python3 benches/forecast/statsforecast_m5.py DATA.csv.gz [HOLDOUT_DAYS ...]

HOLDOUT_DAYS (default 28 56): the origin is that many days before the end of the data. RMSSE
scales each series' squared error by the mean squared one-step naive difference of its training
days from its first non-zero sale. Prints one line per (holdout, method): `holdout method rmsse`,
then AutoETS's 90 % interval coverage (share of the test days inside its interval). A method
whose forecasts fall below 0 somewhere (a trend: AutoETS, Holt, HoltWinters) gets a second line,
`method@floor0`, for its forecasts floored at 0 units, as Quartermaster gives them.
"""
import sys
import time

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import (
    ADIDA, IMAPA, TSB, AutoETS, CrostonClassic, CrostonOptimized, CrostonSBA, Holt, HoltWinters, Naive,
    SeasonalNaive, SimpleExponentialSmoothing, SimpleExponentialSmoothingOptimized, WindowAverage,
)

HORIZON = 28


def rmsse(train, actual, forecast):
    nonzero = np.nonzero(train)[0]
    start = nonzero[0] if len(nonzero) else 0
    scale = np.mean(np.diff(train[start:]) ** 2)
    return np.sqrt(np.mean((actual - forecast) ** 2) / scale)


def main():
    path = sys.argv[1]
    holdouts = [int(h) for h in sys.argv[2:]] or [28, 56]
    df = pd.read_csv(path, usecols=["item_id", "store_id", "date", "units"])
    df["unique_id"] = df.item_id + "_" + df.store_id
    df["ds"] = pd.to_datetime(df.date)
    df = df.rename(columns={"units": "y"})[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"])
    days = np.sort(df.ds.unique())
    models = [
        TSB(alpha_d=0.1, alpha_p=0.1), SimpleExponentialSmoothing(alpha=0.1), CrostonSBA(),
        AutoETS(season_length=7), CrostonClassic(), ADIDA(), IMAPA(), WindowAverage(window_size=7),
        Naive(), SeasonalNaive(season_length=7), SimpleExponentialSmoothingOptimized(),
        CrostonOptimized(), Holt(), HoltWinters(season_length=7),
    ]
    for holdout in holdouts:
        end = days[len(days) - holdout]
        train = df[df.ds < end]
        test = df[(df.ds >= end) & (df.ds < end + np.timedelta64(HORIZON, "D"))]
        started = time.time()
        sf = StatsForecast(models=models, freq="D", n_jobs=-1)
        forecasts = sf.forecast(df=train, h=HORIZON).reset_index()
        seconds = time.time() - started
        scores = {}
        for uid, actual in test.groupby("unique_id"):
            history = train[train.unique_id == uid].y.to_numpy(float)
            predicted = forecasts[forecasts.unique_id == uid]
            for column in predicted.columns:
                if column in ("unique_id", "ds", "index"):
                    continue
                forecast = predicted[column].to_numpy(float)
                y = actual.y.to_numpy(float)
                scores.setdefault(column, []).append(rmsse(history, y, forecast))
                floored = np.maximum(forecast, 0.0)
                scores.setdefault(column + "@floor0", []).append(rmsse(history, y, floored))
        for method, values in sorted(scores.items(), key=lambda kv: np.mean(kv[1])):
            unfloored = scores.get(method.removesuffix("@floor0"))
            if method.endswith("@floor0") and np.array_equal(values, unfloored):
                continue  # never below 0: the same forecasts
            print(f"{holdout} {method} {np.mean(values):.4f}")
        print(f"{holdout} seconds {seconds:.1f}", file=sys.stderr)
        print(f"{holdout} AutoETS 90 % interval coverage {autoets_coverage(train, test):.3f}")


def autoets_coverage(train, test):
    """Share of the test days inside AutoETS's 90 % prediction interval."""
    sf = StatsForecast(models=[AutoETS(season_length=7)], freq="D", n_jobs=-1)
    bands = sf.forecast(df=train, h=HORIZON, level=[90]).reset_index()
    joined = test.merge(bands, on=["unique_id", "ds"])
    inside = (joined.y >= joined["AutoETS-lo-90"]) & (joined.y <= joined["AutoETS-hi-90"])
    return inside.mean()


if __name__ == "__main__":
    main()
