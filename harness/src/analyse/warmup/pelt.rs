//! Changepoints by PELT (Killick, Fearnhead & Eckley, "Optimal detection of changepoints with a
//! linear computational cost", JASA 2012) under the normal mean-and-variance cost, the search
//! R's `changepoint::cpt.meanvar(method = "PELT", test.stat = "Normal", penalty = "Manual")`
//! runs for warmup_stats (bin/mark_changepoints_in_json, `get_segments`). Owns the segment cost
//! and the search; it must not know what the series measures or decide what a change means.

use std::f64::consts::PI;

/// Relative variance floor: a segment's variance is taken as at least (this × the series' mean
/// |x|)². R's `mll_meanvar` (src/cost_general_functions.c) floors σ² at 1e-11 in the data's own
/// units; warmup_stats passes seconds, so that is (3.2 µs)², which in ns² would be meaningless
/// and in s² already hides the noise of microsecond iterations. One part per million of the
/// series' scale is below any real timer noise, keeps a constant series (every segment at the
/// floor) free of changes, and keeps two equal readings from paying for a segment of their own.
const VARIANCE_FLOOR_RELATIVE: f64 = 1e-6;

/// R's `cpt.meanvar` raises `minseglen` below 2 to 2 for the normal cost (a one-point segment
/// has no variance); so do we.
const MIN_SEGMENT_FLOOR: usize = 2;

/// The normal negative log-likelihood of a segment with its own MLE mean and variance,
/// C(y[a..b]) = m·(ln 2π + ln σ̂² + 1) with m = b − a and σ̂² = Σ(y − ȳ)²/m, as R's
/// `mll_meanvar`. O(1) per segment from cumulative sums of the centred series: centring on the
/// series' mean changes no variance and keeps Σy² − (Σy)²/m from cancelling catastrophically
/// when the mean is large against the noise (R sums the raw data).
pub(super) struct MeanVarCost {
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
    floor: f64,
}

impl MeanVarCost {
    pub(super) fn new(series: &[f64]) -> Self {
        let n = series.len().max(1) as f64;
        let centre = series.iter().sum::<f64>() / n;
        let scale = series.iter().map(|x| x.abs()).sum::<f64>() / n;
        let mut sum = Vec::with_capacity(series.len() + 1);
        let mut sum_sq = Vec::with_capacity(series.len() + 1);
        let (mut s, mut q) = (0.0, 0.0);
        sum.push(s);
        sum_sq.push(q);
        for x in series {
            let d = x - centre;
            s += d;
            q += d * d;
            sum.push(s);
            sum_sq.push(q);
        }
        let floor = (VARIANCE_FLOOR_RELATIVE * scale).powi(2).max(f64::MIN_POSITIVE);
        MeanVarCost { sum, sum_sq, floor }
    }

    /// The cost of `series[a..b]` (b > a).
    pub(super) fn cost(&self, a: usize, b: usize) -> f64 {
        let m = (b - a) as f64;
        let s = self.sum[b] - self.sum[a];
        let q = self.sum_sq[b] - self.sum_sq[a];
        let variance = ((q - s * s / m) / m).max(self.floor);
        m * ((2.0 * PI).ln() + variance.ln() + 1.0)
    }
}

/// The minimum segment length actually used (at least 2, as R's `cpt.meanvar`).
pub(super) fn effective_min_segment(min_segment: usize) -> usize {
    min_segment.max(MIN_SEGMENT_FLOOR)
}

/// The changepoints minimising Σ C(segment) + penalty × (number of changepoints), each given as
/// the index where a new segment starts (R's `cpts` without the final n: the 1-based last index
/// of a segment is the 0-based first of the next). Every segment has at least `min_segment`
/// points (raised to 2). A series shorter than 2 × that has no changepoints (R stops with an
/// error there). Exact: the result is the optimal partition, as the O(n²) optimal-partitioning
/// recursion would find it (tested below).
///
/// Pruning (Killick et al. 2012, Theorem 3.1, with K = 0 since splitting a segment never raises
/// this cost while no variance sits at the floor): a candidate τ with F(τ) + C(τ, t) > F(t) can never again be the optimal last
/// changepoint, because t beats it at every later T. With a minimum segment length m that holds
/// only once t itself is admissible, for T ≥ t + m; R's `PELTC` drops τ at once, which can lose
/// the optimum just after t. We keep τ until T = t + m and drop it then.
pub fn pelt_meanvar(series: &[f64], penalty: f64, min_segment: usize) -> Vec<usize> {
    let m = effective_min_segment(min_segment);
    let n = series.len();
    if n < 2 * m {
        return Vec::new();
    }
    let cost = MeanVarCost::new(series);
    // best[t]: the optimal penalised cost of series[..t]; best[0] = −penalty so that k segments
    // pay k − 1 penalties (R's `lastchangelike[0] = -pen`).
    let mut best = vec![f64::INFINITY; n + 1];
    let mut last = vec![0usize; n + 1];
    best[0] = -penalty;
    // (τ, the step from which it is dropped); usize::MAX while not yet beaten.
    let mut candidates: Vec<(usize, usize)> = vec![(0, usize::MAX)];
    let mut scores = Vec::new();
    for t in m..=n {
        if t >= 2 * m {
            candidates.push((t - m, usize::MAX));
        }
        candidates.retain(|&(_, drop_at)| drop_at > t);
        scores.clear();
        scores.extend(
            candidates
                .iter()
                .map(|&(tau, _)| best[tau] + cost.cost(tau, t) + penalty),
        );
        // The first minimum, i.e. the earliest τ on ties (R's `min_which`).
        let (which, &minimum) = scores
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .expect("0 is always a candidate");
        best[t] = minimum;
        last[t] = candidates[which].0;
        for (candidate, score) in candidates.iter_mut().zip(&scores) {
            if score - penalty > minimum && candidate.1 == usize::MAX {
                candidate.1 = t + m;
            }
        }
    }
    let mut changepoints = Vec::new();
    let mut t = last[n];
    while t > 0 {
        changepoints.push(t);
        t = last[t];
    }
    changepoints.reverse();
    changepoints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::warmup::test_series::Rng;

    /// Optimal partitioning (Jackson et al. 2005): the same recursion over every admissible τ,
    /// O(n²), no pruning.
    fn brute_force(series: &[f64], penalty: f64, min_segment: usize) -> Vec<usize> {
        let m = effective_min_segment(min_segment);
        let n = series.len();
        if n < 2 * m {
            return Vec::new();
        }
        let cost = MeanVarCost::new(series);
        let mut best = vec![f64::INFINITY; n + 1];
        let mut last = vec![0usize; n + 1];
        best[0] = -penalty;
        for t in m..=n {
            let admissible = std::iter::once(0).chain(m..=t.saturating_sub(m));
            for tau in admissible {
                let score = best[tau] + cost.cost(tau, t) + penalty;
                if score < best[t] {
                    best[t] = score;
                    last[t] = tau;
                }
            }
        }
        let mut changepoints = Vec::new();
        let mut t = last[n];
        while t > 0 {
            changepoints.push(t);
            t = last[t];
        }
        changepoints.reverse();
        changepoints
    }

    /// Pieces of random length with random means and spreads, so that some penalties find many
    /// changes and the pruning has work to do.
    fn piecewise(rng: &mut Rng, n: usize) -> Vec<f64> {
        let mut series = Vec::with_capacity(n);
        while series.len() < n {
            let length = 2 + (rng.uniform() * 15.0) as usize;
            let mean = 1e6 * (1.0 + 9.0 * rng.uniform());
            let sd = mean * (0.005 + 0.1 * rng.uniform());
            for _ in 0..length.min(n - series.len()) {
                series.push(mean + sd * rng.normal());
            }
        }
        series
    }

    #[test]
    fn pelt_equals_optimal_partitioning() {
        let mut rng = Rng::new(20170901);
        let mut total_changes = 0;
        for round in 0..24 {
            let series = piecewise(&mut rng, 60);
            let n_ln = (series.len() as f64).ln();
            for (penalty, min_segment) in [
                (15.0 * n_ln, 2),
                (2.0 * n_ln, 2),
                (3.0, 2),
                (2.0 * n_ln, 3),
                (1.0, 5),
            ] {
                let pelt = pelt_meanvar(&series, penalty, min_segment);
                let exact = brute_force(&series, penalty, min_segment);
                assert_eq!(
                    pelt, exact,
                    "round {round}, penalty {penalty}, min segment {min_segment}"
                );
                total_changes += pelt.len();
            }
        }
        // The comparison must have seen changes, not only empty lists.
        assert!(total_changes > 100, "{total_changes}");
    }

    #[test]
    fn segments_respect_the_minimum_length() {
        let mut rng = Rng::new(7);
        let series = piecewise(&mut rng, 80);
        for min_segment in [1, 2, 4, 7] {
            let m = effective_min_segment(min_segment);
            let mut bounds = vec![0];
            bounds.extend(pelt_meanvar(&series, 1.0, min_segment));
            bounds.push(series.len());
            assert!(
                bounds.windows(2).all(|w| w[1] - w[0] >= m),
                "{min_segment}: {bounds:?}"
            );
        }
    }

    #[test]
    fn constant_and_short_series_have_no_changes() {
        assert!(pelt_meanvar(&[5e6; 100], 1.0, 2).is_empty());
        assert!(pelt_meanvar(&[0.0; 100], 1.0, 2).is_empty());
        assert!(pelt_meanvar(&[1.0, 100.0, 1.0], 0.0, 2).is_empty());
        assert!(pelt_meanvar(&[], 1.0, 2).is_empty());
    }

    #[test]
    fn the_cost_is_the_normal_likelihood() {
        let cost = MeanVarCost::new(&[1.0, 3.0, 10.0, 14.0]);
        // [1, 3]: mean 2, MLE variance 1 → 2·(ln 2π + 0 + 1).
        assert!((cost.cost(0, 2) - 2.0 * ((2.0 * PI).ln() + 1.0)).abs() < 1e-9);
        // [10, 14]: variance 4 → 2·(ln 2π + ln 4 + 1).
        assert!((cost.cost(2, 4) - 2.0 * ((2.0 * PI).ln() + 4f64.ln() + 1.0)).abs() < 1e-9);
    }
}
