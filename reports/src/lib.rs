//! Quartermaster's KPI tables and exports (CSV, Parquet, JSON, HTML) on polars.
//!
//! Empty for now: the simulator writes `summary.json` and `daily.csv` itself until the
//! reports issue lands. The crate exists so the workspace layout is fixed from the start.
