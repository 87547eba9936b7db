//! The orchestrator, laid out by stage. Dependencies point one way, down this list:
//!
//! - `cli`, `config`, `commands`, `run_both`: flags → validated config → one short sequence of
//!   stages per command (`run_both`: two checkouts measured in one session, then compared);
//! - `workloads`: one module per workload and the registry of them, the only place that knows a
//!   workload by name;
//! - `present`: the report model and its exporters (Markdown, HTML, charts, JSON), citations;
//! - `measure`: toolchains, process supervision and sampling, the load generator, server
//!   driving, judging, scheduling;
//! - `analyse`: statistics, per-case summaries, the claim framework, the arithmetic of stopping
//!   early;
//! - `plan`: catalogue, suites and CPU placement → the list of cases. Pure data.
//!
//! `tests/architecture.rs` checks the direction of the `use` lines and the size limits.
//! Per-case failures are data, not panics.

pub mod analyse;
pub mod cli;
pub mod commands;
pub mod config;
pub mod measure;
pub mod plan;
pub mod present;
pub mod run_both;
pub mod workloads;
