//! The HTTP routes of `qm serve`: each write becomes one journal command, submitted to the
//! durable engine and answered once it is on disk; reads look at the engine directly.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use qm_engine::idempotency::{IdempotencyKey, KeyError};
use qm_engine::journal::{Applied, Command};
use qm_engine::{
    BackorderFill, OrderError, OrderId, OrderStatus, ReleaseReason, ReserveError, ReserveOutcome,
    ShipmentId, ShipmentInfo, ShipmentState, SkuId, StockError, WarehouseId,
};
use serde_json::{json, Value};

use super::api::*;
use super::edge::{no_route, refused, wrong_method, Answer, Body, PathOf, MAX_BODY_BYTES};
use super::metrics::Metrics;
use crate::durable::Durable;

/// What every request shares.
pub struct App {
    /// The durable engine: writes go through its journal.
    pub durable: Durable,
    /// Codes ↔ ids.
    pub codes: Codes,
    /// The engine's clock: ms since the scenario's first midnight (UTC), never going back.
    pub clock: Clock,
    /// What requests did, for `GET /v1/metrics`.
    pub metrics: Metrics,
}

/// Milliseconds since an epoch, from the wall clock, never less than a time already given out
/// (a wall clock stepped back does not send the engine back in time).
pub struct Clock {
    epoch_unix_ms: u64,
    last_ms: AtomicU64,
}

impl Clock {
    /// A clock counting from `epoch_unix_ms`, starting no earlier than `at_least_ms`.
    pub fn new(epoch_unix_ms: u64, at_least_ms: u64) -> Clock {
        Clock {
            epoch_unix_ms,
            last_ms: AtomicU64::new(at_least_ms),
        }
    }

    /// Now.
    #[allow(
        clippy::disallowed_methods,
        reason = "the service's clock is the wall clock"
    )]
    pub fn now_ms(&self) -> u64 {
        let unix_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let now = unix_ms.saturating_sub(self.epoch_unix_ms);
        self.last_ms.fetch_max(now, Ordering::Relaxed).max(now)
    }
}

pub(super) type Shared = Arc<App>;

/// Every route.
pub fn router(app: Shared) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/orders", post(reserve))
        .route("/v1/orders/{order}", get(order))
        .route("/v1/orders/{order}/confirm", post(confirm))
        .route("/v1/orders/{order}/release", post(release))
        .route("/v1/orders/{order}/shipments/{index}/ship", post(ship))
        .route(
            "/v1/orders/{order}/shipments/{index}/short-pick",
            post(short_pick),
        )
        .route("/v1/orders/{order}/returns", post(restock_return))
        .route("/v1/receipts", post(receive))
        .route("/v1/adjustments", post(adjust))
        .route("/v1/stock/{sku}", get(stock))
        .route("/v1/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&app), track))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

/// Times and counts every request a route takes.
#[allow(
    clippy::disallowed_methods,
    reason = "a request's duration is wall time"
)]
async fn track(
    State(app): State<Shared>,
    route: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    (app.metrics).observe(method.as_str(), route.as_str(), status, started.elapsed());
    response
}

async fn metrics(State(app): State<Shared>) -> Response {
    let text = app.metrics.render(&app.durable);
    let kind = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}

/// Submits one command and waits, without holding a thread, until it is durable.
pub(super) async fn apply(app: &Shared, command: Command) -> Result<Applied, Answer> {
    let (reply, ack) = tokio::sync::oneshot::channel();
    app.durable
        .submit_then(vec![command], move |ack| {
            let _ = reply.send(ack);
        })
        .map_err(|e| refused(StatusCode::SERVICE_UNAVAILABLE, e))?;
    let ack = ack.await.map_err(|_| {
        refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "the journal writer stopped before acknowledging",
        )
    })?;
    Ok(ack
        .results
        .into_iter()
        .next()
        .expect("one result per command"))
}

/// The request header naming a stock movement once ([`qm_engine::idempotency`]).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The answer header marking an answer given again: the movement happened the first time.
pub const REPLAYED: &str = "idempotent-replayed";

/// Submits a stock movement, under the request's `Idempotency-Key` if it has one: what it did
/// (now, or the first time the key was used), and whether this is a repeat.
async fn apply_movement(
    app: &Shared,
    headers: &HeaderMap,
    command: Command,
) -> Result<(Applied, bool), Answer> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok((apply(app, command).await?, false));
    };
    let bad_key = |e: &dyn std::fmt::Display| refused(StatusCode::BAD_REQUEST, e);
    let text = value.to_str().map_err(|e| bad_key(&e))?;
    let key = IdempotencyKey::new(text).map_err(|e| bad_key(&e))?;
    let keyed = Command::Keyed {
        key,
        command: Box::new(command),
    };
    let Applied::Keyed(outcome) = apply(app, keyed).await? else {
        unreachable!("a keyed command answers as a keyed one");
    };
    match outcome {
        Ok(outcome) => Ok((*outcome.applied, outcome.first_applied_at_ms.is_some())),
        Err(error @ KeyError::Conflict { .. }) => {
            Err(refused(StatusCode::UNPROCESSABLE_ENTITY, error))
        }
        Err(KeyError::NotKeyable) => unreachable!("the routes key stock movements only"),
    }
}

/// `answer`, marked [`REPLAYED`] when it repeats a keyed movement's first answer.
fn movement_answer(answer: Answer, repeat: bool) -> Response {
    let mut response = answer.into_response();
    if repeat {
        (response.headers_mut()).insert(REPLAYED, HeaderValue::from_static("true"));
    }
    response
}

fn order_error(error: OrderError) -> Answer {
    let status = match error {
        OrderError::UnknownOrder(_) | OrderError::UnknownShipment(_) => StatusCode::NOT_FOUND,
        OrderError::UnknownLine { .. } | OrderError::BadQuantity(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::CONFLICT,
    };
    refused(status, error)
}

/// The cell of a SKU code and a warehouse code; an unknown one is a 400.
fn cell(app: &App, sku: &str, warehouse: &str) -> Result<(SkuId, WarehouseId), Answer> {
    let bad = |e: String| refused(StatusCode::BAD_REQUEST, e);
    Ok((
        app.codes.sku(sku).map_err(bad)?,
        app.codes.warehouse(warehouse).map_err(bad)?,
    ))
}

fn stock_error(error: StockError) -> Answer {
    let status = match error {
        StockError::CellFull { .. } | StockError::NotEnoughFree { .. } => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    refused(status, error)
}

/// Backorders a receipt, a restock or an adjustment filled.
fn fills(filled: &[BackorderFill]) -> Vec<Value> {
    (filled.iter())
        .map(|f| json!({ "order": f.order.0, "units": f.units }))
        .collect()
}

/// A shipment as the API shows it: with its lines to pick while it is pending.
fn shipment_body(app: &App, shipment: &ShipmentInfo) -> ShipmentBody {
    let lines = (shipment.state == ShipmentState::Pending)
        .then(|| app.durable.engine().shipment_lines(shipment.id).ok())
        .flatten()
        .map(|lines| {
            (lines.iter())
                .map(|l| ShipmentLineBody {
                    line: l.line,
                    sku: app.codes.sku_code(l.sku),
                    units: l.units,
                })
                .collect()
        });
    ShipmentBody {
        shipment: shipment.id.index,
        warehouse: app.codes.warehouse_code(shipment.warehouse),
        units: shipment.units,
        carrier: shipment.quote.map(|q| app.codes.carrier_code(q.carrier)),
        cost_cents: shipment.quote.map(|q| q.cost_cents.get()),
        transit_days: shipment.quote.map(|q| q.transit_days),
        status: shipment_state(shipment.state),
        lines,
    }
}

/// An order as `GET /v1/orders/{order}` shows it, or `None` when the engine holds no record.
fn order_body(app: &App, order: OrderId) -> Option<Value> {
    let view = app.durable.engine().order(order)?;
    let shipments: Vec<ShipmentBody> = (view.shipments.iter())
        .map(|s| shipment_body(app, s))
        .collect();
    Some(json!({
        "order": order.0,
        "channel": app.codes.channel_code(view.channel),
        "status": order_status(view.status),
        "placed_at_ms": view.placed_at_ms,
        "expires_at_ms": (view.status == OrderStatus::Held).then_some(view.expires_at_ms),
        "units_open": view.units_open,
        "units_shipped": view.units_shipped,
        "units_short": view.units_short,
        "units_backordered": view.units_backordered,
        "units_returned": view.units_returned,
        "shipments": shipments,
    }))
}

async fn order(State(app): State<Shared>, PathOf(order): PathOf<u64>) -> Result<Answer, Answer> {
    order_body(&app, OrderId(order))
        .map(|body| Answer(StatusCode::OK, body))
        .ok_or_else(|| order_error(OrderError::UnknownOrder(OrderId(order))))
}

async fn health(State(app): State<Shared>) -> Answer {
    Answer(
        StatusCode::OK,
        json!({ "status": "ok", "orders": app.durable.engine().order_count(), "now_ms": app.clock.now_ms() }),
    )
}

async fn reserve(
    State(app): State<Shared>,
    Body(body): Body<ReserveBody>,
) -> Result<Answer, Answer> {
    let now_ms = app.clock.now_ms();
    let request = app
        .codes
        .reserve_request(&body, now_ms)
        .map_err(|e| refused(StatusCode::BAD_REQUEST, e))?;
    let Applied::Reserve(outcome) = apply(&app, Command::Reserve { request, now_ms }).await? else {
        unreachable!("a reserve command answers as a reserve");
    };
    match outcome {
        Ok(ReserveOutcome::Held(hold)) => {
            let placed = |line: u16, warehouse, units| PickBody {
                line,
                sku: body.lines[line as usize].sku.clone(),
                warehouse: app.codes.warehouse_code(warehouse),
                units,
            };
            let picks: Vec<PickBody> = (hold.picks.iter())
                .map(|p| placed(p.line, p.warehouse, p.units))
                .collect();
            let backorders: Vec<PickBody> = (hold.backorders.iter())
                .map(|b| placed(b.line, b.warehouse, b.units))
                .collect();
            Ok(Answer(
                StatusCode::CREATED,
                json!({ "order": body.order, "status": "held", "expires_at_ms": hold.expires_at_ms,
                        "picks": picks, "backorders": backorders }),
            ))
        }
        Ok(ReserveOutcome::Rejected(why)) => Ok(Answer(
            StatusCode::CONFLICT,
            json!({ "order": body.order, "status": "rejected", "reason": why.code() }),
        )),
        Err(e @ ReserveError::DuplicateOrderId(_)) => Err(Answer(
            StatusCode::CONFLICT,
            json!({ "error": e.to_string(), "existing": order_body(&app, OrderId(body.order)) }),
        )),
        Err(e) => Err(refused(StatusCode::BAD_REQUEST, e)),
    }
}

async fn confirm(State(app): State<Shared>, PathOf(order): PathOf<u64>) -> Result<Answer, Answer> {
    let now_ms = app.clock.now_ms();
    let command = Command::Confirm {
        order: OrderId(order),
        now_ms,
    };
    let Applied::Confirm(outcome) = apply(&app, command).await? else {
        unreachable!("a confirm command answers as a confirm");
    };
    let confirmation = outcome.map_err(order_error)?;
    let shipments: Vec<ShipmentBody> = (confirmation.shipments.iter())
        .map(|s| shipment_body(&app, s))
        .collect();
    Ok(Answer(
        StatusCode::OK,
        json!({ "order": order, "status": "confirmed", "shipments": shipments }),
    ))
}

async fn release(State(app): State<Shared>, PathOf(order): PathOf<u64>) -> Result<Answer, Answer> {
    let command = Command::Release {
        order: OrderId(order),
        reason: ReleaseReason::Cancelled,
        now_ms: app.clock.now_ms(),
    };
    let Applied::Release(outcome) = apply(&app, command).await? else {
        unreachable!("a release command answers as a release");
    };
    let released = outcome.map_err(order_error)?;
    Ok(Answer(
        StatusCode::OK,
        json!({ "order": order, "status": "released", "units_returned": released.units_returned,
                "backordered_units_cancelled": released.backorders_cancelled }),
    ))
}

async fn ship(
    State(app): State<Shared>,
    PathOf((order, index)): PathOf<(u64, u16)>,
) -> Result<Answer, Answer> {
    let command = Command::Ship {
        shipment: ShipmentId {
            order: OrderId(order),
            index,
        },
        now_ms: app.clock.now_ms(),
    };
    let Applied::Ship(outcome) = apply(&app, command).await? else {
        unreachable!("a ship command answers as a ship");
    };
    let shipped = outcome.map_err(order_error)?;
    Ok(Answer(
        StatusCode::OK,
        json!({ "order": order, "shipment": index, "status": "shipped", "warehouse": app.codes.warehouse_code(shipped.warehouse),
                "units": shipped.units, "order_complete": shipped.order_complete }),
    ))
}

async fn receive(
    State(app): State<Shared>,
    headers: HeaderMap,
    Body(body): Body<ReceiptBody>,
) -> Result<Response, Answer> {
    let (sku, warehouse) = cell(&app, &body.sku, &body.warehouse)?;
    let command = Command::Receive {
        sku,
        warehouse,
        units: i64::from(body.units),
        now_ms: app.clock.now_ms(),
    };
    let (Applied::Receive(outcome), repeat) = apply_movement(&app, &headers, command).await? else {
        unreachable!("a receive command answers as a receive");
    };
    let receipt = outcome.map_err(stock_error)?;
    let answer = Answer(
        StatusCode::OK,
        json!({ "sku": body.sku, "warehouse": body.warehouse, "units": receipt.units,
                "backorders_filled": fills(&receipt.filled) }),
    );
    Ok(movement_answer(answer, repeat))
}

async fn short_pick(
    State(app): State<Shared>,
    PathOf((order, index)): PathOf<(u64, u16)>,
    headers: HeaderMap,
    Body(body): Body<ShortPickBody>,
) -> Result<Response, Answer> {
    let command = Command::ShortPick {
        shipment: ShipmentId {
            order: OrderId(order),
            index,
        },
        line: body.line,
        missing_units: i64::from(body.missing_units),
        now_ms: app.clock.now_ms(),
    };
    let (Applied::ShortPick(outcome), repeat) = apply_movement(&app, &headers, command).await?
    else {
        unreachable!("a short-pick command answers as a short pick");
    };
    let short = outcome.map_err(order_error)?;
    let answer = Answer(
        StatusCode::OK,
        json!({ "order": order, "shipment": index, "line": short.line, "units_short": short.units }),
    );
    Ok(movement_answer(answer, repeat))
}

async fn restock_return(
    State(app): State<Shared>,
    PathOf(order): PathOf<u64>,
    headers: HeaderMap,
    Body(body): Body<ReturnBody>,
) -> Result<Response, Answer> {
    let command = Command::RestockReturn {
        order: OrderId(order),
        line: body.line,
        units: i64::from(body.units),
        disposition: body.disposition.disposition(),
        now_ms: app.clock.now_ms(),
    };
    let (Applied::RestockReturn(outcome), repeat) = apply_movement(&app, &headers, command).await?
    else {
        unreachable!("a return command answers as a return");
    };
    let returned = outcome.map_err(order_error)?;
    let by_warehouse: Vec<Value> = (returned.by_warehouse.iter())
        .map(|&(w, units)| json!({ "warehouse": app.codes.warehouse_code(w), "units": units }))
        .collect();
    let answer = Answer(
        StatusCode::OK,
        json!({ "order": order, "line": returned.line, "disposition": body.disposition,
                "by_warehouse": by_warehouse, "backorders_filled": fills(&returned.filled) }),
    );
    Ok(movement_answer(answer, repeat))
}

async fn adjust(
    State(app): State<Shared>,
    headers: HeaderMap,
    Body(body): Body<AdjustmentBody>,
) -> Result<Response, Answer> {
    let (sku, warehouse) = cell(&app, &body.sku, &body.warehouse)?;
    let command = Command::Adjust {
        sku,
        warehouse,
        delta_units: i64::from(body.delta_units),
        reason: body.reason.reason(),
        now_ms: app.clock.now_ms(),
    };
    let (Applied::Adjust(outcome), repeat) = apply_movement(&app, &headers, command).await? else {
        unreachable!("an adjust command answers as an adjustment");
    };
    let adjusted = outcome.map_err(stock_error)?;
    let answer = Answer(
        StatusCode::OK,
        json!({ "sku": body.sku, "warehouse": body.warehouse, "delta_units": body.delta_units,
                "on_hand_units": adjusted.on_hand_after, "backorders_filled": fills(&adjusted.filled) }),
    );
    Ok(movement_answer(answer, repeat))
}

async fn stock(State(app): State<Shared>, PathOf(sku): PathOf<String>) -> Result<Answer, Answer> {
    let id = app
        .codes
        .sku(&sku)
        .map_err(|e| refused(StatusCode::NOT_FOUND, e))?;
    let engine = app.durable.engine();
    let warehouses: Vec<StockBody> = (0..engine.network().warehouses().len())
        .filter_map(|w| {
            let warehouse = WarehouseId(w as u16);
            let cell = engine.cell_snapshot(id, warehouse)?;
            Some(StockBody {
                warehouse: app.codes.warehouse_code(warehouse),
                on_hand_units: cell.on_hand,
                reserved_units: cell.reserved,
                allocated_units: cell.allocated,
                free_units: cell.free(),
            })
        })
        .collect();
    Ok(Answer(
        StatusCode::OK,
        json!({ "sku": sku, "warehouses": warehouses }),
    ))
}
