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
use std::io::{Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arena_results::{FailureKind, RssTimeline};
use arena_runners::LaunchSpec;
use crossbeam_channel::select;

use super::affinity;
use super::guard;
use super::interference::InterferenceMeter;
use super::protocol::Event;
use super::sampler;
use super::serve::{DriveOutcome, Driver, ServerContext};
pub use super::watchers::{kill_group, SAMPLE_INTERVAL};
use super::watchers::{StdoutCapture, WaitStatus, Watchers};
use super::Cancel;

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
    /// The first lines of stderr (up to 4 KiB): where Go and Node put the runtime's own "out of
    /// memory" line, above a stack trace longer than the tail.
    pub stderr_head: String,
    /// Killed by SIGKILL while the kernel's OOM killer fired in the harness's cgroup
    /// (`oom_kill` of memory.events rose during the process).
    pub oom_killed: bool,
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
        guard::start();
        let from_spawn = match reserve_port(job) {
            Ok(reserved) => reserved,
            Err(error) => {
                exec.spawn_error = Some(error);
                return exec;
            }
        };
        // Only a job probed from spawn is rewritten (its reserved port); every other runs as is.
        let job = from_spawn.as_ref().map_or(job, |(rewritten, _)| rewritten);
        // Everything that can be done before the clock starts is: the stderr log is opened and
        // the watchers wait for the process, so their creation is not inside its wall time
        // (docs/methodology.md, "Start-up, kernels and warm-up").
        let stderr = match open_log(&job.stderr_log) {
            Ok(file) => file,
            Err(e) => {
                exec.spawn_error = Some(format!("cannot create {}: {e}", job.stderr_log.display()));
                return exec;
            }
        };
        let cpus = &job.generator_cpus;
        let periodic_pss = job.driver.is_none();
        let mut watchers = Watchers::start(cpus, page_size, periodic_pss, job.timeout, self.cancel.clone());
        let oom_kills_before = cgroup_oom_kills();
        let start = Instant::now();
        let mut child = match spawn(job, stderr) {
            Ok(child) => child,
            Err(error) => {
                exec.spawn_error = Some(error);
                // The watchers end as their senders drop; the meter stops as it drops.
                return exec;
            }
        };
        let pid = child.id() as i32;
        // Until the group is reaped and killed below, the guard kills it if the harness dies.
        let registration = guard::register_group(pid);
        watchers.watch(pid, start, child.stdout.take().expect("stdout is piped"));

        let mut reaped = None;
        if let Some(driver) = &job.driver {
            let running = Running {
                pid,
                page_size,
                start,
                ready: &watchers.ready,
                reaped: &watchers.reaped,
            };
            let port = from_spawn.as_ref().map(|(_, port)| *port);
            reaped = self.drive_until_exit(job, driver, &mut exec, &running, port);
        }
        let (status, usage) = reaped.unwrap_or_else(|| watchers.reaped.recv().unwrap_or((None, None)));
        let end = watchers.reaped_at().unwrap_or_else(Instant::now);
        exec.wall_ns = end.duration_since(start).as_nanos() as u64;
        exec.interference = Some(meter.stop());
        (exec.timed_out, exec.interrupted) = watchers.stop_watchdog();
        finish(&mut exec, pid, page_size, watchers, (status, usage));
        drop(child);
        drop(registration);
        exec.stderr_tail = stderr_tail(&job.stderr_log);
        exec.stderr_head = stderr_head(&job.stderr_log);
        exec.oom_killed = exec.signal == Some(libc::SIGKILL)
            && oom_kills_before
                .zip(cgroup_oom_kills())
                .is_some_and(|(a, b)| b > a);
        exec
    }
}

/// After the reaping: whatever is left of the group is killed, and the sampler's timeline, the
/// exit status and the protocol the reader collected are recorded.
fn finish(exec: &mut Execution, pid: i32, page_size: u64, watchers: Watchers, (status, usage): WaitStatus) {
    // The main process is gone; anything left in its group (orphaned children) goes too.
    exec.leftovers_killed = sampler::tree_rss_bytes(pid, page_size).is_some();
    kill_group(pid);
    let capture = watchers.capture.clone();
    let sampled = watchers.stop_sampler();
    exec.timeline = sampled.timeline;
    exec.peak_pss_bytes = sampled.peak_pss_bytes.max(steps_peak_pss(exec));
    record_status(exec, status, usage);
    match capture.recv_timeout(Duration::from_secs(2)) {
        Ok(capture) => record_capture(exec, capture),
        Err(_) => {
            exec.protocol_error_count += 1;
            exec.protocol_errors.push(
                "stdout stayed open after the process group was killed (a process left the group?)".into(),
            );
        }
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
        from_spawn_port: Option<u16>,
    ) -> Option<WaitStatus> {
        let Running {
            pid,
            page_size,
            start,
            ready: ready_rx,
            reaped: reaped_rx,
        } = *running;
        let server = ServerContext {
            addr: SocketAddr::from(([127, 0, 0, 1], from_spawn_port.unwrap_or(0))),
            pgid: pid,
            page_size,
            deadline: start + job.timeout,
            generator_cpus: job.generator_cpus.clone(),
            cancel: self.cancel.clone(),
            spawned: start,
        };
        let mut reaped = None;
        let mut drive = |ready: Option<&Event>| {
            exec.drive = Some(drive_server(driver.clone(), ready, server.clone()));
            match reaped_rx.try_recv() {
                Ok(early) => Some(early),
                Err(_) => {
                    exec.terminated_by_harness = true;
                    terminate_group(pid);
                    reaped_rx.recv_timeout(TERMINATE_GRACE).ok()
                }
            }
        };
        if from_spawn_port.is_some() {
            reaped = drive(None);
        } else {
            select! {
                recv(ready_rx) -> ready => if let Ok(ready) = ready {
                    reaped = drive(Some(&ready));
                },
                recv(reaped_rx) -> early => reaped = early.ok(),
            }
        }
        if reaped.is_none() {
            kill_group(pid);
        }
        reaped
    }
}

/// For a driver that probes from spawn: a free loopback port (bound, read, released), and the
/// job with it in place of `port=0`. None for every other job. The port is free when read; a
/// process taking it before the server binds makes the server fail, which is recorded.
fn reserve_port(job: &Job) -> Result<Option<(Job, u16)>, String> {
    if !job.driver.as_ref().is_some_and(|d| d.probes_from_spawn()) {
        return Ok(None);
    }
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("cannot reserve a loopback port for the server: {e}"))?
        .port();
    let mut job = job.clone();
    for arg in &mut job.spec.args {
        if arg == "port=0" {
            *arg = format!("port={port}");
        }
    }
    Ok(Some((job, port)))
}

/// Starts the job's process in its own process group, pinned if asked, stdout piped.
fn spawn(job: &Job, stderr: File) -> Result<std::process::Child, String> {
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
    // This thread waits for the process (execute), so the parent-death signal fires only when
    // the harness dies.
    guard::tie_to_harness(&mut command);
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
fn drive_server(driver: Arc<dyn Driver>, ready: Option<&Event>, mut ctx: ServerContext) -> DriveOutcome {
    let failed = |kind, reason: String| DriveOutcome {
        steps: Vec::new(),
        failure: Some((kind, reason)),
    };
    // From spawn (no `ready` yet) the context already holds the reserved port.
    if let Some(ready) = ready {
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
    }
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

/// The first lines of the stderr log (up to 4 KiB, 20 lines).
fn stderr_head(path: &PathBuf) -> String {
    let Ok(file) = File::open(path) else {
        return String::new();
    };
    let mut bytes = Vec::new();
    let _ = file.take(STDERR_TAIL_BYTES).read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    text.lines().take(20).collect::<Vec<_>>().join("\n")
}

/// How many times the kernel's OOM killer has fired in the harness's cgroup (v2, counting its
/// descendants), or None where that cannot be read.
fn cgroup_oom_kills() -> Option<u64> {
    let cgroup = fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = cgroup.lines().find_map(|l| l.strip_prefix("0::"))?;
    let events = fs::read_to_string(format!("/sys/fs/cgroup{}/memory.events", path.trim_end())).ok()?;
    events
        .lines()
        .find_map(|l| l.strip_prefix("oom_kill "))
        .and_then(|n| n.trim().parse().ok())
}
