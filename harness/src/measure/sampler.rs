//! Memory of a whole process tree, read from /proc: every process whose process group is the
//! workload's group (children such as Python multiprocessing workers included), resident pages
//! from /proc/<pid>/statm — the cheapest source (docs/methodology.md, "Memory"). Shared pages are counted
//! once per process (RSS). Beside it, the group's proportional set size (PSS: each shared page
//! divided among the processes that map it) from /proc/<pid>/smaps_rollup, which walks the page
//! tables and so is read far less often (`PssCadence`: every 10th RSS sample, or sooner while RSS
//! grows). It must not spawn, wait for or signal processes.
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

/// Sum of the proportional set sizes (`Pss:` of /proc/<pid>/smaps_rollup) over the processes of
/// process group `pgid`; None if no member could be read. A full scan of /proc, then one page
/// table walk per member: far dearer than `tree_rss_bytes`.
pub fn tree_pss_bytes(pgid: i32) -> Option<u64> {
    sum_pss(&group_members(pgid))
}

/// Tree RSS then tree PSS (as `tree_rss_bytes`, `tree_pss_bytes`) over one scan of /proc: the
/// two read at ready, as close together as they can be.
pub fn tree_rss_and_pss_bytes(pgid: i32, page_size: u64) -> (Option<u64>, Option<u64>) {
    let members = group_members(pgid);
    let rss = sum_rss(&members, page_size).map(|(bytes, _)| bytes);
    (rss, sum_pss(&members))
}

/// PSS of one process in bytes; None if its smaps_rollup cannot be read or has no `Pss:` line
/// (a process that exited, or a kernel thread).
pub fn pss_bytes(pid: i32) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    parse_pss_kb(&text).map(|kb| kb * 1024)
}

/// The `Pss:` figure of a smaps_rollup text, in kB (the kernel's unit there: KiB).
pub fn parse_pss_kb(text: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix("Pss:")?.trim();
        value.strip_suffix("kB")?.trim().parse().ok()
    })
}

fn sum_pss(members: &[i32]) -> Option<u64> {
    let sizes: Vec<u64> = members.iter().filter_map(|pid| pss_bytes(*pid)).collect();
    (!sizes.is_empty()).then(|| sizes.iter().sum())
}

/// When the sampler reads tree PSS: on every `PSS_EVERY`-th RSS sample (the first included),
/// and on any sample whose RSS exceeds by 10% the largest RSS seen at a PSS read, so that a
/// process shorter than 200 ms, or one growing fast, still has its PSS read near its RSS peak.
/// The second rule adds at most log1.1(peak / first RSS) reads over a process's life (~70 from
/// 2 MiB to 2 GiB).
#[derive(Debug, Default)]
pub struct PssCadence {
    samples: u32,
    mark_rss: u64,
}

/// 200 ms at 50 Hz.
pub const PSS_EVERY: u32 = 10;

impl PssCadence {
    /// Called once per RSS sample with its value; true when PSS should be read now.
    pub fn due(&mut self, rss: u64) -> bool {
        let periodic = self.samples.is_multiple_of(PSS_EVERY);
        self.samples += 1;
        let grown = rss > self.mark_rss + self.mark_rss / 10;
        if periodic || grown {
            self.mark_rss = self.mark_rss.max(rss);
        }
        periodic || grown
    }
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
    /// Starts from the group's leader alone (its pid is the pgid) and scans /proc for the rest
    /// at the `RESCAN_EVERY`-th sample: a scan reads every process's stat, CPU spent beside a
    /// program that is just starting. With the scan at spawn Rust's 1 ms startup program read
    /// 1.77 ms against hyperfine's 0.97 ms; without it 1.45 ms against 0.94 ms (runs
    /// 20261201T150325Z-quick and 20261201T150448Z-quick, scripts/cross-check-startup).
    pub fn new(pgid: i32, page_size: u64) -> Self {
        Self {
            pgid,
            page_size,
            members: vec![pgid],
            samples_since_scan: 0,
        }
    }

    pub fn sample(&mut self) -> Option<u64> {
        if self.samples_since_scan >= RESCAN_EVERY || self.members.is_empty() {
            self.members = group_members(self.pgid);
            self.samples_since_scan = 0;
        }
        self.samples_since_scan += 1;
        // None of the known members is alive (e.g. a group whose leader exited): scan now.
        let (bytes, alive) = match sum_rss(&self.members, self.page_size) {
            Some(found) => found,
            None => {
                self.members = group_members(self.pgid);
                sum_rss(&self.members, self.page_size)?
            }
        };
        if alive < self.members.len() {
            // Someone exited: rescan next time rather than trust a stale list.
            self.samples_since_scan = RESCAN_EVERY;
        }
        Some(bytes)
    }

    /// PSS of the members found by the last scan (see `tree_pss_bytes`); None if none could be
    /// read. No rescan: it rides on the RSS samples' member list.
    pub fn sample_pss(&self) -> Option<u64> {
        sum_pss(&self.members)
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
        // Until its first scan it reads the leader alone (here: whatever leads the test's group).
        for _ in 0..RESCAN_EVERY {
            sampler.sample();
        }
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
        assert_eq!(tree_pss_bytes(i32::MAX - 7), None);
        assert_eq!(TreeSampler::new(i32::MAX - 7, page_size()).sample_pss(), None);
    }

    #[test]
    fn pss_is_read_every_tenth_sample_and_when_rss_grows_past_its_mark() {
        let mut cadence = PssCadence::default();
        let steady: Vec<bool> = (0..21).map(|_| cadence.due(100 << 20)).collect();
        let reads: Vec<usize> = (0..21).filter(|i| steady[*i]).collect();
        assert_eq!(reads, [0, 10, 20], "steady RSS: every 10th sample");
        assert!(!cadence.due(109 << 20), "9% above the mark: not yet");
        assert!(cadence.due(111 << 20), "11% above: read now");
        assert!(!cadence.due(115 << 20), "the mark moved to 111 MiB");
        assert!(!cadence.due(50 << 20), "shrinking never triggers a read");
    }

    #[test]
    fn parses_the_pss_line_of_smaps_rollup() {
        let text = "558b4d89d000-7ffea1935000 ---p 00000000 00:00 0                          [rollup]\n\
                    Rss:                1696 kB\n\
                    Pss:                 380 kB\n\
                    Pss_Dirty:           116 kB\n\
                    Pss_Anon:            116 kB\n\
                    Shared_Clean:       1540 kB\n\
                    SwapPss:               0 kB\n";
        assert_eq!(parse_pss_kb(text), Some(380), "Pss, not Pss_Dirty or SwapPss");
        assert_eq!(parse_pss_kb("Rss: 10 kB\nPss_Anon: 5 kB\n"), None);
        assert_eq!(parse_pss_kb(""), None, "a process without memory (exiting)");
        assert_eq!(parse_pss_kb("Pss: many kB\n"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_the_pss_of_this_process_and_its_group() {
        let own = pss_bytes(std::process::id() as i32).expect("own smaps_rollup is readable");
        assert!(own > 0, "a running test process has resident pages: {own}");
        let rss = tree_rss_bytes(own_group(), page_size()).unwrap();
        let group = tree_pss_bytes(own_group()).expect("own group is readable");
        assert!(group > 0, "the group holds this process");
        let (rss_once, pss_once) = tree_rss_and_pss_bytes(own_group(), page_size());
        assert!(rss_once.is_some_and(|b| b > 0) && pss_once.is_some_and(|b| b > 0));
        // Read at different moments, so only a loose check: PSS never exceeds RSS.
        assert!(group < 2 * rss, "tree PSS {group} vs tree RSS {rss}");
        let mut sampler = TreeSampler::new(own_group(), page_size());
        sampler.sample();
        assert!(sampler.sample_pss().is_some_and(|pss| pss > 0));
    }
}
