//! The orchestrator: CLI → config → planning → toolchains → scheduling → process supervision
//! and measurement → judging → statistics → reports (charts, Markdown, HTML, claims, citations). Per-case failures are data, not panics.

pub mod analysis;
pub mod catalog;
pub mod charts;
pub mod cite;
pub mod claims;
pub mod cli;
pub mod commands;
pub mod config;
pub mod environment;
pub mod executor;
pub mod judge;
pub mod load;
pub mod placement;
pub mod plan;
pub mod progress;
pub mod protocol;
pub mod reference;
pub mod report;
pub mod report_html;
pub mod sampler;
pub mod schedule;
pub mod selftest;
pub mod serve;
pub mod server_analysis;
pub mod stats;
pub mod toolchains;
