//! The rust `gc-pause` workload (model `default`: the system allocator, no collector, the
//! control): a live set of R records is built (`build_ns`), then `rate × T` allocation ops run
//! on the main thread in T ticks paced to 1 ms each, while a separate thread meters hiccups
//! (how far each of its 1 ms sleeps overshoots). It prints `hiccups`, then `result`; Rust has no
//! collector to report on, so there is no `gc_pauses` event.
//! It must not pool, reuse or pre-allocate records or their data (every op allocates a new
//! record with its own `Vec` and frees the one it replaces), skip a late tick, or time the
//! final checksum pass.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::protocol::{Event, Params, UsageError};

/// The parameters of `gc-pause default`.
pub const KEYS: &[&str] = &["records", "rate", "duration_ms"];

/// One tick of the pace, and the hiccup meter's sleep.
const TICK: Duration = Duration::from_millis(1);
/// The u32 values in every record's data array.
const DATA_LEN: usize = 8;
/// The slots of the young ring: a young record is overwritten (freed) 64 ops later.
const YOUNG_SLOTS: usize = 64;
/// The xorshift32 state before the first op.
const X_START: u32 = 2_463_534_242;

/// One record: two heap objects, as the contract defines it. The record itself lives by value
/// in the live vector or a young slot; `data` is its own allocation of 8 `u32`.
struct Record {
    key: u32,
    data: Vec<u32>,
}

impl Record {
    /// `record(key, seed)`: `data[j] = seed + j (mod 2^32)`. `collect` from a range of known
    /// length makes exactly one allocation of exactly 8 values: a new array every time.
    fn new(key: u32, seed: u32) -> Self {
        let data = (0..DATA_LEN as u32).map(|j| seed.wrapping_add(j)).collect();
        Record { key, data }
    }
}

fn xorshift32(mut x: u32) -> u32 {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    x
}

/// One run's sizes, validated.
#[derive(Debug, Clone, Copy)]
struct Load {
    records: usize,
    rate: usize,
    ticks: usize,
    ops: u64,
}

impl Load {
    fn from_params(params: &Params) -> Result<Self, UsageError> {
        Self::new(
            params.get("records"),
            params.get("rate"),
            params.get("duration_ms"),
        )
    }

    fn new(records: usize, rate: usize, ticks: usize) -> Result<Self, UsageError> {
        let ops = (rate as u64)
            .checked_mul(ticks as u64)
            .ok_or_else(|| UsageError("rate * duration_ms does not fit in 64 bits".into()))?;
        Ok(Load {
            records,
            rate,
            ticks,
            ops,
        })
    }
}

/// The heap the ops work on: the live set, the young ring, the xorshift state and the
/// accumulator (all `u32`, wrapping modulo 2^32).
struct Mutator {
    live: Vec<Record>,
    young: [Option<Record>; YOUNG_SLOTS],
    x: u32,
    acc: u32,
}

impl Mutator {
    /// The build: `live[k] = record(k, k * 8)` and 64 empty young slots (the `as u32` casts are
    /// the contract's "mod 2^32").
    fn build(records: usize) -> Self {
        let live = (0..records)
            .map(|k| Record::new(k as u32, (k as u32).wrapping_mul(8)))
            .collect();
        Mutator {
            live,
            young: std::array::from_fn(|_| None),
            x: X_START,
            acc: 0,
        }
    }

    /// Op `i`. Assigning into a slot drops (frees) the record it held, with its data.
    fn op(&mut self, i: u64) {
        self.x = xorshift32(self.x);
        let record = Record::new(i as u32, self.x);
        let slot = (self.x >> 8) as usize % self.live.len();
        if self.x & 3 == 0 {
            self.live[slot] = record;
        } else {
            self.young[(i % YOUNG_SLOTS as u64) as usize] = Some(record);
        }
        let old = &self.live[slot];
        self.acc = self
            .acc
            .wrapping_mul(31)
            .wrapping_add(old.key)
            .wrapping_add(old.data[(i % DATA_LEN as u64) as usize]);
    }

    /// The pass after the last op, outside every timed region: folds every live record in.
    fn checksum(&self) -> u32 {
        self.live.iter().enumerate().fold(self.acc, |acc, (k, record)| {
            acc.wrapping_mul(31).wrapping_add(record.data[k % DATA_LEN])
        })
    }
}

/// The hiccup meter: a thread that sleeps 1 ms at a time and records each overshoot.
struct HiccupMeter {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<u64>>,
}

impl HiccupMeter {
    /// Starts the meter and returns once its thread is running, so that it covers `t0`.
    /// `expected` sizes the sample list up front: growing it mid-run would copy it, a stall of
    /// the meter's own making. Every sample takes ≥ 1 ms, so `ticks + 1` is enough in practice.
    fn start(expected: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let running = Arc::new(Barrier::new(2));
        let thread = thread::Builder::new()
            .name("hiccup-meter".into())
            .spawn({
                let (stop, running) = (Arc::clone(&stop), Arc::clone(&running));
                move || {
                    let mut samples = Vec::with_capacity(expected);
                    running.wait();
                    // The flag is checked after each sample, so even the shortest run has one.
                    // Relaxed is enough: it only ends the loop, and the join publishes the list.
                    loop {
                        let before = Instant::now();
                        thread::sleep(TICK);
                        let overshoot = before.elapsed().saturating_sub(TICK);
                        samples.push(u64::try_from(overshoot.as_nanos()).unwrap_or(u64::MAX));
                        if stop.load(Ordering::Relaxed) {
                            break samples;
                        }
                    }
                }
            })
            .expect("cannot start the hiccup meter thread");
        running.wait();
        HiccupMeter { stop, thread }
    }

    /// Stops the meter after its current sample and returns every overshoot in order (ns).
    fn stop(self) -> Vec<u64> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("the hiccup meter thread panicked")
    }
}

/// `gc-pause default`.
pub fn run(params: &Params) -> Result<(), UsageError> {
    run_load(Load::from_params(params)?, Event::emit);
    Ok(())
}

/// Builds the live set, runs the paced ops with the meter on, and hands the events to `emit`
/// in protocol order: `hiccups`, then `result`.
fn run_load(load: Load, mut emit: impl FnMut(Event)) {
    let build_start = Instant::now();
    let mut mutator = Mutator::build(load.records);
    let build_time = build_start.elapsed();

    let meter = HiccupMeter::start(load.ticks + 1);
    let t0 = Instant::now();
    let mut i = 0u64;
    for tick in 0..load.ticks {
        for _ in 0..load.rate {
            mutator.op(i);
            i += 1;
        }
        // Every tick, the last one included, ends at t0 + (tick + 1) ms if that is still ahead;
        // a late tick does not sleep, so the next ones catch up.
        let deadline = t0 + Duration::from_millis(tick as u64 + 1);
        let ahead = deadline.saturating_duration_since(Instant::now());
        if !ahead.is_zero() {
            thread::sleep(ahead);
        }
    }
    let work_time = t0.elapsed();
    let hiccups = meter.stop();
    let checksum = mutator.checksum();

    emit(
        Event::new("hiccups")
            .nanos("interval_ns", TICK)
            .ints("ns", &hiccups),
    );
    emit(
        Event::new("result")
            .text("checksum", &checksum.to_string())
            .int("ops", load.ops)
            .count("records", load.records)
            .nanos("build_ns", build_time)
            .nanos("work_ns", work_time),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's test vectors: (records, rate, duration_ms, checksum).
    const VECTORS: [(usize, usize, usize, &str); 2] = [(1000, 10, 50, "348783320"), (10, 3, 7, "704356060")];

    /// The integer value of `"key":` in a protocol line.
    fn int_field(line: &str, key: &str) -> u64 {
        let start = line.find(&format!("\"{key}\":")).expect(key) + key.len() + 3;
        let digits: String = line[start..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().expect(key)
    }

    #[test]
    fn the_ops_match_the_contract_vectors_without_the_pace() {
        for (records, rate, ticks, expected) in VECTORS {
            let mut mutator = Mutator::build(records);
            for i in 0..(rate * ticks) as u64 {
                mutator.op(i);
            }
            assert_eq!(mutator.checksum().to_string(), expected, "records={records}");
        }
    }

    #[test]
    fn prints_hiccups_then_the_result_and_no_gc_pauses() {
        for (records, rate, ticks, expected) in VECTORS {
            let mut lines = Vec::new();
            run_load(Load::new(records, rate, ticks).unwrap(), |event| {
                lines.push(event.into_line())
            });
            assert_eq!(lines.len(), 2, "{lines:?}");
            let hiccups = &lines[0];
            let prefix = r#"{"event":"hiccups","interval_ns":1000000,"ns":["#;
            assert!(
                hiccups.starts_with(prefix) && hiccups.ends_with("]}"),
                "{hiccups}"
            );
            let samples = &hiccups[prefix.len()..hiccups.len() - 2];
            assert!(!samples.is_empty(), "at least one sample: {hiccups}");
            assert!(
                samples.split(',').all(|sample| sample.parse::<u64>().is_ok()),
                "{hiccups}"
            );
            // Each sample takes at least 1 ms, so the meter cannot have more than T + 1 of them.
            assert!(samples.split(',').count() <= ticks + 1, "{hiccups}");

            let result = &lines[1];
            let ops = rate * ticks;
            let prefix = format!(
                r#"{{"event":"result","checksum":"{expected}","ops":{ops},"records":{records},"build_ns":"#
            );
            assert!(result.starts_with(&prefix), "{result}");
            assert!(result.contains(r#","work_ns":"#), "{result}");
            assert!(
                int_field(result, "work_ns") >= ticks as u64 * 1_000_000 - 1_000_000,
                "{result}"
            );
        }
    }

    #[test]
    fn a_record_is_a_new_array_of_eight_consecutive_values() {
        let record = Record::new(3, u32::MAX - 1);
        assert_eq!(record.key, 3);
        assert_eq!(record.data, [u32::MAX - 1, u32::MAX, 0, 1, 2, 3, 4, 5]);
        assert_eq!(record.data.capacity(), DATA_LEN);
    }

    #[test]
    fn an_op_count_that_overflows_is_a_usage_error() {
        assert!(Load::new(1, usize::MAX, 2).is_err());
        assert_eq!(Load::new(1, 3, 7).unwrap().ops, 21);
    }
}
