//! `qm`: Quartermaster's command line. Parses, runs, maps errors to exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use qm_simulator::run::{simulate, write_outputs};
use qm_simulator::scenario::Scenario;

/// Quartermaster: stock allocation engine and supply-chain simulator.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario through the engine and write its KPIs.
    Simulate {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Folder for the outputs; the run goes in a sub-folder named after the scenario.
        #[arg(long, default_value = "runs")]
        out: PathBuf,
        /// Seed overriding the scenario's.
        #[arg(long)]
        seed: Option<u64>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Simulate { scenario, out, seed, quiet } => {
            let loaded = Scenario::load(&scenario)?;
            let s = &loaded.scenario;
            let seed = seed.unwrap_or(s.horizon.seed);
            let output = simulate(s, seed)?;
            let dir = out.join(&s.name);
            write_outputs(&output, &dir)?;
            if !quiet {
                print_summary(&output, &dir);
            }
            Ok(())
        }
    }
}

fn print_summary(output: &qm_simulator::run::RunOutput, dir: &std::path::Path) {
    let k = &output.summary;
    let l = &output.latency;
    println!("scenario {} · seed {} · {} days", k.scenario, k.seed, k.days);
    let rows: Vec<(&str, String)> = vec![
        ("orders placed", k.orders_placed.to_string()),
        ("order fulfillment rate", format!("{:.2} %", 100.0 * k.order_fulfillment_rate)),
        ("unit fill rate", format!("{:.2} %", 100.0 * k.unit_fill_rate)),
        ("orders rejected (lost sales)", format!("{} ({} units)", k.orders_rejected, k.lost_sales_units)),
        ("carts abandoned", format!("{} ({:.0} held unit-hours)", k.orders_abandoned, k.held_but_abandoned_unit_hours)),
        ("split shipment rate", format!("{:.2} %", 100.0 * k.split_shipment_rate)),
        ("shipping cost per order", format!("{:.2}", k.shipping_cost_cents_per_order / 100.0)),
        ("processing time p50 / p95", format!("{:.1} h / {:.1} h", k.processing_time_hours_p50, k.processing_time_hours_p95)),
        ("average on hand", format!("{:.0} units", k.average_on_hand_units)),
        ("stockout cell-days", k.stockout_cell_days.to_string()),
        ("supplier orders", k.supplier_orders.to_string()),
        ("reserve latency p50 / p99", format!("{} ns / {} ns", l.reserve_latency_ns_p50, l.reserve_latency_ns_p99)),
        ("engine calls per second", format!("{:.0}", l.engine_calls_per_second)),
    ];
    for (name, value) in rows {
        println!("  {name:<30} {value}");
    }
    println!("wrote {}/summary.json, daily.csv, latency.json", dir.display());
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
