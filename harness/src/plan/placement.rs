//! CPU placement for server workloads: the load generator and the server on disjoint CPUs where
//! the machine allows: pin them apart, tell each runtime how many cores it has, and record it
//! (docs/methodology.md, "Placement"). Owns the policy; reading which CPUs this process may use
//! is its only contact with the machine. Applying it (sched_setaffinity) is `measure::affinity`.

use anyhow::{bail, Result};

/// Which CPUs the generator and the server get. Both empty: nothing pinned (one CPU only).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Placement {
    pub generator_cpus: Vec<usize>,
    pub server_cpus: Vec<usize>,
}

impl Placement {
    /// The policy: with ≥ 2 allowed CPUs, the generator gets the first quarter (at least one)
    /// and the server the rest; with one CPU both share it, unpinned.
    pub fn plan(allowed: &[usize]) -> Placement {
        if allowed.len() < 2 {
            return Placement::default();
        }
        let generator = (allowed.len() / 4).max(1);
        Placement {
            generator_cpus: allowed[..generator].to_vec(),
            server_cpus: allowed[generator..].to_vec(),
        }
    }

    /// Placement for this process's allowed CPUs (respects taskset/cgroup cpusets).
    pub fn for_this_machine() -> Placement {
        Placement::plan(&allowed_cpus())
    }

    pub fn pinned(&self) -> bool {
        !self.server_cpus.is_empty()
    }

    /// How many cores the server is told it has (GOMAXPROCS, tokio workers, JVM).
    pub fn server_cores(&self) -> usize {
        if self.server_cpus.is_empty() {
            allowed_cpus().len().max(1)
        } else {
            self.server_cpus.len()
        }
    }

    pub fn describe(&self) -> String {
        if self.pinned() {
            format!(
                "server on CPUs {:?}, load generator on CPUs {:?} (sched_setaffinity)",
                self.server_cpus, self.generator_cpus
            )
        } else {
            "not pinned: a single CPU is shared by server and load generator".into()
        }
    }
}

/// CPUs this process may run on.
pub fn allowed_cpus() -> Vec<usize> {
    // SAFETY: cpu_set_t is plain data; sched_getaffinity fills it.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer and size of a local set; pid 0 = this thread.
    let rc = unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if rc != 0 {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        return (0..n).collect();
    }
    // SAFETY: CPU_ISSET reads the set initialised above.
    (0..libc::CPU_SETSIZE as usize)
        .filter(|cpu| unsafe { libc::CPU_ISSET(*cpu, &set) })
        .collect()
}

/// Rejects CPU lists naming CPUs this process may not use (`arena load --cpus`).
pub fn check_allowed(cpus: &[usize], flag: &str) -> Result<()> {
    let allowed = allowed_cpus();
    if let Some(bad) = cpus.iter().find(|c| !allowed.contains(c)) {
        bail!("{flag}: CPU {bad} is not available to this process (allowed: {allowed:?})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_and_server_get_disjoint_cpus() {
        assert_eq!(
            Placement::plan(&[0, 1]),
            Placement {
                generator_cpus: vec![0],
                server_cpus: vec![1]
            }
        );
        let eight = Placement::plan(&(0..8).collect::<Vec<_>>());
        assert_eq!(eight.generator_cpus, vec![0, 1]);
        assert_eq!(eight.server_cpus.len(), 6);
        assert!(!Placement::plan(&[3]).pinned());
    }
}
