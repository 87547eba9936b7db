//! Applying a CPU placement: sched_setaffinity for the calling thread or, in `pre_exec`, for a
//! child about to exec, and the harness's threads started pinned; and reading which logical
//! CPUs are SMT siblings of one core. The policy (which CPUs) is `plan::placement`; this must
//! not decide it.

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

/// The logical CPUs that share `cpu`'s physical core (itself included), from
/// /sys/devices/system/cpu/cpuN/topology/thread_siblings_list; None where sysfs does not say.
pub fn thread_siblings(cpu: usize) -> Option<Vec<usize>> {
    let path = format!("/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list");
    parse_cpu_list(std::fs::read_to_string(path).ok()?.trim())
}

/// The kernel's CPU list format: `0-3,8,10-11`.
pub fn parse_cpu_list(text: &str) -> Option<Vec<usize>> {
    let mut cpus = Vec::new();
    for part in text.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => cpus.extend(a.trim().parse::<usize>().ok()?..=b.trim().parse::<usize>().ok()?),
            None => cpus.push(part.trim().parse().ok()?),
        }
    }
    (!cpus.is_empty()).then_some(cpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_parse_ranges_and_singles() {
        assert_eq!(parse_cpu_list("0-2,8,10-11"), Some(vec![0, 1, 2, 8, 10, 11]));
        assert_eq!(parse_cpu_list("1"), Some(vec![1]));
        assert_eq!(parse_cpu_list(""), None);
        assert_eq!(parse_cpu_list("x"), None);
    }

    #[test]
    fn every_allowed_cpu_is_its_own_sibling_where_sysfs_says() {
        for cpu in crate::plan::placement::allowed_cpus() {
            if let Some(siblings) = thread_siblings(cpu) {
                assert!(siblings.contains(&cpu), "cpu {cpu}: {siblings:?}");
            }
        }
    }
}
