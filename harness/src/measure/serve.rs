//! What every server driver shares: the `Driver` trait, the context a driver gets (the ready
//! server's address and process group, the deadline, the generator's CPUs, the cancel token),
//! and the bookkeeping of one load step (server CPU time, memory and `/stats`). Each server
//! workload's own phases live in its module under `crate::workloads`. A driver must not spawn or
//! kill the server (that is the executor's job) nor judge timings.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use arena_results::{FailureKind, LoadRecord, PhaseStep};

use super::load::{self, wrong_output_errors, LoadPlan};
use super::sampler;
use super::Cancel;

/// What a driver knows about the running server.
#[derive(Debug, Clone)]
pub struct ServerContext {
    pub addr: SocketAddr,
    pub pgid: i32,
    pub page_size: u64,
    /// The case's timeout: no step may start that cannot finish before it.
    pub deadline: Instant,
    pub generator_cpus: Vec<usize>,
    /// Set on Ctrl-C: no further step starts.
    pub cancel: Cancel,
    /// Just before the server was spawned (the clock of `Repetition.wall_ns`).
    pub spawned: Instant,
}

impl ServerContext {
    /// A load plan against this server on the generator's CPUs, one generator thread per
    /// generator CPU (one on a 2-core machine), with 1 s interval records; the server's CPU
    /// time is read at the start and the end of the measured window.
    pub fn load_plan(
        &self,
        streams: Vec<load::StreamPlan>,
        warmup_s: f64,
        duration_s: f64,
        request_timeout: Duration,
    ) -> LoadPlan {
        let pgid = self.pgid;
        LoadPlan {
            target: self.addr,
            streams,
            warmup: Duration::from_secs_f64(warmup_s),
            duration: Duration::from_secs_f64(duration_s),
            request_timeout,
            threads: self.generator_cpus.len().max(1),
            cpus: self.generator_cpus.clone(),
            interval: Duration::from_secs(1),
            target_cpu: Some(load::CpuProbe(Arc::new(move || sampler::tree_cpu_ns(pgid)))),
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
    /// True for a driver that probes the server from spawn instead of waiting for its `ready`
    /// line (time to first response): the executor then reserves a free loopback port, passes
    /// it as `port=`, and starts the driver right after the spawn.
    fn probes_from_spawn(&self) -> bool {
        false
    }
}

/// A step's bookkeeping: server CPU before, then the step's measurements after.
pub struct StepProbe<'a> {
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
            // Between load windows: smaps_rollup walks the server's page tables on the
            // generator's CPU, which delayed requests by up to ~1 ms when read during a load.
            server_tree_pss_bytes: sampler::tree_pss_bytes(self.ctx.pgid),
            server_stats: fetch_stats(self.ctx.addr).unwrap_or_default(),
            first_response_ns: None,
            first_response_attempts: None,
            load,
        }
    }
}

/// Why a load step did not run or did not finish. Each maps to its own failure kind, so a
/// generator fault is never blamed on the server as a timeout.
#[derive(Debug)]
pub enum StepError {
    /// Ctrl-C or SIGTERM: the case is not blamed.
    Interrupted,
    /// The step could not finish before the case's timeout.
    NoTimeLeft(String),
    /// The load generator itself failed (e.g. a panicked generator thread).
    Generator(anyhow::Error),
}

impl StepError {
    /// The failure to record, with `what` naming the step (e.g. "peak /json").
    pub fn failure(&self, what: &str) -> (FailureKind, String) {
        match self {
            StepError::Interrupted => (FailureKind::Interrupted, format!("{what}: interrupted")),
            StepError::NoTimeLeft(why) => (FailureKind::Timeout, format!("{what}: {why}")),
            StepError::Generator(e) => (
                FailureKind::HarnessError,
                format!("{what}: the load generator failed: {e:#}"),
            ),
        }
    }
}

/// Runs one load plan unless the case's deadline or an interrupt forbids it.
pub fn run_load(ctx: &ServerContext, plan: &LoadPlan) -> Result<LoadRecord, StepError> {
    if ctx.cancel.is_cancelled() {
        return Err(StepError::Interrupted);
    }
    let needed = plan.warmup + plan.duration + plan.request_timeout + Duration::from_secs(2);
    if Instant::now() + needed > ctx.deadline {
        return Err(StepError::NoTimeLeft(format!(
            "not enough time left before the case timeout for a {:.1} s load step; raise timeout_s in the suite",
            (plan.warmup + plan.duration).as_secs_f64()
        )));
    }
    // Ctrl-C or SIGTERM ends the step within a moment instead of waiting it out.
    let load = load::run_cancellable(plan, &ctx.cancel).map_err(StepError::Generator)?;
    if load.interrupted {
        return Err(StepError::Interrupted);
    }
    Ok(load.record)
}

/// A wrong status, body or framing fails the case: its timings measure a broken server.
pub fn check_responses(load: &LoadRecord) -> Result<(), (FailureKind, String)> {
    for stream in &load.streams {
        let wrong = wrong_output_errors(stream);
        if wrong > 0 {
            return Err((
                FailureKind::WrongResponse,
                format!(
                    "{wrong} response(s) on {} failed validation: {:?}",
                    stream.example_path, stream.errors
                ),
            ));
        }
    }
    Ok(())
}

/// Waits until the server is quiet (under 10% of a core over 250 ms, at most `limit`), so that
/// one phase's aftermath is not measured in the next: CPython needed seconds to retire 10k
/// connection threads after the idle phase, during which new connections got no answer.
/// Returns how long it waited.
pub fn settle(ctx: &ServerContext, limit: Duration) -> Duration {
    let begun = Instant::now();
    let window = Duration::from_millis(250);
    while begun.elapsed() < limit && !ctx.cancel.is_cancelled() {
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
pub fn settled_rss(ctx: &ServerContext, samples: usize, every: Duration) -> Option<u64> {
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

/// Polling a server from spawn (`Driver::probes_from_spawn`): the harness clock from spawn to
/// the first `200` with body `expected` on `path`, and how many connects and requests it took.
/// Attempts are `poll_every` apart, so the figure is late by at most that much; each is bounded
/// by the case's deadline. The server's own `ready` line is not consulted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirstResponse {
    pub at_ns: u64,
    pub attempts: u64,
}

pub fn first_response(
    ctx: &ServerContext,
    path: &str,
    expected: &[u8],
    poll_every: Duration,
) -> Result<FirstResponse, StepError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StepError::Generator(e.into()))?;
    let request = load::PreparedRequest::get(
        ctx.addr,
        path,
        load::Expectation {
            status: 200,
            body: Some(expected.to_vec()),
        },
    );
    let mut attempts = 0;
    runtime.block_on(async {
        loop {
            if ctx.cancel.is_cancelled() {
                return Err(StepError::Interrupted);
            }
            if Instant::now() >= ctx.deadline {
                return Err(StepError::NoTimeLeft(format!(
                    "no 200 from {path} after {attempts} attempts"
                )));
            }
            attempts += 1;
            if let Ok(mut connection) = load::http1::Connection::connect(ctx.addr).await {
                // A server may accept before it can answer: keep asking on this connection.
                while let Ok(response) = connection.exchange(&request.bytes).await {
                    if response.status == 200 && response.body == expected {
                        let at_ns = ctx.spawned.elapsed().as_nanos() as u64;
                        return Ok(FirstResponse { at_ns, attempts });
                    }
                    attempts += 1;
                    std::thread::sleep(poll_every);
                }
            }
            // A thread sleep, not tokio's timer: that one rounds up to whole milliseconds.
            std::thread::sleep(poll_every);
        }
    })
}

/// `knobs` from pairs.
pub fn knobs<const N: usize>(pairs: [(&str, f64); N]) -> BTreeMap<String, f64> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
