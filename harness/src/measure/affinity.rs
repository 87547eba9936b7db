//! Applying a CPU placement: sched_setaffinity for the calling thread or, in `pre_exec`, for a
//! child about to exec, and the harness's threads started pinned. The policy (which CPUs) is
//! `plan::placement`; this must not decide it.

use anyhow::Result;

/// Pins the calling thread to `cpus`.
pub fn pin_current_thread(cpus: &[usize]) -> Result<()> {
    set_affinity(cpus).map_err(|e| anyhow::anyhow!("cannot pin a thread to CPUs {cpus:?}: {e}"))
}

/// sched_setaffinity for the calling thread; async-signal-safe, so usable in `pre_exec`.
pub fn set_affinity(cpus: &[usize]) -> std::io::Result<()> {
    // SAFETY: plain data, initialised by CPU_ZERO/CPU_SET below.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for cpu in cpus {
        // SAFETY: writes a bit of the local set.
        unsafe { libc::CPU_SET(*cpu, &mut set) };
    }
    // SAFETY: valid pointer and size; pid 0 = the calling thread.
    let rc = unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// A thread pinned to `cpus` (unpinned when empty, or when pinning fails): how every harness
/// thread that runs beside a workload (protocol reader, sampler, watchdog, hiccup meter) starts.
pub fn spawn_pinned<T: Send + 'static>(
    cpus: &[usize],
    body: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<T> {
    let cpus = cpus.to_vec();
    std::thread::spawn(move || {
        if !cpus.is_empty() {
            let _ = pin_current_thread(&cpus);
        }
        body()
    })
}
