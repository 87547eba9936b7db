//! The harness's own gc-pause checksum: the contract's operations (workloads/README.md,
//! "Workload `gc-pause`") replayed on (key, seed) pairs, since a record's data is `seed + j`.
//! Memoized: a suite asks for each size once per repetition. Must not allocate records.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The live sets the harness replays (8 bytes per record): 100 M records is 800 MB here.
const MAX_RECORDS: u64 = 100_000_000;

pub fn xorshift32(mut x: u32) -> u32 {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    x
}

/// The checksum of `ops` operations over a live set of `records`.
pub fn checksum(records: u64, ops: u64) -> Result<String, String> {
    if records == 0 || records > MAX_RECORDS {
        return Err(format!("gc-pause: records = {records} must be 1..={MAX_RECORDS}"));
    }
    static MEMO: OnceLock<Mutex<HashMap<(u64, u64), String>>> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    if let Some(sum) = memo.lock().expect("memo lock").get(&(records, ops)) {
        return Ok(sum.clone());
    }
    let sum = replay(records as usize, ops).to_string();
    memo.lock()
        .expect("memo lock")
        .insert((records, ops), sum.clone());
    Ok(sum)
}

fn replay(records: usize, ops: u64) -> u32 {
    // live[k] = (key, seed): record(k, k * 8) at the build.
    let mut live: Vec<(u32, u32)> = (0..records)
        .map(|k| (k as u32, (k as u32).wrapping_mul(8)))
        .collect();
    let (mut x, mut acc) = (2_463_534_242u32, 0u32);
    for i in 0..ops {
        x = xorshift32(x);
        let slot = (x >> 8) as usize % records;
        if x & 3 == 0 {
            live[slot] = (i as u32, x);
        }
        let (key, seed) = live[slot];
        let data = seed.wrapping_add((i % 8) as u32);
        acc = acc.wrapping_mul(31).wrapping_add(key).wrapping_add(data);
    }
    for (k, (_, seed)) in live.iter().enumerate() {
        acc = acc
            .wrapping_mul(31)
            .wrapping_add(seed.wrapping_add((k % 8) as u32));
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_contract_vectors() {
        assert_eq!(checksum(1000, 10 * 50).unwrap(), "348783320");
        assert_eq!(checksum(10, 3 * 7).unwrap(), "704356060");
        assert!(checksum(0, 1).is_err());
    }
}
