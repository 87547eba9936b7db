//! Driving a server workload once it is `ready`: the phases of each server workload (idle
//! connections, peak throughput, rate sweep, fast requests under CPU load) and the endpoint
//! checks of `arena verify`. A driver gets the server's address and process group, runs its
//! steps with the load generator, and records each step with the server's CPU time, memory and
//! `/stats`. It must not spawn or kill the server (that is the executor's job) nor judge timings.

pub mod http_io;
pub mod loop_blocking;
pub mod verify;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use arena_results::{FailureKind, LoadRecord, PhaseStep};
use serde::Deserialize;

use crate::executor::interrupted;
use crate::load::{self, LoadPlan};
use crate::sampler;

/// What a driver knows about the running server.
#[derive(Debug, Clone)]
pub struct ServerContext {
    pub addr: SocketAddr,
    pub pgid: i32,
    pub page_size: u64,
    /// The case's timeout: no step may start that cannot finish before it.
    pub deadline: Instant,
    pub generator_cpus: Vec<usize>,
}

impl ServerContext {
    /// A load plan against this server on the generator's CPUs, one generator thread per
    /// generator CPU (one on a 2-core machine), with 1 s interval records.
    pub(crate) fn load_plan(
        &self,
        streams: Vec<load::StreamPlan>,
        warmup_s: f64,
        duration_s: f64,
        request_timeout: Duration,
    ) -> LoadPlan {
        LoadPlan {
            target: self.addr,
            streams,
            warmup: Duration::from_secs_f64(warmup_s),
            duration: Duration::from_secs_f64(duration_s),
            request_timeout,
            threads: self.generator_cpus.len().max(1),
            cpus: self.generator_cpus.clone(),
            interval: Duration::from_secs(1),
        }
    }
}

/// The steps a driver ran, and why it stopped early if it did.
#[derive(Debug, Clone, Default)]
pub struct DriveOutcome {
    pub steps: Vec<PhaseStep>,
    pub failure: Option<(FailureKind, String)>,
}

/// Runs against one ready server process. Implementations must be bounded in time.
pub trait Driver: Send + Sync + std::fmt::Debug {
    fn drive(&self, ctx: &ServerContext) -> DriveOutcome;
}

/// A suite's `load` table for a server workload, parsed by the workload's settings type.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadSettings {
    HttpIo(http_io::HttpIoSettings),
    LoopBlocking(loop_blocking::LoopBlockingSettings),
    /// `arena verify`: every endpoint once, bodies compared byte for byte.
    Verify,
}

impl LoadSettings {
    /// Parses the `load` table of a suite workload; `None` takes the workload's defaults.
    pub fn parse(workload: &str, table: Option<&toml::Value>) -> Result<LoadSettings> {
        fn parse_or_default<T: for<'de> Deserialize<'de> + Default>(
            table: Option<&toml::Value>,
        ) -> Result<T> {
            match table {
                Some(value) => Ok(value.clone().try_into()?),
                None => Ok(T::default()),
            }
        }
        match workload {
            "http-io" => Ok(LoadSettings::HttpIo(parse_or_default(table)?)),
            "loop-blocking" => Ok(LoadSettings::LoopBlocking(parse_or_default(table)?)),
            other => bail!("workload {other} is not a server workload; it takes no `load` table"),
        }
    }

    pub fn driver(&self, workload: &str) -> Box<dyn Driver> {
        match self {
            LoadSettings::HttpIo(s) => Box::new(http_io::HttpIoDriver::new(s.clone())),
            LoadSettings::LoopBlocking(s) => Box::new(loop_blocking::LoopBlockingDriver::new(s.clone())),
            LoadSettings::Verify => Box::new(verify::VerifyDriver::new(workload)),
        }
    }
}

/// A step's bookkeeping: server CPU before, then the step's measurements after.
pub(crate) struct StepProbe<'a> {
    ctx: &'a ServerContext,
    cpu_before: Option<u64>,
}

impl<'a> StepProbe<'a> {
    pub fn begin(ctx: &'a ServerContext) -> StepProbe<'a> {
        StepProbe {
            ctx,
            cpu_before: sampler::tree_cpu_ns(ctx.pgid),
        }
    }

    pub fn finish(
        self,
        phase: &str,
        step: u32,
        knobs: BTreeMap<String, f64>,
        load: Option<LoadRecord>,
    ) -> PhaseStep {
        let cpu_after = sampler::tree_cpu_ns(self.ctx.pgid);
        PhaseStep {
            phase: phase.into(),
            step,
            knobs,
            server_cpu_ns: match (self.cpu_before, cpu_after) {
                (Some(a), Some(b)) => Some(b.saturating_sub(a)),
                _ => None,
            },
            server_tree_rss_bytes: sampler::tree_rss_bytes(self.ctx.pgid, self.ctx.page_size),
            server_stats: fetch_stats(self.ctx.addr).unwrap_or_default(),
            load,
        }
    }
}

/// Runs one load plan unless the case's deadline or an interrupt forbids it.
pub(crate) fn run_load(ctx: &ServerContext, plan: &LoadPlan) -> Result<LoadRecord> {
    if interrupted() {
        bail!("interrupted");
    }
    let needed = plan.warmup + plan.duration + plan.request_timeout + Duration::from_secs(2);
    if Instant::now() + needed > ctx.deadline {
        bail!(
            "not enough time left before the case timeout for a {:.1} s load step; raise timeout_s in the suite",
            (plan.warmup + plan.duration).as_secs_f64()
        );
    }
    load::run(plan)
}

/// Waits until the server is quiet (under 10% of a core over 250 ms, at most `limit`), so that
/// one phase's aftermath is not measured in the next: CPython needed seconds to retire 10k
/// connection threads after the idle phase, during which new connections got no answer.
/// Returns how long it waited.
pub(crate) fn settle(ctx: &ServerContext, limit: Duration) -> Duration {
    let begun = Instant::now();
    let window = Duration::from_millis(250);
    while begun.elapsed() < limit && !interrupted() {
        let before = sampler::tree_cpu_ns(ctx.pgid);
        std::thread::sleep(window);
        match (before, sampler::tree_cpu_ns(ctx.pgid)) {
            (Some(a), Some(b)) if b.saturating_sub(a) < window.as_nanos() as u64 / 10 => break,
            (None, _) | (_, None) => break,
            _ => {}
        }
    }
    begun.elapsed()
}

/// Median tree RSS over `samples` readings `every` apart (idle memory settles slowly).
pub(crate) fn settled_rss(ctx: &ServerContext, samples: usize, every: Duration) -> Option<u64> {
    let mut values: Vec<u64> = (0..samples)
        .filter_map(|_| {
            std::thread::sleep(every);
            sampler::tree_rss_bytes(ctx.pgid, ctx.page_size)
        })
        .collect();
    values.sort_unstable();
    values.get(values.len() / 2).copied()
}

/// GET /stats: the integer fields of the server's own counters.
pub fn fetch_stats(addr: SocketAddr) -> Result<BTreeMap<String, i64>> {
    let (status, body) = load::fetch_once(addr, "/stats", Duration::from_secs(5))?;
    if status != 200 {
        bail!("/stats answered {status}");
    }
    let value: serde_json::Value = serde_json::from_slice(&body).context("/stats is not JSON")?;
    let object = value.as_object().context("/stats is not a JSON object")?;
    Ok(object
        .iter()
        .filter_map(|(k, v)| v.as_i64().map(|n| (k.clone(), n)))
        .collect())
}

/// `knobs` from pairs.
pub(crate) fn knobs<const N: usize>(pairs: [(&str, f64); N]) -> BTreeMap<String, f64> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
