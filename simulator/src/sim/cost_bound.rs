//! The least carrier cost at which a run's shipped units could have gone out: a lower bound that
//! tells how far an allocation strategy's shipping cost is from the best any allocation could do.
//! A linear programme, solved by HiGHS.
//!
//! Fixed, as the run had them: every order's shipped units (SKU by SKU), its customer region, its
//! service level and its channel (only the channel's warehouses may ship it); for every
//! warehouse and SKU, the units that entered the warehouse over the run (opening stock,
//! receipts, restocked returns, units found by counts). Free: which warehouse ships which unit,
//! and with which of the carriers a quote chooses among ([`Network::quote_bands`]). Relaxed:
//! - time: a unit received on the last day may ship an order of the first;
//! - pick/pack capacity;
//! - whole shipments: a shipment's base price is charged in proportion to the largest share of
//!   any of the order's lines it carries (the linear relaxation of a price per shipment; for an
//!   order of more than [`LINKED_LINES_MAX`] SKUs, its share of the order's units), and its
//!   weight charge is not rounded up to the cent.
//!
//! Each relaxation can only lower the least cost, and every price is a whole number of cents, so
//! no allocation of the same units pays the carriers less than the bound rounded up to the cent.
//! Orders alike in everything the programme sees form one group: by symmetry the group's
//! programme has the same least cost as its orders' one by one.

use highs::{ColProblem, HighsModelStatus, Row, Sense};
use qm_engine::{GeoPoint, Network, RateBand, ServiceLevel, WarehouseId};
use qm_money::Cents;
use rustc_hash::FxHashMap;

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

/// The units each order shipped, as the run recorded them.
#[derive(Debug, Default)]
pub struct ShippedLog {
    orders: FxHashMap<u64, (Destination, Vec<(u32, u32)>)>,
}

impl ShippedLog {
    /// A shipment of `order` carried `units` (SKU, units).
    pub fn record(&mut self, order: u64, to: Destination, units: impl Iterator<Item = (u32, u32)>) {
        let entry = self.orders.entry(order).or_insert_with(|| (to, Vec::new()));
        entry.1.extend(units.filter(|&(_, u)| u > 0));
    }

    /// The orders that shipped anything, grouped, in a fixed order.
    pub fn groups(&self) -> Vec<OrderGroup> {
        let mut counts: FxHashMap<(Destination, Vec<(u32, u32)>), u64> = FxHashMap::default();
        for (to, lines) in self.orders.values() {
            let units = merged(lines);
            if !units.is_empty() {
                *counts.entry((*to, units)).or_insert(0) += 1;
            }
        }
        let mut groups: Vec<OrderGroup> = counts
            .into_iter()
            .map(|((to, units), orders)| OrderGroup { to, units, orders })
            .collect();
        groups.sort_unstable();
        groups
    }
}

/// `lines` summed by SKU, ascending.
fn merged(lines: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut units = lines.to_vec();
    units.sort_unstable();
    units.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            kept.1 += next.1;
        }
        same
    });
    units
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
    /// Simplex iterations the programme may take ([`MAX_SIMPLEX_ITERATIONS`] in runs).
    pub max_simplex_iterations: i32,
    /// Variables the programme may have ([`MAX_VARIABLES`] in runs).
    pub max_variables: usize,
}

/// The [`BoundInput::linked_lines_max`] runs use.
pub const LINKED_LINES_MAX: usize = 8;

/// The bound and the size of the programme that gave it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostBound {
    /// The least carrier cost, rounded up to the cent.
    pub lower_bound_cents: Cents,
    /// Variables.
    pub columns: usize,
}

/// Simplex iterations a run's programme may take. The limit counts work, not seconds, so that a
/// run's outputs do not depend on the machine's speed; the largest shipped scenario needs a tenth
/// of it.
pub const MAX_SIMPLEX_ITERATIONS: i32 = 3_000_000;

/// Variables a run's programme may have: beyond about a million the simplex takes many minutes
/// on one core, so a larger programme is not solved.
pub const MAX_VARIABLES: usize = 1_000_000;

/// The two limits, in words: "more than 1,000,000 variables or 3,000,000 simplex iterations".
pub fn limits_text() -> String {
    let grouped = |n: f64| qm_reports::format::group_thousands(n, 0);
    format!(
        "more than {} variables or {} simplex iterations",
        grouped(MAX_VARIABLES as f64),
        grouped(MAX_SIMPLEX_ITERATIONS as f64)
    )
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
fn options(input: &BoundInput<'_>, to: Destination) -> Vec<(WarehouseId, Vec<RateBand>)> {
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

/// The least carrier cost of shipping every group's units (see the module's documentation).
pub fn shipping_cost_bound(input: &BoundInput<'_>) -> Result<CostBound, BoundError> {
    if input.groups.is_empty() {
        return Ok(CostBound {
            lower_bound_cents: Cents::ZERO,
            columns: 0,
        });
    }
    let warehouses = input.network.warehouses().len();
    if let Some(g) = input
        .groups
        .iter()
        .find(|g| !shippable(input, g, warehouses))
    {
        return Err(BoundError::NotOptimal(format!(
            "infeasible (no warehouse of channel {} ever had every SKU of {:?})",
            g.to.channel, g.units
        )));
    }
    let options: Vec<_> = input.groups.iter().map(|g| options(input, g.to)).collect();
    let mut pb = ColProblem::default();
    let demand: Vec<Vec<Row>> = input
        .groups
        .iter()
        .map(|g| {
            g.units
                .iter()
                .map(|&(_, q)| {
                    let units = (g.orders * q as u64) as f64;
                    pb.add_row(units..=units)
                })
                .collect()
        })
        .collect();
    let stock = stock_rows(input, &mut pb, warehouses);
    let mut columns = 0;
    for ((g, opts), demand) in input.groups.iter().zip(&options).zip(&demand) {
        for &(w, ref bands) in opts {
            let cell = |sku: u32| cell_index(sku, w, warehouses);
            // Lines of SKUs that never entered the warehouse cannot ship from it.
            let lines: Vec<usize> = (0..g.units.len())
                .filter(|&i| input.entered_units[cell(g.units[i].0)] > 0)
                .collect();
            for band in bands {
                let option = Option_ {
                    band,
                    lines: &lines,
                    stock: |sku: u32| stock[cell(sku)],
                };
                columns += add_option(input, &mut pb, g, option, demand);
            }
        }
    }
    if columns > input.max_variables {
        return Err(BoundError::TooLarge {
            variables: columns,
            limit: input.max_variables,
        });
    }
    let mut model = pb.optimise(Sense::Minimise);
    model.make_quiet();
    model.set_option("threads", 1);
    model.set_option("simplex_iteration_limit", input.max_simplex_iterations);
    let solved = model.solve();
    match solved.status() {
        HighsModelStatus::Optimal => {}
        HighsModelStatus::ReachedIterationLimit => {
            return Err(BoundError::IterationLimit(input.max_simplex_iterations))
        }
        status => return Err(BoundError::NotOptimal(format!("{status:?}"))),
    }
    Ok(CostBound {
        lower_bound_cents: round_up(solved.objective_value()),
        columns,
    })
}

/// Where a cell's figures stand in [`BoundInput::entered_units`].
fn cell_index(sku: u32, warehouse: WarehouseId, warehouses: usize) -> usize {
    sku as usize * warehouses + warehouse.index()
}

/// Whether every SKU of `g` entered some warehouse of its channel.
fn shippable(input: &BoundInput<'_>, g: &OrderGroup, warehouses: usize) -> bool {
    let from = &input.channel_warehouses[g.to.channel as usize];
    g.units.iter().all(|&(sku, _)| {
        from.iter()
            .any(|&w| input.entered_units[cell_index(sku, w, warehouses)] > 0)
    })
}

/// A stock row for each cell whose units the groups that may draw on it could exceed; `None`
/// where they cannot (the row would never bind).
fn stock_rows(input: &BoundInput<'_>, pb: &mut ColProblem, warehouses: usize) -> Vec<Option<Row>> {
    let mut wanted = vec![0u64; input.entered_units.len()];
    for g in input.groups {
        for &w in &input.channel_warehouses[g.to.channel as usize] {
            for &(sku, q) in &g.units {
                wanted[cell_index(sku, w, warehouses)] += g.orders * q as u64;
            }
        }
    }
    wanted
        .iter()
        .zip(input.entered_units)
        .map(|(&wanted, &entered)| (wanted > entered).then(|| pb.add_row(..=entered as f64)))
        .collect()
}

/// One way to ship part of a group: from one warehouse, by one band, the lines it has.
struct Option_<'a, F> {
    band: &'a RateBand,
    /// The group's lines (indices) the warehouse ever had units of.
    lines: &'a [usize],
    /// The stock row of a SKU at the warehouse, where it may bind.
    stock: F,
}

/// The columns (and linking rows) of shipping group `g` by `option`: returns the columns
/// added. A group of one SKU, or of more than [`BoundInput::linked_lines_max`], needs no
/// shipment variable: its base price is spread over its units.
fn add_option<F: Fn(u32) -> Option<Row>>(
    input: &BoundInput<'_>,
    pb: &mut ColProblem,
    g: &OrderGroup,
    option: Option_<'_, F>,
    demand: &[Row],
) -> usize {
    let skus = input.network.skus();
    let band = option.band;
    let weight_cents = |sku: u32| {
        band.per_kg_cents.as_f64() * skus[sku as usize].unit_weight_grams as f64 / 1000.0
    };
    let column = |i: usize, link: Option<Row>| -> Vec<(Row, f64)> {
        let sku = g.units[i].0;
        [Some(demand[i]), link, (option.stock)(sku)]
            .into_iter()
            .flatten()
            .map(|row| (row, 1.0))
            .collect()
    };
    if option.lines.is_empty() {
        return 0;
    }
    if g.units.len() == 1 || g.units.len() > input.linked_lines_max {
        // The base price spread over the order's units: exact for one SKU (its shipments carry
        // x / q orders' worth), a relaxation of the largest line share otherwise.
        let order_units: u64 = g.units.iter().map(|&(_, q)| q as u64).sum();
        let base_per_unit = band.base_cents.as_f64() / order_units as f64;
        for &i in option.lines {
            let cost = base_per_unit + weight_cents(g.units[i].0);
            pb.add_column(cost, 0.0.., column(i, None));
        }
        return option.lines.len();
    }
    let links: Vec<Row> = option.lines.iter().map(|_| pb.add_row(..=0.0)).collect();
    let shipment: Vec<(Row, f64)> = links
        .iter()
        .zip(option.lines)
        .map(|(&link, &i)| (link, -(g.units[i].1 as f64)))
        .collect();
    pb.add_column(band.base_cents.as_f64(), 0.0..=g.orders as f64, shipment);
    for (&i, &link) in option.lines.iter().zip(&links) {
        pb.add_column(weight_cents(g.units[i].0), 0.0.., column(i, Some(link)));
    }
    1 + links.len()
}

/// The least whole number of cents not below `objective`, less the solver's tolerance.
fn round_up(objective: f64) -> Cents {
    let tolerance = 1e-6 + 1e-9 * objective.abs();
    Cents::new((objective - tolerance).ceil().max(0.0) as u64)
}
