#!/usr/bin/env bash
# Forecast accuracy on the M5 subset, Quartermaster beside statsforecast, in one run.
#
#   benches/forecast/compare_m5.sh [DATA]   (default ../shared/data/m5_tiny_sales_long.csv.gz)
#
# Both sides train on each of the 280 store-item series up to an origin and forecast the 28 days
# after it: the last 28 days of the data (holdout 28), then the 28 before them (holdout 56). The
# score is RMSSE (each series' RMSE scaled by its mean squared one-step naive difference from its
# first sale), averaged over the series. statsforecast 2.1.1 is installed with pip if missing.
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
data=${1:-$root/../shared/data/m5_tiny_sales_long.csv.gz}
[ -f "$data" ] || { echo "no $data: pass the M5 subset's path" >&2; exit 2; }
python3 -c 'import statsforecast' 2>/dev/null \
  || python3 -m pip install -q --disable-pip-version-check statsforecast==2.1.1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/quartermaster-target}
cargo build -q --release -p qm-simulator
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "cores: $(nproc); $(python3 -c 'import statsforecast; print("statsforecast", statsforecast.__version__)')"
echo "== statsforecast (holdout, method, mean RMSSE)"
python3 "$root/benches/forecast/statsforecast_m5.py" "$data" 28 56
echo "== Quartermaster: qm forecast --horizon 28 --backtest 2 (origin 1 = holdout 28, origin 2 = holdout 56)"
for method in weekday_ses adida imapa ses_fitted croston_fitted sba_fitted tsb_fitted holt_fitted holt_winters_fitted auto_ets; do
  start=$(date +%s.%N)
  "$CARGO_TARGET_DIR/release/qm" forecast "$data" --id item_id,store_id --date date --value units \
    --method "$method" --horizon 28 --backtest 2 --out "$out" | grep '^origin' \
    | sed -E "s/^origin ([12]) .*RMSSE ([0-9.]+).*interval coverage ([0-9.]+ %).*/\1 $method \2 (90 % interval coverage \3)/"
  echo "$method seconds: $(echo "$(date +%s.%N) - $start" | bc)"
done
echo "== Quartermaster: auto_ets with its closed-form intervals (--analytic-intervals)"
"$CARGO_TARGET_DIR/release/qm" forecast "$data" --id item_id,store_id --date date --value units \
  --method auto_ets --analytic-intervals --horizon 28 --backtest 2 --out "$out" | grep '^origin' \
  | sed -E "s/^origin ([12]) .*RMSSE ([0-9.]+).*interval coverage ([0-9.]+ %).*/\1 auto_ets \2 (90 % interval coverage \3)/"
