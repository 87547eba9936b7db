//! The load generator (used by `arena load` and the server workloads): HTTP/1.1 keep-alive
//! connections driven closed-loop (as fast as possible) or open-loop (request i due at
//! start + i / rate, latency from the due time; docs/methodology.md "Latency under load", after wrk2).
//! Each generator thread runs a current-thread tokio runtime pinned to its CPU, owns its
//! connections and its recorders; the only shared state is one atomic request counter per
//! open-loop stream. Every response is validated. It must not know about workloads or results
//! files: it takes a `LoadPlan` and returns a `LoadRecord`.

pub mod http1;
pub mod idle;
mod oneshot;
pub mod pacer;
pub mod recorder;
pub mod requests;
pub mod testserver;
pub mod usage;

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use arena_results::{LoadMode, LoadRecord, LoadStream};

use super::affinity;
use super::Cancel;
use http1::Connection;
pub use oneshot::{fetch_once, raise_fd_limit};
use recorder::{Frame, Recorder};
pub use requests::{Expectation, PreparedRequest, RequestSet};
pub use usage::thread_cpu_ns;
use usage::{read_window_use, GeneratorWindow, WindowUse};

/// Above this share of one core, a generator thread is the bottleneck (docs/methodology.md).
pub const GENERATOR_BOUND_FRACTION: f64 = 0.85;
/// An open-loop step whose send-lag p99 exceeds this fails the pacing gate (`LoadStream.paced`).
pub const PACING_GATE: Duration = Duration::from_millis(1);
/// A send-lag p99 beyond this means requests waited for a free connection: the target is not
/// keeping up (one of the saturation causes). Ten times the pacing gate, so that generator
/// jitter alone does not reach it.
pub const SATURATION_SEND_LAG: Duration = Duration::from_millis(10);
/// A generator thread that waited for a CPU this share of the measured window or more was
/// starved, and a long send lag may be its own. A coarse guard, not a separator: over the 120
/// /ping steps of quick run 20261201T123000Z-quick the busiest generator thread waited 4.1–47.5
/// ms per 1.2 s window (0.3–4%) in the steps whose send-lag p99 stayed ≤ 1.25 ms, and 19.7–73.8
/// ms in the 7 above it (1.6–14 ms); only the worst of those (73.8 ms, 6%) crosses 5%.
pub const STARVED_RUN_DELAY_FRACTION: f64 = 0.05;
/// An open-loop step achieving less than this share of its target rate is saturated.
pub const SATURATION_RATE_FRACTION: f64 = 0.99;
/// A connection that cannot be (re)established waits this long before trying again.
const RECONNECT_PAUSE: Duration = Duration::from_millis(10);

#[derive(Debug, Clone)]
pub struct StreamPlan {
    pub name: String,
    pub connections: u32,
    /// `None`: closed loop. `Some(rate)`: open loop at `rate` requests per second.
    pub rate_per_s: Option<f64>,
    pub requests: Arc<RequestSet>,
}

/// Reads the target's cumulative CPU time in ns (e.g. a server's process group), so that CPU
/// per request can be taken over the measured window alone.
#[derive(Clone)]
pub struct CpuProbe(pub Arc<dyn Fn() -> Option<u64> + Send + Sync>);

impl std::fmt::Debug for CpuProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CpuProbe")
    }
}

#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub target: SocketAddr,
    pub streams: Vec<StreamPlan>,
    pub warmup: Duration,
    /// Measured window after the warm-up.
    pub duration: Duration,
    /// A request without a full response after this is an error (`timeout`).
    pub request_timeout: Duration,
    pub threads: usize,
    /// Pin generator thread i to `cpus[i % len]`; empty: not pinned.
    pub cpus: Vec<usize>,
    pub interval: Duration,
    /// Read at the start and the end of the measured window (`LoadRecord.target_cpu_window_ns`).
    pub target_cpu: Option<CpuProbe>,
}

impl LoadPlan {
    pub fn validate(&self) -> Result<()> {
        if self.streams.is_empty() {
            bail!("a load needs at least one stream");
        }
        for s in &self.streams {
            if s.connections == 0 {
                bail!("stream {}: --connections must be at least 1", s.name);
            }
            if let Some(rate) = s.rate_per_s {
                if !(rate.is_finite() && rate > 0.0) {
                    bail!(
                        "stream {}: --rate must be a positive number of requests per second",
                        s.name
                    );
                }
            }
        }
        if self.threads == 0 {
            bail!("--threads must be at least 1");
        }
        if self.duration.is_zero() {
            bail!("--duration must be positive");
        }
        Ok(())
    }
}

/// Shared by the connections of one open-loop stream: the next request index.
struct OpenSchedule {
    next: AtomicU64,
    period_ns: f64,
}

impl OpenSchedule {
    fn due(&self, start: Instant, index: u64) -> Instant {
        start + Duration::from_nanos((index as f64 * self.period_ns) as u64)
    }
}

/// What a thread hands back: its recorders (one per stream) and its CPU time, over the whole
/// load and over the measured window.
struct ThreadOutcome {
    recorders: Vec<Recorder>,
    cpu_ns: u64,
    window: Option<WindowUse>,
}

/// Runs the plan to completion (warm-up + duration + drain of in-flight requests).
pub fn run(plan: &LoadPlan) -> Result<LoadRecord> {
    run_cancellable(plan, &Cancel::new()).map(|load| load.record)
}

/// A load that may have been cut short by Ctrl-C or SIGTERM.
#[derive(Debug, Clone)]
pub struct CancellableLoad {
    pub record: LoadRecord,
    /// Set when the token was cancelled: the record covers only the window measured until
    /// then (its `window_ns` is that part), requests still in flight are not counted.
    pub interrupted: bool,
}

/// Runs the plan like `run`, but ends within `cancel::POLL` or so of the token being cancelled.
pub fn run_cancellable(plan: &LoadPlan, cancel: &Cancel) -> Result<CancellableLoad> {
    plan.validate()?;
    let threads = plan.threads;
    let schedules = open_schedules(plan);
    // Phase 1: every thread connects; phase 2: the coordinator fixes the start; phase 3: load.
    let connected = Arc::new(Barrier::new(threads + 1));
    let started = Arc::new(Barrier::new(threads + 1));
    let frame_slot: Arc<Mutex<Option<Frame>>> = Arc::new(Mutex::new(None));
    let mut handles = Vec::new();
    for thread_index in 0..threads {
        let plan = plan.clone();
        let schedules = schedules.clone();
        let (connected, started, frame_slot) = (connected.clone(), started.clone(), frame_slot.clone());
        let cancel = cancel.clone();
        let cpu = (!plan.cpus.is_empty()).then(|| plan.cpus[thread_index % plan.cpus.len()]);
        handles.push(
            std::thread::Builder::new()
                .name(format!("arena-load-{thread_index}"))
                .spawn(move || -> Result<ThreadOutcome> {
                    if let Some(cpu) = cpu {
                        affinity::pin_current_thread(&[cpu])?;
                    }
                    let barriers = (&*connected, &*started);
                    generator_thread(&plan, thread_index, &schedules, barriers, &frame_slot, &cancel)
                })
                .context("cannot start a load generator thread")?,
        );
    }
    connected.wait();
    let start = Instant::now() + Duration::from_millis(5);
    let frame = Frame {
        start,
        window_start: start + plan.warmup,
        end: start + plan.warmup + plan.duration,
        interval: plan.interval,
    };
    *frame_slot.lock().expect("not poisoned") = Some(frame);
    started.wait();
    let target_cpu_window_ns = plan
        .target_cpu
        .as_ref()
        .and_then(|probe| read_over_window(&frame, probe, cancel));

    let (merged, cpu_ns, window) = join_generators(handles)?;
    let wall = start.elapsed();
    let interrupted = cancel.is_cancelled() && Instant::now() < frame.end;
    let measured_plan = interrupted.then(|| measured_part(plan, &frame));
    let plan = measured_plan.as_ref().unwrap_or(plan);
    let starved = window
        .max_run_delay_ns
        .is_some_and(|delay| delay as f64 >= STARVED_RUN_DELAY_FRACTION * plan.duration.as_nanos() as f64);
    let streams = plan
        .streams
        .iter()
        .zip(&merged)
        .map(|(stream, recorder)| stream_record(plan, stream, recorder, starved))
        .collect();
    let busiest = cpu_ns.iter().copied().max().unwrap_or(0) as f64 / wall.as_nanos().max(1) as f64;
    let record = LoadRecord {
        target: plan.target.to_string(),
        streams,
        wall_ns: wall.as_nanos() as u64,
        generator_threads: threads as u32,
        generator_cpus: plan.cpus.clone(),
        generator_cpu_ns: cpu_ns.iter().sum(),
        generator_cpu_window_ns: window.cpu_ns,
        generator_run_delay_window_ns: window.max_run_delay_ns,
        target_cpu_window_ns,
        generator_busiest_thread_fraction: busiest,
        generator_bound: busiest > GENERATOR_BOUND_FRACTION,
    };
    Ok(CancellableLoad { record, interrupted })
}

/// One shared request counter per open-loop stream (None for a closed-loop one).
fn open_schedules(plan: &LoadPlan) -> Vec<Option<Arc<OpenSchedule>>> {
    plan.streams
        .iter()
        .map(|s| {
            s.rate_per_s.map(|rate| {
                Arc::new(OpenSchedule {
                    next: AtomicU64::new(0),
                    period_ns: 1e9 / rate,
                })
            })
        })
        .collect()
}

/// The plan of an interrupted load as far as it went: rates and windows over the part that was
/// measured (at least 1 ms: a load cut in its warm-up measured nothing, and reports zero
/// requests, not a division by zero).
fn measured_part(plan: &LoadPlan, frame: &Frame) -> LoadPlan {
    let measured = Instant::now()
        .saturating_duration_since(frame.window_start)
        .clamp(Duration::from_millis(1), plan.duration);
    LoadPlan {
        duration: measured,
        ..plan.clone()
    }
}

/// The probe's increase from the window's start to its end (this thread sleeps in between);
/// None when the load was cancelled first.
fn read_over_window(frame: &Frame, probe: &CpuProbe, cancel: &Cancel) -> Option<u64> {
    if cancel.sleep(frame.window_start.saturating_duration_since(Instant::now())) {
        return None;
    }
    let before = (probe.0)()?;
    if cancel.sleep(frame.end.saturating_duration_since(Instant::now())) {
        return None;
    }
    Some((probe.0)()?.saturating_sub(before))
}

/// Returns once the token is cancelled (looked at every `cancel::POLL`: a timer wake 50 times a
/// second, nothing next to the requests a generator thread sends).
async fn until_cancelled(cancel: Cancel) {
    while !cancel.is_cancelled() {
        tokio::time::sleep(super::cancel::POLL).await;
    }
}

/// Merged recorders, each thread's CPU over the whole load, and the window figures.
type Joined = (Vec<Recorder>, Vec<u64>, GeneratorWindow);

/// Waits for every generator thread; merges their recorders stream by stream.
fn join_generators(handles: Vec<std::thread::JoinHandle<Result<ThreadOutcome>>>) -> Result<Joined> {
    let mut merged: Vec<Recorder> = Vec::new();
    let mut cpu_ns = Vec::new();
    let mut window = GeneratorWindow {
        cpu_ns: Some(0),
        max_run_delay_ns: Some(0),
    };
    for handle in handles {
        let outcome = handle
            .join()
            .map_err(|_| anyhow::anyhow!("a load generator thread panicked"))??;
        cpu_ns.push(outcome.cpu_ns);
        let mine = outcome.window;
        window.cpu_ns = window.cpu_ns.zip(mine).map(|(a, b)| a + b.cpu_ns);
        window.max_run_delay_ns = window
            .max_run_delay_ns
            .zip(mine.and_then(|w| w.run_delay_ns))
            .map(|(a, b)| a.max(b));
        if merged.is_empty() {
            merged = outcome.recorders;
        } else {
            for (mine, theirs) in merged.iter_mut().zip(outcome.recorders) {
                mine.merge(theirs);
            }
        }
    }
    Ok((merged, cpu_ns, window))
}

/// One stream's record from its merged recorder; rates are over the measured window.
/// `generator_starved`: a generator thread waited for a CPU for `STARVED_RUN_DELAY_FRACTION` of
/// the window or more, so a long send lag may be the generator's, not a saturated target's.
fn stream_record(
    plan: &LoadPlan,
    stream: &StreamPlan,
    recorder: &Recorder,
    generator_starved: bool,
) -> LoadStream {
    let achieved = recorder.ok_in_window() as f64 / plan.duration.as_secs_f64();
    let send_lag = recorder.send_lag();
    let errors = recorder.errors();
    let paced = stream.rate_per_s.map(|_| {
        send_lag
            .p99_ns
            .is_none_or(|p99| p99 <= PACING_GATE.as_nanos() as u64)
    });
    let saturation_causes = stream
        .rate_per_s
        .map(|rate| {
            saturation_causes(
                achieved / rate,
                recorder.unsent_at_end(),
                errors.values().sum(),
                send_lag.p99_ns.filter(|_| !generator_starved),
            )
        })
        .unwrap_or_default();
    LoadStream {
        stream: stream.name.clone(),
        example_path: stream.requests.first_path().to_string(),
        mode: if stream.rate_per_s.is_some() {
            LoadMode::Open
        } else {
            LoadMode::Closed
        },
        connections: stream.connections,
        target_rate_per_s: stream.rate_per_s,
        window_ns: plan.duration.as_nanos() as u64,
        warmup_ns: plan.warmup.as_nanos() as u64,
        requests_ok: recorder.ok_in_window(),
        errors,
        unsent_at_end: recorder.unsent_at_end(),
        achieved_rate_per_s: achieved,
        saturated: stream.rate_per_s.map(|_| !saturation_causes.is_empty()),
        saturation_causes,
        latency_corrected: recorder.corrected(),
        latency_corrected_incomplete: recorder.incomplete_in_window(),
        latency_corrected_hdr: Some(recorder.corrected_encoded()),
        latency_uncorrected: recorder.uncorrected(),
        send_lag,
        paced,
        intervals: recorder.intervals(),
    }
}

/// Why an open-loop step counts as saturated (empty: it kept up). Not only a short rate: a
/// backlog never sent, requests that failed, or requests that waited for a free connection all
/// mean the target fell behind, even when the completions still reached the rate. The send lag
/// is passed as None when the generator itself was starved of CPU (then the lag is its own).
pub fn saturation_causes(
    achieved_fraction: f64,
    unsent: u64,
    errors: u64,
    send_lag_p99_ns: Option<u64>,
) -> Vec<String> {
    let mut causes = Vec::new();
    if achieved_fraction < SATURATION_RATE_FRACTION {
        causes.push("rate".to_string());
    }
    if unsent > 0 {
        causes.push("unsent".to_string());
    }
    if errors > 0 {
        causes.push("errors".to_string());
    }
    if send_lag_p99_ns.is_some_and(|p99| p99 > SATURATION_SEND_LAG.as_nanos() as u64) {
        causes.push("send_lag".to_string());
    }
    causes
}

/// Connections of stream `s` owned by thread `t`: connection c belongs to thread c % threads.
fn connections_of(stream: &StreamPlan, thread_index: usize, threads: usize) -> u32 {
    (0..stream.connections)
        .filter(|c| *c as usize % threads == thread_index)
        .count() as u32
}

fn generator_thread(
    plan: &LoadPlan,
    thread_index: usize,
    schedules: &[Option<Arc<OpenSchedule>>],
    (connected, started): (&Barrier, &Barrier),
    frame_slot: &Mutex<Option<Frame>>,
    cancel: &Cancel,
) -> Result<ThreadOutcome> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot build the generator's tokio runtime")?;
    // Connect before the clock starts, so connection set-up is not measured as latency.
    let (mut connections, connect_errors) = connect_all(&runtime, plan, thread_index);
    connected.wait();
    started.wait();
    let frame = frame_slot
        .lock()
        .expect("not poisoned")
        .expect("frame set before start");
    let cpu_before = thread_cpu_ns();
    let recorders: Vec<Rc<RefCell<Recorder>>> = plan
        .streams
        .iter()
        .map(|_| Rc::new(RefCell::new(Recorder::new(frame))))
        .collect();
    for (s, errors) in connect_errors.iter().enumerate() {
        for _ in 0..*errors {
            recorders[s].borrow_mut().error("connect", frame.start);
        }
    }
    let window_use: Rc<std::cell::Cell<Option<WindowUse>>> = Rc::default();
    runtime.block_on(async {
        let local = tokio::task::LocalSet::new();
        local.spawn_local(read_window_use(frame, window_use.clone()));
        for (s, stream) in plan.streams.iter().enumerate() {
            for connection in connections[s].drain(..) {
                let worker = ConnectionWorker {
                    target: plan.target,
                    connection,
                    requests: stream.requests.clone(),
                    recorder: recorders[s].clone(),
                    frame,
                    timeout: plan.request_timeout,
                };
                match &schedules[s] {
                    Some(schedule) => local.spawn_local(worker.open_loop(schedule.clone())),
                    None => local.spawn_local(worker.closed_loop()),
                };
            }
        }
        // Cancelled: the LocalSet is dropped with its tasks, whose requests in flight are not
        // counted; what the recorders hold is kept.
        tokio::select! {
            _ = local => {}
            _ = until_cancelled(cancel.clone()) => {}
        }
    });
    let cpu_ns = thread_cpu_ns().saturating_sub(cpu_before);
    drop(runtime);
    let recorders = recorders
        .into_iter()
        .map(|r| Rc::try_unwrap(r).ok().expect("tasks finished").into_inner())
        .collect();
    Ok(ThreadOutcome {
        recorders,
        cpu_ns,
        window: window_use.get(),
    })
}

/// This thread's connections of each stream (None where connecting failed), and how many
/// failed per stream.
type Connections = (Vec<Vec<Option<Connection>>>, Vec<u64>);

fn connect_all(runtime: &tokio::runtime::Runtime, plan: &LoadPlan, thread_index: usize) -> Connections {
    let mut connections: Vec<Vec<Option<Connection>>> = Vec::new();
    let mut connect_errors = vec![0u64; plan.streams.len()];
    for (s, stream) in plan.streams.iter().enumerate() {
        let mut mine = Vec::new();
        for _ in 0..connections_of(stream, thread_index, plan.threads) {
            match runtime.block_on(Connection::connect(plan.target)) {
                Ok(c) => mine.push(Some(c)),
                Err(_) => {
                    connect_errors[s] += 1;
                    mine.push(None);
                }
            }
        }
        connections.push(mine);
    }
    (connections, connect_errors)
}

struct ConnectionWorker {
    target: SocketAddr,
    connection: Option<Connection>,
    requests: Arc<RequestSet>,
    recorder: Rc<RefCell<Recorder>>,
    frame: Frame,
    timeout: Duration,
}

impl ConnectionWorker {
    async fn closed_loop(mut self) {
        tokio::time::sleep_until(self.frame.start.into()).await;
        let mut index = 0u64;
        while Instant::now() < self.frame.end {
            if !self.ensure_connected().await {
                continue;
            }
            let sent = Instant::now();
            self.exchange(index, sent, sent).await;
            index += 1;
        }
    }

    async fn open_loop(mut self, schedule: Arc<OpenSchedule>) {
        let pacer = pacer::Pacer::new();
        loop {
            let index = schedule.next.fetch_add(1, Ordering::Relaxed);
            let due = schedule.due(self.frame.start, index);
            if due >= self.frame.end {
                return;
            }
            let now = Instant::now();
            if now >= self.frame.end {
                // Due inside the run but every connection was busy until it ended: the backlog,
                // recorded at what it had waited by now.
                self.recorder.borrow_mut().unsent(due, now);
                continue;
            }
            if due > now {
                // A timerfd at the due time (tokio's own timer would add up to 1 ms); what lag
                // remains is in the corrected latency and reported as `send_lag`.
                pacer.sleep_until(due).await;
            }
            while !self.ensure_connected().await {
                if Instant::now() >= self.frame.end {
                    break;
                }
            }
            if self.connection.is_none() {
                // The load ended while this connection could not reconnect: never sent.
                self.recorder.borrow_mut().unsent(due, Instant::now());
                continue;
            }
            self.exchange(index, due, Instant::now()).await;
        }
    }

    /// Reconnects a lost connection; false (after a pause) when that fails.
    async fn ensure_connected(&mut self) -> bool {
        if self.connection.is_some() {
            return true;
        }
        match Connection::connect(self.target).await {
            Ok(c) => {
                self.connection = Some(c);
                true
            }
            Err(_) => {
                self.recorder.borrow_mut().error("connect", Instant::now());
                tokio::time::sleep(RECONNECT_PAUSE).await;
                false
            }
        }
    }

    async fn exchange(&mut self, index: u64, due: Instant, sent: Instant) {
        let request = self.requests.get(index);
        let connection = self.connection.as_mut().expect("connected");
        let outcome = tokio::time::timeout(self.timeout, connection.exchange(&request.bytes)).await;
        let done = Instant::now();
        let mut recorder = self.recorder.borrow_mut();
        match outcome {
            Ok(Ok(response)) => match request.validate(response.status, response.body) {
                Ok(()) => recorder.ok(due, sent, done),
                Err(mismatch) => recorder.error(mismatch.kind(), done),
            },
            Ok(Err(error)) => {
                recorder.failed(error.kind(), due, done);
                self.connection = None;
            }
            Err(_) => {
                recorder.failed("timeout", due, done);
                self.connection = None;
            }
        }
    }
}

/// Error kinds that prove a server answered wrongly (rather than slowly or not at all).
pub fn wrong_output_errors(stream: &LoadStream) -> u64 {
    ["status", "body", "malformed", "framing", "too_large"]
        .iter()
        .filter_map(|k| stream.errors.get(*k))
        .sum()
}
