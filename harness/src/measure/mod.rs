//! Measurement: preparing toolchains, running each case's processes from outside (the same way
//! for every language), sampling them, loading servers, judging each execution, and scheduling
//! repetitions. It knows workloads only through the `CaseRules` each one supplies; it must not
//! name a workload, compute statistics or render anything.

pub mod affinity;
pub mod cancel;
pub mod environment;
pub mod executor;
pub mod guard;
pub mod interference;
pub mod judge;
pub mod load;
pub mod progress;
pub mod protocol;
mod recording;
pub mod sampler;
pub mod schedule;
pub mod selftest;
pub mod serve;
pub mod toolchains;
pub mod verify;
mod watchers;

pub use cancel::Cancel;
