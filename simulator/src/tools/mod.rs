//! Commands built on many runs of a scenario (`bench`, `size`, `tune`) and the stand-alone
//! calculators (`policy`, `forecast`).

pub mod bench;
pub mod calculators;
mod error;
pub mod forecast_many;
pub mod forecast_output;
pub mod parallel;
pub mod seeds;
pub mod series_file;
pub mod shards;
pub mod size;
pub mod size_report;
pub mod stats;
pub mod tune;
pub mod tune_report;

pub use error::ToolError;
