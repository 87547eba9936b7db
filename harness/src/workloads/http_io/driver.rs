//! The phases of `http-io` against one server process, in this order:
//! 1. idle connections: hold C = 100, 1k, 10k keep-alive connections (one request each), read
//!    the server's settled tree RSS at each C, then prove every connection is still open;
//! 2. peak: closed loop on `/json` (C connections as fast as possible);
//! 3. sweep: open loop on `/io?delay_ms=D` at rising rates until saturation (< 99% of target).
//!
//! Steps are recorded as they finish; a wrong response fails the case, an overloaded server
//! (timeouts, saturation) is data, and a load-generator fault is the harness's failure. It must
//! not spawn or kill the server, nor judge its timings.

use std::sync::Arc;
use std::time::Duration;

use arena_results::FailureKind;
use serde::Deserialize;

use crate::measure::load::idle::IdlePool;
use crate::measure::load::testserver::{io_body, JSON_BODY};
use crate::measure::load::{Expectation, LoadPlan, PreparedRequest, RequestSet, StreamPlan};
use crate::measure::serve::{
    check_responses, knobs, run_load, settle, settled_rss, DriveOutcome, Driver, ServerContext, StepProbe,
};

/// The phases of one repetition, as recorded in `Repetition.phases`.
pub const IDLE_PHASE: &str = "idle-connections";
pub const PEAK_PHASE: &str = "peak";
pub const SWEEP_PHASE: &str = "io-sweep";

/// A suite's `[workloads.http-io.load]` table.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpIoSettings {
    pub idle_connections: Vec<u32>,
    pub peak_connections: u32,
    pub peak_s: f64,
    pub sweep_delay_ms: u64,
    pub sweep_rates_per_s: Vec<f64>,
    pub sweep_connections: u32,
    pub step_s: f64,
    pub warmup_s: f64,
    /// Steps still run after the first saturated one (to confirm it, and to see beyond it).
    pub steps_after_saturation: u32,
    pub request_timeout_s: f64,
}

impl Default for HttpIoSettings {
    fn default() -> Self {
        HttpIoSettings {
            idle_connections: vec![100, 1000, 10_000],
            peak_connections: 50,
            peak_s: 3.0,
            sweep_delay_ms: 50,
            sweep_rates_per_s: vec![
                250.0, 500.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0, 6000.0, 8000.0,
            ],
            sweep_connections: 1000,
            step_s: 2.0,
            warmup_s: 0.5,
            steps_after_saturation: 1,
            request_timeout_s: 5.0,
        }
    }
}

/// A phase of the driver: adds its steps to the outcome, or says why the case failed.
type Phase = fn(&HttpIoDriver, &ServerContext, &mut DriveOutcome) -> Result<(), (FailureKind, String)>;

/// How many distinct ids the `/io` requests cycle through (each body depends on its id).
const IO_IDS: u64 = 4096;
const IO_FIRST_ID: u64 = 1_000_000;

#[derive(Debug)]
pub struct HttpIoDriver {
    settings: HttpIoSettings,
}

impl HttpIoDriver {
    pub fn new(settings: HttpIoSettings) -> HttpIoDriver {
        HttpIoDriver { settings }
    }

    fn plan(&self, ctx: &ServerContext, stream: StreamPlan, duration_s: f64) -> LoadPlan {
        ctx.load_plan(
            vec![stream],
            self.settings.warmup_s,
            duration_s,
            Duration::from_secs_f64(self.settings.request_timeout_s),
        )
    }

    fn idle_phase(
        &self,
        ctx: &ServerContext,
        outcome: &mut DriveOutcome,
    ) -> Result<(), (FailureKind, String)> {
        let json = json_request(ctx);
        let mut pool = IdlePool::new(ctx.addr).map_err(|e| (FailureKind::Crashed, format!("{e:#}")))?;
        let mut sizes = self.settings.idle_connections.clone();
        sizes.sort_unstable();
        for (step, connections) in sizes.iter().enumerate() {
            let probe = StepProbe::begin(ctx);
            let tally = pool.grow_to(*connections as usize, &json);
            // Memory of a thread-per-connection server settles once every thread has started:
            // the median of 3 readings 100 ms apart.
            let rss = settled_rss(ctx, 3, Duration::from_millis(100));
            let mut record = probe.finish(
                IDLE_PHASE,
                step as u32,
                knobs([
                    ("connections", pool.len() as f64),
                    ("failed_to_open", tally.failed as f64),
                ]),
                None,
            );
            record.server_tree_rss_bytes = rss;
            outcome.steps.push(record);
            if pool.len() < *connections as usize {
                return Err((
                    FailureKind::ResourceLimit,
                    format!(
                        "could hold only {} of {connections} keep-alive connections ({} attempts failed)",
                        pool.len(),
                        tally.failed
                    ),
                ));
            }
        }
        let recheck = pool.recheck(&json);
        if recheck.failed > 0 {
            return Err((
                FailureKind::WrongResponse,
                format!(
                    "{} of {} idle keep-alive connections were closed or answered wrongly when used again (the contract keeps them open ≥ 120 s)",
                    recheck.failed,
                    pool.len()
                ),
            ));
        }
        Ok(())
    }

    fn peak_phase(
        &self,
        ctx: &ServerContext,
        outcome: &mut DriveOutcome,
    ) -> Result<(), (FailureKind, String)> {
        let stream = StreamPlan {
            name: "json".into(),
            connections: self.settings.peak_connections,
            rate_per_s: None,
            requests: Arc::new(RequestSet::single(json_request(ctx))),
        };
        let plan = self.plan(ctx, stream, self.settings.peak_s);
        let probe = StepProbe::begin(ctx);
        let load = run_load(ctx, &plan).map_err(|e| e.failure("peak /json"))?;
        let wrong = check_responses(&load);
        let step = probe.finish(
            PEAK_PHASE,
            0,
            knobs([("connections", self.settings.peak_connections as f64)]),
            Some(load),
        );
        outcome.steps.push(step);
        wrong
    }

    fn sweep_phase(
        &self,
        ctx: &ServerContext,
        outcome: &mut DriveOutcome,
    ) -> Result<(), (FailureKind, String)> {
        let delay = self.settings.sweep_delay_ms;
        let requests: Vec<PreparedRequest> = (IO_FIRST_ID..IO_FIRST_ID + IO_IDS)
            .map(|id| {
                PreparedRequest::get(
                    ctx.addr,
                    &format!("/io?id={id}&delay_ms={delay}"),
                    Expectation {
                        status: 200,
                        body: Some(io_body(id).into_bytes()),
                    },
                )
            })
            .collect();
        let requests = Arc::new(RequestSet::new(requests));
        let mut after_saturation: Option<u32> = None;
        for (step, rate) in self.settings.sweep_rates_per_s.iter().enumerate() {
            if after_saturation.is_some_and(|n| n >= self.settings.steps_after_saturation) {
                break;
            }
            let stream = StreamPlan {
                name: "io".into(),
                connections: self.settings.sweep_connections,
                rate_per_s: Some(*rate),
                requests: requests.clone(),
            };
            let plan = self.plan(ctx, stream, self.settings.step_s);
            let probe = StepProbe::begin(ctx);
            let load = run_load(ctx, &plan).map_err(|e| e.failure(&format!("sweep at {rate}/s")))?;
            let wrong = check_responses(&load);
            let saturated = load.streams[0].saturated == Some(true);
            outcome.steps.push(probe.finish(
                SWEEP_PHASE,
                step as u32,
                knobs([
                    ("target_rate_per_s", *rate),
                    ("delay_ms", delay as f64),
                    ("connections", self.settings.sweep_connections as f64),
                ]),
                Some(load),
            ));
            wrong?;
            after_saturation = match after_saturation {
                Some(n) => Some(n + 1),
                None if saturated => Some(0),
                None => None,
            };
        }
        Ok(())
    }
}

impl Driver for HttpIoDriver {
    fn drive(&self, ctx: &ServerContext) -> DriveOutcome {
        let mut outcome = DriveOutcome::default();
        // With no idle sizes (quick) the idle phase does nothing, and waiting for the server to
        // settle after it cost at least one 0.25 s window a process (quick ran 51 http-io processes
        // in run 20261208T011333Z).
        let idle = (!self.settings.idle_connections.is_empty()).then_some(Self::idle_phase as Phase);
        let phases: Vec<Phase> = idle
            .into_iter()
            .chain([Self::peak_phase as Phase, Self::sweep_phase])
            .collect();
        for (index, phase) in phases.iter().enumerate() {
            if let Err(failure) = phase(self, ctx, &mut outcome) {
                outcome.failure = Some(failure);
                break;
            }
            // Let closed connections and finished threads go before the next phase (after the
            // last one the server is terminated).
            if index + 1 < phases.len() {
                settle(ctx, Duration::from_secs(30));
            }
        }
        outcome
    }
}

fn json_request(ctx: &ServerContext) -> PreparedRequest {
    PreparedRequest::get(
        ctx.addr,
        "/json",
        Expectation {
            status: 200,
            body: Some(JSON_BODY.as_bytes().to_vec()),
        },
    )
}
