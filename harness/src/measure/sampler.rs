//! Memory of a whole process tree, read from /proc: every process whose process group is the
//! workload's group (children such as Python multiprocessing workers included), resident pages
//! from /proc/<pid>/statm — the cheapest source (docs/methodology.md, "Memory"). Shared pages are counted
//! once per process (RSS, not PSS). It must not spawn, wait for or signal processes.
//!
//! Finding the group's members means scanning every /proc/<pid>/stat (~0.7 ms here, measured by
//! `cargo bench --bench harness_overhead`); `TreeSampler` rescans only every few samples and reads
//! just the known members' statm in between, so sampling at 50 Hz costs the workload little.

use std::fs;

/// Page size, for turning statm pages into bytes.
pub fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 {
        size as u64
    } else {
        4096
    }
}

/// Sum of resident bytes over the processes of process group `pgid`; None if none is alive.
/// A full scan of /proc.
pub fn tree_rss_bytes(pgid: i32, page_size: u64) -> Option<u64> {
    let members = group_members(pgid);
    sum_rss(&members, page_size).map(|(bytes, _)| bytes)
}

/// Samples one process group repeatedly, rediscovering its members every `RESCAN_EVERY` samples.
pub struct TreeSampler {
    pgid: i32,
    page_size: u64,
    members: Vec<i32>,
    samples_since_scan: u32,
}

/// At 50 Hz a new child is noticed within 100 ms.
const RESCAN_EVERY: u32 = 5;

impl TreeSampler {
    pub fn new(pgid: i32, page_size: u64) -> Self {
        Self {
            pgid,
            page_size,
            members: Vec::new(),
            samples_since_scan: RESCAN_EVERY,
        }
    }

    pub fn sample(&mut self) -> Option<u64> {
        if self.samples_since_scan >= RESCAN_EVERY || self.members.is_empty() {
            self.members = group_members(self.pgid);
            self.samples_since_scan = 0;
        }
        self.samples_since_scan += 1;
        let (bytes, alive) = sum_rss(&self.members, self.page_size)?;
        if alive < self.members.len() {
            // Someone exited: rescan next time rather than trust a stale list.
            self.samples_since_scan = RESCAN_EVERY;
        }
        Some(bytes)
    }
}

/// utime + stime of every live process of the group (/proc/<pid>/stat fields 14 and 15, in
/// clock ticks of 10 ms here), in nanoseconds. Threads are included in their process's figures;
/// processes that already exited are not.
pub fn tree_cpu_ns(pgid: i32) -> Option<u64> {
    // SAFETY: sysconf has no preconditions.
    let ticks_per_s = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    let ticks: Vec<u64> = group_members(pgid)
        .into_iter()
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let after_name = &stat[stat.rfind(')')? + 1..];
            let mut fields = after_name.split_whitespace().skip(11);
            let utime: u64 = fields.next()?.parse().ok()?;
            let stime: u64 = fields.next()?.parse().ok()?;
            Some(utime + stime)
        })
        .collect();
    (!ticks.is_empty()).then(|| ticks.iter().sum::<u64>() * 1_000_000_000 / ticks_per_s)
}

fn group_members(pgid: i32) -> Vec<i32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()))
        .filter(|pid| live_member_of(*pid) == Some(pgid))
        .collect()
}

/// (bytes, members still alive); None when none is.
fn sum_rss(members: &[i32], page_size: u64) -> Option<(u64, usize)> {
    let pages: Vec<u64> = members.iter().filter_map(|pid| resident_pages(*pid)).collect();
    (!pages.is_empty()).then(|| (pages.iter().sum::<u64>() * page_size, pages.len()))
}

/// The process group (field 5 of /proc/<pid>/stat) of a process that still runs; None for a
/// zombie (state Z: exited, not yet reaped, holding no memory), so that an exited child is not
/// counted as a leftover. Parsed after the last ')' because the command name may hold spaces
/// and parentheses.
fn live_member_of(pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    // after_name: " S ppid pgrp ..."
    let mut fields = after_name.split_whitespace();
    if fields.next()? == "Z" {
        return None;
    }
    fields.nth(1)?.parse().ok()
}

fn resident_pages(pid: i32) -> Option<u64> {
    let statm = fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    statm.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own_group() -> i32 {
        // SAFETY: getpgrp has no preconditions.
        unsafe { libc::getpgrp() }
    }

    #[test]
    fn measures_own_process_group() {
        let rss = tree_rss_bytes(own_group(), page_size()).expect("own group is alive");
        assert!(
            rss > 1 << 20,
            "a test process has more than 1 MiB resident: {rss}"
        );
    }

    #[test]
    fn cached_sampler_agrees_with_a_full_scan() {
        let mut sampler = TreeSampler::new(own_group(), page_size());
        for _ in 0..12 {
            let cached = sampler.sample().unwrap() as f64;
            let full = tree_rss_bytes(own_group(), page_size()).unwrap() as f64;
            assert!(
                (cached - full).abs() / full < 0.2,
                "cached {cached} vs full {full}"
            );
        }
    }

    #[test]
    fn no_such_group_is_none() {
        assert_eq!(tree_rss_bytes(i32::MAX - 7, page_size()), None);
        assert_eq!(TreeSampler::new(i32::MAX - 7, page_size()).sample(), None);
    }
}
