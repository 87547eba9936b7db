//! Process supervision and measurement from outside, identical for every language.
//! `ProcessExecutor` spawns one workload in its own process group, reads its protocol from
//! stdout, samples the group's RSS on a timeline (and its PSS, more sparsely; both once more
//! when `ready` arrives, with the time that took), enforces a timeout, reaps it with wait4 (user
//! and system CPU, ru_maxrss) and finally kills whatever is left of the group, so no process
//! outlives its case. Around every process an `InterferenceMeter` records the machine's steal,
//! CPU pressure and the harness's own hiccups (`interference`). It records what happened;
//! judging it is `judge`'s job.
//! Server workloads get a `Driver`: once the server prints `ready`, the driver runs its load
//! steps from a thread pinned to the generator's CPUs, then the group gets SIGTERM (SIGKILL after
//! a grace period). `Executor` is the seam the scheduler is tested through (a mock lives in the
//! tests). It must not judge what it observed (`judge`) nor know which workload it runs.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arena_results::{FailureKind, RssTimeline};
use arena_runners::LaunchSpec;
use crossbeam_channel::{bounded, select, RecvTimeoutError, Sender};

use super::affinity::{self, spawn_pinned};
use super::interference::InterferenceMeter;
use super::protocol::{self, Event};
use super::sampler;
use super::serve::{DriveOutcome, Driver, ServerContext};
use super::Cancel;

/// RSS sampling period: 50 Hz, above the 10–20 Hz that docs/methodology.md ("Memory") asks for.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(20);
/// How many protocol errors are kept verbatim (a garbage flood is counted, not stored).
const MAX_PROTOCOL_ERRORS: usize = 10;
const STDERR_TAIL_BYTES: u64 = 4096;
/// After SIGTERM, a server has this long to exit before the group gets SIGKILL.
const TERMINATE_GRACE: Duration = Duration::from_secs(3);

/// One process to run and how long it may take.
#[derive(Debug, Clone)]
pub struct Job {
    pub spec: LaunchSpec,
    pub timeout: Duration,
    /// Where the full stderr goes.
    pub stderr_log: PathBuf,
    /// Server workloads: what to do once the process is ready (then it is terminated).
    pub driver: Option<Arc<dyn Driver>>,
    /// CPUs the process (all its threads and children) is pinned to; empty: not pinned.
    pub cpus: Vec<usize>,
    /// CPUs for the driver's load generator; empty: not pinned.
    pub generator_cpus: Vec<usize>,
}

/// What was observed while running one process.
#[derive(Debug, Clone, Default)]
pub struct Execution {
    /// The process could not be started at all.
    pub spawn_error: Option<String>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub interrupted: bool,
    /// Monotonic clock, from just before spawn to wait4's return.
    pub wall_ns: u64,
    pub user_cpu_ns: u64,
    pub sys_cpu_ns: u64,
    /// wait4's ru_maxrss: the largest single process, not the tree.
    pub ru_maxrss_bytes: Option<u64>,
    pub events: Vec<Event>,
    /// `line N: reason: text` for stdout lines that break the protocol.
    pub protocol_errors: Vec<String>,
    pub protocol_error_count: usize,
    pub timeline: RssTimeline,
    /// Tree RSS sampled the moment the `ready` line arrived.
    pub ready_rss_bytes: Option<u64>,
    /// Tree PSS read right after that RSS sample.
    pub ready_pss_bytes: Option<u64>,
    /// Max of tree PSS over the reads `sampler::PssCadence` asks for (every 10th RSS sample, i.e.
    /// every 200 ms, and when RSS grows past 110% of its mark) and the read at ready.
    pub peak_pss_bytes: Option<u64>,
    /// When the memory samples at ready (RSS, then PSS) were complete, in ns since spawn (the
    /// clock of `wall_ns`); None when no `ready` line arrived.
    pub ready_sampled_at_ns: Option<u64>,
    /// Processes of the group still alive after the main process exited (killed by us).
    pub leftovers_killed: bool,
    pub stderr_tail: String,
    /// Server workloads: the driver's steps (None when it never ran: no `ready`).
    pub drive: Option<DriveOutcome>,
    /// The harness ended the process (SIGTERM after the driver), so its exit status is ours.
    pub terminated_by_harness: bool,
    /// Steal, CPU pressure and hiccups while it ran (None when it could not be spawned).
    pub interference: Option<arena_results::Interference>,
}

impl Execution {
    pub fn first_event(&self, kind: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.kind == kind)
    }
}

/// Runs one job to completion. Implementations must never leave processes behind.
pub trait Executor: Sync {
    fn execute(&self, job: &Job) -> Execution;
}

/// The real executor: processes on this machine. A cancelled token kills the running group.
#[derive(Debug, Default)]
pub struct ProcessExecutor {
    pub cancel: Cancel,
}

impl ProcessExecutor {
    pub fn new(cancel: Cancel) -> ProcessExecutor {
        ProcessExecutor { cancel }
    }
}

struct StdoutCapture {
    events: Vec<Event>,
    errors: Vec<String>,
    error_count: usize,
    ready_rss_bytes: Option<u64>,
    ready_pss_bytes: Option<u64>,
    ready_sampled_at_ns: Option<u64>,
}

/// What the sampler thread collected: the RSS timeline and the largest PSS it read.
#[derive(Default)]
struct Sampled {
    timeline: RssTimeline,
    peak_pss_bytes: Option<u64>,
}

type WaitStatus = (Option<i32>, Option<libc::rusage>);

/// A spawned process as the server path sees it: its group, its start, and the channels that
/// say it is ready or was reaped.
struct Running<'a> {
    pid: i32,
    page_size: u64,
    start: Instant,
    ready: &'a crossbeam_channel::Receiver<Event>,
    reaped: &'a crossbeam_channel::Receiver<WaitStatus>,
}

impl Executor for ProcessExecutor {
    fn execute(&self, job: &Job) -> Execution {
        let mut exec = Execution::default();
        let page_size = sampler::page_size();
        // Started before the clock so its thread's start-up is not inside the wall time; its
        // window still covers the whole process, spawn to reaping.
        let meter = InterferenceMeter::start(&job.cpus, &job.generator_cpus);
        let start = Instant::now();
        let mut child = match spawn(job) {
            Ok(child) => child,
            Err(error) => {
                exec.spawn_error = Some(error);
                return exec; // the meter stops (and joins its thread) as it is dropped
            }
        };
        let pid = child.id() as i32;
        let stdout = child.stdout.take().expect("stdout is piped");

        // The harness's own threads run beside the load generator, never on the server's CPUs.
        let cpus = &job.generator_cpus;
        let (capture_tx, capture_rx) = bounded::<StdoutCapture>(1);
        let (ready_tx, ready_rx) = bounded::<Event>(1);
        spawn_pinned(cpus, move || {
            let _ = capture_tx.send(read_protocol(stdout, start, pid, page_size, ready_tx));
        });
        // A server's PSS is read between load steps (`StepProbe`), never during one: see
        // `steps_peak_pss`.
        let periodic_pss = job.driver.is_none();
        let (stop_sampler, sampler) = start_sampler(pid, page_size, start, cpus, periodic_pss);
        let (exited, watchdog) = start_watchdog(pid, start, job.timeout, self.cancel.clone(), cpus);
        let (reaped_tx, reaped_rx) = bounded(1);
        spawn_pinned(cpus, move || {
            let _ = reaped_tx.send(wait4(pid));
        });

        let mut reaped = None;
        if let Some(driver) = &job.driver {
            let running = Running {
                pid,
                page_size,
                start,
                ready: &ready_rx,
                reaped: &reaped_rx,
            };
            reaped = self.drive_until_exit(job, driver, &mut exec, &running);
        }
        let (status, usage) = reaped.unwrap_or_else(|| reaped_rx.recv().unwrap_or((None, None)));
        exec.wall_ns = start.elapsed().as_nanos() as u64;
        exec.interference = Some(meter.stop());
        let _ = exited.send(());
        (exec.timed_out, exec.interrupted) = watchdog.join().unwrap_or((false, false));

        // The main process is gone; anything left in its group (orphaned children) goes too.
        exec.leftovers_killed = sampler::tree_rss_bytes(pid, page_size).is_some();
        kill_group(pid);

        let _ = stop_sampler.send(());
        let sampled = sampler.join().unwrap_or_default();
        exec.timeline = sampled.timeline;
        exec.peak_pss_bytes = sampled.peak_pss_bytes.max(steps_peak_pss(&exec));
        record_status(&mut exec, status, usage);
        match capture_rx.recv_timeout(Duration::from_secs(2)) {
            Ok(capture) => record_capture(&mut exec, capture),
            Err(_) => {
                exec.protocol_error_count += 1;
                exec.protocol_errors.push(
                    "stdout stayed open after the process group was killed (a process left the group?)"
                        .into(),
                );
            }
        }
        drop(child);
        exec.stderr_tail = stderr_tail(&job.stderr_log);
        exec
    }
}

/// A server's largest PSS read between its load steps. Read during a load, smaps_rollup delayed
/// the generator on its CPU: median /ping send-lag p99 0.56–0.88 ms for the 56–110 MiB servers
/// in run 20261201T123000Z-quick, against 0.11–0.22 ms for the 4–13 MiB ones
/// (docs/methodology.md, "Memory").
fn steps_peak_pss(exec: &Execution) -> Option<u64> {
    let steps = exec.drive.iter().flat_map(|d| d.steps.iter());
    steps.filter_map(|s| s.server_tree_pss_bytes).max()
}

/// The protocol events and the memory read at ready; the peak PSS also covers the ready read.
fn record_capture(exec: &mut Execution, capture: StdoutCapture) {
    exec.events = capture.events;
    exec.protocol_errors = capture.errors;
    exec.protocol_error_count = capture.error_count;
    exec.ready_rss_bytes = capture.ready_rss_bytes;
    exec.ready_pss_bytes = capture.ready_pss_bytes;
    exec.peak_pss_bytes = exec.peak_pss_bytes.max(capture.ready_pss_bytes);
    exec.ready_sampled_at_ns = capture.ready_sampled_at_ns;
}

impl ProcessExecutor {
    /// A server: once it is ready, its driver runs; then SIGTERM, and SIGKILL after the grace
    /// period. Returns the wait status if the process was reaped here.
    fn drive_until_exit(
        &self,
        job: &Job,
        driver: &Arc<dyn Driver>,
        exec: &mut Execution,
        running: &Running,
    ) -> Option<WaitStatus> {
        let Running {
            pid,
            page_size,
            start,
            ready: ready_rx,
            reaped: reaped_rx,
        } = *running;
        let mut reaped = None;
        select! {
            recv(ready_rx) -> ready => if let Ok(ready) = ready {
                let server = ServerContext {
                    addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                    pgid: pid,
                    page_size,
                    deadline: start + job.timeout,
                    generator_cpus: job.generator_cpus.clone(),
                    cancel: self.cancel.clone(),
                };
                exec.drive = Some(drive_server(driver.clone(), &ready, server));
                if let Ok(early) = reaped_rx.try_recv() {
                    reaped = Some(early);
                } else {
                    exec.terminated_by_harness = true;
                    terminate_group(pid);
                    reaped = reaped_rx.recv_timeout(TERMINATE_GRACE).ok();
                }
            },
            recv(reaped_rx) -> early => reaped = early.ok(),
        }
        if reaped.is_none() {
            kill_group(pid);
        }
        reaped
    }
}

/// Starts the job's process in its own process group, pinned if asked, stdout piped.
fn spawn(job: &Job) -> Result<std::process::Child, String> {
    let stderr =
        open_log(&job.stderr_log).map_err(|e| format!("cannot create {}: {e}", job.stderr_log.display()))?;
    let mut command = Command::new(&job.spec.program);
    command
        .args(&job.spec.args)
        .envs(&job.spec.env)
        .current_dir(&job.spec.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        // Its own process group: the whole tree can be sampled and killed as one, and a
        // Ctrl-C at the terminal reaches only the harness, which then kills the group.
        .process_group(0);
    if !job.cpus.is_empty() {
        let cpus = job.cpus.clone();
        // SAFETY: sched_setaffinity is async-signal-safe; the closure allocates nothing.
        unsafe {
            command.pre_exec(move || affinity::set_affinity(&cpus));
        }
    }
    command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", job.spec.program.display()))
}

/// Samples the group's tree RSS every `SAMPLE_INTERVAL`, and (unless a server: `periodic_pss`
/// false) its PSS when `PssCadence` says (every 10th RSS sample: 200 ms; sooner while RSS
/// grows), until told to stop.
fn start_sampler(
    pid: i32,
    page_size: u64,
    start: Instant,
    cpus: &[usize],
    periodic_pss: bool,
) -> (Sender<()>, std::thread::JoinHandle<Sampled>) {
    let (stop_tx, stop_rx) = bounded::<()>(1);
    let handle = spawn_pinned(cpus, move || {
        let mut sampled = Sampled::default();
        let mut tree = sampler::TreeSampler::new(pid, page_size);
        let mut cadence = sampler::PssCadence::default();
        loop {
            if let Some(rss) = tree.sample() {
                let timeline = &mut sampled.timeline;
                timeline.t_ns.push(start.elapsed().as_nanos() as u64);
                timeline.rss_bytes.push(rss);
                if periodic_pss && cadence.due(rss) {
                    sampled.peak_pss_bytes = sampled.peak_pss_bytes.max(tree.sample_pss());
                }
            }
            match stop_rx.recv_timeout(SAMPLE_INTERVAL) {
                Err(RecvTimeoutError::Timeout) => continue,
                _ => return sampled,
            }
        }
    });
    (stop_tx, handle)
}

/// Kills the group on timeout or cancellation; returns (timed out, interrupted).
fn start_watchdog(
    pid: i32,
    start: Instant,
    timeout: Duration,
    cancel: Cancel,
    cpus: &[usize],
) -> (Sender<()>, std::thread::JoinHandle<(bool, bool)>) {
    let (exited_tx, exited_rx) = bounded::<()>(1);
    let handle = spawn_pinned(cpus, move || loop {
        match exited_rx.recv_timeout(Duration::from_millis(50)) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return (false, false),
        }
        let timed_out = start.elapsed() > timeout;
        let interrupted = cancel.is_cancelled();
        if timed_out || interrupted {
            kill_group(pid);
            return (timed_out, interrupted);
        }
    });
    (exited_tx, handle)
}

/// Exit code or signal, and CPU time and ru_maxrss from the rusage.
fn record_status(exec: &mut Execution, status: Option<i32>, usage: Option<libc::rusage>) {
    if let Some(status) = status {
        if libc::WIFEXITED(status) {
            exec.exit_code = Some(libc::WEXITSTATUS(status));
        } else if libc::WIFSIGNALED(status) {
            exec.signal = Some(libc::WTERMSIG(status));
        }
    }
    if let Some(usage) = usage {
        exec.user_cpu_ns = timeval_ns(usage.ru_utime);
        exec.sys_cpu_ns = timeval_ns(usage.ru_stime);
        // Linux reports ru_maxrss in KiB.
        exec.ru_maxrss_bytes = Some(usage.ru_maxrss as u64 * 1024);
    }
}

fn open_log(path: &PathBuf) -> std::io::Result<File> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    File::create(path)
}

/// Runs the driver against the ready server (the port from its ready event) on a thread pinned
/// to the generator's CPUs. A driver that cannot start or panics is the harness's failure, not
/// the server's: it is recorded as `harness_error`.
fn drive_server(driver: Arc<dyn Driver>, ready: &Event, mut ctx: ServerContext) -> DriveOutcome {
    let failed = |kind, reason: String| DriveOutcome {
        steps: Vec::new(),
        failure: Some((kind, reason)),
    };
    let Some(port) = ready
        .int("port")
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p > 0)
    else {
        return failed(
            FailureKind::ProtocolError,
            "the server's ready event has no valid `port`".into(),
        );
    };
    ctx.addr.set_port(port);
    let thread = std::thread::Builder::new()
        .name("arena-driver".into())
        .spawn(move || {
            if !ctx.generator_cpus.is_empty() {
                let _ = affinity::pin_current_thread(&ctx.generator_cpus);
            }
            driver.drive(&ctx)
        });
    match thread.map(|t| t.join()) {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(panic)) => failed(
            FailureKind::HarnessError,
            format!("the load driver panicked: {}", panic_message(&panic)),
        ),
        Err(e) => failed(
            FailureKind::HarnessError,
            format!("cannot start the load driver thread: {e}"),
        ),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// SIGTERM to every process of the group: servers exit by their default action.
fn terminate_group(pgid: i32) {
    // SAFETY: kill has no memory preconditions; a negative pid addresses the process group.
    unsafe {
        libc::kill(-pgid, libc::SIGTERM);
    }
}

fn read_protocol(
    stdout: impl Read,
    start: Instant,
    pgid: i32,
    page_size: u64,
    ready_tx: Sender<Event>,
) -> StdoutCapture {
    let mut capture = StdoutCapture {
        events: Vec::new(),
        errors: Vec::new(),
        error_count: 0,
        ready_rss_bytes: None,
        ready_pss_bytes: None,
        ready_sampled_at_ns: None,
    };
    for (index, line) in BufReader::new(stdout).lines().enumerate() {
        let at_ns = start.elapsed().as_nanos() as u64;
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                capture.error_count += 1;
                if capture.errors.len() < MAX_PROTOCOL_ERRORS {
                    capture
                        .errors
                        .push(format!("line {}: unreadable ({e})", index + 1));
                }
                continue;
            }
        };
        match protocol::parse_line(&line, at_ns) {
            Ok(event) => {
                if event.kind == "ready" && capture.ready_sampled_at_ns.is_none() {
                    // Sampled now, while every task should be alive and waiting; when it was
                    // done is kept, so a workload can check that no task could have finished.
                    (capture.ready_rss_bytes, capture.ready_pss_bytes) =
                        sampler::tree_rss_and_pss_bytes(pgid, page_size);
                    capture.ready_sampled_at_ns = Some(start.elapsed().as_nanos() as u64);
                    let _ = ready_tx.try_send(event.clone());
                }
                capture.events.push(event);
            }
            Err(reason) => {
                capture.error_count += 1;
                if capture.errors.len() < MAX_PROTOCOL_ERRORS {
                    let snippet: String = line.chars().take(120).collect();
                    capture
                        .errors
                        .push(format!("line {}: {reason}: {snippet:?}", index + 1));
                }
            }
        }
    }
    capture
}

/// Blocks until `pid` exits; returns its wait status and resource usage.
fn wait4(pid: i32) -> WaitStatus {
    let mut status = 0;
    // SAFETY: rusage is plain old data; zeroed is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; pid is our own child.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            return (Some(status), Some(usage));
        }
        if rc == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        return (None, None);
    }
}

/// SIGKILL to every process of the group; a group that is already gone is fine.
pub fn kill_group(pgid: i32) {
    // SAFETY: kill has no memory preconditions; a negative pid addresses the process group.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

fn timeval_ns(tv: libc::timeval) -> u64 {
    tv.tv_sec as u64 * 1_000_000_000 + tv.tv_usec as u64 * 1_000
}

/// The last lines of the stderr log (up to 4 KiB).
fn stderr_tail(path: &PathBuf) -> String {
    let Ok(mut file) = File::open(path) else {
        return String::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(STDERR_TAIL_BYTES)));
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
