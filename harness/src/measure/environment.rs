//! The environment a run happened in: machine, kernel, limits, CPU placement and SMT siblings,
//! harness commit and toolchains.
//! Read from /proc and git; it must not change anything.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use arena_results::{Environment, HarnessInfo, ToolchainRecord};

use super::{affinity, interference, sampler};
use crate::plan::placement::{allowed_cpus, Placement};

pub fn logical_cores() -> u32 {
    std::thread::available_parallelism()
        .map(|n| n.get() as u32)
        .unwrap_or(1)
}

pub fn capture(toolchains: Vec<ToolchainRecord>) -> Environment {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_total_bytes = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024);
    let placement = Placement::for_this_machine();
    let cpu_thread_siblings: BTreeMap<usize, Vec<usize>> = allowed_cpus()
        .into_iter()
        .filter_map(|cpu| Some((cpu, affinity::thread_siblings(cpu)?)))
        .collect();
    Environment {
        cpu_model,
        logical_cores: logical_cores(),
        memory_total_bytes,
        kernel: read_trimmed("/proc/sys/kernel/osrelease").unwrap_or_else(|| "unknown".into()),
        os: os_name(),
        pid_max: read_trimmed("/proc/sys/kernel/pid_max").and_then(|s| s.parse().ok()),
        threads_max: read_trimmed("/proc/sys/kernel/threads-max").and_then(|s| s.parse().ok()),
        page_size_bytes: sampler::page_size(),
        cpu_pinning: format!(
            "server workloads: {}; the harness's own threads of a server case run with the generator; batch workloads are not pinned",
            placement.describe()
        ),
        generator_and_server_share_a_core: share_a_core(&placement, &cpu_thread_siblings),
        cpu_thread_siblings: cpu_thread_siblings
            .into_iter()
            .map(|(cpu, siblings)| (cpu.to_string(), siblings))
            .collect(),
        toolchains,
    }
}

/// Does any generator CPU share a physical core with a server CPU?
fn share_a_core(placement: &Placement, siblings: &BTreeMap<usize, Vec<usize>>) -> Option<bool> {
    if !placement.pinned() {
        return None;
    }
    let mut shared = false;
    for generator in &placement.generator_cpus {
        let mine = siblings.get(generator)?;
        shared |= placement.server_cpus.iter().any(|s| mine.contains(s));
    }
    Some(shared)
}

fn read_trimmed(path: &str) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

fn os_name() -> String {
    let release = fs::read_to_string("/etc/os-release").unwrap_or_default();
    release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| std::env::consts::OS.into())
}

pub fn harness_info(root: &Path, command_line: Vec<String>) -> HarnessInfo {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    HarnessInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        git_commit: git(&["rev-parse", "HEAD"]),
        git_dirty: git(&["status", "--porcelain", "--untracked-files=no"]).map(|s| !s.is_empty()),
        command_line,
    }
}

/// How each figure measured from outside is measured, the same for every workload; each
/// workload adds its own derived figures' methods (`crate::workloads::methods`). Stored in every
/// results file; explained at length in docs/methodology.md.
pub fn generic_methods() -> BTreeMap<String, String> {
    [
        ("wall_ns", "harness monotonic clock (std::time::Instant), from just before spawn to wait4's return; includes runtime start-up"),
        ("user_cpu_ns", "wait4 rusage ru_utime of the workload process, including its reaped children"),
        ("sys_cpu_ns", "wait4 rusage ru_stime of the workload process, including its reaped children"),
        ("peak_tree_rss_bytes", "max over a 50 Hz timeline of the summed /proc/<pid>/statm resident pages of every process in the workload's process group (RSS, shared pages counted per process)"),
        ("ready_tree_rss_bytes", "the same tree RSS sampled when the `ready` line was read from stdout"),
        ("peak_tree_pss_bytes", "max of the summed `Pss:` lines of /proc/<pid>/smaps_rollup over the workload's process group, read on every 10th RSS sample (every 200 ms), on any sample whose RSS is over 110% of the largest RSS at an earlier PSS read, and at `ready`; for a server, at `ready` and after each load step instead, never during a load window (the read ran on the generator's CPU and delayed requests by up to ~1 ms); PSS divides each shared page among the processes that map it, so a page shared by a pool of workers counts once in the sum (smaps_rollup walks page tables: hence the low rate, and a peak that may miss a spike between reads)"),
        ("ready_tree_pss_bytes", "the same tree PSS read right after the RSS sample at `ready`"),
        ("ready_sampled_at_ns", "harness monotonic clock from spawn to the end of the memory reads at `ready` (RSS, then PSS); sleep-tasks requires it below hold_ms, before which no task can have finished"),
        ("ru_maxrss_bytes", "wait4 ru_maxrss: largest single process of the tree (cross-check only; Linux carries the spawning process's mark across exec, so it is never below the harness's own resident set at spawn)"),
        ("time_to_ready_ns", "harness monotonic clock from spawn to reading the `ready` line"),
        ("self_reported", "integers the workload printed about itself (work_ns, spawn_ns, total_ns: its own monotonic clock)"),
        ("steal_ns", "delta of the `steal` column of /proc/stat (USER_HZ ticks, via sysconf(_SC_CLK_TCK), as ns) over the repetition, from just before spawn to after wait4, summed over the CPUs the case and its load generator were pinned to, or every CPU when the case was not pinned; resolution one tick (10 ms at USER_HZ 100)"),
        ("steal_fraction", "steal_ns / (the meter's window × steal_cpus): the share of those CPUs' time the hypervisor gave to someone else"),
        ("psi_cpu_some_us", "delta of `some ... total=` of /proc/pressure/cpu over the repetition: time in which at least one runnable task waited for a CPU, machine-wide (the workload's own threads included); absent where the kernel has no PSI; recorded, flags nothing"),
        ("hiccup_ns", "hiccup meter: a harness thread, pinned to the load generator's CPUs (unpinned for a batch case, like the harness's other threads), sleeps 1 ms in a loop for the whole repetition; the overshoot (actual − 1 ms) of each sleep goes into an HdrHistogram (1 ns to 60 s, 3 significant digits); hiccup_count wake-ups, hiccup_p50_ns/p99_ns/max_ns its quantiles (with fewer than 100 wake-ups the p99 is the maximum)"),
        ("noise_floor", "A/A, for every case with >= 10 valid repetitions (`arena noise`): median; relative spread (p90 − p10) / median; A/A ratio = median of first/second over repetitions paired in order (1st/2nd, 3rd/4th, ...) with its order-statistic interval and ci_level; resolvable = how far that interval reaches from 1.0, the smallest ratio difference this machine can tell from noise"),
        ("summary", "median of valid repetitions; interval = order statistics of the binomial(n, 1/2), >= 95% coverage when n >= 6, else [min, max] with its coverage in ci_level; outliers flagged by Tukey fences, never dropped"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([("interference_flagged".to_string(), flag_method())])
    .collect()
}

/// The flag's method, from the thresholds themselves so the text cannot drift from them.
fn flag_method() -> String {
    format!(
        "a repetition is flagged when steal_fraction > {:.0}% (and at least two ticks) or \
         hiccup_p99_ns > {:.0} ms; both thresholds were chosen from repetitions measured on this \
         machine (docs/methodology.md, \"Noise and interference\"); a flagged repetition stays \
         in every figure, flagged, never dropped",
        interference::STEAL_FRACTION_THRESHOLD * 100.0,
        interference::HICCUP_P99_THRESHOLD_NS as f64 / 1e6
    )
}
