//! cpu-scale's integer kernel (workloads/README.md, "Workload `cpu-scale`"): one chunk's hash and
//! the sum of the chunks' hashes in chunk order, computed by the harness so that a program's
//! checksum is never trusted. Shared by cpu-scale (the whole job) and loop-blocking (`/cpu`
//! computes one chunk). Must not time anything.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;

/// One chunk of the kernel (u32 arithmetic modulo 2^32).
pub fn partial(chunk: u64, items: u64) -> u32 {
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
pub fn checksum(chunks: u64, items: u64) -> u64 {
    static MEMO: OnceLock<Mutex<HashMap<(u64, u64), u64>>> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    if let Some(sum) = memo.lock().expect("memo lock").get(&(chunks, items)) {
        return *sum;
    }
    let partials: Vec<u32> = (0..chunks).into_par_iter().map(|c| partial(c, items)).collect();
    let sum = partials.into_iter().map(u64::from).sum();
    memo.lock().expect("memo lock").insert((chunks, items), sum);
    sum
}
