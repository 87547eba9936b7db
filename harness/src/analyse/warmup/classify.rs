//! One process's label and steady state from its segments, and one variant's label from its
//! processes', by the rules of warmup_stats (bin/mark_changepoints_in_json, `Segments` and
//! `get_classification`; warmup/summary_statistics.py, `collect_summary_statistics`). Owns the
//! result types; the outlier rule and the changepoint search are its siblings'. Pure.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::outliers::outliers;
use super::pelt::pelt_meanvar;

/// warmup_stats' default `--delta 0.001`: segments whose means differ by less than 1 ms from
/// the last one's are equivalent to it (an absolute number of seconds). Its `N%` form, a share
/// of the fastest segment's mean, is `WarmupSettings::delta_share`.
const DELTA_NS: f64 = 1e6;
/// warmup_stats widens each mean by its segment's variance, in its own units: a variance in s²
/// added to a mean in s. To reproduce what it computes on the same data, a variance v ns² is
/// v × 1e-18 s², read as that many seconds, i.e. v × 1e-9 ns.
const VARIANCE_AS_NS: f64 = 1e-9;
/// bin/warmup_stats' `DEFAULT_STEADY_RATIO = 0.25`: the steady state must be reached before the
/// last quarter of the iterations (`-s int(iterations × 0.25)`).
const STEADY_SHARE_DIVISOR: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WarmupSettings {
    /// Outlier window (warmup_stats' `--window`); a longer one than the series is cut to it.
    pub outlier_window: usize,
    /// Outliers lie beyond median ± this × (p90 − p10) of their window.
    pub outlier_factor: f64,
    /// The PELT penalty is this × ln(points searched, outliers removed).
    pub penalty_per_ln_n: f64,
    /// Minimum segment length (raised to 2, as R's `cpt.meanvar` does).
    pub min_segment: usize,
    /// The last iteration at which a segment not equivalent to the last may end; later means no
    /// steady state. None: n − ⌊n/4⌋ (warmup_stats' default ratio).
    pub steady_state_expected: Option<usize>,
    /// warmup_stats' `--delta N%`: the equivalence tolerance as this share of the fastest
    /// segment's mean. None: its default, an absolute 1 ms, made for iterations of about a
    /// second; iterations of a millisecond need the relative form.
    #[serde(default)]
    pub delta_share: Option<f64>,
}

impl Default for WarmupSettings {
    fn default() -> Self {
        WarmupSettings {
            outlier_window: 200,
            outlier_factor: 3.0,
            penalty_per_ln_n: 15.0,
            min_segment: 2,
            steady_state_expected: None,
            delta_share: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcessLabel {
    Flat,
    Warmup,
    Slowdown,
    NoSteadyState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VariantLabel {
    Consistent,
    GoodInconsistent,
    BadInconsistent,
}

/// Iterations `start..end` of the original series; mean and variance over those that are not
/// outliers (the variance the MLE, /m, as R's `fit.var`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub mean_ns: f64,
    pub variance_ns2: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProcessClassification {
    pub label: ProcessLabel,
    /// Indices in the series, ascending; excluded from the search and the segment statistics.
    pub outliers: Vec<usize>,
    /// The first iteration of each segment after the first.
    pub changepoints: Vec<usize>,
    pub segments: Vec<Segment>,
    /// The first iteration of the steady state: the start of the earliest segment in the run of
    /// segments equivalent to the last, reaching back from it; 0 when flat. None without one.
    pub steady_state_iteration: Option<usize>,
    /// The time of the iterations before it, outliers included.
    pub steady_state_ns: Option<f64>,
    /// Mean of the steady state's iterations, outliers excluded.
    pub steady_state_mean_ns: Option<f64>,
    /// Their variance (MLE, /m).
    pub steady_state_variance_ns2: Option<f64>,
    /// Iteration 0's time over the steady-state mean.
    pub first_to_steady_ratio: Option<f64>,
}

/// Classify one process's iteration times (ns, iteration 0 first, no NaN). The outliers found
/// with a window of min(`outlier_window`, n) are removed, PELT runs on what is left with penalty
/// `penalty_per_ln_n` × ln(its length), and its changepoints are mapped back to the series as
/// warmup_stats' `get_segments` does. An empty series has no steady state; one shorter than
/// 2 × `min_segment` after outliers are removed has one segment.
pub fn classify(series: &[f64], settings: &WarmupSettings) -> ProcessClassification {
    let n = series.len();
    let outliers = outliers(series, settings.outlier_window.min(n), settings.outlier_factor);
    let mut is_outlier = vec![false; n];
    outliers.iter().for_each(|&i| is_outlier[i] = true);
    let kept: Vec<usize> = (0..n).filter(|&i| !is_outlier[i]).collect();
    let reduced: Vec<f64> = kept.iter().map(|&i| series[i]).collect();
    let penalty = settings.penalty_per_ln_n * (reduced.len().max(1) as f64).ln();
    let found = pelt_meanvar(&reduced, penalty, settings.min_segment);
    let segments = segments(n, &kept, &reduced, &found);
    let changepoints = segments.iter().skip(1).map(|s| s.start).collect();
    let expected = settings
        .steady_state_expected
        .unwrap_or(n - n / STEADY_SHARE_DIVISOR);
    let label = label(&segments, expected, delta_ns(&segments, settings.delta_share));
    let mut result = ProcessClassification {
        label,
        outliers,
        changepoints,
        segments,
        steady_state_iteration: None,
        steady_state_ns: None,
        steady_state_mean_ns: None,
        steady_state_variance_ns2: None,
        first_to_steady_ratio: None,
    };
    if label != ProcessLabel::NoSteadyState {
        steady_state(
            series,
            &is_outlier,
            delta_ns(&result.segments, settings.delta_share),
            &mut result,
        );
    }
    result
}

/// warmup_stats' `get_segments` and `Segments`: a changepoint c found in the reduced series
/// ends a segment at reduced index c − 1, which is original index `kept[c − 1]`; the next
/// segment starts right after it, so an outlier between two segments belongs to the later one.
fn segments(n: usize, kept: &[usize], reduced: &[f64], found: &[usize]) -> Vec<Segment> {
    if n == 0 {
        return Vec::new();
    }
    let mut reduced_bounds = vec![0];
    reduced_bounds.extend_from_slice(found);
    reduced_bounds.push(reduced.len());
    let mut starts = vec![0];
    starts.extend(found.iter().map(|&c| kept[c - 1] + 1));
    starts.push(n);
    (0..starts.len() - 1)
        .map(|k| {
            let (mean_ns, variance_ns2) = mean_variance(&reduced[reduced_bounds[k]..reduced_bounds[k + 1]]);
            Segment {
                start: starts[k],
                end: starts[k + 1],
                mean_ns,
                variance_ns2,
            }
        })
        .collect()
}

/// Mean and MLE variance (NaN for no values).
fn mean_variance(values: &[f64]) -> (f64, f64) {
    let m = values.len() as f64;
    let mean = values.iter().sum::<f64>() / m;
    let variance = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / m;
    (mean, variance)
}

/// The band of means equivalent to the last segment's, warmup_stats' `get_classification`
/// (without `--raw-deltas`): [min(μ − v, μ − δ), max(μ + v, μ + δ)] around the last mean μ;
/// a segment is equivalent when [its mean − its v, its mean + its v] meets that band.
struct SteadyBand {
    lower: f64,
    upper: f64,
}

fn spread(segment: &Segment) -> f64 {
    segment.variance_ns2 * VARIANCE_AS_NS
}

/// The tolerance of equivalence: `delta_share` × the fastest segment's mean, else 1 ms.
fn delta_ns(segments: &[Segment], delta_share: Option<f64>) -> f64 {
    match delta_share {
        Some(share) => share * segments.iter().map(|s| s.mean_ns).fold(f64::INFINITY, f64::min),
        None => DELTA_NS,
    }
}

impl SteadyBand {
    fn around(last: &Segment, delta: f64) -> Self {
        let (mean, width) = (last.mean_ns, spread(last).max(delta));
        SteadyBand {
            lower: mean - width,
            upper: mean + width,
        }
    }

    fn holds(&self, segment: &Segment) -> bool {
        segment.mean_ns + spread(segment) >= self.lower && segment.mean_ns - spread(segment) <= self.upper
    }
}

/// `get_classification`, scanning from the last-but-one segment back: equivalent segments are
/// skipped; the first one that is not decides no steady state if it ends after `expected`;
/// any one faster than the band makes a slowdown; otherwise each slower one makes a warmup and
/// the scan goes on (an earlier faster segment still turns it into a slowdown).
fn label(segments: &[Segment], expected: usize, delta: f64) -> ProcessLabel {
    let Some((last, earlier)) = segments.split_last() else {
        return ProcessLabel::NoSteadyState;
    };
    let band = SteadyBand::around(last, delta);
    let mut label = ProcessLabel::Flat;
    for segment in earlier.iter().rev() {
        if band.holds(segment) {
            continue;
        }
        // `current_segment.end` there is the segment's last iteration, inclusive.
        if segment.end - 1 > expected {
            return ProcessLabel::NoSteadyState;
        }
        if segment.mean_ns - spread(segment) < band.lower {
            return ProcessLabel::Slowdown;
        }
        label = ProcessLabel::Warmup;
    }
    label
}

/// `collect_summary_statistics`: the steady state starts at the earliest segment of the run of
/// segments equivalent to the last (at 0 when flat). Two departures, both said in the module's
/// doc: the time before it sums every iteration before it (warmup_stats' `xrange(steady_iter)`
/// stops one short), and its mean pools the steady iterations (warmup_stats averages the
/// segments' means unweighted for this figure but bootstraps the pooled iterations for the
/// one it reports).
fn steady_state(series: &[f64], is_outlier: &[bool], delta: f64, result: &mut ProcessClassification) {
    let segments = &result.segments;
    let Some(last) = segments.last() else { return };
    let band = SteadyBand::around(last, delta);
    let mut first = segments.len() - 1;
    while first > 0 && band.holds(&segments[first - 1]) {
        first -= 1;
    }
    let iteration = if result.label == ProcessLabel::Flat {
        0
    } else {
        segments[first].start
    };
    let steady: Vec<f64> = (iteration..series.len())
        .filter(|&i| !is_outlier[i])
        .map(|i| series[i])
        .collect();
    let (mean, variance) = mean_variance(&steady);
    result.steady_state_iteration = Some(iteration);
    result.steady_state_ns = Some(series[..iteration].iter().sum());
    result.steady_state_mean_ns = Some(mean);
    result.steady_state_variance_ns2 = Some(variance);
    result.first_to_steady_ratio = (mean != 0.0).then(|| series[0] / mean);
}

/// warmup_stats' `collect_summary_statistics`: one label for all processes is consistent; a mix
/// of exactly flat and warmup is good inconsistent; anything else, and no processes at all
/// (which falls through its tests too), is bad inconsistent.
pub fn classify_variant(labels: &[ProcessLabel]) -> VariantLabel {
    let Some(first) = labels.first() else {
        return VariantLabel::BadInconsistent;
    };
    if labels.iter().all(|l| l == first) {
        VariantLabel::Consistent
    } else if labels
        .iter()
        .all(|l| matches!(l, ProcessLabel::Flat | ProcessLabel::Warmup))
    {
        VariantLabel::GoodInconsistent
    } else {
        VariantLabel::BadInconsistent
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::warmup::test_series::steps;

    const NOISE: f64 = 0.02;

    fn run(series: &[f64]) -> ProcessClassification {
        classify(series, &WarmupSettings::default())
    }

    fn near(actual: f64, expected: f64, relative: f64) -> bool {
        (actual - expected).abs() <= relative * expected.abs()
    }

    /// The segments tile the series and the changepoints are their starts.
    fn assert_tiled(result: &ProcessClassification, n: usize) {
        let s = &result.segments;
        assert_eq!(s.first().map(|s| s.start), Some(0));
        assert_eq!(s.last().map(|s| s.end), Some(n));
        assert!(s.windows(2).all(|w| w[0].end == w[1].start), "{s:?}");
        let starts: Vec<usize> = s.iter().skip(1).map(|s| s.start).collect();
        assert_eq!(starts, result.changepoints);
    }

    #[test]
    fn a_flat_noisy_series_is_flat() {
        let series = steps(1, &[(200, 1e7)], NOISE);
        let r = run(&series);
        assert_eq!(r.label, ProcessLabel::Flat);
        assert!(r.changepoints.is_empty(), "{:?}", r.changepoints);
        assert_tiled(&r, 200);
        assert_eq!(r.steady_state_iteration, Some(0));
        assert_eq!(r.steady_state_ns, Some(0.0));
        assert!(near(r.steady_state_mean_ns.unwrap(), 1e7, 0.01));
        assert!(near(r.first_to_steady_ratio.unwrap(), 1.0, 0.1));
    }

    #[test]
    fn a_step_down_is_warmup() {
        let series = steps(2, &[(30, 1e7), (170, 2e6)], NOISE);
        let r = run(&series);
        assert_eq!(r.label, ProcessLabel::Warmup);
        assert_eq!(r.changepoints.len(), 1, "{:?}", r.changepoints);
        let cp = r.changepoints[0];
        assert!(cp.abs_diff(30) <= 2, "{cp}");
        assert_tiled(&r, 200);
        assert_eq!(r.steady_state_iteration, Some(cp));
        let before: f64 = series[..cp].iter().sum();
        assert_eq!(r.steady_state_ns, Some(before));
        assert!(near(before, 30.0 * 1e7, 0.1));
        assert!(near(r.steady_state_mean_ns.unwrap(), 2e6, 0.01));
        assert!(near(
            r.steady_state_variance_ns2.unwrap(),
            (NOISE * 2e6).powi(2),
            0.3
        ));
        assert!(near(r.first_to_steady_ratio.unwrap(), 5.0, 0.1));
        assert!(near(r.segments[0].mean_ns, 1e7, 0.02));
    }

    #[test]
    fn a_step_up_is_slowdown() {
        let r = run(&steps(3, &[(30, 2e6), (170, 1e7)], NOISE));
        assert_eq!(r.label, ProcessLabel::Slowdown);
        assert_eq!(r.changepoints.len(), 1, "{:?}", r.changepoints);
        assert!(r.changepoints[0].abs_diff(30) <= 2);
        assert_eq!(r.steady_state_iteration, Some(r.changepoints[0]));
        assert!(near(r.first_to_steady_ratio.unwrap(), 0.2, 0.1));
    }

    #[test]
    fn two_steps_down_are_warmup() {
        let r = run(&steps(4, &[(20, 1e7), (40, 5e6), (140, 2e6)], NOISE));
        assert_eq!(r.label, ProcessLabel::Warmup);
        assert_eq!(r.changepoints.len(), 2, "{:?}", r.changepoints);
        assert!(r.changepoints[0].abs_diff(20) <= 2 && r.changepoints[1].abs_diff(60) <= 2);
        assert_tiled(&r, 200);
        assert_eq!(r.steady_state_iteration, Some(r.changepoints[1]));
    }

    #[test]
    fn down_then_up_is_slowdown() {
        // The last segment is slower than the middle one: warmup_stats' scan meets the middle
        // (faster) segment first and stops at slowdown.
        let r = run(&steps(5, &[(20, 1e7), (40, 2e6), (140, 5e6)], NOISE));
        assert_eq!(r.label, ProcessLabel::Slowdown);
    }

    #[test]
    fn a_change_near_the_end_is_no_steady_state() {
        let series = steps(6, &[(175, 1e7), (25, 2e6)], NOISE);
        let r = run(&series);
        assert!(r.outliers.is_empty(), "{:?}", r.outliers);
        assert_eq!(r.changepoints.len(), 1, "{:?}", r.changepoints);
        assert!(r.changepoints[0].abs_diff(175) <= 2);
        assert_eq!(r.label, ProcessLabel::NoSteadyState);
        assert_eq!(r.steady_state_iteration, None);
        assert_eq!(r.steady_state_ns, None);
        assert_eq!(r.steady_state_mean_ns, None);
        assert_eq!(r.steady_state_variance_ns2, None);
        assert_eq!(r.first_to_steady_ratio, None);
        // The same change is a warmup when the steady state may start that late.
        let late = WarmupSettings {
            steady_state_expected: Some(180),
            ..WarmupSettings::default()
        };
        assert_eq!(classify(&series, &late).label, ProcessLabel::Warmup);
        // The default threshold is n − n/4 = 150: a change at 150 (last earlier iteration 149)
        // is a warmup, one at 160 is not.
        assert_eq!(
            run(&steps(7, &[(150, 1e7), (50, 2e6)], NOISE)).label,
            ProcessLabel::Warmup
        );
        let r = run(&steps(7, &[(160, 1e7), (40, 2e6)], NOISE));
        assert_eq!(r.label, ProcessLabel::NoSteadyState, "{:?}", r.changepoints);
    }

    #[test]
    fn a_short_final_drop_is_taken_as_outliers() {
        // As in warmup_stats: the last 10 of 200 points are under 10% of every window they sit
        // in, so p10 stays near 10 ms and the 2 ms points fall outside the band.
        let r = run(&steps(6, &[(190, 1e7), (10, 2e6)], NOISE));
        assert_eq!(r.outliers, (190..200).collect::<Vec<_>>());
        assert_eq!(r.label, ProcessLabel::Flat);
    }

    #[test]
    fn a_spike_is_an_outlier_and_the_series_stays_flat() {
        let mut series = steps(8, &[(200, 1e7)], NOISE);
        series[150] *= 50.0;
        let r = run(&series);
        assert_eq!(r.outliers, vec![150]);
        assert_eq!(r.label, ProcessLabel::Flat);
        assert!(r.changepoints.is_empty(), "{:?}", r.changepoints);
        // The spike is out of the steady mean but in no way lost from the time before it.
        assert!(near(r.steady_state_mean_ns.unwrap(), 1e7, 0.01));
    }

    #[test]
    fn changepoints_are_mapped_back_past_outliers() {
        let mut series = steps(9, &[(60, 1e7), (140, 2e6)], NOISE);
        series[40] *= 50.0;
        series[58] *= 50.0;
        series[120] *= 50.0;
        let settings = WarmupSettings {
            outlier_window: 40,
            ..WarmupSettings::default()
        };
        let r = classify(&series, &settings);
        assert_eq!(r.outliers, vec![40, 58, 120]);
        assert_eq!(r.changepoints, vec![60]);
        assert_tiled(&r, 200);
        assert!(near(r.segments[0].mean_ns, 1e7, 0.01) && near(r.segments[1].mean_ns, 2e6, 0.01));
        assert_eq!(r.label, ProcessLabel::Warmup);
        // Outliers count in the time before the steady state.
        assert_eq!(r.steady_state_ns, Some(series[..60].iter().sum()));
    }

    #[test]
    fn a_variance_only_change_is_found() {
        let quiet = steps(10, &[(100, 1e7)], 0.01);
        let loud = steps(11, &[(100, 1e7)], 0.01 * 20f64.sqrt());
        let series: Vec<f64> = quiet.into_iter().chain(loud).collect();
        let r = run(&series);
        assert_eq!(r.changepoints.len(), 1, "{:?}", r.changepoints);
        assert!(r.changepoints[0].abs_diff(100) <= 5, "{:?}", r.changepoints);
        assert!(r.segments[1].variance_ns2 > 5.0 * r.segments[0].variance_ns2);
        // Same mean: the segments are equivalent, so the process is flat from iteration 0.
        assert_eq!(r.label, ProcessLabel::Flat);
        assert_eq!(r.steady_state_iteration, Some(0));
    }

    #[test]
    fn means_closer_than_the_delta_are_equivalent() {
        // 10 ms → 9.5 ms with little noise: a clear changepoint, but 0.5 ms < 0.001 s.
        let r = run(&steps(12, &[(50, 1e7), (150, 9.5e6)], 0.002));
        assert_eq!(r.changepoints.len(), 1, "{:?}", r.changepoints);
        assert_eq!(r.label, ProcessLabel::Flat);
        assert_eq!(r.steady_state_iteration, Some(0));
        // 10 ms → 8.5 ms is beyond it.
        let r = run(&steps(12, &[(50, 1e7), (150, 8.5e6)], 0.002));
        assert_eq!(r.label, ProcessLabel::Warmup);
    }

    #[test]
    fn constant_short_and_empty_series() {
        let r = run(&[5e6; 100]);
        assert_eq!(
            (r.label, r.changepoints.len(), r.outliers.len()),
            (ProcessLabel::Flat, 0, 0)
        );
        assert_eq!(r.steady_state_variance_ns2, Some(0.0));
        assert_eq!(r.first_to_steady_ratio, Some(1.0));
        let r = run(&[1e7, 2e6, 1e7]);
        assert_eq!((r.label, r.segments.len()), (ProcessLabel::Flat, 1));
        assert_tiled(&r, 3);
        let r = run(&[]);
        assert_eq!(r.label, ProcessLabel::NoSteadyState);
        assert!(r.segments.is_empty() && r.steady_state_iteration.is_none());
    }

    #[test]
    fn variant_labels() {
        use ProcessLabel::*;
        assert_eq!(
            classify_variant(&[Warmup, Warmup, Warmup]),
            VariantLabel::Consistent
        );
        assert_eq!(classify_variant(&[NoSteadyState; 2]), VariantLabel::Consistent);
        assert_eq!(
            classify_variant(&[Flat, Warmup, Flat]),
            VariantLabel::GoodInconsistent
        );
        assert_eq!(classify_variant(&[Flat, Slowdown]), VariantLabel::BadInconsistent);
        assert_eq!(
            classify_variant(&[Warmup, NoSteadyState]),
            VariantLabel::BadInconsistent
        );
        assert_eq!(classify_variant(&[]), VariantLabel::BadInconsistent);
    }

    #[test]
    fn labels_serialise_in_snake_case_with_a_schema() {
        let json = serde_json::to_string(&[ProcessLabel::NoSteadyState, ProcessLabel::Warmup]).unwrap();
        assert_eq!(json, r#"["no_steady_state","warmup"]"#);
        let json = serde_json::to_string(&VariantLabel::GoodInconsistent).unwrap();
        assert_eq!(json, r#""good_inconsistent""#);
        let r = run(&steps(2, &[(30, 1e7), (170, 2e6)], NOISE));
        let back: ProcessClassification = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        let schema = serde_json::to_string(&schemars::schema_for!(ProcessClassification)).unwrap();
        assert!(schema.contains("steady_state_iteration") && schema.contains("no_steady_state"));
    }
}
