//! What a person sees while a run goes on: a progress bar after the first second, and Ctrl-C
//! that stops at the end of the simulated day.

use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

/// Set by the first Ctrl-C: runs stop at their next daily close and write what they have.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// First Ctrl-C: set [`INTERRUPTED`] and say `what_follows` (what the command does with it);
/// second: leave at once.
pub fn stop_on_ctrl_c(what_follows: &'static str) {
    let installed = ctrlc::set_handler(move || {
        if INTERRUPTED.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: {what_follows} (Ctrl-C again to quit now)");
    });
    // Without a handler (another one is installed) Ctrl-C simply ends the process.
    drop(installed);
}

/// Shows a progress bar only once a run has taken more than a second, and never when quiet.
pub struct Progress {
    bar: Option<ProgressBar>,
    days: u64,
    quiet: bool,
    // Wall time decides when to show the bar; it never touches the simulation.
    started: std::time::Instant,
}

impl Progress {
    #[allow(clippy::disallowed_methods)]
    pub fn new(days: u32, quiet: bool) -> Self {
        Self {
            bar: None,
            days: days as u64,
            quiet,
            started: std::time::Instant::now(),
        }
    }

    pub fn day_done(&mut self, day: u32) {
        if self.quiet {
            return;
        }
        if self.bar.is_none() && self.started.elapsed().as_secs_f64() > 1.0 {
            let bar = ProgressBar::new(self.days);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} day {pos}/{len} · {elapsed} elapsed, ~{eta} left",
                )
                .expect("valid template"),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(day as u64 + 1);
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A bar over a known number of parallel jobs (runs of `bench`, `tune`, `size`, `--seeds`); not
/// drawn when quiet, nor when standard error is not a terminal (indicatif's stderr target hides
/// itself then).
#[derive(Clone)]
pub struct Jobs {
    bar: ProgressBar,
}

impl Jobs {
    /// A bar over `jobs` jobs of `what` (hidden when `quiet`).
    pub fn new(jobs: usize, what: &str, quiet: bool) -> Self {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(jobs as u64)
        };
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {what} · {{elapsed}} elapsed, ~{{eta}} left"
            ))
            .expect("valid template"),
        );
        Jobs { bar }
    }

    /// One more job done (callable from rayon's threads).
    pub fn done(&self) {
        self.bar.inc(1);
    }

    /// Adds `jobs` to the total (a search that finds its next jobs as it goes).
    pub fn more(&self, jobs: usize) {
        self.bar.inc_length(jobs as u64);
    }

    /// Sets the total.
    pub fn length(&self, jobs: usize) {
        self.bar.set_length(jobs as u64);
    }

    /// Sets the jobs done.
    pub fn position(&self, done: usize) {
        self.bar.set_position(done as u64);
    }

    /// Prints a line above the bar.
    pub fn println(&self, line: String) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
