//! `qm serve` over real HTTP: the order lifecycle, refusals that say what is wrong, concurrent
//! clients that never oversell, holds that expire, every acknowledged write surviving a SIGKILL,
//! and a snapshot that does not fit passed over at start.

mod common;

use common::server::{assert_refusals, openapi, skus, Server};
use common::temp_dir;
use serde_json::{json, Value};
use std::path::Path;

#[test]
fn an_order_is_held_confirmed_and_shipped_and_bad_requests_say_what_is_wrong() {
    let dir = temp_dir("serve-lifecycle");
    let server = Server::start(&dir.join("engine"));
    let sku = &skus()[0];
    let (reserved_before, free_before) = server.stock(sku);
    let (status, held) = server.reserve(1, sku, 2, 900);
    assert_eq!(status, 201, "{held}");
    assert_eq!(held["status"], "held");
    assert_eq!(held["picks"][0]["units"], 2);
    assert_eq!(held["picks"][0]["sku"], sku.as_str());
    assert_eq!(server.stock(sku), (reserved_before + 2, free_before - 2));

    let (status, confirmed) = server.call("POST", "/v1/orders/1/confirm", "");
    assert_eq!(status, 200, "{confirmed}");
    let shipment = confirmed["shipments"][0]["shipment"].as_u64().unwrap();
    assert!(confirmed["shipments"][0]["cost_cents"].as_i64().unwrap() > 0);
    let path = format!("/v1/orders/1/shipments/{shipment}/ship");
    let (status, shipped) = server.call("POST", &path, "");
    assert_eq!(status, 200, "{shipped}");
    assert_eq!(shipped["order_complete"], true);
    assert_eq!(server.stock(sku), (reserved_before, free_before - 2));

    let (status, _) = server.reserve(2, sku, 3, 900);
    assert_eq!(status, 201);
    let (status, released) = server.call("POST", "/v1/orders/2/release", "");
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["units_returned"], 3);
    assert_eq!(server.stock(sku), (reserved_before, free_before - 2));

    let refusals = [
        (server.reserve(1, sku, 1, 900), 409, "already exists"),
        (
            server.reserve(3, "NO-SUCH-SKU", 1, 900),
            400,
            "lines[0]: unknown sku `NO-SUCH-SKU`",
        ),
        (
            server.reserve(3, sku, 0, 900),
            400,
            "lines[0]: quantity 0 must be between 1 and 1000000",
        ),
        (
            server.reserve(3, sku, 1 << 40, 900),
            400,
            "lines[0]: quantity 1099511627776 must be between 1 and 1000000",
        ),
        (
            server.call("POST", "/v1/orders/99/confirm", ""),
            404,
            "was never held",
        ),
        (
            server.call("POST", "/v1/orders/1/release", ""),
            409,
            "release needs it held",
        ),
        (
            server.call(
                "POST",
                "/v1/orders",
                "{\"order\": 4,\n \"chanel\": \"web\"}",
            ),
            400,
            "unknown field `chanel`",
        ),
        (
            server.call("POST", "/v1/orders", "{\"order\": 4,"),
            400,
            "line 1 column 12",
        ),
        (
            server.call("GET", "/v1/stock/NO-SUCH-SKU", ""),
            404,
            "unknown sku",
        ),
    ];
    assert_refusals(&refusals);
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A value of the wrong type or range for its field is refused naming the field's path, the line
/// and the column; characters after the JSON value are refused too.
#[test]
fn a_body_refusal_names_the_field() {
    let dir = temp_dir("serve-body-fields");
    let server = Server::start(&dir.join("engine"));
    let sku = &skus()[0];
    let refusals = [
        (
            server.call(
                "POST",
                "/v1/orders",
                &format!("{{\"order\": 4, \"lines\": [{{\"sku\": \"{sku}\", \"quantity\": -2}}]}}"),
            ),
            400,
            "lines[0].quantity: invalid value: integer `-2`, expected u64 at line 1 column",
        ),
        (
            server.call(
                "POST",
                "/v1/adjustments",
                &format!("{{\"sku\": \"{sku}\", \"warehouse\": \"X\", \"delta_units\": 1.5}}"),
            ),
            400,
            "delta_units: invalid type: floating point `1.5`, expected i32 at line 1 column",
        ),
        (
            server.call(
                "POST",
                "/v1/receipts",
                "{\"sku\": \"A\", \"warehouse\": \"B\", \"units\": 1} {}",
            ),
            400,
            "trailing characters at line 1 column 44",
        ),
    ];
    assert_refusals(&refusals);
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn short_picks_returns_and_adjustments_move_the_units_they_name_and_an_order_reads_back() {
    let dir = temp_dir("serve-stock-moves");
    let engine = dir.join("engine");
    let server = Server::start(&engine);
    let sku = &skus()[2];
    let (status, held) = server.reserve(1, sku, 3, 900);
    assert_eq!(status, 201, "{held}");
    assert_eq!(held["picks"].as_array().unwrap().len(), 1, "{held}");
    let (status, order) = server.call("GET", "/v1/orders/1", "");
    assert_eq!(status, 200, "{order}");
    assert_eq!(
        (order["status"].as_str(), order["units_open"].as_u64()),
        (Some("held"), Some(3))
    );
    let placed_at_ms = order["placed_at_ms"].as_u64().unwrap();
    assert_eq!(
        order["expires_at_ms"].as_u64(),
        Some(placed_at_ms + 900_000)
    );

    // Confirmed: the shipment says what to pick.
    let (_, confirmed) = server.call("POST", "/v1/orders/1/confirm", "");
    let shipment = &confirmed["shipments"][0];
    assert_eq!(shipment["status"], "pending", "{confirmed}");
    assert_eq!(
        shipment["lines"],
        json!([{ "line": 0, "sku": sku, "units": 3 }])
    );
    let warehouse = shipment["warehouse"].as_str().unwrap().to_string();
    let (on_hand, allocated, free) = server.cell(sku, &warehouse);

    // The picker finds one unit missing; two ship; the customer sends one back to the shelf.
    let short = r#"{"line": 0, "missing_units": 1}"#;
    let (status, body) = server.call("POST", "/v1/orders/1/shipments/0/short-pick", short);
    assert_eq!((status, &body["units_short"]), (200, &json!(1)), "{body}");
    let (status, body) = server.call("POST", "/v1/orders/1/shipments/0/ship", "");
    assert_eq!((status, &body["units"]), (200, &json!(2)), "{body}");
    let back = r#"{"line": 0, "units": 1, "disposition": "restock"}"#;
    let (status, body) = server.call("POST", "/v1/orders/1/returns", back);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["by_warehouse"],
        json!([{ "warehouse": warehouse, "units": 1 }])
    );
    assert_eq!(
        server.cell(sku, &warehouse),
        (on_hand - 2, allocated - 3, free + 1)
    );
    let (_, order) = server.call("GET", "/v1/orders/1", "");
    let units = |key: &str| order[key].as_u64().unwrap();
    assert_eq!(order["status"], "confirmed");
    assert_eq!(order["expires_at_ms"], Value::Null);
    assert_eq!(
        [
            "units_open",
            "units_shipped",
            "units_short",
            "units_returned"
        ]
        .map(units),
        [0, 2, 1, 1]
    );
    assert_eq!(order["shipments"][0]["status"], "shipped");
    assert_eq!(order["shipments"][0]["lines"], Value::Null);

    adjustments_and_refusals(&server, sku, &warehouse, on_hand - 2, free + 1);
    // Every answered move is in the journal: a SIGKILL and a restart show the same order and stock.
    let (order, cell) = (
        server.call("GET", "/v1/orders/1", ""),
        server.cell(sku, &warehouse),
    );
    server.kill();
    let server = Server::start(&engine);
    assert_eq!(server.call("GET", "/v1/orders/1", ""), order);
    assert_eq!(server.cell(sku, &warehouse), cell);
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// After order 1 shipped 2 units of `sku` from `warehouse` and got 1 back: a cycle count, a
/// retried reserve, and the refusals of moves the stock or the order cannot make.
fn adjustments_and_refusals(server: &Server, sku: &str, warehouse: &str, on_hand: u64, free: u64) {
    let short = r#"{"line": 0, "missing_units": 1}"#;
    let back = r#"{"line": 0, "units": 2, "disposition": "restock"}"#;
    // A cycle count finds one unit fewer.
    let adjust = |delta: i64, reason: &str| {
        let body =
            json!({ "sku": sku, "warehouse": warehouse, "delta_units": delta, "reason": reason });
        server.call("POST", "/v1/adjustments", &body.to_string())
    };
    let (status, body) = adjust(-1, "cycle_count");
    assert_eq!(
        (status, &body["on_hand_units"]),
        (200, &json!(on_hand - 1)),
        "{body}"
    );

    // A retried reserve learns what became of its order.
    let (status, body) = server.reserve(1, sku, 3, 900);
    assert_eq!(
        (status, &body["existing"]["status"]),
        (409, &json!("confirmed")),
        "{body}"
    );
    let refusals = [
        // The count left `free - 1` units free.
        (adjust(-(free as i64), "shrinkage"), 409, "are free"),
        (adjust(0, "damaged"), 400, "quantity 0"),
        (adjust(1, "lost"), 400, "unknown variant `lost`"),
        (
            server.call("POST", "/v1/orders/1/returns", &back.replace("1,", "2,")),
            400,
            "quantity 2 must be between 1 and 1, the units shipped and not yet returned",
        ),
        (
            server.call("POST", "/v1/orders/1/shipments/0/short-pick", short),
            409,
            "not waiting to ship",
        ),
        (
            server.call("GET", "/v1/orders/99", ""),
            404,
            "was never held",
        ),
    ];
    assert_refusals(&refusals);
}

#[test]
fn finished_orders_past_the_kept_days_are_archived_and_their_ids_free_again() {
    let dir = temp_dir("serve-archive");
    let engine = dir.join("engine");
    let keep_none = ["--keep-finished-days", "0"];
    let server = Server::start_with(&engine, &keep_none);
    let sku = &skus()[3];
    assert_eq!(server.reserve(5, sku, 1, 900).0, 201);
    assert_eq!(server.reserve(6, sku, 1, 900).0, 201);
    assert_eq!(server.call("POST", "/v1/orders/5/release", "").0, 200);
    let (_, stock) = server.call("GET", &format!("/v1/stock/{sku}"), "");
    let receipt =
        json!({ "sku": sku, "warehouse": stock["warehouses"][0]["warehouse"], "units": 1 });
    assert_eq!(receive_on(&server, &receipt, "po-9").0, 200);
    // Archiving runs at start: a restart forgets the released order, never the held one, and
    // forgets the idempotency keys with the finished orders.
    server.kill();
    let server = Server::start_with(&engine, &keep_none);
    let mut waited_ms = 0;
    while server.call("GET", "/v1/orders/5", "").0 != 404 {
        assert!(waited_ms < 10_000, "order 5 was not archived");
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited_ms += 50;
    }
    let (status, held) = server.call("GET", "/v1/orders/6", "");
    assert_eq!((status, &held["status"]), (200, &json!("held")), "{held}");
    let (status, again) = server.reserve(5, sku, 2, 900);
    assert_eq!(status, 201, "an archived order's id is free again: {again}");
    let (status, _, replayed) = receive_on(&server, &receipt, "po-9");
    assert_eq!(
        (status, replayed),
        (200, false),
        "a forgotten key's receipt applies again"
    );
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_keyed_receipt_or_count_moves_stock_once_across_retries_and_a_sigkill() {
    let dir = temp_dir("serve-keys");
    let engine = dir.join("engine");
    let server = Server::start(&engine);
    let sku = &skus()[4];
    let (_, stock) = server.call("GET", &format!("/v1/stock/{sku}"), "");
    let warehouse = stock["warehouses"][0]["warehouse"]
        .as_str()
        .unwrap()
        .to_string();
    let on_hand = server.cell(sku, &warehouse).0;
    let receipt = |units: u32| json!({ "sku": sku, "warehouse": warehouse, "units": units });
    let receive =
        |key: &str, units| server.call_keyed("/v1/receipts", key, &receipt(units).to_string());
    // The first receipt under a key moves its units; a retry moves none and answers the same.
    let first = receive("po-1", 5);
    assert_eq!((first.0, first.2), (200, false), "{}", first.1);
    assert_eq!(receive("po-1", 5), (200, first.1.clone(), true));
    assert_eq!(server.cell(sku, &warehouse).0, on_hand + 5);
    let count =
        json!({ "sku": sku, "warehouse": warehouse, "delta_units": -1, "reason": "cycle_count" });
    let counted = server.call_keyed("/v1/adjustments", "count-1", &count.to_string());
    assert_eq!(
        counted.1["on_hand_units"],
        json!(on_hand + 4),
        "{}",
        counted.1
    );
    let again = server.call_keyed("/v1/adjustments", "count-1", &count.to_string());
    assert_eq!(again, (200, counted.1.clone(), true));
    assert_refusals(&[
        (
            strip(receive("po-1", 6)),
            422,
            "`po-1` was used for another request",
        ),
        (strip(receive("", 5)), 400, "cannot be empty"),
        (
            strip(receive(&"k".repeat(256), 5)),
            400,
            "at most 255 bytes",
        ),
    ]);
    assert_eq!(server.cell(sku, &warehouse).0, on_hand + 4);
    // The keys are in the journal: after a SIGKILL the retries still move nothing.
    server.kill();
    let server = Server::start(&engine);
    assert_eq!(
        receive_on(&server, &receipt(5), "po-1"),
        (200, first.1.clone(), true)
    );
    assert_eq!(server.cell(sku, &warehouse).0, on_hand + 4);
    let (_, text) = server.call("GET", "/v1/metrics", "");
    assert_eq!(sample(text.as_str().unwrap(), "qm_idempotency_keys"), 2.0);
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn strip((status, body, _): (u16, Value, bool)) -> (u16, Value) {
    (status, body)
}

fn receive_on(server: &Server, receipt: &Value, key: &str) -> (u16, Value, bool) {
    server.call_keyed("/v1/receipts", key, &receipt.to_string())
}

#[test]
fn every_call_of_the_openapi_document_has_a_route_and_every_refusal_is_json() {
    let dir = temp_dir("serve-openapi");
    let server = Server::start(&dir.join("engine"));
    // Each operation of the document, on an order that does not exist and an empty body: a
    // route answers, with a status the document lists (`call` checks the shape).
    for (template, operations) in openapi()["paths"].as_object().unwrap() {
        let path = template
            .replace("{order}", "424242")
            .replace("{shipment}", "0")
            .replace("{sku}", "NO-SUCH-SKU");
        for method in operations.as_object().unwrap().keys() {
            let (status, body) = server.call(&method.to_uppercase(), &path, "{}");
            let no_route = status == 404 && body["error"].as_str().unwrap().starts_with("no route");
            assert!(status != 405 && !no_route, "{method} {path}: {body}");
        }
    }
    let huge = format!("{{\"order\": 1, \"pad\": \"{}\"}}", "x".repeat(300 * 1024));
    assert_refusals(&[
        (
            server.call("POST", "/v1/orders/abc/confirm", ""),
            400,
            "Cannot parse `abc`",
        ),
        (
            server.call("POST", "/v1/orders", &huge),
            413,
            "the body is over 262144 bytes (256 KiB), the most a request may send",
        ),
        (
            server.call("GET", "/v1/nothing", ""),
            404,
            "no route GET /v1/nothing",
        ),
        (
            server.call("DELETE", "/v1/orders", ""),
            405,
            "/v1/orders does not take DELETE",
        ),
    ]);
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The value of the OpenMetrics sample `name{labels}` in `text`.
fn sample(text: &str, series: &str) -> f64 {
    (text.lines())
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .parse()
        .unwrap()
}

#[test]
fn metrics_count_the_requests_the_orders_and_the_journal() {
    let dir = temp_dir("serve-metrics");
    let server = Server::start(&dir.join("engine"));
    let sku = &skus()[4];
    assert_eq!(server.reserve(1, sku, 1, 900).0, 201);
    assert_eq!(server.reserve(2, sku, 1, 900).0, 201);
    assert_eq!(server.call("POST", "/v1/orders/1/confirm", "").0, 200);
    assert_eq!(server.call("GET", "/v1/orders/3", "").0, 404);
    let (status, text) = server.call("GET", "/v1/metrics", "");
    assert_eq!(status, 200);
    let text = text.as_str().unwrap();
    let requests = |method: &str, route: &str, status: u16| {
        let series = format!(
            "qm_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}}"
        );
        sample(text, &series)
    };
    assert_eq!(requests("POST", "/v1/orders", 201), 2.0);
    assert_eq!(requests("POST", "/v1/orders/{order}/confirm", 200), 1.0);
    assert_eq!(requests("GET", "/v1/orders/{order}", 404), 1.0);
    let timed = "qm_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/orders\"}";
    assert_eq!(sample(text, timed), 2.0);
    assert_eq!(sample(text, "qm_orders"), 2.0);
    assert_eq!(sample(text, "qm_idempotency_keys"), 0.0);
    // Three writes, each answered after its own batch (and the sweeper's batches besides).
    assert!(sample(text, "qm_journal_batches_total") >= 3.0, "{text}");
    assert!(text.ends_with("# EOF\n"), "{text}");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn concurrent_clients_never_oversell_and_every_acknowledged_hold_survives_a_sigkill() {
    let dir = temp_dir("serve-concurrent");
    let engine = dir.join("engine");
    let server = Server::start(&engine);
    let sku = skus()[0].clone();
    let (reserved_before, free_before) = server.stock(&sku);
    // More asked than there is: 8 clients × 40 orders of `quantity` units, 1.6 times the stock.
    let quantity = free_before.div_ceil(200);
    assert!(8 * 40 * quantity > free_before, "{free_before} free");
    let (held, rejected): (u64, u64) = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..8u64)
            .map(|client| {
                let (server, sku) = (&server, &sku);
                scope.spawn(move || {
                    let (mut held, mut rejected) = (0, 0);
                    for k in 0..40u64 {
                        match server.reserve(1_000 + client * 100 + k, sku, quantity, 900) {
                            (201, body) => {
                                let picks = body["picks"].as_array().unwrap();
                                held += picks
                                    .iter()
                                    .map(|p| p["units"].as_u64().unwrap())
                                    .sum::<u64>();
                            }
                            (409, body) => {
                                assert_eq!(body["reason"], "insufficient_stock", "{body}");
                                rejected += 1;
                            }
                            (status, body) => panic!("{status}: {body}"),
                        }
                    }
                    (held, rejected)
                })
            })
            .collect();
        let answers: Vec<(u64, u64)> = clients.into_iter().map(|c| c.join().unwrap()).collect();
        (
            answers.iter().map(|a| a.0).sum(),
            answers.iter().map(|a| a.1).sum(),
        )
    });
    assert!(rejected > 0, "the stock ran out: some orders were refused");
    assert!(held <= free_before, "held {held} of {free_before} free");
    let (reserved, free) = server.stock(&sku);
    assert_eq!(reserved, reserved_before + held);
    assert_eq!(free, free_before - held);
    // Every hold was acknowledged after its fsync: a SIGKILL loses none of them.
    server.kill();
    let server = Server::start(&engine);
    assert_eq!(server.stock(&sku), (reserved, free));
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_hold_nobody_confirms_expires_and_gives_its_units_back() {
    let dir = temp_dir("serve-expiry");
    let server = Server::start(&dir.join("engine"));
    let sku = &skus()[1];
    let before = server.stock(sku);
    let (status, body) = server.reserve(7, sku, 4, 1);
    assert_eq!(status, 201, "{body}");
    assert_eq!(server.stock(sku).0, before.0 + 4);
    // The sweeper runs every second; the hold lasts one.
    let mut waited_ms = 0;
    while server.stock(sku) != before {
        assert!(waited_ms < 10_000, "the hold did not expire");
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited_ms += 100;
    }
    let (status, body) = server.call("POST", "/v1/orders/7/confirm", "");
    assert_eq!(status, 409, "{body}");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Recovery takes a fresh opening engine for every snapshot it tries. A folder holding another
/// scenario's snapshot (it decodes, but does not fit) is served from its whole journal, exactly
/// as the same folder without that snapshot: the engine the refused snapshot was tried on is not
/// the one served. At start the holds past their TTL expire before finished orders are
/// archived, so they are archived at once, not an hour later.
#[test]
fn a_snapshot_that_does_not_fit_is_passed_over_and_the_whole_journal_served() {
    let dir = temp_dir("serve-foreign-snapshot");
    let (plain, other) = (dir.join("plain"), dir.join("other"));
    common::drive(&plain, "baseline.toml", 300, 0);
    common::drive(&other, "black-friday.toml", 200, 100);
    let damaged = dir.join("damaged");
    std::fs::create_dir(&damaged).unwrap();
    for folder in [&plain, &other] {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            // The plain folder's every file, the other's snapshot only.
            if folder == &plain || name.ends_with(".qms") {
                std::fs::copy(&path, damaged.join(&name)).unwrap();
            }
        }
    }
    let recovered = common::qm(&["engine", "recover", damaged.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&recovered.stdout);
    assert!(
        said.contains("300 records replayed") && said.contains("does not fit this engine"),
        "{said}"
    );
    // The stock of the first SKUs once the sweeper's first expiry (at start, racing the first
    // requests) has released the drive's holds, all long past their TTL on the wall clock.
    let served = |folder: &Path| {
        let mut serve = std::process::Command::new(env!("CARGO_BIN_EXE_qm"));
        serve.args(["serve", folder.to_str().unwrap(), "--listen", "127.0.0.1:0"]);
        serve.args(["--open-orders", "1000"]);
        let server = Server::spawn(serve);
        let reserved = |stock: &Value| -> u64 {
            let warehouses = stock["warehouses"].as_array().unwrap();
            warehouses
                .iter()
                .map(|w| w["reserved_units"].as_u64().unwrap())
                .sum()
        };
        for _ in 0..200 {
            let stock: Vec<Value> = (1..=50)
                .map(|i| server.call("GET", &format!("/v1/stock/SKU{i:05}"), "").1)
                .collect();
            if stock.iter().all(|s| reserved(s) == 0) {
                return (orders_held_once_archived(&server), stock);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the holds of {} were never released", folder.display());
    };
    let (orders, stock) = served(&damaged);
    let allocated: u64 = (stock.iter())
        .flat_map(|s| s["warehouses"].as_array().unwrap())
        .map(|w| w["allocated_units"].as_u64().unwrap())
        .sum();
    assert!(allocated > 0, "the drive confirmed orders of these SKUs");
    assert_eq!((orders.clone(), stock), served(&plain));
    // The first start archived the holds its expiry ended: a second finds none left.
    assert_eq!(orders, served(&plain).0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The orders the engine holds once the sweeper's archive at start, which follows its first
/// expiry, has been applied: the count stays the same over two reads apart.
fn orders_held_once_archived(server: &Server) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        let orders = server.call("GET", "/v1/health", "").1["orders"].clone();
        if orders == last {
            return orders;
        }
        last = orders;
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the order count never settled: {last}");
}

/// A SIGTERM stops the server gracefully from the moment it says where it listens: the signals
/// are listened for before that line, not once a task of the server first runs.
#[test]
fn a_sigterm_right_after_the_start_stops_the_server_gracefully() {
    let dir = temp_dir("serve-early-sigterm");
    for start in 0..20 {
        let server = Server::start(&dir.join("engine"));
        let status = server.stop();
        assert!(status.success(), "start {start}: qm serve ended {status}");
    }
}

/// A connection that sends half a request and waits is closed once it has moved no byte for
/// `--idle-seconds`, and does not hold a stop: the server still ends gracefully on SIGTERM.
#[test]
fn a_half_sent_request_is_closed_when_idle_and_does_not_hold_a_stop() {
    use std::io::{Read, Write};
    let dir = temp_dir("serve-idle");
    let server = Server::start_with(&dir.join("engine"), &["--idle-seconds", "1"]);
    let half = |server: &Server| {
        let mut stream = std::net::TcpStream::connect(&server.address).unwrap();
        stream
            .write_all(b"GET /v1/health HTTP/1.1\r\nHost: qm\r\n")
            .unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(15)))
            .unwrap();
        stream
    };
    // The server closes the silent connection: the read ends (no answer), it does not time out.
    let mut rest = Vec::new();
    half(&server).read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    // A kept-alive connection left silent after its answer is closed too.
    let mut kept = std::net::TcpStream::connect(&server.address).unwrap();
    kept.write_all(b"GET /v1/health HTTP/1.1\r\nHost: qm\r\n\r\n")
        .unwrap();
    kept.set_read_timeout(Some(std::time::Duration::from_secs(15)))
        .unwrap();
    let mut answered = String::new();
    kept.read_to_string(&mut answered).unwrap();
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    let _open = half(&server);
    assert_eq!(server.call("GET", "/v1/health", "").0, 200);
    let status = server.stop();
    assert!(
        status.success(),
        "qm serve ended {status} with a half-sent request open"
    );
}

/// A stop waits at most `--idle-seconds` for the requests under way: a client that sends its body
/// a byte at a time is never idle, and would otherwise hold the stop as long as it went on.
#[test]
fn a_trickling_body_does_not_hold_a_stop_past_the_idle_limit() {
    use std::io::Write;
    let dir = temp_dir("serve-trickle");
    let server = Server::start_with(&dir.join("engine"), &["--idle-seconds", "1"]);
    let body = format!("{{\"note\": \"{}\"}}", "x".repeat(200));
    let mut stream = std::net::TcpStream::connect(&server.address).unwrap();
    let head = format!(
        "POST /v1/receipts HTTP/1.1\r\nHost: qm\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // A byte every 200 ms: the body would take 40 s; the writes stop once the server closes.
    let trickle = std::thread::spawn(move || {
        for byte in body.as_bytes() {
            if stream.write_all(std::slice::from_ref(byte)).is_err() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    let status = server.stop();
    assert!(
        status.success(),
        "qm serve ended {status} with a body trickling in"
    );
    trickle.join().unwrap();
    // The journal was closed as on any graceful stop: nothing torn at its end.
    let engine = dir.join("engine");
    let recovered = common::ok(&common::qm(&[
        "engine",
        "recover",
        engine.to_str().unwrap(),
    ]));
    assert!(recovered.contains("torn tail          none"), "{recovered}");
}

/// `--open-orders` whose room the machine cannot hold is refused before the folder is made:
/// `18446744073709551615` stopped on a capacity overflow (a panic), and `1000000000000` was
/// handed out as address space and the start hung touching its pages.
#[test]
fn open_orders_past_the_machines_memory_are_refused_before_anything_is_made() {
    let dir = temp_dir("serve-open-orders");
    let folder = dir.join("engine");
    let scenario = common::scenario("baseline.toml");
    for open_orders in ["18446744073709551615", "1000000000000"] {
        let out = common::qm(&[
            "serve",
            folder.to_str().unwrap(),
            "--scenario",
            scenario.to_str().unwrap(),
            "--open-orders",
            open_orders,
            "--listen",
            "127.0.0.1:0",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let says = format!("error: --open-orders: room for {open_orders} open orders takes ");
        assert!(stderr.starts_with(&says), "{stderr}");
        assert!(stderr.contains("GB, more than this machine's "), "{stderr}");
        assert!(!folder.exists());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
