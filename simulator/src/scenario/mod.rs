//! Scenario files (TOML): the business to simulate. Unknown keys are errors;
//! every error names the file, the line and column where known, and what is expected.
//! `scenarios/README.md` documents every key with its unit and default
//! (`simulator/tests/docs.rs` checks keys, defaults and limits against the code).

mod checker;
mod codes;
pub mod columns;
mod error;
pub mod limits;
mod load;
mod spec;
mod validate;

pub use codes::*;
pub use error::ScenarioError;
pub use limits::*;
pub use load::LoadedScenario;
pub use spec::*;
