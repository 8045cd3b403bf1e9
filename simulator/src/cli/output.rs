//! What the terminal shows at the end of a command: the run's summary and the files written.

use std::path::{Path, PathBuf};

use qm_reports::format;
use qm_reports::kpi::{self, Verdict};
use qm_reports::run::RunData;
use qm_simulator::sim::cost_bound::Relaxation;
use qm_simulator::sim::RunOutput;

/// The run's headline KPIs from the catalog, each beside its target with the ones that miss
/// marked, the engine's speed, and where the files went.
pub fn print_summary(output: &RunOutput, dir: &Path, written: &[PathBuf]) {
    let k = &output.summary;
    println!(
        "scenario {} · seed {} · {} days from {}",
        k.scenario, k.seed, k.days, k.start_date
    );
    print!("{}", headline_table(&output.data));
    let l = &output.data.latency;
    if let Some(reserve) = l.kinds.iter().find(|x| x.call == "reserve") {
        let grouped = |x: f64| qm_reports::format::group_thousands(x, 0);
        println!(
            "  engine (wall clock): reserve p50 {} ns / p99 {} ns, {} calls a second",
            grouped(reserve.latency_ns_p50 as f64),
            grouped(reserve.latency_ns_p99 as f64),
            grouped(l.engine_calls_per_second)
        );
    }
    print_written(dir, written);
    if written.iter().any(|p| p.ends_with("report.html")) {
        println!("open {}/report.html in a browser", dir.display());
    }
}

/// The headline KPIs as a terminal table: name, value, target, and `MISSED` where a target is
/// missed; then how many targets were missed.
pub fn headline_table(run: &RunData) -> String {
    let readings = kpi::readings(run);
    let headline = kpi::headline(run, &readings);
    let width = headline
        .iter()
        .map(|h| h.reading.kpi.name.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for h in &headline {
        let kpi = h.reading.kpi;
        let value = format::display_against(&h.reading.value, kpi.unit, h.target);
        let target = h
            .target
            .map_or(String::new(), |t| format::target_text(t, kpi.unit));
        let verdict = match h.verdict {
            Verdict::Met => "met",
            Verdict::Missed => "MISSED",
            Verdict::Undefined => "undefined",
            Verdict::NoTarget => "",
        };
        let line = format!(
            "  {:<width$}  {value:>18}  {target:<22} {verdict}",
            kpi.name
        );
        out += line.trim_end();
        out += "\n";
    }
    let targets = headline.iter().filter(|h| h.target.is_some()).count();
    let missed = headline
        .iter()
        .filter(|h| h.verdict == Verdict::Missed)
        .count();
    out += &match missed {
        0 => format!("  every target met ({targets})\n"),
        n => format!("  {n} of {targets} targets MISSED\n"),
    };
    out
}

/// The files a command wrote, by name, under their folder.
pub fn print_written(dir: &Path, written: &[PathBuf]) {
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    println!("wrote {}/: {}", dir.display(), names.join(", "));
}

/// Says so when a run asked for the shipping-cost bound got none (its programme was too large).
pub fn note_missing_bound(asked: Option<Relaxation>, runs: &[&RunData]) {
    let missing = runs
        .iter()
        .filter(|r| r.number("shipping_cost_lower_bound_cents").is_none())
        .count();
    let Some(relaxation) = asked.filter(|_| missing > 0) else {
        return;
    };
    let limits = qm_simulator::sim::cost_bound::limits_text(relaxation);
    let instead = match relaxation {
        Relaxation::LineShare => "--cost-bound alone (unit_share) bounds a run of any size, ",
        Relaxation::UnitShare => "",
    };
    eprintln!(
        "no shipping-cost bound in {missing} of {} runs: the programme was too large ({limits}); \
         {instead}--days shortens a run",
        runs.len()
    );
}
