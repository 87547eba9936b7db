//! Outliers of one process's iteration times, as warmup_stats marks them before its changepoint
//! search (warmup/outliers.py, `_tukey_all_outliers`, called by bin/mark_outliers_in_json):
//! a point is an outlier when it lies outside median ± factor × (p90 − p10) of a window around
//! it. Owns only that rule; it must not remove anything or decide what an outlier means.

use crate::analyse::stats;

/// The indices of the outliers of `series`, ascending.
///
/// The window is warmup_stats' `_clamp_window_size`: with h = ⌊window/2⌋, the points
/// `series[max(0, i − h) .. min(n, i + h)]` (the right end excluded, the point itself included),
/// cut at the ends of the series. Near the start, a point whose cut window is shorter than
/// `window` is not tested at all (`if l_slice == 0 and r_slice < window_size: continue`), so
/// the first ⌊window/2⌋ or so iterations, where warmup happens, are never outliers; near the
/// end the cut window is used as it is. A window longer than the series is taken as the series'
/// length (the caller's choice; warmup_stats itself would then test only the second half).
/// The median and the percentiles interpolate linearly between order statistics, as
/// warmup_stats' `median` and `percentile` (`stats::quantile` is the same rule).
pub fn outliers(series: &[f64], window: usize, factor: f64) -> Vec<usize> {
    let n = series.len();
    let window = window.min(n);
    let half = window / 2;
    let mut sorted = Vec::with_capacity(window);
    (0..n)
        .filter(|&i| {
            let (lo, hi) = (i.saturating_sub(half), (i + half).min(n));
            if (lo == 0 && hi < window) || hi <= lo {
                return false;
            }
            sorted.clear();
            sorted.extend_from_slice(&series[lo..hi]);
            sorted.sort_by(f64::total_cmp);
            let median = stats::quantile(&sorted, 0.5);
            let band = factor * (stats::quantile(&sorted, 0.9) - stats::quantile(&sorted, 0.1));
            series[i] > median + band || series[i] < median - band
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::warmup::test_series::Rng;

    fn flat(seed: u64, n: usize) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        (0..n).map(|_| 1e7 * (1.0 + 0.02 * rng.normal())).collect()
    }

    #[test]
    fn a_spike_is_an_outlier_and_nothing_else_is() {
        let mut series = flat(1, 400);
        series[250] *= 20.0;
        series[300] *= 0.01;
        assert_eq!(outliers(&series, 200, 3.0), vec![250, 300]);
    }

    #[test]
    fn the_start_of_the_series_is_never_tested() {
        // warmup_stats skips points whose window is cut by the start: a spike at 5 stays.
        let mut series = flat(2, 400);
        series[5] *= 20.0;
        series[150] *= 20.0;
        assert_eq!(outliers(&series, 200, 3.0), vec![150]);
    }

    #[test]
    fn the_window_follows_warmup_stats_clamping() {
        // n = 40, window 20 (h = 10): i < 10 has a window [0, i + 10) shorter than 20 and is
        // skipped; i = 10 is the first tested; i = 39 uses the cut window [29, 40).
        let base: Vec<f64> = (0..40).map(|i| 1.0 + 0.05 * ((i * 7 % 5) as f64 - 2.0)).collect();
        for (spike, flagged) in [(9, false), (10, true), (39, true)] {
            let mut series = base.clone();
            series[spike] = 100.0;
            let expected = if flagged { vec![spike] } else { vec![] };
            assert_eq!(outliers(&series, 20, 3.0), expected, "spike at {spike}");
        }
    }

    #[test]
    fn short_and_constant_series() {
        assert!(outliers(&[], 200, 3.0).is_empty());
        assert!(outliers(&[1.0], 200, 3.0).is_empty());
        assert!(outliers(&[5.0; 50], 200, 3.0).is_empty());
    }
}
