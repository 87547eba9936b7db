//! Reference computations shared by several workload modules: the harness's own results of the
//! kernels that more than one workload runs, so that no workload module imports another
//! (tests/architecture.rs checks it). `chunk_hash`: cpu-scale's integer kernel, also loop-
//! blocking's `/cpu`; `benchmarks_game`: the four Benchmarks Game kernels of `kernels`, three of
//! which `jit-warmup` runs. Pure functions of their parameters: must not time, spawn or read
//! results.

pub mod benchmarks_game;
pub mod chunk_hash;
