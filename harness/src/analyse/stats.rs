//! Statistics over process-level repetitions: medians with distribution-free confidence
//! intervals (order statistics of the binomial, as in the textbook sign-test interval), Tukey
//! outlier flags, paired ratios (their own order-statistic intervals), Clopper–Pearson intervals
//! of proportions, and least-squares slopes whose interval allows noise that differs between x
//! values (`slope`). Each method's coverage is checked by simulation at the sizes the suites use
//! (`coverage`; docs/methodology.md, "Intervals"). Pure functions; it must not know what the
//! numbers are.

mod slope;
pub use slope::{rescale_t_interval, slope_fit, SlopeFit};

#[cfg(test)]
mod coverage;

use arena_results::Estimate;

pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// P(X = k) for X ~ Binomial(n, 1/2).
pub fn binomial_half_pmf(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    let coefficient = (1..=k).fold(1.0f64, |c, i| c * (n - i + 1) as f64 / i as f64);
    coefficient / 2f64.powi(n as i32)
}

/// P(X <= k) for X ~ Binomial(n, 1/2).
fn binomial_half_cdf(n: usize, k: usize) -> f64 {
    (0..=k.min(n)).map(|i| binomial_half_pmf(n, i)).sum()
}

/// The rank k of the median's interval [x_(k), x_(n+1−k)] among n sorted values: the largest
/// k with P(X ≤ k − 1) ≤ 2.5%, so that it covers ≥ 95%; 1 ([min, max]) when n is too small.
pub fn order_statistic_rank(n: usize) -> usize {
    let mut k = 1;
    while k < n / 2 && binomial_half_cdf(n, k) <= 0.025 {
        k += 1;
    }
    k
}

/// Median with the widest-needed order-statistic interval of ≥ 95% coverage; with too few
/// values for 95% (n < 6) the interval is [min, max] and `ci_level` says what it covers.
pub fn estimate(values: &[f64]) -> Estimate {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let k = order_statistic_rank(n);
    let level = 1.0 - 2.0 * binomial_half_cdf(n, k - 1);
    Estimate {
        median: median(&sorted),
        ci_low: sorted.first().map_or(f64::NAN, |_| sorted[k - 1]),
        ci_high: sorted.first().map_or(f64::NAN, |_| sorted[n - k]),
        ci_level: level,
        n: n as u32,
        outliers: tukey_outliers(&sorted),
    }
}

/// The q-quantile of sorted values, linear between order statistics (NaN when empty).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn tukey_outliers(sorted: &[f64]) -> u32 {
    if sorted.len() < 4 {
        return 0;
    }
    let (q1, q3) = (quantile(sorted, 0.25), quantile(sorted, 0.75));
    let fence = 1.5 * (q3 - q1);
    sorted
        .iter()
        .filter(|v| **v < q1 - fence || **v > q3 + fence)
        .count() as u32
}

/// The median of per-pair ratios a / b with its order-statistic interval. Pairs are two
/// processes measured in the same round (`Repetition.index`), so drift between rounds moves
/// both; the interval covers the median of the ratio's distribution with the stated level,
/// whatever that distribution is (the rounds must be independent).
pub fn paired_ratio(pairs: &[(f64, f64)]) -> Option<Estimate> {
    let ratios: Vec<f64> = pairs
        .iter()
        .filter(|(_, b)| *b > 0.0)
        .map(|(a, b)| a / b)
        .collect();
    (!ratios.is_empty()).then(|| estimate(&ratios))
}

/// `paired_ratio` of two cases' values matched on their round (`Repetition.index`): rounds
/// only one of them has are left out.
pub fn ratio_by_round(a: &[(u32, f64)], b: &[(u32, f64)]) -> Option<Estimate> {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .filter_map(|(round, x)| b.iter().find(|(r, _)| r == round).map(|(_, y)| (*x, *y)))
        .collect();
    paired_ratio(&pairs)
}

/// The Clopper–Pearson ("exact") 95% interval of a proportion k / n: (low, high, coverage).
/// Its coverage is at least 95% for every true proportion (Clopper & Pearson 1934). The bounds
/// are quantiles of Beta distributions, low = B(0.025; k, n − k + 1) and high =
/// B(0.975; k + 1, n − k), computed by statrs through the regularised incomplete beta function,
/// which stays accurate at any n (a sum of binomial terms from (1 − p)^n underflows past
/// n ≈ 1,000). None when n = 0 or k > n.
pub fn proportion_interval(k: u64, n: u64) -> Option<(f64, f64, f64)> {
    use statrs::distribution::{Beta, ContinuousCDF};
    if n == 0 || k > n {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let low = if k == 0.0 {
        0.0
    } else {
        Beta::new(k, n - k + 1.0).ok()?.inverse_cdf(0.025)
    };
    let high = if k == n {
        1.0
    } else {
        Beta::new(k + 1.0, n - k).ok()?.inverse_cdf(0.975)
    };
    Some((low, high, 0.95))
}

/// Least-squares line through (x, y); None with fewer than two distinct x.
pub fn least_squares(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if points.len() < 2 || sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let slope = sxy / sxx;
    Some((slope, mean_y - slope * mean_x))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference bounds from scipy 1.17.1, `scipy.stats.beta.ppf(0.025, k, n - k + 1)` and
    /// `beta.ppf(0.975, k + 1, n - k)` (computed for this test; 0 of 10 and 5 of 10 also match
    /// the published tables, 0.3085 and 0.1871–0.8129). The old binomial-sum bisection gave
    /// [0.310, 0.311] for 1,000 of 2,000.
    #[test]
    fn clopper_pearson_matches_scipy_at_small_and_large_n() {
        let cases = [
            (0, 10, 0.0, 0.308497),
            (1, 10, 0.002529, 0.445016),
            (5, 10, 0.187086, 0.812914),
            (10, 10, 0.691503, 1.0),
            (3, 1000, 0.000619, 0.008742),
            (500, 1000, 0.468549, 0.531451),
            (1000, 2000, 0.477851, 0.522149),
            (1990, 2000, 0.990824, 0.997600),
            (0, 2000, 0.0, 0.001843),
        ];
        for (k, n, low, high) in cases {
            let (lo, hi, level) = proportion_interval(k, n).unwrap();
            assert!(
                (lo - low).abs() < 2e-6 && (hi - high).abs() < 2e-6,
                "{k} of {n}: [{lo:.6}, {hi:.6}], scipy [{low:.6}, {high:.6}]"
            );
            assert_eq!(level, 0.95);
        }
        assert!(proportion_interval(0, 0).is_none());
        assert!(proportion_interval(3, 2).is_none());
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn small_samples_use_min_max_and_state_their_coverage() {
        let e = estimate(&[5.0, 1.0, 3.0]);
        assert_eq!((e.ci_low, e.median, e.ci_high), (1.0, 3.0, 5.0));
        assert!((e.ci_level - 0.75).abs() < 1e-12);
    }

    #[test]
    fn ten_values_give_the_second_and_ninth_order_statistics() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let e = estimate(&values);
        assert_eq!((e.ci_low, e.ci_high), (2.0, 9.0));
        assert!(e.ci_level >= 0.95 && e.ci_level < 0.99, "{}", e.ci_level);
    }

    #[test]
    fn outliers_are_flagged_not_dropped() {
        let e = estimate(&[10.0, 10.1, 9.9, 10.0, 10.2, 50.0]);
        assert_eq!(e.outliers, 1);
        assert_eq!(e.n, 6);
    }

    #[test]
    fn paired_ratios_and_their_interval() {
        let e = paired_ratio(&[(2.0, 1.0), (2.2, 1.0), (1.8, 1.0)]).unwrap();
        assert!((e.median - 2.0).abs() < 1e-12);
        assert_eq!((e.ci_low, e.ci_high, e.n), (1.8, 2.2, 3));
    }
}
