//! The rust variants of the cpu-scale workload: `threads` (W scoped OS threads pulling chunk
//! indices from an atomic counter) and `rayon` (a W-thread rayon pool mapping the chunk range
//! in parallel). Both store partials by chunk index and sum them in chunk order.
//! It must not change the kernel, print anything but the `result` event, or use any worker
//! count other than the `workers` parameter.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use rayon::prelude::*;

use crate::chunk_hash::{partial, sum_in_chunk_order};
use crate::protocol::{Event, Params, UsageError};

/// The parameters every cpu-scale variant requires.
pub const KEYS: &[&str] = &["workers", "chunks", "items"];

/// `cpu-scale threads`: W `std::thread::scope` threads pull chunk indices from an `AtomicUsize`.
pub fn run_threads(params: &Params) -> Result<(), UsageError> {
    let work = Work::from_params(params)?;
    let start = Instant::now();
    let partials = partials_with_scoped_threads(work.workers, work.chunks, work.items);
    let checksum = sum_in_chunk_order(&partials);
    work.report(checksum, start);
    Ok(())
}

/// `cpu-scale rayon`: a rayon pool of W threads maps the chunk range in parallel.
pub fn run_rayon(params: &Params) -> Result<(), UsageError> {
    let work = Work::from_params(params)?;
    // The clock includes building the pool (starting its W threads), as in every language.
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(work.workers)
        .build()
        .expect("cannot build the rayon thread pool");
    let partials = partials_with_rayon(&pool, work.chunks, work.items);
    let checksum = sum_in_chunk_order(&partials);
    work.report(checksum, start);
    Ok(())
}

/// One run's sizes, validated.
struct Work {
    workers: usize,
    chunks: usize,
    items: usize,
    ops: u64,
}

impl Work {
    fn from_params(params: &Params) -> Result<Self, UsageError> {
        let (workers, chunks, items) = (params.get("workers"), params.get("chunks"), params.get("items"));
        let ops = (chunks as u64)
            .checked_mul(items as u64)
            .ok_or_else(|| UsageError("chunks * items does not fit in 64 bits".into()))?;
        Ok(Work {
            workers,
            chunks,
            items,
            ops,
        })
    }

    fn report(&self, checksum: u64, start: Instant) {
        let work_time = start.elapsed();
        Event::new("result")
            .text("checksum", &checksum.to_string())
            .int("ops", self.ops)
            .count("workers", self.workers)
            .nanos("work_ns", work_time)
            .emit();
    }
}

/// Runs `workers` scoped threads; each takes the next chunk index from a shared counter until
/// none is left and stores `partial(chunk, items)` at `partials[chunk]`.
fn partials_with_scoped_threads(workers: usize, chunks: usize, items: usize) -> Vec<u32> {
    let next_chunk = AtomicUsize::new(0);
    let partials: Vec<AtomicU32> = (0..chunks).map(|_| AtomicU32::new(0)).collect();
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                // Relaxed is enough: the counter only hands out distinct indices, and the end
                // of the scope (joining every thread) publishes the stored partials.
                let chunk = next_chunk.fetch_add(1, Ordering::Relaxed);
                if chunk >= chunks {
                    break;
                }
                partials[chunk].store(partial(chunk, items), Ordering::Relaxed);
            });
        }
    });
    partials.into_iter().map(AtomicU32::into_inner).collect()
}

/// Maps the chunk range on `pool`; `collect` keeps the partials in chunk order.
fn partials_with_rayon(pool: &rayon::ThreadPool, chunks: usize, items: usize) -> Vec<u32> {
    pool.install(|| {
        (0..chunks)
            .into_par_iter()
            .map(|chunk| partial(chunk, items))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk_hash::tests::CHECKSUM_VECTORS;

    const WORKER_COUNTS: [usize; 4] = [1, 2, 4, 7];

    #[test]
    fn scoped_threads_match_the_contract_vectors() {
        for workers in WORKER_COUNTS {
            for (chunks, items, expected) in CHECKSUM_VECTORS {
                let partials = partials_with_scoped_threads(workers, chunks, items);
                assert_eq!(
                    sum_in_chunk_order(&partials),
                    expected,
                    "workers={workers} chunks={chunks} items={items}"
                );
            }
        }
    }

    #[test]
    fn rayon_matches_the_contract_vectors() {
        for workers in WORKER_COUNTS {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(workers)
                .build()
                .unwrap();
            for (chunks, items, expected) in CHECKSUM_VECTORS {
                let partials = partials_with_rayon(&pool, chunks, items);
                assert_eq!(
                    sum_in_chunk_order(&partials),
                    expected,
                    "workers={workers} chunks={chunks} items={items}"
                );
            }
        }
    }

    #[test]
    fn partials_are_stored_by_chunk_index() {
        let expected: Vec<u32> = (0..9).map(|chunk| partial(chunk, 50)).collect();
        assert_eq!(partials_with_scoped_threads(3, 9, 50), expected);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        assert_eq!(partials_with_rayon(&pool, 9, 50), expected);
    }
}
