//! What the generator's own threads use: CPU time (CLOCK_THREAD_CPUTIME_ID) and run-queue delay
//! (/proc/thread-self/schedstat), over a whole load and over its measured window, so that CPU
//! per request and a starved generator can be told apart from the target's figures. Per-thread
//! reads only; it must not record requests.

use std::rc::Rc;

use super::recorder::Frame;

/// What one generator thread used over the measured window: CPU, and time spent runnable but
/// waiting for a CPU (the run-queue delay of /proc/thread-self/schedstat).
#[derive(Debug, Clone, Copy, Default)]
pub struct WindowUse {
    pub cpu_ns: u64,
    pub run_delay_ns: Option<u64>,
}

/// Reads this thread's window use on this thread (both clocks are per thread).
pub async fn read_window_use(frame: Frame, into: Rc<std::cell::Cell<Option<WindowUse>>>) {
    tokio::time::sleep_until(frame.window_start.into()).await;
    let (cpu, delay) = (thread_cpu_ns(), thread_run_delay_ns());
    tokio::time::sleep_until(frame.end.into()).await;
    into.set(Some(WindowUse {
        cpu_ns: thread_cpu_ns().saturating_sub(cpu),
        run_delay_ns: delay.zip(thread_run_delay_ns()).map(|(a, b)| b.saturating_sub(a)),
    }));
}

/// This thread's cumulative run-queue delay (schedstat's second field), where the kernel has it.
fn thread_run_delay_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().nth(1)?.parse().ok()
}

/// The generator threads over the window: CPU summed, the longest run-queue delay (None if
/// any thread missed the window or the kernel does not say).
#[derive(Debug, Clone, Copy)]
pub struct GeneratorWindow {
    pub cpu_ns: Option<u64>,
    pub max_run_delay_ns: Option<u64>,
}

/// This thread's CPU time (user + system).
pub fn thread_cpu_ns() -> u64 {
    // SAFETY: timespec is plain data; clock_gettime writes it.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a local.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}
