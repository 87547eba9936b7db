//! Warmup classification of per-iteration times, one process at a time and then across the
//! processes of a variant, after Barrett, Bolz-Tereick, Killick, Mount & Tratt, "Virtual Machine
//! Warmup Blows Hot and Cold" (OOPSLA 2017) and its tool warmup_stats (github.com/softdevteam/
//! warmup_stats), whose rules each step follows: outliers (`outliers`), changepoints by PELT
//! under the normal mean-and-variance cost (`pelt`), then segments, labels and the steady state
//! (`classify`), and one (VM, benchmark) pair's class from its processes' labels (`pair`). Pure
//! functions over `&[f64]` of nanoseconds, iteration 0 first, NaN-free (a
//! NaN would poison the sums and sort as largest); it must not read results, name a workload or
//! render.
//!
//! What differs from warmup_stats, and why:
//! - The outlier window is min(`outlier_window`, n). bin/warmup_stats passes 10% of the
//!   iteration count (200 for the paper's 2000); we default to 200 and cut it to short series.
//! - PELT is written here (no crate in the lock file has a mean-and-variance normal cost; the
//!   `pelt` crate offers L1/L2 only). It matches R's `cpt.meanvar` except: the variance floor is
//!   (1e-6 × the series' mean)² instead of 1e-11 in the data's units; the cumulative sums are of
//!   the centred series; pruning waits `min_segment` steps so the result is exactly optimal.
//! - The equivalence rule is warmup_stats' default only: an absolute δ of 1 ms, widened by each
//!   segment's variance in s² read as seconds (as warmup_stats computes it on seconds); its
//!   `--delta N%` and `--raw-deltas` options are not offered.
//! - The steady state's time sums every iteration before it (warmup_stats stops one short); its
//!   mean and variance pool the steady iterations without outliers (warmup_stats' per-process
//!   figure is the unweighted mean of the steady segments' means; its reported one bootstraps
//!   the pooled iterations).
//! - Series too short for a change (< 2 × `min_segment` points after outliers) have one segment
//!   where R stops with an error; an empty series has no steady state.

pub mod classify;
pub mod outliers;
pub mod pair;
pub mod pelt;
#[cfg(test)]
mod test_series;

pub use classify::{
    classify, classify_variant, ProcessClassification, ProcessLabel, Segment, VariantLabel, WarmupSettings,
};
pub use outliers::outliers;
pub use pair::{classify_pair, PairClass};
pub use pelt::pelt_meanvar;
