//! The rust `jit-warmup` workload (model `default`, an ahead-of-time compiled control): K
//! iterations of the nbody kernel, each from new body records and timed alone, one `iter`
//! event after each (outside the timed region), then the `result` with the last energy and
//! the sum of the K times.
//! It must not carry anything from one iteration to the next, time the printing, or use any
//! kernel but `kernels::nbody`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::kernels::{float_checksum, nbody};
use crate::protocol::{Event, Params, UsageError};

/// The parameters of `jit-warmup default`.
pub const KEYS: &[&str] = &["iterations", "n"];

/// `jit-warmup default`.
pub fn run(params: &Params) -> Result<(), UsageError> {
    run_iterations(params.get("iterations"), params.get("n"), Event::emit);
    Ok(())
}

/// Runs `iterations` (K ≥ 1) iterations of `steps` nbody steps and hands every event to
/// `emit` in protocol order: `iter` 0 .. K-1, then `result`.
fn run_iterations(iterations: usize, steps: usize, mut emit: impl FnMut(Event)) {
    let mut total = Duration::ZERO;
    let mut last_energy = f64::NAN;
    for i in 0..iterations {
        let start = Instant::now();
        // black_box on the input and the output: the same `steps` every time must not let the
        // optimiser compute the kernel once for all iterations, or drop the unused ones.
        let energy = black_box(nbody::energy_after(black_box(steps)));
        let elapsed = start.elapsed();
        emit(Event::new("iter").count("i", i).nanos("ns", elapsed));
        total += elapsed;
        last_energy = energy;
    }
    emit(
        Event::new("result")
            .text("checksum", &float_checksum(last_energy))
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
        let mut lines = Vec::new();
        run_iterations(5, 1000, |event| lines.push(event.into_line()));
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
            result.starts_with(r#"{"event":"result","checksum":"-0.169087605","ops":5,"total_ns":"#),
            "{result}"
        );
        assert_eq!(
            int_field(result, "total_ns"),
            sum,
            "total_ns is the sum of the iterations"
        );
    }
}
