//! What `qm serve` reads and writes: JSON bodies with the scenario's codes (SKUs, warehouses,
//! channels, customer regions), turned into the engine's dense ids once, at the edge.

use std::collections::BTreeMap;

use qm_engine::{
    ChannelId, GeoPoint, Network, Order, OrderId, OrderLine, ReserveRequest, ServiceLevel, SkuId,
    SplitPolicy, WarehouseId,
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
    /// Units, at least 1.
    pub quantity: u32,
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
    warehouse_codes: Vec<String>,
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
        Codes {
            skus: (network.skus().iter().enumerate())
                .map(|(i, s)| (s.code.clone(), SkuId(i as u32)))
                .collect(),
            warehouses: (0..warehouse_codes.len())
                .map(|i| (warehouse_codes[i].clone(), WarehouseId(i as u16)))
                .collect(),
            channels: scenario
                .channels
                .iter()
                .enumerate()
                .map(|(i, c)| (c.code.clone(), ChannelId(i as u16)))
                .collect(),
            regions: scenario
                .customers
                .iter()
                .zip(regions)
                .map(|(r, &point)| (r.name.clone(), point))
                .collect(),
            warehouse_codes,
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
            if line.quantity == 0 {
                return Err(format!("lines[{i}]: quantity must be at least 1"));
            }
            let sku = self
                .sku(&line.sku)
                .map_err(|e| format!("lines[{i}]: {e}"))?;
            lines.push(OrderLine {
                sku,
                quantity: i64::from(line.quantity),
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
