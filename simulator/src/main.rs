//! `qm`: Quartermaster's command line. Parses, dispatches, maps errors to exit codes.

mod cli;

use std::process::ExitCode;

use clap::Parser;

// polars allocates and frees many column buffers; mimalloc reuses them instead of faulting in
// fresh pages (`qm import` of a large history).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    die_quietly_on_a_closed_pipe();
    match cli::dispatch(cli::args::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}

/// `qm … | head` closes the pipe early; Rust ignores SIGPIPE, so the next `println!` would panic
/// ("failed printing to stdout: Broken pipe"). Restoring the default action ends the process
/// quietly instead, as with any Unix tool. Files are written before anything is printed about
/// them, so no output is cut short.
fn die_quietly_on_a_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first in `main`, before any thread starts; SIG_DFL is a valid action for
    // SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
