//! Statistics over process-level repetitions: medians with distribution-free confidence
//! intervals (order statistics of the binomial, as in the textbook sign-test interval), Tukey
//! outlier flags, paired ratios (their own order-statistic intervals) and least-squares slopes
//! with Student-t intervals. Each method's coverage is checked by simulation at the sizes the
//! suites use (tests below; docs/methodology.md, "Intervals"). Pure functions; it must not know
//! what the numbers are.

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

/// P(X <= k) for X ~ Binomial(n, p).
fn binomial_cdf(n: u64, k: u64, p: f64) -> f64 {
    let mut term = (1.0 - p).powf(n as f64); // P(X = 0)
    let mut sum = term;
    for i in 1..=k.min(n) {
        term *= (n - i + 1) as f64 / i as f64 * p / (1.0 - p);
        sum += term;
    }
    sum.min(1.0)
}

/// The Clopper–Pearson ("exact") 95% interval of a proportion k / n: (low, high, coverage).
/// Its coverage is at least 95% for every true proportion (Clopper & Pearson 1934); the bounds
/// are found by bisection on the binomial CDF. None when n = 0.
pub fn proportion_interval(k: u64, n: u64) -> Option<(f64, f64, f64)> {
    if n == 0 {
        return None;
    }
    let solve = |f: &dyn Fn(f64) -> bool| {
        // The boundary where f turns from false to true, for f monotone in p.
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        for _ in 0..60 {
            let mid = (lo + hi) / 2.0;
            if f(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        (lo + hi) / 2.0
    };
    // low: P(X >= k | p) = 0.025; high: P(X <= k | p) = 0.025.
    let low = if k == 0 {
        0.0
    } else {
        solve(&|p| 1.0 - binomial_cdf(n, k - 1, p) >= 0.025)
    };
    let high = if k == n {
        1.0
    } else {
        solve(&|p| binomial_cdf(n, k, p) <= 0.025)
    };
    Some((low, high, 0.95))
}

/// A least-squares line with its slope's interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlopeFit {
    pub slope: f64,
    pub intercept: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Nominal coverage of [ci_low, ci_high] (the t interval's, under the model's assumptions).
    pub ci_level: f64,
    pub points: usize,
    /// Lack-of-fit F test against the replicates at each x (None without replicates or with
    /// only two x): a small p says the data are not a straight line.
    pub lack_of_fit_p: Option<f64>,
}

/// Ordinary least squares over (x, y) points with a Student-t interval on the slope
/// (n − 2 degrees of freedom; the textbook interval, exact for independent normal errors of
/// equal variance), and a lack-of-fit test when x values repeat. None with fewer than three
/// points or fewer than two distinct x.
pub fn ols_slope(points: &[(f64, f64)], level: f64) -> Option<SlopeFit> {
    use statrs::distribution::{ContinuousCDF, FisherSnedecor, StudentsT};
    let (slope, intercept) = least_squares(points)?;
    let n = points.len();
    if n < 3 {
        return None;
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let residual = |p: &(f64, f64)| p.1 - (intercept + slope * p.0);
    let sse: f64 = points.iter().map(|p| residual(p).powi(2)).sum();
    let df = (n - 2) as f64;
    let se = (sse / df / sxx).sqrt();
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(0.5 + level / 2.0);
    // Lack of fit: the residual sum of squares split into pure error (scatter of replicates
    // around their x's mean) and lack of fit (the x means around the line).
    let mut groups: std::collections::BTreeMap<u64, Vec<f64>> = Default::default();
    for p in points {
        groups.entry(p.0.to_bits()).or_default().push(p.1);
    }
    let pure_error: f64 = groups
        .values()
        .map(|ys| {
            let m = ys.iter().sum::<f64>() / ys.len() as f64;
            ys.iter().map(|y| (y - m).powi(2)).sum::<f64>()
        })
        .sum();
    let (levels, df_pure) = (groups.len(), n - groups.len());
    let lack_of_fit_p = (levels > 2 && df_pure > 0 && pure_error > 0.0).then(|| {
        let df_lack = (levels - 2) as f64;
        let f = ((sse - pure_error) / df_lack) / (pure_error / df_pure as f64);
        FisherSnedecor::new(df_lack, df_pure as f64).map_or(f64::NAN, |d| 1.0 - d.cdf(f.max(0.0)))
    });
    Some(SlopeFit {
        slope,
        intercept,
        ci_low: slope - t * se,
        ci_high: slope + t * se,
        ci_level: level,
        points: n,
        lack_of_fit_p,
    })
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

    #[test]
    fn clopper_pearson_matches_published_bounds() {
        // 0 of 10: [0, 0.3085]; 5 of 10: [0.1871, 0.8129] (Clopper–Pearson tables).
        let (lo, hi, _) = proportion_interval(0, 10).unwrap();
        assert!(lo == 0.0 && (hi - 0.3085).abs() < 1e-3);
        let (lo, hi, _) = proportion_interval(5, 10).unwrap();
        assert!((lo - 0.1871).abs() < 1e-3 && (hi - 0.8129).abs() < 1e-3);
        assert!(proportion_interval(0, 0).is_none());
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

    #[test]
    fn ols_recovers_a_line_and_flags_a_curve() {
        let line: Vec<(f64, f64)> = [1000.0, 10000.0, 100000.0]
            .iter()
            .flat_map(|x| [-1.0, 0.0, 1.0].map(|e| (*x, 1e6 + 2000.0 * x + e * 1e4)))
            .collect();
        let fit = ols_slope(&line, 0.95).unwrap();
        assert!((fit.slope - 2000.0).abs() < 1.0, "{fit:?}");
        assert!(fit.ci_low < 2000.0 && 2000.0 < fit.ci_high);
        assert!(fit.lack_of_fit_p.unwrap() > 0.5, "{fit:?}");
        let curve: Vec<(f64, f64)> = [1000.0, 10000.0, 100000.0]
            .iter()
            .flat_map(|x| [-1.0, 0.0, 1.0].map(|e| (*x, x * x + e)))
            .collect();
        assert!(ols_slope(&curve, 0.95).unwrap().lack_of_fit_p.unwrap() < 0.01);
    }

    /// A seeded generator of normal deviates (Box–Muller over xorshift), for the simulations.
    struct Normal(u64);

    impl Normal {
        fn uniform(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
        fn next(&mut self) -> f64 {
            let (u, v) = (self.uniform(), self.uniform());
            (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        }
    }

    const TRIALS: usize = 4000;
    /// Empirical coverage must be within 3 points of the level a method reports.
    const TOLERANCE: f64 = 0.03;

    fn assert_coverage(what: &str, hits: usize, level: f64) {
        let coverage = hits as f64 / TRIALS as f64;
        assert!(
            (coverage - level).abs() <= TOLERANCE,
            "{what}: empirical coverage {coverage:.3}, reported level {level:.3}"
        );
    }

    #[test]
    fn median_intervals_cover_what_they_say_at_the_suites_n() {
        let mut rng = Normal(0x9e3779b97f4a7c15);
        // (name, draw, true median)
        type Draw = fn(&mut Normal) -> f64;
        let distributions: [(&str, Draw, f64); 3] = [
            ("normal", |r| 10.0 + r.next(), 10.0),
            ("lognormal", |r| (0.5 * r.next()).exp(), 1.0),
            ("exponential", |r| -r.uniform().ln(), std::f64::consts::LN_2),
        ];
        for n in [3, 6, 10] {
            for (name, draw, true_median) in distributions {
                let mut hits = 0;
                let mut level = 0.0;
                for _ in 0..TRIALS {
                    let values: Vec<f64> = (0..n).map(|_| draw(&mut rng)).collect();
                    let e = estimate(&values);
                    level = e.ci_level;
                    hits += usize::from(e.ci_low <= true_median && true_median <= e.ci_high);
                }
                assert_coverage(&format!("median, {name}, n={n}"), hits, level);
            }
        }
    }

    #[test]
    fn paired_ratio_intervals_cover_what_they_say_under_drift() {
        let mut rng = Normal(0x2545f4914f6cdd1d);
        // Each round's machine speed drifts (a shared factor up to 3×); the work itself has a
        // true ratio of 1.8 with lognormal noise on each process.
        for n in [6, 10] {
            let mut hits = 0;
            let mut level = 0.0;
            for _ in 0..TRIALS {
                let pairs: Vec<(f64, f64)> = (0..n)
                    .map(|_| {
                        let drift = 1.0 + 2.0 * rng.uniform();
                        let a = drift * 1.8 * (0.1 * rng.next()).exp();
                        let b = drift * (0.1 * rng.next()).exp();
                        (a, b)
                    })
                    .collect();
                let e = paired_ratio(&pairs).unwrap();
                level = e.ci_level;
                hits += usize::from(e.ci_low <= 1.8 && 1.8 <= e.ci_high);
            }
            assert_coverage(&format!("paired ratio, n={n}"), hits, level);
        }
    }

    #[test]
    fn slope_intervals_cover_95_percent_at_the_quick_design() {
        let mut rng = Normal(0xdeadbeefcafef00d);
        // quick's sleep-tasks: N = 1k, 10k, 100k, 3 repetitions each; smoke: 100 and 1000.
        for xs in [vec![1e3, 1e4, 1e5], vec![1e2, 1e3]] {
            let mut hits = 0;
            for _ in 0..TRIALS {
                let points: Vec<(f64, f64)> = xs
                    .iter()
                    .flat_map(|x| [0; 3].map(|_| *x))
                    .map(|x| (x, 5e6 + 2500.0 * x + 2e5 * rng.next()))
                    .collect();
                let fit = ols_slope(&points, 0.95).unwrap();
                hits += usize::from(fit.ci_low <= 2500.0 && 2500.0 <= fit.ci_high);
            }
            assert_coverage(&format!("OLS slope over {xs:?}"), hits, 0.95);
        }
    }
}
