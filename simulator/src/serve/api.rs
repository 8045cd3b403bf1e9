//! What `qm serve` reads and writes: JSON bodies with the scenario's codes (SKUs, warehouses,
//! channels, customer regions), turned into the engine's dense ids once, at the edge.

use std::collections::BTreeMap;

use qm_engine::constants::MAX_LINE_QUANTITY;
use qm_engine::{
    AdjustReason, ChannelId, Disposition, GeoPoint, Network, Order, OrderId, OrderLine,
    OrderStatus, ReserveRequest, ServiceLevel, ShipmentState, SkuId, SplitPolicy, WarehouseId,
};
use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;

/// The longest hold a reserve may ask for: a week.
pub const MAX_HOLD_TTL_SECONDS: u64 = 7 * 24 * 3_600;

/// `POST /v1/orders`: hold stock for an order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveBody {
    /// The caller's order number, unique in this engine.
    pub order: u64,
    /// The sales channel's code.
    pub channel: String,
    /// The customer region's name (the scenario's `[[customers]]`).
    pub region: String,
    /// `standard` (default) or `express` (the scenario's `demand.express_transit_days`).
    #[serde(default)]
    pub service: Service,
    /// The lines.
    pub lines: Vec<LineBody>,
    /// `split_allowed` (default), `single_warehouse` or `partial_with_backorder`.
    #[serde(default)]
    pub split: Splitting,
    /// Seconds until the hold expires unless confirmed (default 900).
    #[serde(default = "default_hold_ttl_seconds")]
    pub hold_ttl_seconds: u64,
}

fn default_hold_ttl_seconds() -> u64 {
    900
}

/// One line of a reserve.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    /// The SKU's code.
    pub sku: String,
    /// Units, 1 to [`MAX_LINE_QUANTITY`] (read as any whole number, so that a larger one is
    /// refused with the range rather than with the width of an integer type).
    pub quantity: u64,
}

/// The promise made to the customer.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// The carrier's standard transit.
    #[default]
    Standard,
    /// Next day.
    Express,
}

/// How an order may be split over warehouses.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Splitting {
    /// Lines from several warehouses.
    #[default]
    SplitAllowed,
    /// Every line from one warehouse, or nothing.
    SingleWarehouse,
    /// What is there now; the rest waits as a backorder.
    PartialWithBackorder,
}

/// `POST /v1/receipts`: units from a supplier.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBody {
    /// The SKU's code.
    pub sku: String,
    /// The warehouse's code.
    pub warehouse: String,
    /// Units received, at least 1.
    pub units: u32,
}

/// `POST /v1/orders/{order}/shipments/{shipment}/short-pick`: units of a line the picker did
/// not find on the shelf.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShortPickBody {
    /// The order line, from 0.
    pub line: u32,
    /// Units not found, at least 1.
    pub missing_units: u32,
}

/// `POST /v1/orders/{order}/returns`: units of a shipped line the customer sent back.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    /// The order line, from 0.
    pub line: u32,
    /// Units returned, at least 1.
    pub units: u32,
    /// `restock` (back on the shelf) or `scrap`.
    pub disposition: Returned,
}

/// What becomes of returned units.
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Returned {
    /// Back on the shelf, sellable.
    Restock,
    /// Written off.
    Scrap,
}

impl Returned {
    /// The engine's disposition.
    pub fn disposition(self) -> Disposition {
        match self {
            Returned::Restock => Disposition::Restock,
            Returned::Scrap => Disposition::Scrap,
        }
    }
}

/// `POST /v1/adjustments`: a stock correction.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentBody {
    /// The SKU's code.
    pub sku: String,
    /// The warehouse's code.
    pub warehouse: String,
    /// Units found (> 0) or gone (< 0); never 0.
    pub delta_units: i32,
    /// `cycle_count`, `shrinkage` or `damaged`.
    pub reason: Correction,
}

/// Why stock is corrected.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// A count found another figure.
    CycleCount,
    /// Units vanished from the shelf.
    Shrinkage,
    /// Units damaged in the warehouse.
    Damaged,
}

impl Correction {
    /// The engine's reason.
    pub fn reason(self) -> AdjustReason {
        match self {
            Correction::CycleCount => AdjustReason::CycleCount,
            Correction::Shrinkage => AdjustReason::Shrinkage,
            Correction::Damaged => AdjustReason::Damaged,
        }
    }
}

/// An order's status as the API spells it.
pub fn order_status(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Held => "held",
        OrderStatus::Confirmed => "confirmed",
        OrderStatus::Released => "released",
        OrderStatus::Expired => "expired",
    }
}

/// A shipment's state as the API spells it.
pub fn shipment_state(state: ShipmentState) -> &'static str {
    match state {
        ShipmentState::Pending => "pending",
        ShipmentState::Shipped => "shipped",
        ShipmentState::Cancelled => "cancelled",
    }
}

/// Units of one line held at one warehouse.
#[derive(Debug, Serialize)]
pub struct PickBody {
    /// The order line, from 0.
    pub line: u16,
    /// Its SKU's code.
    pub sku: String,
    /// The warehouse's code.
    pub warehouse: String,
    /// Units.
    pub units: u32,
}

/// One shipment of a confirmed order.
#[derive(Debug, Serialize)]
pub struct ShipmentBody {
    /// Its number within the order, from 0: `POST /v1/orders/{order}/shipments/{shipment}/ship`.
    pub shipment: u16,
    /// The warehouse's code.
    pub warehouse: String,
    /// Units in it.
    pub units: u64,
    /// The carrier's code (null when no carrier reaches the address).
    pub carrier: Option<String>,
    /// The carrier's price, cents.
    pub cost_cents: Option<u64>,
    /// Days in transit.
    pub transit_days: Option<u8>,
    /// `pending`, `shipped` or `cancelled`.
    pub status: &'static str,
    /// What to pick, while pending (null once shipped or cancelled).
    pub lines: Option<Vec<ShipmentLineBody>>,
}

/// One line of a pending shipment: what a picker fetches.
#[derive(Debug, Serialize)]
pub struct ShipmentLineBody {
    /// The order line, from 0.
    pub line: u16,
    /// Its SKU's code.
    pub sku: String,
    /// Units to pick.
    pub units: u32,
}

/// One warehouse's stock of a SKU.
#[derive(Debug, Serialize)]
pub struct StockBody {
    /// The warehouse's code.
    pub warehouse: String,
    /// Units in the building.
    pub on_hand_units: u32,
    /// Units held for carts and unpaid orders.
    pub reserved_units: u32,
    /// Units committed to confirmed shipments not yet shipped.
    pub allocated_units: u32,
    /// Units no order holds.
    pub free_units: u32,
}

/// The scenario's codes and the engine's ids, both ways.
pub struct Codes {
    skus: BTreeMap<String, SkuId>,
    warehouses: BTreeMap<String, WarehouseId>,
    channels: BTreeMap<String, ChannelId>,
    regions: BTreeMap<String, GeoPoint>,
    sku_codes: Vec<String>,
    warehouse_codes: Vec<String>,
    channel_codes: Vec<String>,
    carrier_codes: Vec<String>,
    express_transit_days: u8,
}

impl Codes {
    /// The codes of the engine built from `scenario`, its customer regions at `regions`.
    pub fn new(network: &Network, scenario: &Scenario, regions: &[GeoPoint]) -> Codes {
        let warehouse_codes: Vec<String> = network
            .warehouses()
            .iter()
            .map(|w| w.code.clone())
            .collect();
        let sku_codes: Vec<String> = network.skus().iter().map(|s| s.code.clone()).collect();
        let channel_codes: Vec<String> = scenario.channels.iter().map(|c| c.code.clone()).collect();
        Codes {
            skus: (0..)
                .zip(&sku_codes)
                .map(|(i, c)| (c.clone(), SkuId(i)))
                .collect(),
            warehouses: (0..)
                .zip(&warehouse_codes)
                .map(|(i, c)| (c.clone(), WarehouseId(i)))
                .collect(),
            channels: (0..)
                .zip(&channel_codes)
                .map(|(i, c)| (c.clone(), ChannelId(i)))
                .collect(),
            regions: scenario
                .customers
                .iter()
                .zip(regions)
                .map(|(r, &point)| (r.name.clone(), point))
                .collect(),
            sku_codes,
            warehouse_codes,
            channel_codes,
            carrier_codes: network.carriers().iter().map(|c| c.code.clone()).collect(),
            express_transit_days: *scenario.demand.express_transit_days.get_ref() as u8,
        }
    }

    /// The SKU of `code`.
    pub fn sku(&self, code: &str) -> Result<SkuId, String> {
        self.skus
            .get(code)
            .copied()
            .ok_or_else(|| format!("unknown sku `{code}`"))
    }

    /// The warehouse of `code`.
    pub fn warehouse(&self, code: &str) -> Result<WarehouseId, String> {
        self.warehouses
            .get(code)
            .copied()
            .ok_or_else(|| format!("unknown warehouse `{code}`"))
    }

    /// A SKU's code.
    pub fn sku_code(&self, sku: SkuId) -> String {
        self.sku_codes[sku.0 as usize].clone()
    }

    /// A channel's code.
    pub fn channel_code(&self, channel: ChannelId) -> String {
        self.channel_codes[channel.0 as usize].clone()
    }

    /// A warehouse's code.
    pub fn warehouse_code(&self, warehouse: WarehouseId) -> String {
        self.warehouse_codes[warehouse.0 as usize].clone()
    }

    /// A carrier's code.
    pub fn carrier_code(&self, carrier: qm_engine::CarrierId) -> String {
        self.carrier_codes[carrier.0 as usize].clone()
    }

    /// The engine's request for `body` at `now_ms`, or what is wrong with it.
    pub fn reserve_request(
        &self,
        body: &ReserveBody,
        now_ms: u64,
    ) -> Result<ReserveRequest, String> {
        let channel = *self
            .channels
            .get(&body.channel)
            .ok_or_else(|| format!("unknown channel `{}`", body.channel))?;
        let ship_to = *self
            .regions
            .get(&body.region)
            .ok_or_else(|| format!("unknown region `{}`", body.region))?;
        if body.lines.is_empty() {
            return Err("an order needs at least one line".into());
        }
        if !(1..=MAX_HOLD_TTL_SECONDS).contains(&body.hold_ttl_seconds) {
            return Err(format!(
                "hold_ttl_seconds must be between 1 and {MAX_HOLD_TTL_SECONDS}, got {}",
                body.hold_ttl_seconds
            ));
        }
        let mut lines = Vec::with_capacity(body.lines.len());
        for (i, line) in body.lines.iter().enumerate() {
            if !(1..=u64::from(MAX_LINE_QUANTITY)).contains(&line.quantity) {
                return Err(format!(
                    "lines[{i}]: quantity {} must be between 1 and {MAX_LINE_QUANTITY}",
                    line.quantity
                ));
            }
            let sku = self
                .sku(&line.sku)
                .map_err(|e| format!("lines[{i}]: {e}"))?;
            lines.push(OrderLine {
                sku,
                quantity: line.quantity as i64, // at most MAX_LINE_QUANTITY
            });
        }
        Ok(ReserveRequest {
            order: Order {
                id: OrderId(body.order),
                channel,
                placed_at_ms: now_ms,
                ship_to,
                service: match body.service {
                    Service::Standard => ServiceLevel::Standard,
                    Service::Express => ServiceLevel::Express {
                        max_transit_days: self.express_transit_days,
                    },
                },
                lines,
            },
            split: match body.split {
                Splitting::SplitAllowed => SplitPolicy::SplitAllowed,
                Splitting::SingleWarehouse => SplitPolicy::SingleWarehouse,
                Splitting::PartialWithBackorder => SplitPolicy::PartialWithBackorder,
            },
            hold_ttl_ms: body.hold_ttl_seconds * 1_000,
        })
    }
}
