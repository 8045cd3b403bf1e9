//! Quartermaster's KPI reports: a run's results ([`run::RunData`], filled by the simulator) as
//! typed polars tables ([`tables`]), exported as CSV, Parquet, JSON and one self-contained HTML
//! file ([`export`], [`html`]), and several runs compared side by side ([`compare`]).
//!
//! The KPI names and definitions live in one catalog ([`kpi::KPIS`]); every format and
//! `docs/kpis.md` use its names.

pub mod chart;
pub mod compare;
pub mod counts;
pub mod export;
pub mod files;
pub mod format;
pub mod html;
pub mod kpi;
pub mod run;
pub mod tables;
pub mod unit;
