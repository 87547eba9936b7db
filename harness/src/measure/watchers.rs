//! The threads that watch one process for the executor: the reaper (wait4, and the instant it
//! returned), the stdout reader (the protocol, and the memory read when `ready` arrives), the
//! RSS/PSS sampler and the watchdog (timeout, Ctrl-C). All four are started before the spawn and
//! wait for the process, so creating them is not inside its wall time (docs/methodology.md,
//! "Start-up, kernels and warm-up"). They observe; they must not judge what they saw nor kill
//! anything but the watched group on timeout or interrupt.

use std::io::{BufRead, BufReader, Read};
use std::process::ChildStdout;
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use arena_results::RssTimeline;
use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};

use super::affinity::spawn_pinned;
use super::protocol::{self, Event};
use super::sampler;
use super::Cancel;

/// RSS sampling period: 50 Hz, above the 10–20 Hz that docs/methodology.md ("Memory") asks for.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(20);
/// How many protocol errors are kept verbatim (a garbage flood is counted, not stored).
const MAX_PROTOCOL_ERRORS: usize = 10;

/// The watchers of one process, started and waiting; `watch` hands them the spawned process.
pub(super) struct Watchers {
    reaper: Sender<i32>,
    reader: Sender<(ChildStdout, Instant, i32)>,
    sampler_go: Sender<(i32, Instant)>,
    watchdog_go: Sender<(i32, Instant)>,
    stop_sampler: Sender<()>,
    exited: Sender<()>,
    sampler: JoinHandle<Sampled>,
    watchdog: Option<JoinHandle<(bool, bool)>>,
    reaped_at: Arc<OnceLock<Instant>>,
    pub(super) reaped: Receiver<WaitStatus>,
    pub(super) capture: Receiver<StdoutCapture>,
    pub(super) ready: Receiver<Event>,
}

impl Watchers {
    /// Every watcher on `cpus` (the generator's: never the server's). A server's PSS is read
    /// between load steps (`StepProbe`), never during one, so `periodic_pss` is false for it.
    pub(super) fn start(
        cpus: &[usize],
        page_size: u64,
        periodic_pss: bool,
        timeout: Duration,
        cancel: Cancel,
    ) -> Watchers {
        let (reaped_tx, reaped) = bounded(1);
        // The clock stops in the reaping thread, right after wait4 returns, not after a channel
        // hand-off to the executor's thread.
        let reaped_at = Arc::new(OnceLock::new());
        let reaped_clock = reaped_at.clone();
        let reaper = waiting(cpus, move |pid: i32| {
            let status = wait4(pid);
            let _ = reaped_clock.set(Instant::now());
            let _ = reaped_tx.send(status);
        });
        let (capture_tx, capture) = bounded::<StdoutCapture>(1);
        let (ready_tx, ready) = bounded::<Event>(1);
        let reader = waiting(cpus, move |(stdout, start, pid): (ChildStdout, Instant, i32)| {
            let _ = capture_tx.send(read_protocol(stdout, start, pid, page_size, ready_tx));
        });
        let (sampler_go, stop_sampler, sampler) = start_sampler(page_size, cpus, periodic_pss);
        let (watchdog_go, exited, watchdog) = start_watchdog(timeout, cancel, cpus);
        Watchers {
            reaper,
            reader,
            sampler_go,
            watchdog_go,
            stop_sampler,
            exited,
            sampler,
            watchdog: Some(watchdog),
            reaped_at,
            reaped,
            capture,
            ready,
        }
    }

    /// Hands the spawned process (spawned at `start`) to every watcher.
    pub(super) fn watch(&self, pid: i32, start: Instant, stdout: ChildStdout) {
        let _ = self.reaper.send(pid);
        let _ = self.reader.send((stdout, start, pid));
        let _ = self.sampler_go.send((pid, start));
        let _ = self.watchdog_go.send((pid, start));
    }

    /// When wait4 returned, if it did.
    pub(super) fn reaped_at(&self) -> Option<Instant> {
        self.reaped_at.get().copied()
    }

    /// Stops the watchdog: (timed out, interrupted).
    pub(super) fn stop_watchdog(&mut self) -> (bool, bool) {
        let _ = self.exited.send(());
        let handle = self.watchdog.take();
        handle.and_then(|h| h.join().ok()).unwrap_or((false, false))
    }

    /// Stops the sampler: what it collected.
    pub(super) fn stop_sampler(self) -> Sampled {
        let _ = self.stop_sampler.send(());
        self.sampler.join().unwrap_or_default()
    }
}

pub(super) struct StdoutCapture {
    pub(super) events: Vec<Event>,
    pub(super) errors: Vec<String>,
    pub(super) error_count: usize,
    pub(super) ready_rss_bytes: Option<u64>,
    pub(super) ready_pss_bytes: Option<u64>,
    pub(super) ready_sampled_at_ns: Option<u64>,
}

/// What the sampler thread collected: the RSS timeline and the largest PSS it read.
#[derive(Default)]
pub(super) struct Sampled {
    pub(super) timeline: RssTimeline,
    pub(super) peak_pss_bytes: Option<u64>,
}

pub(super) type WaitStatus = (Option<i32>, Option<libc::rusage>);

/// Samples the group's tree RSS every `SAMPLE_INTERVAL`, and (unless a server: `periodic_pss`
/// false) its PSS when `PssCadence` says (every 10th RSS sample: 200 ms; sooner while RSS
/// grows), until told to stop.
fn start_sampler(
    page_size: u64,
    cpus: &[usize],
    periodic_pss: bool,
) -> (
    Sender<(i32, Instant)>,
    Sender<()>,
    std::thread::JoinHandle<Sampled>,
) {
    let (stop_tx, stop_rx) = bounded::<()>(1);
    let (go_tx, go_rx) = bounded::<(i32, Instant)>(1);
    let handle = spawn_pinned(cpus, move || {
        let mut sampled = Sampled::default();
        let Ok((pid, start)) = go_rx.recv() else {
            return sampled;
        };
        let mut tree = sampler::TreeSampler::new(pid, page_size);
        let mut cadence = sampler::PssCadence::default();
        // The first sample waits one interval: at spawn there is nothing of the program's own
        // to read yet, and reading /proc (PSS walks the page tables under the process's mmap
        // lock) would only compete with its exec. (Measured side by side, moving it made no
        // difference a startup run could resolve: 1.42 and 1.40 ms for Rust, before 1.35-1.43,
        // runs 20261201T150805Z-quick and 20261201T150813Z-quick.) A process shorter than that
        // has no RSS sample.
        loop {
            match stop_rx.recv_timeout(SAMPLE_INTERVAL) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => return sampled,
            }
            if let Some(rss) = tree.sample() {
                let timeline = &mut sampled.timeline;
                timeline.t_ns.push(start.elapsed().as_nanos() as u64);
                timeline.rss_bytes.push(rss);
                if periodic_pss && cadence.due(rss) {
                    sampled.peak_pss_bytes = sampled.peak_pss_bytes.max(tree.sample_pss());
                }
            }
        }
    });
    (go_tx, stop_tx, handle)
}

/// A helper thread started before the spawn: the sender of its (pid, spawn instant), the
/// sender that stops it, and its handle.
type Helper<T> = (Sender<(i32, Instant)>, Sender<()>, std::thread::JoinHandle<T>);

/// A thread that waits for its input (sent once the process is spawned), then runs `work`;
/// it ends without running it if the sender is dropped first.
fn waiting<T: Send + 'static>(cpus: &[usize], work: impl FnOnce(T) + Send + 'static) -> Sender<T> {
    let (tx, rx) = bounded::<T>(1);
    spawn_pinned(cpus, move || {
        if let Ok(input) = rx.recv() {
            work(input);
        }
    });
    tx
}

/// Kills the group on timeout or cancellation; returns (timed out, interrupted).
fn start_watchdog(timeout: Duration, cancel: Cancel, cpus: &[usize]) -> Helper<(bool, bool)> {
    let (exited_tx, exited_rx) = bounded::<()>(1);
    let (go_tx, go_rx) = bounded::<(i32, Instant)>(1);
    let handle = spawn_pinned(cpus, move || {
        let Ok((pid, start)) = go_rx.recv() else {
            return (false, false);
        };
        watch(pid, start, timeout, &cancel, &exited_rx)
    });
    (go_tx, exited_tx, handle)
}

fn watch(
    pid: i32,
    start: Instant,
    timeout: Duration,
    cancel: &Cancel,
    exited_rx: &crossbeam_channel::Receiver<()>,
) -> (bool, bool) {
    loop {
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
