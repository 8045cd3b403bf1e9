//! `qm`: Quartermaster's command line. Parses, dispatches, maps errors to exit codes.

mod cli;

use std::process::ExitCode;

use clap::Parser;

// polars allocates and frees many column buffers; mimalloc reuses them instead of faulting in
// fresh pages (`qm import` of a large history).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::dispatch(cli::args::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}
