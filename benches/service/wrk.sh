#!/usr/bin/env bash
# Loads `qm serve` with reserve requests: wrk (Debian's wrk) against a fresh engine folder of
# scenarios/baseline.toml. Every request is one journaled command, answered after its group
# commit. Once the first SKUs run out, most answers are 409 insufficient_stock: still a
# journaled reserve each. The engine is sized for qm serve's default --open-orders (a million
# orders), more than a 10 s run holds. SCENARIO=FILE serves another scenario (benches/service/redis.sh's
# comparison uses baseline.toml with days_of_cover = 3000, so that every reserve holds).
# Usage: benches/service/wrk.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
connections=${2:-32}
qm=${QM:-${CARGO_TARGET_DIR:-target}/release/qm}
[ -x "$qm" ] || cargo build --release -q -p qm-simulator --bin qm
dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$qm" serve "$dir/engine" --scenario "${SCENARIO:-scenarios/baseline.toml}" --listen 127.0.0.1:0 > "$dir/serve.out" &
server=$!
until grep -q "listening on" "$dir/serve.out" 2>/dev/null; do sleep 0.1; done
address=$(sed -n 's|listening on ||p' "$dir/serve.out")
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s benches/service/reserve.lua "$address"
curl -s "$address/v1/health"; echo
