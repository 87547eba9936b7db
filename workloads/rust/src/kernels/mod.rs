//! The rust `kernels` workload: one model per kernel (`nbody`, `spectral-norm`,
//! `fannkuch-redux`, `binary-trees`), each sized by `n`, timed around the kernel alone
//! (`work_ns`: from just before it starts to just after its checksum value exists, formatting
//! excluded) and reported in one `result` event. The kernels themselves live in the
//! submodules, one file each, exactly as the contract writes them.
//! It must not start threads, cache results between runs, or print anything but `result`.

mod binary_trees;
pub mod fannkuch_redux;
pub mod nbody;
pub mod spectral_norm;

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::protocol::{Event, Params, UsageError};

/// The parameters of every kernel.
pub const KEYS: &[&str] = &["n"];

/// The contract's floating-point checksum: the value with exactly 9 decimals, rounded from its
/// exact binary value (Rust's `{:.9}` does that, as C's `%.9f`).
pub fn float_checksum(value: f64) -> String {
    format!("{value:.9}")
}

/// `kernels nbody`: the energy after n steps; ops = n.
pub fn run_nbody(params: &Params) -> Result<(), UsageError> {
    let n = params.get("n");
    let (energy, work_time) = timed(|| nbody::energy_after(black_box(n)));
    result_event(&float_checksum(energy), n as u64, work_time).emit();
    Ok(())
}

/// `kernels spectral-norm`: the norm of the n × n matrix; ops = n.
pub fn run_spectral_norm(params: &Params) -> Result<(), UsageError> {
    let n = params.get("n");
    let (norm, work_time) = timed(|| spectral_norm::spectral_norm(black_box(n)));
    result_event(&float_checksum(norm), n as u64, work_time).emit();
    Ok(())
}

/// `kernels fannkuch-redux`: `"<checksum>:<max_flips>"`; ops = the permutations visited (n!).
pub fn run_fannkuch_redux(params: &Params) -> Result<(), UsageError> {
    let n = params.get("n");
    let (found, work_time) = timed(|| fannkuch_redux::fannkuch(black_box(n)));
    result_event(&found.checksum_text(), found.permutations, work_time).emit();
    Ok(())
}

/// `kernels binary-trees`: the total of the checks; ops = the nodes allocated, which the
/// contract defines as equal to that total.
pub fn run_binary_trees(params: &Params) -> Result<(), UsageError> {
    let n = params.get("n");
    let (total, work_time) = timed(|| binary_trees::binary_trees(black_box(n)));
    result_event(&total.to_string(), total, work_time).emit();
    Ok(())
}

/// Runs `kernel` between two reads of the monotonic clock. `black_box` on its result (and on
/// `n` inside each closure) keeps the optimiser from treating the kernel as a constant or
/// moving it out of the timed region.
fn timed<T>(kernel: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = black_box(kernel());
    (value, start.elapsed())
}

fn result_event(checksum: &str, ops: u64, work_time: Duration) -> Event {
    Event::new("result")
        .text("checksum", checksum)
        .int("ops", ops)
        .nanos("work_ns", work_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_checksums_have_nine_decimals_rounded_from_the_binary_value() {
        assert_eq!(float_checksum(-0.169087605), "-0.169087605");
        assert_eq!(float_checksum(1.0), "1.000000000");
        // 0.1234567885 is stored as 0.12345678849999999...: it rounds down, not half-up.
        assert_eq!(float_checksum(0.1234567885), "0.123456788");
    }

    #[test]
    fn the_result_event_carries_checksum_ops_and_work_ns() {
        assert_eq!(
            result_event("228:16", 5040, Duration::from_nanos(12)).into_line(),
            r#"{"event":"result","checksum":"228:16","ops":5040,"work_ns":12}"#
        );
    }
}
