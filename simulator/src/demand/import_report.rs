//! What an import tells the user: the report of rows read, used and set aside, and why an import
//! that kept nothing failed.

use super::log::ImportCounts;
use super::source::DataRow;

/// The import report the CLI prints: rows read, used, and set aside per reason, the counts in
/// one column whatever the reasons' lengths.
pub fn describe(counts: &ImportCounts, bad_rows: &[(DataRow, String)]) -> String {
    // (label, count, what follows the count); a row without a count is a heading.
    let mut rows: Vec<(String, Option<u64>, String)> = vec![
        ("rows read".into(), Some(counts.rows_read), String::new()),
        ("rows used".into(), Some(counts.rows_used), String::new()),
        (
            "  order lines".into(),
            Some(counts.sale_lines),
            format!(
                "  in {} orders",
                qm_reports::format::group_thousands(counts.orders as f64, 0)
            ),
        ),
        (
            "  cancellations".into(),
            Some(counts.cancellation_lines),
            String::new(),
        ),
        ("  returns".into(), Some(counts.return_lines), String::new()),
        (
            "  stock write-offs".into(),
            Some(counts.write_off_lines),
            String::new(),
        ),
        (
            "rows set aside".into(),
            Some(counts.rows_set_aside()),
            String::new(),
        ),
    ];
    rows.extend(
        counts
            .set_aside
            .iter()
            .map(|(reason, &n)| (format!("  {reason}"), Some(n), String::new())),
    );
    if !counts.notes.is_empty() {
        rows.push(("notes (rows used)".into(), None, String::new()));
        rows.extend(
            counts
                .notes
                .iter()
                .map(|(note, &n)| (format!("  {note}"), Some(n), String::new())),
        );
    }
    let width = rows
        .iter()
        .map(|(label, ..)| label.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (label, count, after) in rows {
        match count {
            Some(n) => {
                let n = qm_reports::format::group_thousands(n as f64, 0);
                out.push_str(&format!("{label:<width$} {n:>11}{after}\n"));
            }
            None => out.push_str(&format!("{label}\n")),
        }
    }
    for (at, reason) in bad_rows {
        out.push_str(&format!("bad {at}: {reason}\n"));
    }
    out
}

/// Why an import kept no row: no data rows, or the commonest reasons rows were set aside,
/// with the first bad row.
pub(super) fn nothing_kept(counts: &ImportCounts, bad_rows: &[(DataRow, String)]) -> String {
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
    if let Some((at, reason)) = bad_rows.first() {
        why.push_str(&format!("; the first, {at}: {reason}"));
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_keeps_its_counts_in_one_column_grouped_by_thousands() {
        let mut counts = ImportCounts {
            rows_read: 170_978,
            rows_used: 169_335,
            sale_lines: 167_426,
            orders: 5_794,
            ..Default::default()
        };
        counts
            .set_aside
            .insert("cancellation_unmatched".into(), 1_643);
        let note = "undo_partly_matched (the rest predates the history)";
        counts.notes.insert(note.into(), 16);
        let at = DataRow {
            row: 7,
            line: Some(9),
        };
        let text = describe(&counts, &[(at, "bad date".into())]);
        assert!(text.contains("  in 5,794 orders"), "{text}");
        // Every count ends in the same column, however long the longest label.
        let ends: Vec<usize> = text
            .lines()
            .filter(|l| l.ends_with(|c: char| c.is_ascii_digit()) && !l.starts_with("bad row"))
            .map(|l| l.chars().count())
            .collect();
        assert_eq!(ends.len(), 8, "{text}");
        assert!(ends.iter().all(|&e| e == ends[0]), "{text}");
        let lines = text.lines().find(|l| l.contains("order lines")).unwrap();
        let end = lines.find("167,426").unwrap() + "167,426".len();
        assert_eq!(lines[..end].chars().count(), ends[0], "{text}");
        assert!(text.contains("170,978") && text.ends_with("bad row 7 (line 9): bad date\n"));
    }
}
