#!/usr/bin/env bash
# Times the working tree's engine against the engine at git revision REV, in one process.
#
#   benches/ab_against.sh REV [PAIRS] [STRATEGY] [batch|call] [THREADS]
#
# Separate processes on this VM differ by up to ±30 % from minute to minute, more than most
# changes are worth. This builds one binary holding both engines (REV's renamed `qm-engine-old`)
# and the bench workload of each side (`benches/src/lib.rs`), then runs PAIRS pairs: old and new
# reserve the same 200 k orders (10,000 SKUs × 8 warehouses, Zipf 1.1), in alternating order,
# each on a fresh engine, followed by the plain array loop. It prints the median over pairs of
# new ÷ old − 1 and of array loop ÷ engine for each side. With THREADS = 2 each side runs on two
# threads dealt by order shard over a uniform workload (the low-contention bench), timed running
# (`timed_chunks`), and each pair also times a cross-core round trip, since on this VM that
# distance moves both sides' figures. Nothing is written to the repository: the crate is
# generated in a temporary folder and built in its own target folder.
set -euo pipefail
rev=${1:?usage: benches/ab_against.sh REV [PAIRS] [STRATEGY] [batch|call] [THREADS]}
pairs=${2:-200}
strategy=${3:-nearest}
mode=${4:-batch}
threads=${5:-1}
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/old" "$work/ab/src"
# The engine's own path dependencies (the money crate) come along where REV has them.
git -C "$root" archive "$rev" Cargo.toml engine benches/src/lib.rs \
    $(git -C "$root" ls-tree --name-only "$rev" money) | tar -x -C "$work/old"

python3 - "$root" "$work" <<'EOF'
import os, re, sys
root, work = sys.argv[1], sys.argv[2]
# The old engine as a stand-alone package named qm-engine-old: workspace keys resolved.
versions = dict(re.findall(r'^([a-z0-9_-]+) = (.*)$', open(f'{work}/old/Cargo.toml').read(), re.M))
# A path dependency is relative to the workspace root, one folder up from the engine's manifest.
versions = {k: re.sub(r'path = "([^"]+)"', r'path = "../\1"', v) for k, v in versions.items()}
# Each old package stands alone under an `-old` name, so it never meets the new one's.
versions = {k: re.sub(r'^\{ path', f'{{ package = "{k}-old", path', v) for k, v in versions.items()}
def standalone(crate):
    manifest = open(f'{work}/old/{crate}/Cargo.toml').read()
    manifest = re.sub(r'^(edition|license|rust-version)\.workspace = true\n', '', manifest, flags=re.M)
    manifest = re.sub(r'^\[lints\]\nworkspace = true\n', '', manifest, flags=re.M)
    manifest = re.sub(r'^([a-z0-9_-]+)\.workspace = true', lambda m: f'{m[1]} = {versions[m[1]]}', manifest, flags=re.M)
    manifest = re.sub(r'^name = "([a-z-]+)"', r'name = "\1-old"\nedition = "2021"', manifest, count=1, flags=re.M)
    open(f'{work}/old/{crate}/Cargo.toml', 'w').write(manifest + '\n[workspace]\n')
for crate in ['engine', 'money']:
    if os.path.exists(f'{work}/old/{crate}/Cargo.toml'):
        standalone(crate)
# Each side's workload code, pointed at its own engine.
for side, path in [('new', f'{root}/benches/src/lib.rs'), ('old', f'{work}/old/benches/src/lib.rs')]:
    text = '\n'.join(l for l in open(path).read().split('\n') if not l.startswith('//!'))
    text = text.replace('qm_engine::', f'qm_engine_{side}::').replace('qm_engine;', f'qm_engine_{side};')
    open(f'{work}/ab/src/wl_{side}.rs', 'w').write('#![allow(dead_code)]\n' + text)
EOF

cat > "$work/ab/Cargo.toml" <<EOF
[package]
name = "ab"
version = "0.1.0"
edition = "2021"

[dependencies]
qm_engine_new = { package = "qm-engine", path = "$root/engine" }
qm_engine_old = { package = "qm-engine-old", path = "$work/old/engine" }
rand = "0.10"
rand_distr = "0.6"
hdrhistogram = "7"

# As the workspace's release profile.
[profile.release]
debug = "line-tables-only"
codegen-units = 4

[workspace]
EOF

cat > "$work/ab/src/main.rs" <<'EOF'
// Wall time is what this measures.
#![allow(clippy::disallowed_methods)]
mod wl_new;
mod wl_old;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pairs: usize = args.next().unwrap().parse().unwrap();
    let strategy = args.next().unwrap();
    let batch = args.next().as_deref() == Some("batch");
    let threads: usize = args.next().unwrap().parse().unwrap();
    let (new, old) = if threads == 1 {
        (
            wl_new::Workload::new(10_000, 200_000, wl_new::Popularity::Zipf(1.1), 0.85, 7),
            wl_old::Workload::new(10_000, 200_000, wl_old::Popularity::Zipf(1.1), 0.85, 7),
        )
    } else {
        (
            wl_new::Workload::new(10_000, 200_000, wl_new::Popularity::Uniform, 0.85, 11),
            wl_old::Workload::new(10_000, 200_000, wl_old::Popularity::Uniform, 0.85, 11),
        )
    };
    let new_requests = wl_new::route(&wl_new::requests(&new.orders), threads, wl_new::Routing::ByOrderShard);
    let old_requests = wl_old::route(&wl_old::requests(&old.orders), threads, wl_old::Routing::ByOrderShard);
    let new_kind = qm_engine_new::StrategyKind::from_name(&strategy).expect("strategy");
    let old_kind = qm_engine_old::StrategyKind::from_name(&strategy).expect("strategy");
    let lines = new.lines as f64;
    let rate = |seconds: f64| lines / seconds / 1e6;
    // The two sides' types differ (one crate each), so one macro rather than one generic fn.
    macro_rules! timed {
        ($side:ident, $workload:expr, $kind:expr, $requests:expr) => {
            || {
                let engine = $workload.engine($kind);
                // One side's timer for both: it only starts and stops threads.
                rate(wl_new::timed_chunks(&$requests, |_, requests| {
                    std::hint::black_box(if batch {
                        $side::reserve_all_batched(&engine, requests)
                    } else {
                        $side::reserve_all(&engine, requests)
                    });
                }).as_secs_f64())
            }
        };
    }
    let run_new = timed!(wl_new, new, new_kind, new_requests);
    let run_old = timed!(wl_old, old, old_kind, old_requests);
    let (mut gain, mut ratio_new, mut ratio_old, mut trips) = (vec![], vec![], vec![], vec![]);
    for pair in 0..pairs {
        if threads > 1 {
            trips.push(wl_new::cross_core_round_trip_ns(20_000));
        }
        let (o, n) = if pair % 2 == 0 {
            let o = run_old();
            (o, run_new())
        } else {
            let n = run_new();
            (run_old(), n)
        };
        let mut stock = new.stock.clone();
        let start = Instant::now();
        std::hint::black_box(wl_new::array_check_and_decrement(&mut stock, &new.orders));
        let array = rate(start.elapsed().as_secs_f64());
        gain.push(n / o - 1.0);
        ratio_new.push(array / n);
        ratio_old.push(array / o);
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let trip = if trips.is_empty() { String::new() } else { format!("; cross-core round trip median {:.0} ns", median(trips)) };
    println!(
        "{strategy} {} on {threads} thread(s): new vs old {:+.1} % (median of {pairs} pairs); array loop (one thread) / engine, median: old {:.2}, new {:.2}; load {}{trip}",
        if batch { "batch" } else { "per call" },
        100.0 * median(gain),
        median(ratio_old),
        median(ratio_new),
        load.split(' ').take(3).collect::<Vec<_>>().join(" ")
    );
}
EOF

export CARGO_TARGET_DIR="$HOME/.cache/quartermaster-ab-target"
cargo build --quiet --release --manifest-path "$work/ab/Cargo.toml"
"$CARGO_TARGET_DIR/release/ab" "$pairs" "$strategy" "$mode" "$threads"
