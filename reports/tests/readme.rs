//! The KPI and table references (`docs/kpis.md`, `docs/tables.md`) are generated from the code
//! that writes the reports, so names and definitions are the same in every format and in the
//! documentation. Run with `QM_BLESS=1` to rewrite them after changing a KPI or a column.

use std::path::Path;

fn section(readme: &str, name: &str) -> Option<(usize, usize)> {
    let start_marker = format!("<!-- {name}:start -->\n");
    let end_marker = format!("<!-- {name}:end -->");
    let start = readme.find(&start_marker)? + start_marker.len();
    let end = readme[start..].find(&end_marker)? + start;
    Some((start, end))
}

#[test]
fn docs_references_match_the_code() {
    let docs = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo"))
        .join("../docs");
    let generated = [
        ("kpis", qm_reports::kpi::markdown_table()),
        ("tables", qm_reports::tables::markdown_reference()),
    ];
    let bless = std::env::var_os("QM_BLESS").is_some();
    for (name, expected) in generated {
        let path = docs.join(format!("{name}.md"));
        let mut readme = std::fs::read_to_string(&path).unwrap();
        let (start, end) = section(&readme, name)
            .unwrap_or_else(|| panic!("docs/{name}.md has no <!-- {name}:start --> … end section"));
        if bless {
            readme.replace_range(start..end, &expected);
        } else {
            assert!(
                readme[start..end] == expected,
                "docs/{name}.md is out of date: run `QM_BLESS=1 cargo test -p qm-reports --test readme`"
            );
        }
        if bless {
            std::fs::write(&path, readme).unwrap();
        }
    }
}
