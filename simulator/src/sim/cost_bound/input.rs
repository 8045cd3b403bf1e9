//! What a shipping-cost programme is built from and what it gives: the order groups, the
//! warehouses and carrier bands that may ship each destination, the relaxation, the solve, the
//! bound, and why none came out.

use highs::{ColProblem, HighsModelStatus, Sense};
use qm_engine::{GeoPoint, Network, RateBand, ServiceLevel, WarehouseId};
use qm_money::Cents;
use serde::{Deserialize, Serialize};

/// Where an order goes and who may ship it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Destination {
    /// Customer region index.
    pub region: u16,
    /// The channel whose warehouses may ship it (a reshipment's: the channel it went through).
    pub channel: u16,
    /// Express (the scenario's promised transit days) or standard.
    pub express: bool,
}

/// Orders alike in destination and shipped units.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderGroup {
    /// Their destination.
    pub to: Destination,
    /// Units shipped of each SKU, ascending by SKU, each above zero.
    pub units: Vec<(u32, u32)>,
    /// How many orders.
    pub orders: u64,
}

/// How the bound relaxes a shipment's base price, the one price that depends on what else a
/// shipment carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relaxation {
    /// Every order's base price spread over its units. A unit's price then depends on its
    /// order's size, not its other lines: one small programme per SKU, a run of any size.
    UnitShare,
    /// For orders of up to [`BoundInput::linked_lines_max`] SKUs, the base price by the largest
    /// share of a line a shipment carries: a bound as high or higher, from one programme over
    /// the whole run, of at most [`BoundInput::max_variables`] variables.
    LineShare,
}

impl Relaxation {
    /// Its name in options and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Relaxation::UnitShare => "unit_share",
            Relaxation::LineShare => "line_share",
        }
    }
}

impl std::str::FromStr for Relaxation {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        [Relaxation::UnitShare, Relaxation::LineShare]
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| format!("`{name}` is not a relaxation: unit_share or line_share"))
    }
}

/// What the programme is built from.
#[derive(Clone, Copy, Debug)]
pub struct BoundInput<'a> {
    /// SKUs' weights, warehouses' locations, carriers' rate cards.
    pub network: &'a Network,
    /// Customer regions' locations.
    pub regions: &'a [GeoPoint],
    /// Each channel's warehouses.
    pub channel_warehouses: &'a [Vec<WarehouseId>],
    /// Transit days promised to express orders.
    pub express_days: u8,
    /// The orders, grouped.
    pub groups: &'a [OrderGroup],
    /// Units that entered each cell over the run, at `sku × warehouses + warehouse`.
    pub entered_units: &'a [u64],
    /// Orders of at most this many SKUs get a shipment's base price by their largest line
    /// share; larger ones by their share of the order's units (a weaker relaxation with no
    /// linking row per line, which keeps programmes of many-line orders small).
    pub linked_lines_max: usize,
    /// Simplex iterations the programme may take ([`super::MAX_SIMPLEX_ITERATIONS`] in runs).
    pub max_simplex_iterations: i32,
    /// Variables the programme may have ([`super::MAX_VARIABLES`] in runs).
    pub max_variables: usize,
}

/// The bound and the size of the programme that gave it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostBound {
    /// The least carrier cost, rounded up to the cent.
    pub lower_bound_cents: Cents,
    /// Variables.
    pub columns: usize,
}

/// Why no bound came out.
#[derive(Debug, thiserror::Error)]
pub enum BoundError {
    /// The programme has more variables than the limit.
    #[error("the shipping-cost bound's linear programme has {variables} variables, more than the {limit} it may have")]
    TooLarge {
        /// Its variables.
        variables: usize,
        /// The limit.
        limit: usize,
    },
    /// The programme was too large to finish within its simplex iterations.
    #[error("the shipping-cost bound's linear programme needed more than {0} simplex iterations")]
    IterationLimit(i32),
    /// HiGHS did not reach an optimum (an infeasible programme means the inputs disagree).
    #[error("the shipping-cost bound's linear programme ended {0}, not optimal")]
    NotOptimal(String),
}

/// A carrier option for shipping from one warehouse; the free option when no carrier reaches.
const FREE: RateBand = RateBand {
    max_distance_km: f64::INFINITY,
    base_cents: Cents::ZERO,
    per_kg_cents: Cents::ZERO,
    transit_days: 0,
};

/// The warehouses that may ship `to`, each with the rate bands it could ship by, dominated ones
/// left out. A warehouse no carrier reaches ships free, as the run charges such a shipment
/// nothing.
pub(super) fn options(
    input: &BoundInput<'_>,
    to: Destination,
) -> Vec<(WarehouseId, Vec<RateBand>)> {
    let service = if to.express {
        ServiceLevel::Express {
            max_transit_days: input.express_days,
        }
    } else {
        ServiceLevel::Standard
    };
    let ship_to = input.regions[to.region as usize];
    input.channel_warehouses[to.channel as usize]
        .iter()
        .map(|&w| {
            let location = &input.network.warehouses()[w.index()].location;
            let bands = input
                .network
                .quote_bands(ship_to.distance_km(location), service);
            let bands = if bands.is_empty() {
                vec![FREE]
            } else {
                undominated(bands)
            };
            (w, bands)
        })
        .collect()
}

/// The bands no other band is at least as cheap as in both base and weight price (of equal
/// ones, the first).
fn undominated(bands: Vec<RateBand>) -> Vec<RateBand> {
    let price = |b: &RateBand| (b.base_cents, b.per_kg_cents);
    bands
        .iter()
        .enumerate()
        .filter(|&(i, b)| {
            !bands.iter().enumerate().any(|(j, o)| {
                let (ob, ok) = price(o);
                let (bb, bk) = price(b);
                ob <= bb && ok <= bk && ((ob, ok) != (bb, bk) || j < i)
            })
        })
        .map(|(_, b)| *b)
        .collect()
}

/// Where a cell's figures stand in [`BoundInput::entered_units`].
pub(super) fn cell_index(sku: u32, warehouse: WarehouseId, warehouses: usize) -> usize {
    sku as usize * warehouses + warehouse.index()
}

/// The least whole number of cents not below `objective`, less the solver's tolerance.
pub(super) fn round_up(objective: f64) -> Cents {
    let tolerance = 1e-6 + 1e-9 * objective.abs();
    Cents::new((objective - tolerance).ceil().max(0.0) as u64)
}

/// The least objective of `pb`, by HiGHS's simplex on one thread, within `max_iterations`;
/// `which` is added to the reason when it ends otherwise.
pub(super) fn solve(pb: ColProblem, max_iterations: i32, which: &str) -> Result<f64, BoundError> {
    let mut model = pb.optimise(Sense::Minimise);
    model.make_quiet();
    model.set_option("threads", 1);
    model.set_option("simplex_iteration_limit", max_iterations);
    let solved = model.solve();
    match solved.status() {
        HighsModelStatus::Optimal => Ok(solved.objective_value()),
        HighsModelStatus::ReachedIterationLimit => Err(BoundError::IterationLimit(max_iterations)),
        status => Err(BoundError::NotOptimal(format!("{status:?}{which}"))),
    }
}
