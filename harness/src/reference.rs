//! Expected checksums, computed independently in Rust for any parameter set, so a workload's
//! output is checked against this harness rather than against another workload.
//! Definitions: workloads/README.md. Pure functions; no I/O.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;

/// One chunk of the cpu-scale kernel (u32 arithmetic modulo 2^32).
pub fn cpu_scale_partial(chunk: u64, items: u64) -> u32 {
    let mut h: u32 = 2_166_136_261;
    let base = (chunk.wrapping_mul(items)) as u32;
    for i in 0..items {
        let v = base.wrapping_add(i as u32);
        h = (h ^ v).wrapping_mul(16_777_619);
        h ^= h >> 15;
    }
    h
}

/// Sum of the partials in chunk order; chunks are computed in parallel (rayon). Memoized: a
/// suite asks for the same job once per variant and worker count.
pub fn cpu_scale_checksum(chunks: u64, items: u64) -> u64 {
    static MEMO: OnceLock<Mutex<HashMap<(u64, u64), u64>>> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    if let Some(sum) = memo.lock().expect("memo lock").get(&(chunks, items)) {
        return *sum;
    }
    let sum = compute_cpu_scale_checksum(chunks, items);
    memo.lock().expect("memo lock").insert((chunks, items), sum);
    sum
}

fn compute_cpu_scale_checksum(chunks: u64, items: u64) -> u64 {
    let partials: Vec<u32> = (0..chunks)
        .into_par_iter()
        .map(|c| cpu_scale_partial(c, items))
        .collect();
    partials.into_iter().map(u64::from).sum()
}

/// Each task yields its index: N(N-1)/2.
pub fn sleep_tasks_checksum(tasks: u64) -> u64 {
    tasks * (tasks - 1) / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_contract_test_vectors() {
        assert_eq!(cpu_scale_checksum(1, 1), 84_694_791);
        assert_eq!(cpu_scale_checksum(4, 1000), 14_385_195_142);
        assert_eq!(cpu_scale_checksum(16, 1000), 47_801_991_433);
        assert_eq!(cpu_scale_checksum(16, 100_000), 25_229_320_511);
    }

    #[test]
    fn sleep_tasks_sum_of_indices() {
        assert_eq!(sleep_tasks_checksum(1), 0);
        assert_eq!(sleep_tasks_checksum(100), 4950);
    }
}
