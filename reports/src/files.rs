//! Writing output files so that a crash leaves the old file or the new one, never half of
//! one, and a link planted where an output goes is replaced, not followed: each file is written
//! to a new temporary file beside it and renamed over its name.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file or folder operation on `path` that failed: `cannot write runs/x.csv: …`.
#[derive(Debug, thiserror::Error)]
#[error("{doing} {}: {cause}", path.display())]
pub struct PathError {
    /// What was being done (`cannot write`, `creating`…).
    pub doing: &'static str,
    /// The file or folder.
    pub path: PathBuf,
    /// What the system said (not a `source`: the message already says it, once).
    pub cause: std::io::Error,
}

impl PathError {
    /// The error of `doing` on `path`, for `map_err`.
    pub fn on<'a, E: From<PathError>>(
        doing: &'static str,
        path: &'a Path,
    ) -> impl FnOnce(std::io::Error) -> E + 'a {
        move |cause| {
            E::from(PathError {
                doing,
                path: path.to_path_buf(),
                cause,
            })
        }
    }
}

/// The temporary name a file is written under before it takes `path`'s name.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes a new file at `path` through `fill`, then renames it over whatever `path` was (a
/// file, a link, nothing). On error the temporary file is removed and `path` is untouched.
pub fn write_with<E: From<std::io::Error>>(
    path: &Path,
    fill: impl FnOnce(&mut File) -> Result<(), E>,
) -> Result<(), E> {
    let temporary = temporary(path);
    // A leftover of a crashed run with this process id is ours to replace.
    let _ = std::fs::remove_file(&temporary);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)?;
    let done = fill(&mut file).and_then(|()| {
        file.flush()?;
        std::fs::rename(&temporary, path)?;
        Ok(())
    });
    if done.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    done
}

/// Writes `bytes` to `path` as [`write_with`] does.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> std::io::Result<()> {
    write_with(path, |file| file.write_all(bytes.as_ref()))
}

/// Removes the file at `path`; one that is not there is already removed.
pub fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or carriage return
/// first) gets a leading `'`, as spreadsheets expect: CSV exports only, Parquet keeps the text.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if runs_as_formula(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Whether a spreadsheet would run `text` as a formula.
pub fn runs_as_formula(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_where_an_output_goes_is_replaced_not_followed() {
        let dir = std::env::temp_dir().join(format!("qm-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("precious.txt");
        std::fs::write(&target, "keep me").unwrap();
        let link = dir.join("summary.json");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write(&link, "{}").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "{}");
        assert!(!std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        let leftovers = std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(leftovers, 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn formulas_are_defused_and_other_text_is_kept() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("+1"), "'+1");
        assert_eq!(spreadsheet_safe("-2"), "'-2");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("SKU00001"), "SKU00001");
        assert_eq!(spreadsheet_safe(""), "");
    }
}
