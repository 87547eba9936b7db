//! Analysis: statistics over process-level repetitions, per-case summaries, latency histograms
//! (encoding, merging, percentile gates), helpers to read the load steps a server recorded, the
//! claim framework (verdicts decided on interval bounds), and the machine's noise: interference
//! per case and the A/A noise floor; merging shard runs into one record, comparing two runs,
//! trends across runs, the warmup classification of per-iteration times, and the level a
//! stopping rule's look costs.
//! Pure functions over result types; it must not run processes, name a workload or render.

pub mod bound_checks;
pub mod claims;
pub mod compare;
pub mod histogram;
pub mod interference;
pub mod log_ratio;
pub mod merge;
pub mod noise;
pub mod phases;
pub mod stats;
pub mod stopping;
pub mod summary;
pub mod trend;
pub mod warmup;
