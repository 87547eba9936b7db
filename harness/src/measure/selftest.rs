//! The generator's self-test (docs/methodology.md, "Latency under load"): a test server in its own process (`arena test-server`)
//! is stopped with SIGSTOP for 1 s in the middle of an open-loop run. Coordinated omission is
//! handled only if the corrected histogram shows the stall (max ≈ 1 s, p99 high) while the
//! uncorrected one — what a closed-loop tool would report — mostly does not. It must not be used
//! to measure workloads.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use arena_results::LoadRecord;
use serde::Serialize;

use super::affinity;
use super::guard;
use super::load::testserver::JSON_BODY;
use super::load::{self, Expectation, LoadPlan, PreparedRequest, RequestSet, StreamPlan};
use super::Cancel;
use crate::plan::placement::Placement;

pub const RATE_PER_S: f64 = 1000.0;
pub const CONNECTIONS: u32 = 20;
pub const RUN: Duration = Duration::from_secs(6);
pub const STOP_AFTER: Duration = Duration::from_secs(2);
pub const STALL: Duration = Duration::from_secs(1);

/// The pacing check: in an undisturbed open loop, the median send lag (due time to the request
/// leaving) must stay under a fifth of the gap between sends. It judges the generator, not the
/// round trip: in the CI run that failed the old absolute check "corrected p50 < 200 µs" the
/// uncorrected (round-trip) p50 was 230 µs and the send lag p50 40 µs (its stall run). With tokio's 1 ms
/// timer a send waits up to 1 ms (the issue that asked for the pacer saw a corrected p50 of
/// ≈ 1.3 ms); a median lag of half that is rejected.
pub const PACING_RUN: Duration = Duration::from_secs(2);
pub const PACING_LAG_FRACTION_OF_GAP: f64 = 0.2;
/// This shared host stalls whole seconds at times (a corrected p50 of 7 ms once, 0.12 ms the
/// next minute, with the machine idle): the pacing check asks whether the generator *can* pace,
/// so it takes the first of up to this many attempts that passes and reports how many it took.
pub const PACING_ATTEMPTS: u32 = 3;

#[derive(Debug, Clone, Serialize)]
pub struct SelftestOutcome {
    pub passed: bool,
    /// (what was checked, whether it held)
    pub checks: Vec<(String, bool)>,
    pub stall_ms: u64,
    pub load: LoadRecord,
    /// The undisturbed run that checks pacing: the first attempt that passed, else the last
    /// (absent when only the stall was judged).
    pub pacing: Option<LoadRecord>,
    /// How many pacing runs were made (at most `PACING_ATTEMPTS`).
    pub pacing_attempts: u32,
}

impl SelftestOutcome {
    pub fn text(&self) -> String {
        let s = &self.load.streams[0];
        let ms = |ns: Option<u64>| ns.map_or("—".into(), |v| format!("{:.1} ms", v as f64 / 1e6));
        let mut out = String::new();
        if let Some(p) = self.pacing.as_ref().and_then(|l| l.streams.first()) {
            let us = |ns: Option<u64>| ns.map_or("—".into(), |v| format!("{:.0} µs", v as f64 / 1e3));
            out.push_str(&format!(
                "pacing: open loop {RATE_PER_S} req/s for {} s, undisturbed (attempt {} of at most {PACING_ATTEMPTS}): corrected p50 {}  p99 {}; send lag p50 {}  p99 {}\n",
                PACING_RUN.as_secs(),
                self.pacing_attempts,
                us(p.latency_corrected.p50_ns),
                us(p.latency_corrected.p99_ns),
                us(p.send_lag.p50_ns),
                us(p.send_lag.p99_ns),
            ));
        }
        out += &format!(
            "open loop {RATE_PER_S} req/s over {CONNECTIONS} connections for {} s; server stopped (SIGSTOP) for {} ms after {} s\n\
             corrected (from due time):  p50 {}  p99 {}  max {}  ({} requests)\n\
             uncorrected (from send):    p50 {}  p99 {}  max {}\n",
            RUN.as_secs(),
            self.stall_ms,
            STOP_AFTER.as_secs(),
            ms(s.latency_corrected.p50_ns),
            ms(s.latency_corrected.p99_ns),
            ms(s.latency_corrected.max_ns),
            s.latency_corrected.count,
            ms(s.latency_uncorrected.p50_ns),
            ms(s.latency_uncorrected.p99_ns),
            ms(s.latency_uncorrected.max_ns),
        );
        for (check, ok) in &self.checks {
            out.push_str(&format!("  [{}] {check}\n", if *ok { "ok" } else { "FAILED" }));
        }
        out.push_str(if self.passed {
            "self-test passed\n"
        } else {
            "self-test FAILED\n"
        });
        out
    }
}

/// Runs the self-test with the server and generator on disjoint CPUs where possible. A
/// cancelled token (Ctrl-C, SIGTERM) ends it within a moment, as an error.
pub fn stall_selftest(cancel: &Cancel) -> Result<SelftestOutcome> {
    let placement = Placement::for_this_machine();
    let exe = std::env::current_exe().context("cannot find the arena executable")?;
    let mut command = Command::new(exe);
    command
        .args(["test-server", "--threads", "1"])
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .process_group(0);
    guard::tie_to_harness(&mut command);
    if placement.pinned() {
        let cpus = placement.server_cpus.clone();
        // SAFETY: sched_setaffinity is async-signal-safe.
        unsafe {
            command.pre_exec(move || affinity::set_affinity(&cpus));
        }
    }
    let mut child = command.spawn().context("cannot start `arena test-server`")?;
    let pid = child.id() as i32;
    let registration = guard::register_group(pid);
    let result = run_against(&mut child, pid, &placement, cancel);
    // SAFETY: SIGCONT then SIGKILL to our own child's group; no memory involved.
    unsafe {
        libc::kill(-pid, libc::SIGCONT);
        libc::kill(-pid, libc::SIGKILL);
    }
    let _ = child.wait();
    drop(registration);
    result
}

fn run_against(
    child: &mut std::process::Child,
    pid: i32,
    placement: &Placement,
    cancel: &Cancel,
) -> Result<SelftestOutcome> {
    let stdout = child.stdout.take().context("test server stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .context("reading the test server's ready line")?;
    let ready: serde_json::Value = serde_json::from_str(&line).context("test server ready line")?;
    let Some(port) = ready["port"].as_u64() else {
        bail!("test server printed no port: {line}");
    };
    let target = std::net::SocketAddr::from(([127, 0, 0, 1], port as u16));
    let request = PreparedRequest::get(
        target,
        "/json",
        Expectation {
            status: 200,
            body: Some(JSON_BODY.as_bytes().to_vec()),
        },
    );
    let plan = |warmup: Duration, duration: Duration| LoadPlan {
        target,
        streams: vec![StreamPlan {
            name: "json".into(),
            connections: CONNECTIONS,
            rate_per_s: Some(RATE_PER_S),
            requests: Arc::new(RequestSet::single(request.clone())),
        }],
        warmup,
        duration,
        request_timeout: Duration::from_secs(5),
        threads: 1,
        cpus: placement.generator_cpus.clone(),
        interval: Duration::from_secs(1),
        target_cpu: None,
    };
    // Half a second of warm-up: connections and the server's first pages are not pacing.
    let interrupted = || anyhow::anyhow!("the self-test was interrupted (Ctrl-C or SIGTERM)");
    let mut attempts = 0;
    let pacing = loop {
        attempts += 1;
        let run = load::run_cancellable(&plan(Duration::from_millis(500), PACING_RUN), cancel)?;
        if run.interrupted {
            return Err(interrupted());
        }
        if judge_pacing(&run.record).1 || attempts == PACING_ATTEMPTS {
            break run.record;
        }
    };
    let stall_plan = plan(Duration::ZERO, RUN);
    let generator_cancel = cancel.clone();
    let generator = std::thread::spawn(move || load::run_cancellable(&stall_plan, &generator_cancel));
    let mut stall_ms = 0;
    if !cancel.sleep(STOP_AFTER) {
        // SAFETY: signals to our own child's process group.
        unsafe { libc::kill(-pid, libc::SIGSTOP) };
        let stopped = std::time::Instant::now();
        cancel.sleep(STALL);
        unsafe { libc::kill(-pid, libc::SIGCONT) };
        stall_ms = stopped.elapsed().as_millis() as u64;
    }
    let load = generator
        .join()
        .map_err(|_| anyhow::anyhow!("the generator thread panicked"))??;
    if load.interrupted || cancel.is_cancelled() {
        return Err(interrupted());
    }
    let load = load.record;
    let mut outcome = judge(load, stall_ms);
    outcome.checks.push(judge_pacing(&pacing));
    outcome.passed = outcome.checks.iter().all(|(_, ok)| *ok);
    outcome.pacing = Some(pacing);
    outcome.pacing_attempts = attempts;
    Ok(outcome)
}

/// Pacing holds when an undisturbed open loop's median send lag stays under
/// `PACING_LAG_FRACTION_OF_GAP` of the gap between sends at `RATE_PER_S`.
pub fn judge_pacing(pacing: &LoadRecord) -> (String, bool) {
    let lag_p50 = pacing.streams[0].send_lag.p50_ns;
    let limit_ns = PACING_LAG_FRACTION_OF_GAP * 1e9 / RATE_PER_S;
    (
        format!(
            "pacing: send lag p50 {} < {:.0} µs ({:.0}% of the {:.0} µs between sends) when nothing stalls",
            lag_p50.map_or("—".into(), |v| format!("{:.0} µs", v as f64 / 1e3)),
            limit_ns / 1e3,
            PACING_LAG_FRACTION_OF_GAP * 100.0,
            1e6 / RATE_PER_S,
        ),
        lag_p50.is_some_and(|v| (v as f64) < limit_ns),
    )
}

/// The pass criteria, separate so tests can apply them to in-process stalls too.
pub fn judge(load: LoadRecord, stall_ms: u64) -> SelftestOutcome {
    let s = &load.streams[0];
    let stall_ns = stall_ms * 1_000_000;
    let corrected_max = s.latency_corrected.max_ns.unwrap_or(0);
    let corrected_p99 = s.latency_corrected.p99_ns.unwrap_or(0);
    let uncorrected_p99 = s.latency_uncorrected.p99_ns.unwrap_or(u64::MAX);
    let checks = vec![
        (
            format!(
                "corrected max ≥ 90% of the stall ({:.0} ms)",
                stall_ns as f64 * 0.9 / 1e6
            ),
            corrected_max as f64 >= stall_ns as f64 * 0.9,
        ),
        (
            "corrected p99 ≥ half the stall (≈ a sixth of the requests were due during it)".to_string(),
            corrected_p99 as f64 >= stall_ns as f64 * 0.5,
        ),
        (
            "uncorrected p99 < 10% of the stall (only the requests in flight saw it)".to_string(),
            (uncorrected_p99 as f64) < stall_ns as f64 * 0.1,
        ),
        (
            "no wrong responses".to_string(),
            load::wrong_output_errors(s) == 0 && s.requests_ok > 0,
        ),
    ];
    SelftestOutcome {
        passed: checks.iter().all(|(_, ok)| *ok),
        checks,
        stall_ms,
        load,
        pacing: None,
        pacing_attempts: 0,
    }
}
