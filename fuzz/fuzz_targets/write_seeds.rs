//! Writes each target's starting corpus under `fuzz/corpus/`: the shipped scenarios, calls of
//! every kind and the states of the engine tests' fixture after them, and slices of the shipped
//! history.

use std::fs;
use std::io::Read;
use std::path::Path;

use qm_engine::*;

#[allow(dead_code)]
#[path = "../../engine/tests/engine/fixture.rs"]
mod fixture;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("corpus");
    let scenarios = corpus.join("scenario_run");
    fs::create_dir_all(&scenarios).unwrap();
    for entry in fs::read_dir(root.join("../scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            fs::copy(&path, scenarios.join(path.file_name().unwrap())).unwrap();
        }
    }
    let states = corpus.join("snapshot_state");
    let commands = corpus.join("engine_commands");
    fs::create_dir_all(&states).unwrap();
    fs::create_dir_all(&commands).unwrap();
    let splits = [
        SplitPolicy::SingleWarehouse,
        SplitPolicy::SplitAllowed,
        SplitPolicy::PartialWithBackorder,
    ];
    for (n, split) in splits.into_iter().enumerate() {
        let calls = calls(split);
        let mut bytes = vec![n as u8 * 0x41];
        bytes.extend(codec::encode(&calls).unwrap());
        fs::write(commands.join(format!("calls-{n}")), bytes).unwrap();
        let engine = stocked_engine();
        for call in &calls {
            engine.apply(call);
        }
        let bytes = codec::encode(&engine.export_state()).unwrap();
        fs::write(states.join(format!("state-{n}")), bytes).unwrap();
    }
    let histories = corpus.join("replay_history");
    fs::create_dir_all(&histories).unwrap();
    let gz = fs::File::open(root.join("../scenarios/data/online-retail-2011-10-to-12.csv.gz"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz.unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<&str> = text.lines().take(401).collect();
    for (n, rows) in lines[1..].chunks(100).enumerate() {
        let slice = format!("{}\n{}\n", lines[0], rows.join("\n"));
        fs::write(histories.join(format!("history-{n}.csv")), slice).unwrap();
    }
    forecast_seeds(&corpus.join("forecast_series"));
}

/// Two series of 60 days with a weekly pattern, as a CSV file and as bytes, under a few
/// methods (`forecast_series`: form, method, horizon and flag bytes, then the series).
fn forecast_seeds(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    let day_units = |series: u32, day: u32| (day % 7 + series * 3) % 9;
    let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut csv = String::new();
    for series in 0..2 {
        for day in 0..60 {
            let date = first + chrono::Days::new(u64::from(day));
            csv += &format!("s{series},{date},{}\n", day_units(series, day));
        }
    }
    let bytes: Vec<u8> = (0..2)
        .flat_map(|series| (0..60).map(move |day| 0x40 | day_units(series, day) as u8))
        .collect();
    for method in [0u8, 2, 3, 8, 13] {
        let mut as_csv = vec![0, method, 6, 0b1011];
        as_csv.extend(csv.as_bytes());
        fs::write(dir.join(format!("csv-{method}")), as_csv).unwrap();
        let mut as_bytes = vec![3, method, 13, 0b0101];
        as_bytes.extend(&bytes);
        fs::write(dir.join(format!("bytes-{method}")), as_bytes).unwrap();
    }
}

/// The fixture's engine with 3 units in every cell.
fn stocked_engine() -> Engine {
    use fixture::*;
    let mut engine = engine(StrategyKind::Nearest, &[]);
    for sku in [A, B, C] {
        for warehouse in [LON, MAN, PAR] {
            engine.seed_stock(sku, warehouse, 3).unwrap();
        }
    }
    engine
}

/// A dozen orders under `split` and what follows them: payment, shipping, short picks, receipts,
/// returns, adjustments, expiry and archiving, then keyed stock movements.
fn calls(split: SplitPolicy) -> Vec<journal::Command> {
    use fixture::*;
    use journal::Command;
    let mut calls = Vec::new();
    for id in 0..12u64 {
        let lines = [(A, (id % 4) as i64 + 1), (B, 2), (C, (id % 3) as i64 + 1)];
        let ordered = order(id, &lines[..(id as usize % 3) + 1]);
        let now_ms = (id / 4) * HOUR_MS;
        calls.push(Command::Reserve {
            request: request(ordered, split),
            now_ms,
        });
    }
    for id in 0..12u64 {
        let order = OrderId(id);
        let shipment = ShipmentId { order, index: 0 };
        let now_ms = 3 * HOUR_MS + id;
        calls.extend([
            Command::Confirm { order, now_ms },
            Command::ShortPick {
                shipment,
                line: 0,
                missing_units: 1,
                now_ms,
            },
            Command::Ship { shipment, now_ms },
            Command::RestockReturn {
                order,
                line: 0,
                units: 1,
                disposition: Disposition::Restock,
                now_ms,
            },
        ]);
    }
    calls.extend([
        Command::Receive {
            sku: A,
            warehouse: MAN,
            units: 6,
            now_ms: 4 * HOUR_MS,
        },
        Command::Adjust {
            sku: B,
            warehouse: MAN,
            delta_units: -1,
            reason: AdjustReason::Shrinkage,
            now_ms: 4 * HOUR_MS,
        },
        Command::SetReorderPoint {
            sku: C,
            warehouse: PAR,
            units: 2,
        },
        Command::Release {
            order: OrderId(5),
            reason: ReleaseReason::Cancelled,
            now_ms: 5 * HOUR_MS,
        },
        Command::ExpireHolds { now_ms: DAY_MS },
        Command::ArchiveFinished {
            placed_before_ms: DAY_MS,
        },
    ]);
    calls.extend(keyed_movements());
    calls
}

/// Stock movements under idempotency keys after the archive (so that a state keeps them): a
/// receipt and its repeat, the same key with other units (refused), and a keyed adjustment.
fn keyed_movements() -> Vec<journal::Command> {
    use fixture::*;
    use journal::Command;
    let receive = |units| Command::Receive {
        sku: C,
        warehouse: PAR,
        units,
        now_ms: DAY_MS + HOUR_MS,
    };
    let adjust = Command::Adjust {
        sku: A,
        warehouse: LON,
        delta_units: 2,
        reason: AdjustReason::CycleCount,
        now_ms: DAY_MS + HOUR_MS,
    };
    vec![
        keyed("po-1", receive(4)),
        keyed("po-1", receive(4)),
        keyed("po-1", receive(5)),
        keyed("count-1", adjust),
    ]
}
