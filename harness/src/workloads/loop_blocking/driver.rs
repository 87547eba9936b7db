//! The phases of `loop-blocking` against one server process:
//! 1. calibrate: find the `items` for which one `/cpu` request costs `cpu_ms` on this runtime
//!    (sequential requests on an idle server, median latency), so every runtime gets the same
//!    CPU time per slow request, not the same work;
//! 2. for each `/cpu` rate (0 first): `/ping` open loop at a constant rate, `/cpu` open loop at
//!    that rate, side by side; the ping latency distribution is the result.
//!
//! Responses are validated (`/cpu` against the harness's own kernel); a wrong one fails the case,
//! a load-generator fault is the harness's failure. It must not spawn or kill the server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arena_results::FailureKind;
use serde::Deserialize;

use crate::measure::load::{self, Expectation, PreparedRequest, RequestSet, StreamPlan};
use crate::measure::serve::{
    check_responses, knobs, run_load, DriveOutcome, Driver, ServerContext, StepProbe,
};
use crate::workloads::reference::chunk_hash;

/// The phases of one repetition, as recorded in `Repetition.phases`.
pub const CALIBRATE_PHASE: &str = "calibrate-cpu";
pub const PING_PHASE: &str = "ping-under-cpu";

/// A suite's `[workloads.loop-blocking.load]` table.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LoopBlockingSettings {
    pub ping_rate_per_s: f64,
    pub ping_connections: u32,
    /// CPU time one `/cpu` request should cost (calibrated per variant).
    pub cpu_ms: f64,
    pub cpu_rates_per_s: Vec<f64>,
    pub cpu_connections: u32,
    pub step_s: f64,
    pub warmup_s: f64,
}

impl Default for LoopBlockingSettings {
    fn default() -> Self {
        LoopBlockingSettings {
            ping_rate_per_s: 200.0,
            ping_connections: 16,
            cpu_ms: 20.0,
            cpu_rates_per_s: vec![0.0, 10.0, 20.0],
            cpu_connections: 8,
            step_s: 5.0,
            warmup_s: 0.5,
        }
    }
}

/// Distinct chunks the `/cpu` requests cycle through (each has its own expected value).
const CPU_CHUNKS: u64 = 8;
const CALIBRATION_SAMPLES: usize = 5;
/// A calibrated /cpu request must cost its target within this share.
const CALIBRATION_TOLERANCE: f64 = 0.15;
// 24: under `cargo test`'s parallel load a JVM's /cpu latency jumped more than 15% between
// rounds while its JIT compiled, and 12 rounds ran out (smoke, java/inline, 2026-12-08: 3.96 ms
// against 5.0). A calibration that lands early stops early.
const CALIBRATION_ROUNDS: usize = 24;

#[derive(Debug)]
pub struct LoopBlockingDriver {
    settings: LoopBlockingSettings,
}

impl LoopBlockingDriver {
    pub fn new(settings: LoopBlockingSettings) -> LoopBlockingDriver {
        LoopBlockingDriver { settings }
    }

    /// Median latency of `/cpu?items=K` over a few sequential requests on an idle server.
    fn cpu_latency(ctx: &ServerContext, items: u64) -> Result<Duration, String> {
        let mut samples = Vec::new();
        for chunk in 0..CALIBRATION_SAMPLES as u64 {
            let path = format!("/cpu?items={items}&chunk={chunk}");
            let begun = Instant::now();
            let (status, body) =
                load::fetch_once(ctx.addr, &path, Duration::from_secs(30)).map_err(|e| format!("{e:#}"))?;
            samples.push(begun.elapsed());
            let expected = chunk_hash::partial(chunk, items).to_string();
            if status != 200 || body != expected.as_bytes() {
                return Err(format!(
                    "GET {path}: got {status} {:?}, expected 200 {expected:?}",
                    String::from_utf8_lossy(&body)
                ));
            }
        }
        samples.sort_unstable();
        Ok(samples[samples.len() / 2])
    }

    /// Scales `items` (the kernel is a linear loop) until the median of a few `/cpu` requests
    /// is within `CALIBRATION_TOLERANCE` of the target, at most 16× per round, for at most
    /// `CALIBRATION_ROUNDS` rounds; otherwise an error, so that a repetition is never measured
    /// with a /cpu request far from its nominal cost. (A fixed two refinements once settled on
    /// 0.65 ms for a 20 ms target when node's JIT made the first small requests slow: run
    /// 20261201T130027Z-quick, node/inline repetition 2, whose /ping then never stalled.)
    fn calibrate(&self, ctx: &ServerContext) -> Result<(u64, Duration), (FailureKind, String)> {
        let target = Duration::from_secs_f64(self.settings.cpu_ms / 1000.0);
        let mut items = 1_000u64;
        let (mut measured_items, mut latency) = (items, Duration::ZERO);
        for _ in 0..CALIBRATION_ROUNDS {
            latency = Self::cpu_latency(ctx, items).map_err(|e| (FailureKind::WrongResponse, e))?;
            measured_items = items;
            let ratio = latency.as_secs_f64() / target.as_secs_f64();
            if (ratio - 1.0).abs() <= CALIBRATION_TOLERANCE {
                return Ok((items, latency));
            }
            let scale = (1.0 / ratio.max(1e-9)).clamp(1.0 / 16.0, 16.0);
            items = ((items as f64 * scale).round() as u64).clamp(1, 1 << 34);
        }
        Err((
            FailureKind::InvariantViolated,
            format!(
                "no size within {:.0}% of {:.1} ms in {CALIBRATION_ROUNDS} rounds (last: {measured_items} items, {:.2} ms)",
                CALIBRATION_TOLERANCE * 100.0,
                target.as_secs_f64() * 1000.0,
                latency.as_secs_f64() * 1000.0
            ),
        ))
    }

    fn streams(&self, ctx: &ServerContext, items: u64, cpu_rate: f64) -> Vec<StreamPlan> {
        let ping = PreparedRequest::get(
            ctx.addr,
            "/ping",
            Expectation {
                status: 200,
                body: Some(b"pong".to_vec()),
            },
        );
        let mut streams = vec![StreamPlan {
            name: "ping".into(),
            connections: self.settings.ping_connections,
            rate_per_s: Some(self.settings.ping_rate_per_s),
            requests: Arc::new(RequestSet::single(ping)),
        }];
        if cpu_rate > 0.0 {
            let cpu: Vec<PreparedRequest> = (0..CPU_CHUNKS)
                .map(|chunk| {
                    PreparedRequest::get(
                        ctx.addr,
                        &format!("/cpu?items={items}&chunk={chunk}"),
                        Expectation {
                            status: 200,
                            body: Some(chunk_hash::partial(chunk, items).to_string().into_bytes()),
                        },
                    )
                })
                .collect();
            streams.push(StreamPlan {
                name: "cpu".into(),
                connections: self.settings.cpu_connections,
                rate_per_s: Some(cpu_rate),
                requests: Arc::new(RequestSet::new(cpu)),
            });
        }
        streams
    }
}

impl Driver for LoopBlockingDriver {
    fn drive(&self, ctx: &ServerContext) -> DriveOutcome {
        let mut outcome = DriveOutcome::default();
        let probe = StepProbe::begin(ctx);
        let (items, latency) = match self.calibrate(ctx) {
            Ok(found) => found,
            Err((kind, why)) => {
                outcome.failure = Some((kind, format!("calibrating /cpu: {why}")));
                return outcome;
            }
        };
        outcome.steps.push(probe.finish(
            CALIBRATE_PHASE,
            0,
            knobs([
                ("items", items as f64),
                ("cpu_ms_target", self.settings.cpu_ms),
                ("cpu_ms_measured", latency.as_secs_f64() * 1000.0),
            ]),
            None,
        ));
        for (step, cpu_rate) in self.settings.cpu_rates_per_s.iter().enumerate() {
            let plan = ctx.load_plan(
                self.streams(ctx, items, *cpu_rate),
                self.settings.warmup_s,
                self.settings.step_s,
                Duration::from_secs(10),
            );
            let probe = StepProbe::begin(ctx);
            let load = match run_load(ctx, &plan) {
                Ok(load) => load,
                Err(e) => {
                    outcome.failure = Some(e.failure(&format!("cpu rate {cpu_rate}/s")));
                    return outcome;
                }
            };
            let wrong = check_responses(&load);
            outcome.steps.push(probe.finish(
                PING_PHASE,
                step as u32 + 1,
                knobs([
                    ("cpu_rate_per_s", *cpu_rate),
                    ("cpu_items", items as f64),
                    ("cpu_ms", latency.as_secs_f64() * 1000.0),
                    ("ping_rate_per_s", self.settings.ping_rate_per_s),
                ]),
                Some(load),
            ));
            if let Err(failure) = wrong {
                outcome.failure = Some(failure);
                return outcome;
            }
        }
        outcome
    }
}
