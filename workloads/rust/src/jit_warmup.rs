//! The rust `jit-warmup` workload (models `default-<benchmark>`, an ahead-of-time compiled
//! control): K iterations of one kernels kernel (nbody, spectral-norm or fannkuch-redux, the
//! `kernels` module's own code), each from scratch and timed alone, one `iter` event after each
//! (outside the timed region), then the `result` with the last iteration's checksum and the sum
//! of the K times.
//! It must not carry anything from one iteration to the next, time the printing, or write a
//! kernel of its own.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::kernels::{fannkuch_redux, float_checksum, nbody, spectral_norm};
use crate::protocol::{Event, Params, UsageError};

/// The parameters of every `jit-warmup` model.
pub const KEYS: &[&str] = &["iterations", "n"];

/// One benchmark: a whole kernel run from scratch at `n`, its checksum formatted after the clock
/// stops (the closure returns a value the formatter turns into text).
type Benchmark = fn(usize) -> Checksum;

/// A kernel's raw result, formatted only outside the timed region.
enum Checksum {
    Float(f64),
    Fannkuch(fannkuch_redux::Fannkuch),
}

impl Checksum {
    fn text(&self) -> String {
        match self {
            Checksum::Float(value) => float_checksum(*value),
            Checksum::Fannkuch(found) => found.checksum_text(),
        }
    }
}

/// `jit-warmup default-nbody`.
pub fn run_nbody(params: &Params) -> Result<(), UsageError> {
    run(params, |n| Checksum::Float(nbody::energy_after(n)))
}

/// `jit-warmup default-spectral-norm`.
pub fn run_spectral_norm(params: &Params) -> Result<(), UsageError> {
    run(params, |n| Checksum::Float(spectral_norm::spectral_norm(n)))
}

/// `jit-warmup default-fannkuch-redux`.
pub fn run_fannkuch_redux(params: &Params) -> Result<(), UsageError> {
    run(params, |n| Checksum::Fannkuch(fannkuch_redux::fannkuch(n)))
}

fn run(params: &Params, benchmark: Benchmark) -> Result<(), UsageError> {
    run_iterations(params.get("iterations"), params.get("n"), benchmark, Event::emit);
    Ok(())
}

/// Runs `iterations` (K ≥ 1) iterations of `benchmark` at `n` and hands every event to `emit`
/// in protocol order: `iter` 0 .. K-1, then `result`.
fn run_iterations(iterations: usize, n: usize, benchmark: Benchmark, mut emit: impl FnMut(Event)) {
    let mut total = Duration::ZERO;
    let mut last = Checksum::Float(f64::NAN);
    for i in 0..iterations {
        let start = Instant::now();
        // black_box on the input and the output: the same `n` every time must not let the
        // optimiser compute the kernel once for all iterations, or drop the unused ones.
        let value = black_box(benchmark(black_box(n)));
        let elapsed = start.elapsed();
        emit(Event::new("iter").count("i", i).nanos("ns", elapsed));
        total += elapsed;
        last = value;
    }
    emit(
        Event::new("result")
            .text("checksum", &last.text())
            .count("ops", iterations)
            .nanos("total_ns", total),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The integer value of `"key":` in a protocol line (the workloads write no nested JSON).
    fn int_field(line: &str, key: &str) -> u64 {
        let start = line.find(&format!("\"{key}\":")).expect(key) + key.len() + 3;
        let digits: String = line[start..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().expect(key)
    }

    #[test]
    fn prints_k_iter_events_then_the_result() {
        check(1000, |n| Checksum::Float(nbody::energy_after(n)), "-0.169087605");
    }

    #[test]
    fn spectral_norm_and_fannkuch_reach_the_contract_vectors() {
        check(100, |n| Checksum::Float(spectral_norm::spectral_norm(n)), "1.274219991");
        check(7, |n| Checksum::Fannkuch(fannkuch_redux::fannkuch(n)), "228:16");
    }

    fn check(n: usize, benchmark: Benchmark, checksum: &str) {
        let mut lines = Vec::new();
        run_iterations(5, n, benchmark, |event| lines.push(event.into_line()));
        assert_eq!(lines.len(), 6);
        let mut sum = 0;
        for (i, line) in lines[..5].iter().enumerate() {
            assert!(
                line.starts_with(&format!(r#"{{"event":"iter","i":{i},"ns":"#)),
                "{line}"
            );
            sum += int_field(line, "ns");
        }
        let result = &lines[5];
        assert!(
            result.starts_with(&format!(
                r#"{{"event":"result","checksum":"{checksum}","ops":5,"total_ns":"#
            )),
            "{result}"
        );
        assert_eq!(
            int_field(result, "total_ns"),
            sum,
            "total_ns is the sum of the iterations"
        );
    }
}
