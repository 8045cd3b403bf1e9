//! The `qm` command line: clap's structs ([`args`]), one function per subcommand, and what the
//! terminal shows. Errors travel as [`failure::Failure`], which carries the exit code.

pub mod args;
mod engine;
pub mod failure;
mod forecast;
mod import;
mod many_runs;
mod output;
mod policy;
mod progress;
mod run;

use args::{Cli, Command};
use failure::Failure;

/// Runs the command the user typed.
pub fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Simulate(args) => run::simulate(args),
        Command::Bench(args) => many_runs::bench(args),
        Command::Size(args) => many_runs::size(args),
        Command::Engine { command } => engine::engine(command),
        Command::Serve(args) => engine::serve(args),
        Command::Report(args) => run::report(args),
        Command::Compare(args) => run::compare(args),
        Command::Import(args) => import::import(args),
        Command::Policy(args) => policy::policy(args),
        Command::Tune(args) => many_runs::tune(args),
        Command::Forecast(args) => forecast::forecast(args),
    }
}
