//! What an import tells the user: the report of rows read, used and set aside, and why an import
//! that kept nothing failed.

use std::collections::BTreeMap;

use super::log::ImportCounts;

/// The import report the CLI prints: rows read, used, and set aside per reason.
pub fn describe(counts: &ImportCounts, bad_rows: &[(u64, String)]) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!("rows read            {:>10}", counts.rows_read));
    line(format!("rows used            {:>10}", counts.rows_used));
    line(format!(
        "  order lines        {:>10}  in {} orders",
        counts.sale_lines, counts.orders
    ));
    line(format!(
        "  cancellations      {:>10}",
        counts.cancellation_lines
    ));
    line(format!("  returns            {:>10}", counts.return_lines));
    line(format!(
        "  stock write-offs   {:>10}",
        counts.write_off_lines
    ));
    line(format!(
        "rows set aside       {:>10}",
        counts.rows_set_aside()
    ));
    let reasons: BTreeMap<&String, &u64> = counts.set_aside.iter().collect();
    for (reason, n) in reasons {
        line(format!("  {reason:<32} {n:>10}"));
    }
    if !counts.notes.is_empty() {
        line("notes (rows used)".into());
        for (note, n) in &counts.notes {
            line(format!("  {note:<32} {n:>10}"));
        }
    }
    for (row, reason) in bad_rows {
        line(format!("bad row {row}: {reason}"));
    }
    out
}

/// Why an import kept no row: no data rows, or the commonest reasons rows were set aside,
/// with the first bad row.
pub(super) fn nothing_kept(counts: &ImportCounts, bad_rows: &[(u64, String)]) -> String {
    if counts.rows_read == 0 {
        return "the file has a header but no data rows".into();
    }
    let mut reasons: Vec<(&String, &u64)> = counts.set_aside.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let listed: Vec<String> = reasons
        .iter()
        .take(3)
        .map(|(reason, n)| format!("{reason} ({n})"))
        .collect();
    let mut why = format!(
        "all {} rows were set aside: {}",
        counts.rows_read,
        listed.join(", ")
    );
    if let Some((row, reason)) = bad_rows.first() {
        why.push_str(&format!("; the first, row {row}: {reason}"));
    }
    why
}
