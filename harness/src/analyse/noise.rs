//! The noise floor of this machine from A/A repetitions: one case run many times with nothing
//! changed. For wall and CPU time, the median, the relative spread ((p90 − p10) / median) and an
//! A/A ratio (odd against even repetitions, paired in order, through `stats::paired_ratio`): the
//! interval of a ratio that must be 1.0, so its distance from 1.0 is the smallest ratio
//! difference a comparison of two cases can resolve here. Generic: any case with at least
//! `MIN_REPETITIONS` valid repetitions has one. Pure functions; it must not name a workload,
//! run processes or render.

use arena_results::{CaseRecord, Estimate, Repetition};

use super::stats;

/// The fewest valid repetitions with a noise floor: 10 give 5 A/A pairs, whose order-statistic
/// interval is [min, max] of the 5 ratios and covers 1 − 2/2⁵ = 93.75%, not 95%; 12 give 6
/// pairs and 96.9%, 20 give 10 pairs and 97.9%. The level each floor really has travels with
/// it (`FigureNoise::level`) and is printed beside it.
pub const MIN_REPETITIONS: usize = 10;

/// The noise of one figure of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureNoise {
    pub median: f64,
    /// (p90 − p10) / median, quantiles linear between order statistics: the width of the middle
    /// 80% of repetitions as a fraction of the typical value (0 when every value is the same).
    pub relative_spread: f64,
    /// Median of first/second over the pairs (rep 1, rep 2), (rep 3, rep 4), ... with its
    /// order-statistic interval and true coverage (`ci_level`).
    pub aa_ratio: Option<Estimate>,
}

impl FigureNoise {
    /// The coverage of the A/A interval behind `resolvable` (93.75% at 5 pairs).
    pub fn level(&self) -> Option<f64> {
        self.aa_ratio.as_ref().map(|e| e.ci_level)
    }

    /// How far from 1.0 the A/A interval reaches: a measured ratio closer to 1.0 than this is
    /// within this machine's noise, at the interval's level (`level`).
    pub fn resolvable(&self) -> Option<f64> {
        self.aa_ratio
            .as_ref()
            .map(|e| f64::max(e.ci_high - 1.0, 1.0 - e.ci_low).max(0.0))
    }
}

/// The noise floor of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseNoise {
    pub case_id: String,
    pub variant: String,
    /// Valid repetitions it is computed from.
    pub n: usize,
    pub wall: FigureNoise,
    pub cpu: FigureNoise,
}

/// (p90 − p10) / median of `values`; NaN when empty or the median is 0.
pub fn relative_spread(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = stats::median(&sorted);
    if sorted.is_empty() || median == 0.0 {
        return f64::NAN;
    }
    (stats::quantile(&sorted, 0.9) - stats::quantile(&sorted, 0.1)) / median
}

/// Values in execution order, paired (1st, 2nd), (3rd, 4th), ...: an odd one left over is
/// unused. Neighbours in time, so slow drift moves both of a pair.
pub fn aa_ratio(in_order: &[f64]) -> Option<Estimate> {
    let pairs: Vec<(f64, f64)> = in_order.chunks_exact(2).map(|p| (p[0], p[1])).collect();
    stats::paired_ratio(&pairs)
}

pub fn figure_noise(in_order: &[f64]) -> FigureNoise {
    FigureNoise {
        median: stats::median(in_order),
        relative_spread: relative_spread(in_order),
        aa_ratio: aa_ratio(in_order),
    }
}

/// The noise floor of a case, when it has enough valid repetitions.
pub fn case_noise(case: &CaseRecord) -> Option<CaseNoise> {
    let mut valid: Vec<&Repetition> = case.repetitions.iter().filter(|r| r.valid).collect();
    if valid.len() < MIN_REPETITIONS {
        return None;
    }
    valid.sort_by_key(|r| r.index);
    let wall: Vec<f64> = valid.iter().map(|r| r.wall_ns as f64).collect();
    let cpu: Vec<f64> = valid
        .iter()
        .map(|r| (r.user_cpu_ns + r.sys_cpu_ns) as f64)
        .collect();
    Some(CaseNoise {
        case_id: case.case_id.clone(),
        variant: case.variant.clone(),
        n: valid.len(),
        wall: figure_noise(&wall),
        cpu: figure_noise(&cpu),
    })
}

/// Every case of a run that has a noise floor, in the run's order.
pub fn noise_floor(cases: &[CaseRecord]) -> Vec<CaseNoise> {
    cases.iter().filter_map(case_noise).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_values_have_no_spread_and_a_ratio_of_one() {
        let values = vec![5e8; 20];
        let noise = figure_noise(&values);
        assert_eq!(noise.median, 5e8);
        assert_eq!(noise.relative_spread, 0.0);
        let ratio = noise.aa_ratio.clone().unwrap();
        assert_eq!(
            (ratio.median, ratio.ci_low, ratio.ci_high, ratio.n),
            (1.0, 1.0, 1.0, 10)
        );
        assert!(ratio.ci_level > 0.97, "10 pairs: {}", ratio.ci_level);
        assert_eq!(noise.resolvable(), Some(0.0));
    }

    #[test]
    fn known_spread() {
        // 1..=11 × 10: p10 = 20, p90 = 100, median 60.
        let values: Vec<f64> = (1..=11).map(|v| f64::from(v) * 10.0).collect();
        assert!((relative_spread(&values) - 80.0 / 60.0).abs() < 1e-12);
        assert!(relative_spread(&[]).is_nan());
    }

    #[test]
    fn pairs_are_neighbours_in_order_and_a_leftover_is_unused() {
        // Alternating 110, 100: every pair is 1.1; the 11th value is unused.
        let values: Vec<f64> = (0..11).map(|i| if i % 2 == 0 { 110.0 } else { 100.0 }).collect();
        let ratio = aa_ratio(&values).unwrap();
        assert_eq!(ratio.n, 5);
        // Five pairs: [min, max] covers 1 − 2 · (1/2)⁵ = 93.75%, not 95%.
        assert!((ratio.ci_level - 0.9375).abs() < 1e-12, "{}", ratio.ci_level);
        assert_eq!(figure_noise(&values).level(), Some(ratio.ci_level));
        assert!((ratio.median - 1.1).abs() < 1e-12);
        let noise = figure_noise(&values);
        assert!((noise.resolvable().unwrap() - 0.1).abs() < 1e-12);
    }

    #[test]
    fn a_ratio_interval_reaches_as_far_as_the_noisiest_pairs() {
        // Ratios 0.9, 0.95, 1.0 ×6, 1.05, 1.1 over 10 pairs: the interval is the 2nd and 9th
        // order statistics, so it resolves 5%.
        let ratios = [0.9, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.1];
        let values: Vec<f64> = ratios.iter().flat_map(|r| [100.0 * r, 100.0]).collect();
        let noise = figure_noise(&values);
        let e = noise.aa_ratio.clone().unwrap();
        assert!(
            (e.ci_low - 0.95).abs() < 1e-12 && (e.ci_high - 1.05).abs() < 1e-12,
            "{e:?}"
        );
        assert!((noise.resolvable().unwrap() - 0.05).abs() < 1e-9);
    }

    #[test]
    fn a_case_needs_ten_valid_repetitions_in_index_order() {
        let mut case = crate::analyse::phases::fixtures::case(
            "w",
            "rust/threads",
            arena_results::CaseStatus::Ok,
            Vec::new(),
        );
        let rep = |index: u32, wall_ns: u64, valid: bool| {
            let mut r = crate::analyse::phases::fixtures::repetition(index, valid, Vec::new());
            r.wall_ns = wall_ns;
            r.user_cpu_ns = wall_ns / 2;
            r.sys_cpu_ns = 0;
            r
        };
        case.repetitions = (1..=10).map(|i| rep(i, 1000, i != 3)).collect();
        assert!(case_noise(&case).is_none(), "9 valid repetitions are too few");
        case.repetitions.push(rep(11, 1000, true));
        case.repetitions.reverse();
        let noise = case_noise(&case).unwrap();
        assert_eq!(
            (noise.n, noise.wall.median, noise.cpu.median),
            (10, 1000.0, 500.0)
        );
        assert_eq!(noise.wall.relative_spread, 0.0);
    }
}
