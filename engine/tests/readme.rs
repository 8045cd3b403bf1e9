//! The README's example is an excerpt of `examples/embed.rs`: every line of the example block
//! stands in the program, in the same order, and the program runs to the end.

use std::path::PathBuf;

#[path = "../examples/embed.rs"]
mod embed;

/// The engine crate's folder, read when the test runs (the build folder may be shared between
/// checkouts).
fn crate_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("tests run through cargo"))
}

#[test]
fn the_readme_example_is_an_excerpt_of_the_embed_example() {
    let readme = std::fs::read_to_string(crate_dir().join("README.md")).expect("README.md");
    let program =
        std::fs::read_to_string(crate_dir().join("examples/embed.rs")).expect("examples/embed.rs");
    let block = readme
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README has a rust block");
    let mut lines = program.lines().map(str::trim);
    let mut matched = 0;
    for (n, wanted) in block.lines().map(str::trim).enumerate() {
        if wanted.is_empty() {
            continue;
        }
        assert!(
            lines.any(|line| line == wanted),
            "README example line {} is not in examples/embed.rs (after the lines before it): {wanted}",
            n + 1
        );
        matched += 1;
    }
    assert!(
        matched >= 30,
        "only {matched} lines of the README example were read"
    );
}

#[test]
fn the_embed_example_runs() {
    embed::main().expect("the example runs to the end");
}
