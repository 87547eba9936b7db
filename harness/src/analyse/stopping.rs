//! The arithmetic of stopping early (docs/methodology.md, "Stopping early"): a case that plans
//! more repetitions than a verdict needs may stop at one look, once every claim it feeds is
//! decided. Looking costs level: a verdict can now be wrong at the look or at the end. For the
//! median's order-statistic interval that chance is exact and distribution-free (it depends only
//! on how many values fall below the true median, each with probability ½), so the look is
//! placed where the two-look chance stays within what one interval promises. Pure functions; it
//! must not judge claims or schedule anything.

use super::stats::{binomial_half_pmf, order_statistic_rank};

/// The largest one-sided chance a verdict may have of resting on an interval wholly on the
/// wrong side of the truth: half of the 5% a 95% interval leaves.
pub const ONE_SIDED_BUDGET: f64 = 0.025;

/// The earliest round a case may stop at: the first n whose median interval reaches 95%.
pub const EARLIEST_LOOK: u32 = 6;

/// The chance, with the true median exactly on a claim's bound, that the interval of the first
/// `look` values or that of all `planned` values lies wholly beyond it on one side: a verdict
/// wrongly reached at the look, or at the end by a case that did not stop. Exact: B values of
/// the first `look` fall below the truth, B ~ Binomial(look, ½), and R of the rest,
/// R ~ Binomial(planned − look, ½); the interval [x_(k), x_(n+1−k)] lies above the truth when
/// fewer than k values fall below it.
pub fn two_look_error(look: u32, planned: u32) -> f64 {
    let (look, planned) = (look as usize, planned as usize);
    let k_look = order_statistic_rank(look);
    let k_end = order_statistic_rank(planned);
    let rest = planned - look;
    (0..=look)
        .map(|below| {
            let wrong_later = if below < k_look {
                1.0
            } else {
                (0..=rest)
                    .filter(|r| below + r < k_end)
                    .map(|r| binomial_half_pmf(rest, r))
                    .sum()
            };
            binomial_half_pmf(look, below) * wrong_later
        })
        .sum()
}

/// The round at which a case planning `planned` repetitions may look, if any: the earliest
/// round from `EARLIEST_LOOK` whose two-look chance stays within `ONE_SIDED_BUDGET` and within
/// what the planned interval alone promises at 95% (6 and 8: 1.56%, the look is free; 7 and 9:
/// 2.15%; 6 and 9: 2.73%, refused).
pub fn look_round(planned: u32) -> Option<u32> {
    (EARLIEST_LOOK..planned).find(|look| two_look_error(*look, planned) <= ONE_SIDED_BUDGET)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::stats::estimate;

    #[test]
    fn looking_at_six_of_eight_costs_nothing_and_six_of_nine_too_much() {
        // [x1, x8] wholly above needs all 8 above, which implies all of the first 6.
        assert!((two_look_error(6, 8) - 1.0 / 64.0).abs() < 1e-12);
        // 1/64 + 10/512 − 1/64 · 4/8 = 14/512.
        assert!((two_look_error(6, 9) - 14.0 / 512.0).abs() < 1e-12);
        assert!((two_look_error(7, 9) - 11.0 / 512.0).abs() < 1e-12);
        assert_eq!(look_round(8), Some(6));
        assert_eq!(look_round(9), Some(7));
        assert_eq!(look_round(6), None, "nothing to stop");
        assert_eq!(look_round(3), None);
    }

    /// The same chance by simulation, with noise that is neither symmetric nor known: values
    /// drawn around a true median equal to the bound, a "verdict" whenever the interval at the
    /// look or (not stopped) at the end lies wholly above it.
    #[test]
    fn the_simulated_chance_matches_the_exact_one() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        const TRIALS: usize = 200_000;
        for (look, planned) in [(6, 8), (7, 9), (6, 9)] {
            let mut wrong = 0;
            for _ in 0..TRIALS {
                // Exponential noise, median ln 2: the bound.
                let values: Vec<f64> = (0..planned).map(|_| -uniform().ln()).collect();
                let above = |n: usize| estimate(&values[..n]).ci_low > std::f64::consts::LN_2;
                wrong += usize::from(above(look) || above(planned));
            }
            let rate = wrong as f64 / TRIALS as f64;
            let exact = two_look_error(look as u32, planned as u32);
            // 4 standard errors of a proportion near 2% over 200k trials: 0.13 points.
            assert!(
                (rate - exact).abs() < 0.0013,
                "{look}/{planned}: {rate} vs {exact}"
            );
        }
    }
}
