//! The catalog and the fulfillment network: SKUs, warehouses, carriers and their rate cards.
//!
//! Codes (strings) map to dense ids here and nowhere else.

use rustc_hash::FxHashMap;

use crate::constants::{MAX_CARRIERS, MAX_SKUS, MAX_WAREHOUSES};
use crate::geo::{GeoPoint, Locations};
use crate::ids::{CarrierId, SkuId, WarehouseId};
use crate::order::ServiceLevel;
pub use qm_money::Cents;

/// A stock-keeping unit as the engine sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sku {
    /// The code users know it by.
    pub code: String,
    /// Weight of one unit in grams (drives shipping cost).
    pub unit_weight_grams: u32,
    /// Selling price of one unit.
    pub unit_price_cents: Cents,
}

/// A warehouse (fulfillment centre).
#[derive(Clone, Debug, PartialEq)]
pub struct Warehouse {
    /// The code users know it by.
    pub code: String,
    /// Where it is.
    pub location: GeoPoint,
    /// Order lines it can pick and pack in a day; `capacity_aware` allocation respects it.
    pub capacity_lines_per_day: u32,
    /// Units it can store in all.
    pub storage_capacity_units: u64,
    /// Hour of the day (0–23) after which an order ships the next day; used by the simulator.
    pub cutoff_hour: u8,
}

/// One distance band of a carrier's rate card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateBand {
    /// The band covers distances up to and including this many kilometres.
    pub max_distance_km: f64,
    /// Fixed price of a shipment in this band.
    pub base_cents: Cents,
    /// Price per kilogram of shipment weight.
    pub per_kg_cents: Cents,
    /// Days in transit for this band.
    pub transit_days: u8,
}

/// A carrier and its rate card (bands sorted by distance).
#[derive(Clone, Debug, PartialEq)]
pub struct Carrier {
    /// The carrier's code.
    pub code: String,
    /// Distance bands, ascending by `max_distance_km`. Past the last band the carrier does not deliver.
    pub bands: Vec<RateBand>,
}

/// What a carrier charges to move one shipment, and how long it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CarrierQuote {
    /// The carrier.
    pub carrier: CarrierId,
    /// Price.
    pub cost_cents: Cents,
    /// Days in transit.
    pub transit_days: u8,
    /// Whether it meets the order's promised transit time.
    pub meets_promise: bool,
}

/// A mistake in the network description, found when the engine is built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum NetworkError {
    /// More SKUs, warehouses or carriers than the engine supports.
    #[error("too many {what}: {count} (the limit is {limit})")]
    TooMany {
        /// What there are too many of.
        what: &'static str,
        /// How many were given.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The network has no warehouse.
    #[error("the network needs at least one warehouse")]
    NoWarehouse,
    /// Two entries share a code.
    #[error("duplicate {what} code {code:?}: codes must be unique")]
    DuplicateCode {
        /// SKU, warehouse or carrier.
        what: &'static str,
        /// The code given twice.
        code: String,
    },
    /// A warehouse's cutoff hour is not 0–23.
    #[error("warehouse {code:?}: cutoff hour {hour} is not within 0..=23")]
    BadCutoffHour {
        /// The warehouse's code.
        code: String,
        /// The hour given.
        hour: u8,
    },
    /// A carrier's bands are empty, unsorted or not finite.
    #[error(
        "carrier {code:?}: rate bands must be non-empty, finite and sorted by max_distance_km"
    )]
    BadRateCard {
        /// The carrier's code.
        code: String,
    },
}

/// SKUs, warehouses and carriers, with their code lookups.
#[derive(Clone, Debug)]
pub struct Network {
    skus: Vec<Sku>,
    warehouses: Vec<Warehouse>,
    carriers: Vec<Carrier>,
    sku_by_code: FxHashMap<String, SkuId>,
    warehouse_by_code: FxHashMap<String, WarehouseId>,
    /// Warehouse locations laid out for ranking by distance.
    locations: Locations,
}

fn index_codes<'a, Id: Copy>(
    what: &'static str,
    codes: impl Iterator<Item = &'a String>,
    make_id: impl Fn(usize) -> Id,
) -> Result<FxHashMap<String, Id>, NetworkError> {
    let mut map = FxHashMap::default();
    for (i, code) in codes.enumerate() {
        if map.insert(code.clone(), make_id(i)).is_some() {
            return Err(NetworkError::DuplicateCode {
                what,
                code: code.clone(),
            });
        }
    }
    Ok(map)
}

fn check_count(what: &'static str, count: usize, limit: usize) -> Result<(), NetworkError> {
    if count > limit {
        return Err(NetworkError::TooMany { what, count, limit });
    }
    Ok(())
}

impl Network {
    /// Builds a network, checking limits, unique codes, cutoff hours and rate cards.
    pub fn new(
        skus: Vec<Sku>,
        warehouses: Vec<Warehouse>,
        carriers: Vec<Carrier>,
    ) -> Result<Self, NetworkError> {
        check_count("SKUs", skus.len(), MAX_SKUS)?;
        check_count("warehouses", warehouses.len(), MAX_WAREHOUSES)?;
        check_count("carriers", carriers.len(), MAX_CARRIERS)?;
        if warehouses.is_empty() {
            return Err(NetworkError::NoWarehouse);
        }
        if let Some(w) = warehouses.iter().find(|w| w.cutoff_hour > 23) {
            return Err(NetworkError::BadCutoffHour {
                code: w.code.clone(),
                hour: w.cutoff_hour,
            });
        }
        for carrier in &carriers {
            let finite = carrier
                .bands
                .iter()
                .all(|b| b.max_distance_km.is_finite() && b.max_distance_km >= 0.0);
            let sorted = carrier
                .bands
                .windows(2)
                .all(|w| w[0].max_distance_km < w[1].max_distance_km);
            if carrier.bands.is_empty() || !finite || !sorted {
                return Err(NetworkError::BadRateCard {
                    code: carrier.code.clone(),
                });
            }
        }
        let sku_by_code = index_codes("SKU", skus.iter().map(|s| &s.code), |i| SkuId(i as u32))?;
        let warehouse_by_code =
            index_codes("warehouse", warehouses.iter().map(|w| &w.code), |i| {
                WarehouseId(i as u16)
            })?;
        index_codes("carrier", carriers.iter().map(|c| &c.code), |i| {
            CarrierId(i as u16)
        })?;
        Ok(Self {
            locations: Locations::new(warehouses.iter().map(|w| &w.location)),
            skus,
            warehouses,
            carriers,
            sku_by_code,
            warehouse_by_code,
        })
    }

    /// All SKUs, indexed by [`SkuId`].
    pub fn skus(&self) -> &[Sku] {
        &self.skus
    }

    /// All warehouses, indexed by [`WarehouseId`].
    pub fn warehouses(&self) -> &[Warehouse] {
        &self.warehouses
    }

    /// Warehouse locations laid out for ranking by distance.
    pub(crate) fn locations(&self) -> &Locations {
        &self.locations
    }

    /// All carriers, indexed by [`CarrierId`].
    pub fn carriers(&self) -> &[Carrier] {
        &self.carriers
    }

    /// The id of a SKU code, if the catalog has it.
    pub fn sku_id(&self, code: &str) -> Option<SkuId> {
        self.sku_by_code.get(code).copied()
    }

    /// The id of a warehouse code, if the network has it.
    pub fn warehouse_id(&self, code: &str) -> Option<WarehouseId> {
        self.warehouse_by_code.get(code).copied()
    }

    /// The rate bands among which [`Network::cheapest_quote`] chooses for a shipment over
    /// `distance_km`, whatever its weight: each reaching carrier's band that meets the service
    /// level or, when none does, those of the fewest transit days. A quote costs one of these
    /// bands' base plus its weight charge; empty when no carrier reaches that far.
    pub fn quote_bands(&self, distance_km: f64, service: ServiceLevel) -> Vec<RateBand> {
        let reaching: Vec<RateBand> = self
            .carriers
            .iter()
            .filter_map(|c| c.bands.iter().find(|b| distance_km <= b.max_distance_km))
            .copied()
            .collect();
        let meeting: Vec<RateBand> = reaching
            .iter()
            .filter(|b| service.accepts_transit_days(b.transit_days))
            .copied()
            .collect();
        if !meeting.is_empty() {
            return meeting;
        }
        let fastest = reaching.iter().map(|b| b.transit_days).min();
        reaching
            .into_iter()
            .filter(|b| Some(b.transit_days) == fastest)
            .collect()
    }

    /// The cheapest carrier for one shipment of `weight_grams` over `distance_km`
    /// that meets the service level; if none meets it, the fastest (then cheapest)
    /// one, marked `meets_promise: false`. `None` when no carrier reaches that far.
    pub fn cheapest_quote(
        &self,
        distance_km: f64,
        weight_grams: u64,
        service: ServiceLevel,
    ) -> Option<CarrierQuote> {
        let mut best_meeting: Option<CarrierQuote> = None;
        let mut fastest: Option<CarrierQuote> = None;
        for (i, carrier) in self.carriers.iter().enumerate() {
            let Some(band) = carrier
                .bands
                .iter()
                .find(|b| distance_km <= b.max_distance_km)
            else {
                continue;
            };
            // Round the weight charge up to the next cent: carriers do not give change.
            let weight_cents = band.per_kg_cents.part_rounded_up(weight_grams, 1000);
            let meets_promise = service.accepts_transit_days(band.transit_days);
            let quote = CarrierQuote {
                carrier: CarrierId(i as u16),
                cost_cents: band.base_cents + weight_cents,
                transit_days: band.transit_days,
                meets_promise,
            };
            if meets_promise && best_meeting.is_none_or(|b| quote.cost_cents < b.cost_cents) {
                best_meeting = Some(quote);
            }
            let faster = fastest.is_none_or(|f| {
                (quote.transit_days, quote.cost_cents) < (f.transit_days, f.cost_cents)
            });
            if faster {
                fastest = Some(quote);
            }
        }
        best_meeting.or(fastest)
    }
}
