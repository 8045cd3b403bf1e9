//! `qm size` end to end through the binary: the recommendation meets the targets, no warehouse
//! can go one step lower alone, the ±10 % table is there, and the same seed gives the same files.

mod common;
use common::{ok, qm, small_sizing_scenario as small_scenario};

use std::path::Path;

/// A CSV file as a header and rows of cells (no quoted commas in the columns read here).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let split = |l: &str| l.split(',').map(str::to_string).collect::<Vec<_>>();
    let header = split(lines.next().unwrap());
    (header, lines.map(split).collect())
}

fn size(scenario: &Path, out: &Path) -> String {
    ok(&qm(&[
        "size",
        scenario.to_str().unwrap(),
        "--target-fulfillment",
        "0.98",
        "--target-processing-hours",
        "48",
        "--target-fill-rate",
        "0.95",
        "--replications",
        "2",
        // Nov 9 + 30 days takes in Black Friday and Cyber Monday.
        "--days",
        "30",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]))
}

#[test]
fn size_finds_the_edge_per_warehouse_and_shows_it() {
    let root = common::test_root().join("size");
    let _ = std::fs::remove_dir_all(&root);
    let scenario = small_scenario(&root);
    // Two searches of the same scenario and seed, side by side: they must agree to the byte.
    let (a, b) = (root.join("a"), root.join("b"));
    std::thread::scope(|s| {
        let first = s.spawn(|| size(&scenario, &a));
        size(&scenario, &b);
        first.join().unwrap();
    });
    let dir = a.join("warehouse-sizing/size");
    for file in [
        "recommendation.csv",
        "search.csv",
        "sensitivity.csv",
        "recommended-warehouses.toml",
    ] {
        assert_eq!(
            std::fs::read(dir.join(file)).unwrap(),
            std::fs::read(b.join("warehouse-sizing/size").join(file)).unwrap(),
            "{file} differs between two runs with the same seed"
        );
    }

    let (codes, capacity, stock) = check_recommendation(&dir);
    check_search(&dir, &codes, &capacity, &stock);
    check_sensitivity(&dir, &capacity);
    let snippet = std::fs::read_to_string(dir.join("recommended-warehouses.toml")).unwrap();
    assert!(snippet.contains(&format!("capacity_lines_per_day = {}\n", capacity[2])));
    assert!(dir.join("recommended/report.html").exists());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn size_refuses_bad_targets_and_says_when_they_are_out_of_reach() {
    let root = common::test_root().join("size-bad");
    let _ = std::fs::remove_dir_all(&root);
    let scenario = small_scenario(&root);
    let bad = qm(&[
        "size",
        scenario.to_str().unwrap(),
        "--target-fulfillment",
        "1.5",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("--target-fulfillment: 1.5 is not a share in (0, 1] (0.98 = 98 %)"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    // A replication count out of range is refused before the search is announced.
    let none = qm(&["size", scenario.to_str().unwrap(), "--replications", "0"]);
    assert_eq!(none.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&none.stderr),
        "error: --replications: must be between 1 and 100, got 0\n"
    );
    assert_eq!(String::from_utf8_lossy(&none.stdout), "");
    // No stock or capacity ships within an hour: an order waits for its warehouse's cutoff.
    let unreachable = qm(&[
        "size",
        scenario.to_str().unwrap(),
        "--target-processing-hours",
        "1",
        "--days",
        "10",
        "--replications",
        "1",
        "--out",
        root.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(unreachable.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&unreachable.stderr);
    assert!(
        stderr.contains("the targets are out of reach: with unlimited capacity and 16× the scenario's stock, processing p95"),
        "{stderr}"
    );
    // A run without orders has no fulfillment to size for: it is not read as 0 %, which would
    // send the search to "out of reach".
    let lull = root.join("lull.toml");
    let text = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(
        &lull,
        text.replace("orders_per_day = 300", "orders_per_day = 0.001"),
    )
    .unwrap();
    let idle = qm(&[
        "size",
        lull.to_str().unwrap(),
        "--days",
        "3",
        "--replications",
        "1",
        "--out",
        root.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(idle.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&idle.stderr);
    assert!(
        stderr.contains("the run had no orders to ship in its 3 day(s), so no fulfillment"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

/// The recommendation's rows: capacity binds, stock is a share, storage use is on hand ÷ room.
/// Returns the warehouses' codes, recommended capacities and stock multipliers.
fn check_recommendation(dir: &Path) -> (Vec<String>, Vec<u32>, Vec<f64>) {
    let (header, recommendation) = csv(&dir.join("recommendation.csv"));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let codes: Vec<String> = recommendation.iter().map(|r| r[0].clone()).collect();
    assert_eq!(codes, ["HAM", "DUS", "MUC"]);
    let capacity: Vec<u32> = recommendation
        .iter()
        .map(|r| {
            r[column("recommended_capacity_lines_per_day")]
                .parse()
                .unwrap()
        })
        .collect();
    let stock: Vec<f64> = recommendation
        .iter()
        .map(|r| r[column("recommended_stock_multiplier")].parse().unwrap())
        .collect();
    for (w, row) in recommendation.iter().enumerate() {
        // Capacity binds somewhere: the busiest day ships at most the capacity (a cutoff's
        // first shipment may pass it alone, by at most one order's lines).
        let peak: u32 = row[column("peak_day_lines_shipped")].parse().unwrap();
        assert!(peak <= capacity[w] + 5, "{row:?}");
        assert!(stock[w] > 0.0 && stock[w] <= 1.0, "{row:?}");
        let on_hand: f64 = row[column("peak_on_hand_units")].parse().unwrap();
        let storage: f64 = row[column("storage_capacity_units")].parse().unwrap();
        let share: f64 = row[column("storage_use_share")].parse().unwrap();
        assert!((share - on_hand / storage).abs() < 1e-9, "{row:?}");
    }
    (codes, capacity, stock)
}

/// The search ran the recommendation (it met every target) and, for each warehouse, a step
/// lower in capacity and in stock (both missed).
fn check_search(dir: &Path, codes: &[String], capacity: &[u32], stock: &[f64]) {
    let (header, search) = csv(&dir.join("search.csv"));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let meets = |r: &Vec<String>| r[column("meets_targets")] == "true";
    let capacity_of = |r: &Vec<String>, w: usize| -> Option<u32> {
        r[column(&format!("{}_capacity_lines_per_day", codes[w]))]
            .parse()
            .ok()
    };
    let stock_of = |r: &Vec<String>, w: usize| -> f64 {
        r[column(&format!("{}_stock_multiplier", codes[w]))]
            .parse()
            .unwrap()
    };
    // The recommendation was run and met every target in both replications.
    assert!(search.iter().any(|r| meets(r)
        && (0..3).all(|w| capacity_of(r, w) == Some(capacity[w]) && stock_of(r, w) == stock[w])));
    for w in 0..3 {
        // No warehouse can go lower alone: the search ran it lower, with every other warehouse
        // at least at its recommendation, and the targets were missed.
        let lower_capacity_missed = search.iter().any(|r| {
            !meets(r)
                && capacity_of(r, w).is_some_and(|c| c < capacity[w])
                && (0..3).all(|o| o == w || capacity_of(r, o).is_some_and(|c| c >= capacity[o]))
                && (0..3).all(|o| stock_of(r, o) == stock[o])
        });
        assert!(
            lower_capacity_missed,
            "{}: capacity {}",
            codes[w], capacity[w]
        );
        let lower_stock_missed = search.iter().any(|r| {
            !meets(r)
                && capacity_of(r, w).is_none()
                && (stock[w] - stock_of(r, w) - 0.05).abs() < 1e-9
                && (0..3).all(|o| o == w || stock_of(r, o) >= stock[o])
        });
        assert!(lower_stock_missed, "{}: stock {}", codes[w], stock[w]);
    }
}

/// The sensitivity rows: ±10 % of capacity, stock and both around the recommendation.
fn check_sensitivity(dir: &Path, capacity: &[u32]) {
    let (header, sensitivity) = csv(&dir.join("sensitivity.csv"));
    let points: Vec<&str> = sensitivity.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        points,
        [
            "recommended",
            "capacity −10 %",
            "capacity +10 %",
            "stock −10 %",
            "stock +10 %",
            "both −10 %",
            "both +10 %"
        ]
    );
    let meets_column = header.iter().position(|h| h == "meets_targets").unwrap();
    assert_eq!(sensitivity[0][meets_column], "true");
    // 10 % less of both is below the edge found one warehouse at a time.
    assert_eq!(sensitivity[5][meets_column], "false");
    let cap = |row: usize| -> u32 { sensitivity[row][1].parse().unwrap() };
    assert_eq!(cap(1), (capacity[0] as f64 * 0.9).ceil() as u32);
    assert_eq!(cap(2), (capacity[0] as f64 * 1.1).ceil() as u32);
}
