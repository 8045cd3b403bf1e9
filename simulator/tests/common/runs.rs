//! Running shipped scenarios in process, and the identities every run must keep.

use qm_reports::run::{Counts, DayRow};
use qm_simulator::scenario::Scenario;
use qm_simulator::sim::{simulate, RunOutput};
use toml::Spanned;

/// A shipped scenario, cut to its first `days` when given.
pub fn load(name: &str, days: Option<u32>) -> Scenario {
    let mut scenario = Scenario::load(&super::scenario(name)).unwrap().scenario;
    if let Some(days) = days {
        scenario.horizon.days = Spanned::new(0..0, days);
    }
    scenario
}

/// Runs `scenario` with its own seed.
pub fn run(scenario: &Scenario) -> RunOutput {
    simulate(scenario, scenario.horizon.seed, &mut |_| {}).unwrap()
}

/// The auditor, from the engine's events and the customers' decisions, agrees exactly, down to
/// every cell's cycles and short cycles.
fn assert_auditor_agrees(output: &RunOutput) {
    let k = &output.summary;
    assert_eq!(
        output.audit.disagreements(k, &output.cell_cycles),
        Vec::<String>::new()
    );
    assert_eq!(output.audit.cell_cycles, output.cell_cycles);
    assert_eq!(
        output.audit.kpis.achieved_cycle_service_level,
        k.achieved_cycle_service_level
    );
    assert_eq!(output.audit.kpis.orders_placed, k.orders_placed);
    assert_eq!(output.audit.kpis.units_shipped, k.units_shipped);
}

/// Identities that hold in every run, whatever the scenario.
/// The days' stock figures add up to the run's: its holding cost to the cent (each day's is
/// rounded), its supplier orders, its stockout SKU-days and its mean on-hand units.
fn assert_stock_adds_up(output: &RunOutput) {
    let (k, daily) = (&output.summary, &output.data.daily);
    let holding: qm_money::Cents = daily.iter().map(|d| d.holding_cost_cents).sum();
    assert_eq!(holding, k.holding_cost_cents);
    let sum = |figure: fn(&DayRow) -> u64| daily.iter().map(figure).sum::<u64>();
    assert_eq!(sum(|d| d.supplier_orders), k.supplier_orders);
    assert_eq!(sum(|d| d.stockout_skus), k.stockout_sku_days);
    assert_eq!(
        sum(|d| d.on_hand_units) as f64 / daily.len() as f64,
        k.average_on_hand_units
    );
}

pub fn assert_accounts_add_up(output: &RunOutput) {
    let k = &output.summary;
    assert_auditor_agrees(output);
    assert_eq!(
        k.orders_placed,
        k.orders_held + k.orders_cancelled_oversold + k.orders_rejected_with_stock,
        "every placed order was held or cancelled"
    );
    assert!(k.orders_confirmed <= k.orders_held - k.orders_abandoned);
    assert!(
        k.orders_shipped_accurate <= k.orders_shipped_complete
            && k.orders_shipped_complete <= k.orders_shipped
    );
    assert!(k.orders_shipped <= k.orders_confirmed);
    assert!(k.units_shipped <= k.units_ordered);
    assert!(k.lost_sales_units_not_shown <= k.lost_sales_units);
    let data = &output.data;
    assert_eq!(data.daily.len(), k.days as usize);
    // Every level's counts add up to the run's: a day's are its placed orders', a channel's its
    // orders', a SKU's its lines', a warehouse's its shipments'.
    let days = Counts::sum(data.daily.iter().map(|d| &d.counts));
    let channels = Counts::sum(data.channels.iter().map(|c| &c.counts));
    let skus = Counts::sum(data.skus.iter().map(|s| &s.counts));
    let warehouses = Counts::sum(data.warehouses.iter().map(|w| &w.counts));
    for level in [&days, &channels] {
        assert_eq!(level.orders_placed, k.orders_placed);
        assert_eq!(level.orders_to_ship(), k.orders_to_ship);
        assert_eq!(level.orders_shipped_complete, k.orders_shipped_complete);
        assert_eq!(level.orders_oversold, k.orders_oversold);
        assert_eq!(level.oversold_units, k.oversold_units);
        assert_eq!(level.shipping_cost_cents, k.shipping_cost_cents);
        assert_eq!(level.shipments, k.shipments);
        assert_eq!(level.pick_errors, k.pick_errors);
    }
    for level in [&days, &channels, &skus] {
        assert_eq!(level.units_ordered, k.units_ordered);
        assert_eq!(level.units_to_ship(), k.units_to_ship);
        assert_eq!(level.units_shipped, k.units_shipped);
        assert_eq!(level.units_backordered, k.units_backordered);
        assert_eq!(level.lost_sales_units, k.lost_sales_units);
        assert_eq!(
            level.lost_sales_units_not_shown,
            k.lost_sales_units_not_shown
        );
    }
    assert_eq!(warehouses.shipments, k.shipments);
    assert_eq!(warehouses.shipping_cost_cents, k.shipping_cost_cents);
    assert_eq!(warehouses.pick_errors, k.pick_errors);
    assert_eq!(warehouses.units_shipped, k.units_shipped);
    assert_eq!(warehouses.units_backordered, k.units_backordered);
    // The same formula at every level: the run's rate from the summed days equals the summary's.
    assert_eq!(
        days.order_fulfillment_rate().unwrap_or(0.0),
        k.order_fulfillment_rate
    );
    assert_eq!(skus.unit_fill_rate().unwrap_or(0.0), k.unit_fill_rate);
    let sum = |values: &mut dyn Iterator<Item = u64>| values.sum::<u64>();
    assert_eq!(
        sum(&mut data.processing_time.iter().map(|b| b.orders)),
        k.orders_shipped_complete
    );
    assert_eq!(
        data.sku_daily.len(),
        k.days as usize * data.skus.len().min(qm_reports::run::TOP_SKUS)
    );
    assert_stock_adds_up(output);
    let lines: u64 = data.warehouse_daily.iter().map(|r| r.lines_shipped).sum();
    assert_eq!(warehouses.lines_shipped, lines);
    // A cutoff stops at capacity; only the day's first shipment may exceed it alone (≤ 64 lines).
    for w in &data.warehouse_daily {
        assert!(w.lines_shipped <= w.capacity_lines as u64 + 64, "{w:?}");
    }
    assert!(k.order_accuracy <= 1.0 && k.order_fulfillment_rate <= 1.0);
    assert_eq!(
        k.orders_to_ship,
        k.orders_placed - k.orders_abandoned - k.orders_payment_failed - k.orders_in_flight_at_end
    );
    let last_day = data.daily.last().map_or(0, |d| d.counts.orders_placed);
    assert!(k.orders_in_flight_at_end <= last_day);
    assert_eq!(
        sum(&mut data.channels.iter().map(|c| c.counts.orders_to_ship())),
        k.orders_to_ship
    );
    assert_eq!(
        sum(&mut data.channels.iter().map(|c| c.counts.units_to_ship())),
        k.units_to_ship
    );
    assert!(k.units_shipped <= k.units_to_ship && k.units_to_ship <= k.units_ordered);
    assert!(k.demand_fill_rate <= k.unit_fill_rate);
    // Peak orders are the orders placed on the days an event raises demand.
    let peak_days: Vec<_> = data.daily.iter().filter(|d| !d.events.is_empty()).collect();
    assert_eq!(k.peak_days as usize, peak_days.len());
    assert_eq!(
        sum(&mut peak_days.iter().map(|d| d.counts.orders_placed)),
        k.peak_orders_placed
    );
    assert_eq!(
        sum(&mut peak_days.iter().map(|d| d.counts.units_ordered)),
        k.peak_units_ordered
    );
    assert!(k.peak_orders_to_ship <= k.peak_orders_placed);
    assert!(k.peak_orders_shipped_complete <= k.peak_orders_to_ship);
    assert!(k.peak_orders_shipped_complete <= k.orders_shipped_complete);
    assert!(k.peak_units_to_ship <= k.peak_units_ordered);
    assert!(k.peak_units_shipped <= k.peak_units_to_ship.min(k.units_shipped));
}
