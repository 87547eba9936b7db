//! Memory of a whole process tree, read from /proc: every process whose process group is the
//! workload's group (children such as Python multiprocessing workers included), resident pages
//! from /proc/<pid>/statm — the cheapest source (METHOD.md, "Memory"). Shared pages are counted
//! once per process (RSS, not PSS). It must not spawn, wait for or signal processes.

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
pub fn tree_rss_bytes(pgid: i32, page_size: u64) -> Option<u64> {
    let mut total_pages = 0u64;
    let mut found = false;
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        if process_group_of(pid) != Some(pgid) {
            continue;
        }
        if let Some(pages) = resident_pages(pid) {
            total_pages += pages;
            found = true;
        }
    }
    found.then_some(total_pages * page_size)
}

/// Field 5 of /proc/<pid>/stat; parsed after the last ')' because the command name may hold
/// spaces and parentheses.
fn process_group_of(pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    // after_name: " S ppid pgrp ..."
    after_name.split_whitespace().nth(2)?.parse().ok()
}

fn resident_pages(pid: i32) -> Option<u64> {
    let statm = fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    statm.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_own_process_group() {
        // SAFETY: getpgrp has no preconditions.
        let pgid = unsafe { libc::getpgrp() };
        let rss = tree_rss_bytes(pgid, page_size()).expect("own group is alive");
        assert!(
            rss > 1 << 20,
            "a test process has more than 1 MiB resident: {rss}"
        );
    }

    #[test]
    fn no_such_group_is_none() {
        assert_eq!(tree_rss_bytes(i32::MAX - 7, page_size()), None);
    }
}
