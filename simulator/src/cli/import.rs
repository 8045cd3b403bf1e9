//! `qm import`: a recorded order history into a demand log.

use qm_simulator::demand::import::{describe, import_with_progress, ImportError};
use qm_simulator::scenario::columns::{ColumnMapping, PRESETS};
use qm_simulator::scenario::Scenario;

use super::args::ImportArgs;
use super::failure::Failure;
use super::progress::Jobs;

/// `qm import`: reads, maps and counts every row, then writes the log.
pub fn import(args: ImportArgs) -> Result<(), Failure> {
    let ImportArgs {
        file,
        out,
        preset,
        mapping,
        strict,
        quiet,
    } = args;
    let (file, out) = (file.as_path(), out.as_path());
    if same_file(file, out) {
        return Err(ImportError::Mapping {
            path: out.display().to_string(),
            message: format!(
                "--out is the history being read ({}); write the demand log to another file",
                file.display()
            ),
        }
        .into());
    }
    qm_simulator::tools::calculators::file_to_write("--out", out)?;
    let mapping = match (preset.as_deref(), mapping.as_deref()) {
        (Some(name), _) => ColumnMapping::preset(name).ok_or_else(|| ImportError::Mapping {
            path: file.display().to_string(),
            message: format!("unknown preset `{name}`; presets: {}", PRESETS.join(", ")),
        })?,
        (None, Some(path)) => {
            // A mapping is a TOML file of a few lines, read with the scenario's bound.
            let text = Scenario::read_text(path, "column mapping")?;
            toml::from_str(&text).map_err(|e| ImportError::Mapping {
                path: path.display().to_string(),
                message: e.to_string().trim_end().to_string(),
            })?
        }
        (None, None) => unreachable!("clap requires --preset or --mapping"),
    };
    // Wall time only for the rows-per-second figure printed to the user.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let bar = Jobs::new(0, "rows", quiet);
    let imported = import_with_progress(file, &mapping, strict, &mut |done, rows| {
        bar.length(rows as usize);
        bar.position(done as usize);
    });
    bar.finish();
    let imported = imported?;
    let seconds = started.elapsed().as_secs_f64();
    imported.log.write(out)?;
    if !quiet {
        print!("{}", describe(&imported.log.counts, &imported.bad_rows));
        println!(
            "read in {seconds:.2} s ({:.2} M rows/s); wrote {} ({} orders, {} lines, {} SKUs)",
            imported.log.counts.rows_read as f64 / seconds.max(1e-9) / 1e6,
            out.display(),
            imported.log.orders.len(),
            imported.log.lines.len(),
            imported.log.skus.len()
        );
    }
    Ok(())
}

/// Whether `out` names the file `input` (through links or `..`), existing or not.
fn same_file(input: &std::path::Path, out: &std::path::Path) -> bool {
    let resolved = |path: &std::path::Path| {
        path.canonicalize().ok().or_else(|| {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
            let parent = parent.map_or_else(|| std::path::PathBuf::from("."), Into::into);
            Some(parent.canonicalize().ok()?.join(path.file_name()?))
        })
    };
    match (resolved(input), resolved(out)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}
