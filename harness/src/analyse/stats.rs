//! Statistics over process-level repetitions: medians with distribution-free confidence
//! intervals (order statistics of the binomial, as in the textbook sign-test interval), Tukey
//! outlier flags, bootstrap intervals for ratios and slopes. Pure functions, seeded randomness;
//! it must not know what the numbers are.

use arena_results::Estimate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const BOOTSTRAP_RESAMPLES: usize = 2000;

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

/// P(X <= k) for X ~ Binomial(n, 1/2).
fn binomial_half_cdf(n: usize, k: usize) -> f64 {
    let mut coefficient = 1.0f64; // C(n, 0)
    let mut sum = 0.0;
    for i in 0..=k.min(n) {
        if i > 0 {
            coefficient *= (n - i + 1) as f64 / i as f64;
        }
        sum += coefficient;
    }
    sum / 2f64.powi(n as i32)
}

/// Median with the widest-needed order-statistic interval of ≥ 95% coverage; with too few
/// values for 95% (n < 6) the interval is [min, max] and `ci_level` says what it covers.
pub fn estimate(values: &[f64]) -> Estimate {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    // Largest k with P(X <= k-1) <= 0.025; the interval is [x_(k), x_(n+1-k)] (1-based).
    let mut k = 1;
    while k < n / 2 && binomial_half_cdf(n, k) <= 0.025 {
        k += 1;
    }
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

fn quantile(sorted: &[f64], q: f64) -> f64 {
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

fn resample(values: &[f64], rng: &mut StdRng) -> Vec<f64> {
    (0..values.len())
        .map(|_| values[rng.random_range(0..values.len())])
        .collect()
}

fn percentile_interval(mut stats: Vec<f64>) -> (f64, f64) {
    stats.retain(|s| s.is_finite());
    if stats.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    stats.sort_by(f64::total_cmp);
    (quantile(&stats, 0.025), quantile(&stats, 0.975))
}

/// median(numerator) / median(denominator) with a 95% percentile-bootstrap interval.
pub fn ratio_of_medians(numerator: &[f64], denominator: &[f64], seed: u64) -> (f64, f64, f64) {
    let point = median(numerator) / median(denominator);
    let mut rng = StdRng::seed_from_u64(seed);
    let stats = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| median(&resample(numerator, &mut rng)) / median(&resample(denominator, &mut rng)))
        .collect();
    let (lo, hi) = percentile_interval(stats);
    (point, lo, hi)
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

/// Slope with a bootstrap interval that resamples repetitions within each x group.
pub fn slope_with_interval(groups: &[(f64, Vec<f64>)], seed: u64) -> Option<(f64, f64, f64, f64)> {
    let flat: Vec<(f64, f64)> = groups
        .iter()
        .flat_map(|(x, ys)| ys.iter().map(move |y| (*x, *y)))
        .collect();
    let (slope, intercept) = least_squares(&flat)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let stats = (0..BOOTSTRAP_RESAMPLES)
        .filter_map(|_| {
            let sample: Vec<(f64, f64)> = groups
                .iter()
                .flat_map(|(x, ys)| resample(ys, &mut rng).into_iter().map(move |y| (*x, y)))
                .collect();
            least_squares(&sample).map(|(s, _)| s)
        })
        .collect();
    let (lo, hi) = percentile_interval(stats);
    Some((slope, lo, hi, intercept))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn ratio_interval_contains_the_point() {
        let (point, lo, hi) = ratio_of_medians(&[2.0, 2.1, 1.9], &[1.0, 1.05, 0.95], 7);
        assert!((point - 2.0).abs() < 1e-12);
        assert!(lo <= point && point <= hi);
    }

    #[test]
    fn slope_recovers_a_line() {
        let groups = vec![
            (1000.0, vec![1.0e6 + 2.0e6, 1.01e6 + 2.0e6]),
            (10000.0, vec![1.0e6 + 2.0e7, 1.0e6 + 2.01e7]),
        ];
        let (slope, lo, hi, intercept) = slope_with_interval(&groups, 1).unwrap();
        assert!((slope - 2000.0).abs() < 20.0, "{slope}");
        assert!(lo <= slope && slope <= hi);
        assert!(intercept > 0.0);
    }
}
