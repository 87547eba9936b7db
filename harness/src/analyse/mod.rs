//! Analysis: statistics over process-level repetitions, per-case summaries, latency histograms
//! (encoding, merging, percentile gates), helpers to read the load steps a server recorded, the
//! claim framework (verdicts decided on interval bounds), and the machine's noise: interference
//! per case and the A/A noise floor.
//! Pure functions over result types; it must not run processes, name a workload or render.

pub mod claims;
pub mod histogram;
pub mod interference;
pub mod noise;
pub mod phases;
pub mod stats;
pub mod summary;
