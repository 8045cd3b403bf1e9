//! Recorded histories that once panicked, ran away with memory, were read wrong or overwrote
//! what they read: `qm import` (and the readers behind a scenario's `[demand.recorded]`) now
//! refuses each with its file, row or line and exit code 2, or reads it correctly.

mod common;
use common::{qm, temp_dir};

use std::path::Path;

const HEADER: &str =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
const ROW_1: &str =
    "536365,85123A,\"HEART, WHITE\",6,2011-06-01 08:26:00,2.55,17850,United Kingdom";
const ROW_2: &str = "536366,71053,LANTERN,6,2011-06-01 09:26:00,3.39,17850,United Kingdom";

/// `qm import` of `bytes` (as `history.csv`) with the online-retail preset and `extra`
/// options: (exit code, standard output, standard error).
fn import(dir: &Path, bytes: &[u8], extra: &[&str]) -> (i32, String, String) {
    let csv = dir.join("history.csv");
    std::fs::write(&csv, bytes).unwrap();
    import_file(&csv, dir, extra)
}

fn import_file(file: &Path, dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = dir.join("history.qmd");
    let mut args = vec![
        "import",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    if !extra.contains(&"--mapping") {
        args.extend(["--preset", "online_retail"]);
    }
    args.extend(extra);
    let output = qm(&args);
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `text` with every run of white space one space: the report's column widths follow its
/// longest label.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn csv_rows_that_cannot_be_read_are_counted_with_their_line() {
    let dir = temp_dir("rows");
    // Invalid UTF-8 in a column nobody reads: the row is kept.
    let unused =
        format!("{HEADER}\n{ROW_1}\n536367,22633,BAD \u{0}X,6,2011-06-01 09:00:00,1.85,1,France\n")
            .replace("BAD \u{0}X", "BAD \u{FFFD}X")
            .into_bytes();
    let mut unused = unused;
    let at = unused
        .windows(3)
        .position(|w| w == "\u{FFFD}".as_bytes())
        .unwrap();
    unused.splice(at..at + 3, [0xff, 0xfe]);
    let (code, stdout, stderr) = import(&dir, &unused, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(words(&stdout).contains("rows used 2"), "{stdout}");
    // In a mapped column: that row is bad, with its line; the file is not refused.
    let mut used = format!(
        "{HEADER}\n{ROW_1}\n536368,2263X,LAMP,6,2011-06-01 09:00:00,1.85,1,France\n{ROW_2}\n"
    )
    .into_bytes();
    let at = used.windows(5).position(|w| w == b"2263X").unwrap();
    used[at + 4] = 0xff;
    let (code, stdout, stderr) = import(&dir, &used, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("bad row 2 (line 3): invalid UTF-8: in column `StockCode`"),
        "{stdout}"
    );
    assert!(words(&stdout).contains("rows used 2"), "{stdout}");
    // An unbalanced quote says which lines it swallowed.
    let quote = format!("{HEADER}\n{ROW_1}\n536369,22633,\"OPEN,6,2011-06-01 09:00:00,1.85,1,France\n{ROW_2}\n{ROW_2}\n");
    let (code, stdout, _) = import(&dir, quote.as_bytes(), &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(
            "bad row 2 (line 3): unbalanced quote: a quoted field runs from line 3 to the end of \
             the file, and the row has 3 fields where the header has 8"
        ),
        "{stdout}"
    );
    // The same quote on a last line without a line break (the CSV reader alone takes the row).
    let quote = format!(
        "{HEADER}\n{ROW_1}\n{ROW_2}\n536369,22633,HOT,6,2011-06-01 09:00:00,1.85,1,\"France"
    );
    let (code, stdout, _) = import(&dir, quote.as_bytes(), &[]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(
            "bad row 3 (line 4): unbalanced quote: a quoted field in column `Country` runs from \
             line 4 to the end of the file"
        ),
        "{stdout}"
    );
    // Extra fields are a bad row, not silently accepted.
    let extra = format!("{HEADER}\n{ROW_1}\n{ROW_2},surprise\n");
    let (_, stdout, _) = import(&dir, extra.as_bytes(), &[]);
    assert!(
        stdout.contains("bad row 2 (line 3): extra fields: 9 where the header has 8"),
        "{stdout}"
    );
    let (code, _, stderr) = import(&dir, extra.as_bytes(), &["--strict"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("row 2 (line 3): extra fields"), "{stderr}");
    // A trailing blank line is not a row, even with --strict.
    let blank = format!("{HEADER}\n{ROW_1}\n{ROW_2}\n\n");
    let (code, stdout, stderr) = import(&dir, blank.as_bytes(), &["--strict"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        words(&stdout).contains("rows read 2 rows used 2"),
        "{stdout}"
    );
}

/// Old Mac line breaks, a CR alone: the CSV reader ends a row at each, and every row is named by
/// the line an editor shows it on, as with LF or CRLF (the row of one field, cut short by a CR
/// in its invoice number, stood on "line 1", the header's, and in a file of CRs alone on line 0).
#[test]
fn a_row_of_a_file_of_cr_line_breaks_is_named_by_its_line() {
    let dir = temp_dir("cr");
    let short = ROW_2.replacen("536366", "5\r536366", 1);
    for line_break in ["\n", "\r\n", "\r"] {
        let text = [HEADER, ROW_1, &short, ROW_2, ""].join(line_break);
        let (code, stdout, stderr) = import(&dir, text.as_bytes(), &[]);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stdout.contains("bad row 2 (line 3): missing fields: 1 where the header has 8"),
            "{line_break:?}: {stdout}"
        );
        assert!(
            words(&stdout).contains("rows used 3"),
            "{line_break:?}: {stdout}"
        );
    }
}

#[test]
fn an_import_that_keeps_no_row_is_an_error_that_says_why() {
    let dir = temp_dir("empty");
    let (code, _, stderr) = import(&dir, format!("{HEADER}\n").as_bytes(), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no row kept: the file has a header but no data rows"),
        "{stderr}"
    );
    // A timestamp format that matches nothing.
    let mapping = dir.join("mapping.toml");
    std::fs::write(
        &mapping,
        "order_id = \"InvoiceNo\"\ntimestamp = \"InvoiceDate\"\nsku = \"StockCode\"\nquantity = \"Quantity\"\ntimestamp_format = \"%d/%m/%Y\"\n",
    )
    .unwrap();
    let rows = format!("{HEADER}\n{ROW_1}\n{ROW_2}\n");
    let (code, _, stderr) = import(
        &dir,
        rows.as_bytes(),
        &["--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no row kept: all 2 rows were set aside: bad_row: bad timestamp (2)"),
        "{stderr}"
    );
    // The four roles mapped as they should be, and one key more.
    let with_key = |key: &str| {
        let roles = "order_id = \"InvoiceNo\"\ntimestamp = \"InvoiceDate\"\nsku = \"StockCode\"\nquantity = \"Quantity\"\n";
        std::fs::write(&mapping, format!("{roles}{key}\n")).unwrap();
        import(
            &dir,
            rows.as_bytes(),
            &["--mapping", mapping.to_str().unwrap()],
        )
    };
    // An empty cancellation prefix would make every order a cancellation.
    let (code, _, stderr) = with_key("cancellation_prefix = \"\"");
    assert_eq!(code, 2);
    assert!(stderr.contains("cancellation_prefix is empty"), "{stderr}");
    // A format with a specifier strftime does not have: refused as such, not as every row's
    // timestamp failing to match it.
    let (code, _, stderr) = with_key("timestamp_format = \"%Y-%m-%Q\"");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("timestamp_format `%Y-%m-%Q` is not a strftime format"),
        "{stderr}"
    );
    // One column in two roles: refused before reading, not a panic or every row "empty".
    for extra in ["", "unit_price = \"UnitPrice\"\n"] {
        std::fs::write(
            &mapping,
            format!("order_id = \"InvoiceNo\"\ntimestamp = \"InvoiceNo\"\nsku = \"StockCode\"\nquantity = \"Quantity\"\n{extra}"),
        )
        .unwrap();
        let (code, _, stderr) = import(
            &dir,
            rows.as_bytes(),
            &["--mapping", mapping.to_str().unwrap()],
        );
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("column `InvoiceNo` is mapped to both `order_id` and `timestamp`"),
            "{stderr}"
        );
    }
}

#[test]
fn whole_numbers_stored_as_floats_are_quantities() {
    use polars::prelude::*;
    let dir = temp_dir("floats");
    // What pandas writes for an integer column with a missing value: float64 with a null.
    let mut frame = df!(
        "InvoiceNo" => ["536365", "536366", "536367"],
        "StockCode" => ["85123A", "71053", "22633"],
        "Quantity" => [Some(6.0f64), None, Some(12.0)],
        "InvoiceDate" => ["2011-06-01 08:26:00", "2011-06-01 09:26:00", "2011-06-01 10:26:00"],
        "UnitPrice" => [2.55f64, 3.39, 1.85],
        "CustomerID" => [Some(17850.0f64), Some(17850.0), None],
        "Country" => ["United Kingdom", "United Kingdom", "France"],
    )
    .unwrap();
    let path = dir.join("history.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    let (code, stdout, stderr) = import_file(&path, &dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(words(&stdout).contains("rows used 2"), "{stdout}");
    assert!(
        stdout.contains("bad row 2: bad quantity: `` is not a whole number"),
        "{stdout}"
    );
}

/// A recorded price beyond the scenario's bound on unit prices (or below 0) is a bad row, not
/// an amount that saturates.
#[test]
fn prices_out_of_range_are_bad_rows() {
    let dir = temp_dir("prices");
    let dear = ROW_2.replace(",3.39,", ",1e300,");
    let negative = ROW_2.replace(",3.39,", ",-3.39,");
    // Past f64's range: a number all the same, which read "is not a number".
    let overflowing = ROW_2.replace(",3.39,", ",1e400,");
    let negative_overflowing = ROW_2.replace(",3.39,", ",-1e400,");
    let not_a_number = ROW_2.replace(",3.39,", ",NaN,");
    let text = format!(
        "{HEADER}\n{ROW_1}\n{dear}\n{negative}\n{overflowing}\n{negative_overflowing}\n{not_a_number}\n"
    );
    let (code, stdout, stderr) = import(&dir, text.as_bytes(), &[]);
    assert_eq!(code, 0, "{stderr}");
    for reason in [
        "bad row 2 (line 3): price too large: 1e300 is beyond 10000000000 cents",
        "bad row 3 (line 4): negative price: -3.39",
        "bad row 4 (line 5): price too large: 1e400 is beyond 10000000000 cents",
        "bad row 5 (line 6): negative price: -1e400",
        "bad row 6 (line 7): bad price: `NaN` is not a number",
    ] {
        assert!(stdout.contains(reason), "{stdout}");
    }
}

/// An empty file listed its columns as nothing ("the file has: ").
#[test]
fn an_empty_file_is_refused_saying_its_header_is_empty() {
    let dir = temp_dir("empty");
    let (code, _, stderr) = import(&dir, b"", &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no column `InvoiceNo`: the header (the file's first line) is empty"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_import_never_overwrites_the_history_it_reads() {
    let dir = temp_dir("same");
    let csv = dir.join("history.csv");
    let rows = format!("{HEADER}\n{ROW_1}\n{ROW_2}\n");
    std::fs::write(&csv, &rows).unwrap();
    let dotted = dir.join(".").join("history.csv");
    for out in [&csv, &dotted] {
        let output = qm(&[
            "import",
            csv.to_str().unwrap(),
            "--preset",
            "online_retail",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("--out is the history being read"));
        assert_eq!(std::fs::read_to_string(&csv).unwrap(), rows);
    }
    // A log whose folder would be the history itself is refused by option before the import.
    let nowhere = dir.join("history.csv").join("log.qmd");
    let output = qm(&[
        "import",
        csv.to_str().unwrap(),
        "--preset",
        "online_retail",
        "--out",
        nowhere.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let expected = format!(
        "error: --out: `{}` is a file, not a folder, so `{}` cannot be written\n",
        csv.display(),
        nowhere.display()
    );
    assert_eq!(stderr, expected);
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), rows);
}

/// A history that is not a CSV is refused as soon as that shows, not read whole into memory: a
/// line without end (a device, a binary file) at 16 MiB, a header without the mapped columns
/// before its first row.
#[test]
fn a_file_that_is_not_a_csv_history_is_refused_before_it_fills_memory() {
    let dir = temp_dir("not-csv");
    let long = format!("{HEADER}\n1,\"{}\n", "x".repeat((16 << 20) + 1));
    let (code, _, stderr) = import(&dir, long.as_bytes(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("history.csv: after data row 0: a line longer than 16 MiB: not a CSV file"),
        "{stderr}"
    );
    #[cfg(unix)]
    for (device, message) in [
        (
            "/dev/zero",
            "the header cannot be read: a line longer than 16 MiB: not a CSV file",
        ),
        ("/dev/urandom", "no column `InvoiceNo`"),
    ] {
        let link = dir.join("device.csv");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(device, &link).unwrap();
        let (code, _, stderr) = import_file(&link, &dir, &[]);
        assert_eq!(code, 2, "{device}: {stderr}");
        assert!(stderr.contains(message), "{device}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A history separated by semicolons (a spreadsheet's export in many locales) or tabs shows as a
/// header of one column: the message says so, rather than offering that column as a close name.
/// A workbook or a Parquet file under a CSV name is named by its magic number, UTF-16 text by its
/// byte-order mark (gzip-compressed too), and a long
/// header without the mapped columns is shown cut, not a binary file's megabytes.
#[test]
fn a_history_not_separated_by_commas_is_named_as_such() {
    let dir = temp_dir("not-commas");
    for (bytes, message) in [
        (
            &b"PK\x03\x04\x14\x00"[..],
            "a ZIP archive (an Excel .xlsx workbook, or a zipped file), not a CSV",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1",
            "an Excel 97-2003 workbook (.xls), not a CSV",
        ),
        (
            b"PAR1\x15\x04",
            "a Parquet file, not a CSV: name it *.parquet",
        ),
        // Excel's "Unicode Text": UTF-16, little-endian, tabs.
        (
            b"\xff\xfeI\x00n\x00v\x00\t\x00",
            "UTF-16 text (it begins with a UTF-16 byte-order mark, as Excel's \"Unicode Text\" \
             does), not UTF-8: save the sheet as \"CSV UTF-8\"",
        ),
        (
            b"\xfe\xff\x00I\x00n\x00v\x00,",
            "UTF-16 text (it begins with a UTF-16 byte-order mark",
        ),
    ] {
        let (code, _, stderr) = import(&dir, bytes, &[]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    }
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gzip, b"\xff\xfeI\x00n\x00v\x00\t\x00").unwrap();
    let (code, _, stderr) = import(&dir, &gzip.finish().unwrap(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("UTF-16 text"), "{stderr}");
    let wide = format!("{}\n", vec!["column"; 1000].join(","));
    let (code, _, stderr) = import(&dir, wide.as_bytes(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("; the file has: column, column"),
        "{stderr}"
    );
    assert!(
        stderr.trim_end().ends_with(" …") && stderr.len() < 500,
        "{stderr}"
    );
    for (separator, named) in [(";", "`;`"), ("\t", "tabs")] {
        let text = format!("{HEADER}\n{ROW_1}\n").replace(',', separator);
        let (code, _, stderr) = import(&dir, text.as_bytes(), &[]);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains(&format!(
                "no column `InvoiceNo`: the header is one column, separated by {named}; qm reads \
                 comma-separated files"
            )),
            "{stderr}"
        );
    }
}

/// A header with bytes UTF-8 does not have (binary data, or a Windows-1252 export) that lacks a
/// mapped column says so: a binary file read as `;`-separated ("the header is one column,
/// separated by `;`") when a `;` byte happened to be in it. Such a name in a column the mapping
/// does not read is no matter.
#[test]
fn a_header_that_is_not_utf8_is_named_as_such() {
    let dir = temp_dir("not-utf8");
    let binary: Vec<u8> = (0..3000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let windows_1252 = format!("{HEADER}\n{ROW_1}\n").replace("Country", "Gr\u{f6}\u{df}e");
    let windows_1252: Vec<u8> = windows_1252.chars().map(|c| c as u8).collect();
    for (bytes, column) in [(&binary, "InvoiceNo"), (&windows_1252, "Country")] {
        let (code, _, stderr) = import(&dir, bytes, &[]);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains(&format!(
                "no column `{column}`, and the header is not UTF-8 text throughout (binary data, \
                 or another encoding such as Windows-1252: save it as \"CSV UTF-8\")"
            )),
            "{stderr}"
        );
    }
    let extra = format!("{HEADER},Gr\u{f6}\u{df}e\n{ROW_1},x\n");
    let extra: Vec<u8> = extra.chars().map(|c| c as u8).collect();
    let (code, _, stderr) = import(&dir, &extra, &[]);
    assert_eq!(code, 0, "{stderr}");
}

/// A scenario, a column mapping or a durable engine's opening scenario read from a device
/// that never ends is refused at 64 MiB, not read until memory runs out.
#[cfg(unix)]
#[test]
fn a_toml_input_without_end_is_refused_at_its_bound() {
    let dir = temp_dir("endless");
    let csv = dir.join("history.csv");
    std::fs::write(&csv, format!("{HEADER}\n{ROW_1}\n")).unwrap();
    let engine = dir.join("engine");
    for (args, message) in [
        (
            vec!["simulate", "/dev/zero"],
            "/dev/zero: larger than 64 MiB: not a scenario file",
        ),
        (
            vec![
                "import",
                csv.to_str().unwrap(),
                "--mapping",
                "/dev/zero",
                "--out",
                "unused.qmd",
            ],
            "/dev/zero: larger than 64 MiB: not a column mapping",
        ),
        (
            vec![
                "engine",
                "drive",
                engine.to_str().unwrap(),
                "--scenario",
                "/dev/zero",
            ],
            "/dev/zero: larger than 64 MiB: not a scenario file",
        ),
    ] {
        let output = qm(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert!(!engine.join("genesis.json").exists(), "nothing written");
}

/// polars' Parquet reader panics on some damaged footers and pages; `qm import` turns that into
/// a located refusal with nothing of the panic on the terminal.
#[test]
fn a_damaged_parquet_file_is_refused_not_a_panic() {
    use polars::prelude::*;
    let dir = temp_dir("parquet-damage");
    let mut frame = df!(
        "InvoiceNo" => ["536365", "536366", "536367"],
        "StockCode" => ["85123A", "71053", "22633"],
        "Quantity" => [6i64, 6, 12],
        "InvoiceDate" => ["2011-06-01 08:26:00", "2011-06-01 09:26:00", "2011-06-01 10:26:00"],
        "UnitPrice" => [2.55f64, 3.39, 1.85],
        "CustomerID" => ["17850", "17850", "13047"],
        "Country" => ["United Kingdom", "United Kingdom", "France"],
    )
    .unwrap();
    let mut good = Vec::new();
    ParquetWriter::new(&mut good).finish(&mut frame).unwrap();
    let path = dir.join("history.parquet");
    let preset = qm_simulator::scenario::columns::ColumnMapping::preset("online_retail").unwrap();
    // Every byte of the footer set to 0xff in turn: the first that made the reader panic.
    let footer = good.len()
        - 8
        - u32::from_le_bytes(good[good.len() - 8..good.len() - 4].try_into().unwrap()) as usize;
    let panicking = (footer..good.len() - 8).find_map(|i| {
        let mut bytes = good.clone();
        bytes[i] = 0xff;
        std::fs::write(&path, &bytes).unwrap();
        match qm_simulator::demand::import::import(&path, &preset, false) {
            Err(e) if e.to_string().contains("not a readable Parquet file") => Some(bytes),
            _ => None,
        }
    });
    let bytes = panicking.expect("some footer damage makes polars panic");
    std::fs::write(&path, &bytes).unwrap();
    let out = dir.join("history.qmd");
    let output = qm(&[
        "import",
        path.to_str().unwrap(),
        "--preset",
        "online_retail",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: {}: not a readable Parquet file",
            path.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
