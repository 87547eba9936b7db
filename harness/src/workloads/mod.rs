//! The workloads: one module per workload, and the registry of them. A module owns everything
//! specific to its workload: the reference checksum and the invariants, the driver and the
//! verify checks of a server, the figures derived across cases (their result types beside
//! them), the tables and charts, the `cite` metrics and method texts, and the kinds of claim
//! test that read its figures. The stages (plan, measure, analyse, present) know no workload by
//! name: they reach one only through this registry, which is checked against the catalogue,
//! the suites and the claims at start-up, so nothing falls through. Adding a workload:
//! workloads/ADDING.md. Must not: spawn processes, write files or parse the command line.

pub mod module;
pub mod registry;

pub mod cpu_scale;
pub mod first_response;
pub mod gc_pause;
pub mod http_io;
pub mod jit_warmup;
pub mod kernels;
pub mod loop_blocking;
pub mod msg_passing;
pub mod reference;
pub mod sleep_tasks;
pub mod startup;

pub use module::{load_settings, Workload, WorkloadModule};

/// Every workload the harness implements (reports follow the catalogue's order). A new workload
/// adds its module above and one line here (workloads/ADDING.md); the registry
/// (`registry::REGISTRY`) checks this list against the catalogue at start-up.
pub static ALL: &[&dyn Workload] = &[
    &cpu_scale::CpuScale,
    &sleep_tasks::SleepTasks,
    &http_io::HttpIo,
    &loop_blocking::LoopBlocking,
    &startup::Startup,
    &first_response::FirstResponse,
    &kernels::Kernels,
    &jit_warmup::JitWarmup,
    &gc_pause::GcPause,
    &msg_passing::MsgPassing,
];
