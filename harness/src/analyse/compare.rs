//! `arena compare BASE NEW`: for each case in both runs and each headline figure of its
//! repetitions (wall time, CPU time, peak tree RSS, the in-process work time where reported),
//! the ratio NEW/BASE with a distribution-free interval, a Mann–Whitney U test, Holm's
//! correction over every figure tested, and a verdict: improved, regressed, unchanged or not
//! comparable. Lower is better for every figure here. Pure: it must not read files or print.
//!
//! Method (docs/methodology.md, "Comparing two runs"): the ratio is the Hodges–Lehmann estimate
//! on the log scale, exp(median of log(new_i) − log(base_j)) over all pairs, with the exact
//! interval from the Mann–Whitney distribution (Bauer 1972; Hollander & Wolfe, *Nonparametric
//! Statistical Methods*, §4.3): its coverage is exact for a shift on the log scale, and it is
//! stated as achieved (`ci_level`), never rounded up. The test is the same statistic, exact
//! (no ties assumed; ties count one half).

use std::collections::BTreeMap;

use arena_results::{CaseRecord, CaseStatus, Environment, Repetition, RunRecord};
use serde::Serialize;

use super::claims::VERDICT_LEVEL;

/// The family-wise error rate Holm's procedure holds over all the figures compared.
pub const ALPHA: f64 = 0.05;
/// Default noise threshold when neither run measured a noise floor: a ratio must leave
/// [1/(1+t), 1+t] to count as a change.
pub const DEFAULT_THRESHOLD: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Improved,
    Regressed,
    Unchanged,
    NotComparable,
}

#[derive(Debug, Clone, Serialize)]
pub struct FigureComparison {
    pub case_id: String,
    pub figure: String,
    pub base_median: Option<f64>,
    pub new_median: Option<f64>,
    pub base_n: usize,
    pub new_n: usize,
    /// NEW / BASE (Hodges–Lehmann on the log scale).
    pub ratio: Option<f64>,
    pub ratio_ci_low: Option<f64>,
    pub ratio_ci_high: Option<f64>,
    /// The interval's exact coverage under a shift model; below 0.95 gives no verdict.
    pub ratio_ci_level: Option<f64>,
    pub p_value: Option<f64>,
    /// Holm-adjusted over every figure with a p-value.
    pub p_holm: Option<f64>,
    pub verdict: Verdict,
    /// Why it is not comparable, or what decided it.
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub base_run: String,
    pub new_run: String,
    /// The threshold t used: a change must leave [1/(1+t), 1+t] with its whole interval.
    pub threshold: f64,
    pub threshold_source: String,
    pub alpha: f64,
    pub same_machine: bool,
    pub figures: Vec<FigureComparison>,
}

impl Comparison {
    pub fn regressions(&self) -> usize {
        self.count(Verdict::Regressed)
    }

    pub fn count(&self, verdict: Verdict) -> usize {
        self.figures.iter().filter(|f| f.verdict == verdict).count()
    }
}

/// The options of a comparison, validated by the CLI.
#[derive(Debug, Clone, Copy)]
pub struct CompareOptions {
    /// None: from the runs' noise floor where one exists, else `DEFAULT_THRESHOLD`.
    pub threshold: Option<f64>,
    pub allow_cross_machine: bool,
}

type Figure = (&'static str, fn(&Repetition) -> Option<f64>);

const FIGURES: [Figure; 4] = [
    ("wall_ns", |r| Some(r.wall_ns as f64)),
    ("cpu_ns", |r| Some((r.user_cpu_ns + r.sys_cpu_ns) as f64)),
    ("peak_tree_rss_bytes", |r| r.peak_tree_rss_bytes.map(|v| v as f64)),
    ("work_ns", |r| r.self_reported.get("work_ns").map(|v| *v as f64)),
];

pub fn compare(base: &RunRecord, new: &RunRecord, options: CompareOptions) -> Comparison {
    let same_machine = same_machine(&base.environment, &new.environment);
    let (threshold, threshold_source) = match options.threshold {
        Some(t) => (t, "--threshold".to_string()),
        None => noise_threshold(base, new),
    };
    let base_cases: BTreeMap<&str, &CaseRecord> =
        base.cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let new_cases: BTreeMap<&str, &CaseRecord> = new.cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let mut ids: Vec<&str> = base_cases.keys().chain(new_cases.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut figures = Vec::new();
    for id in ids {
        for (name, read) in FIGURES {
            let values = |case: Option<&&CaseRecord>| -> Vec<f64> {
                case.filter(|c| c.status == CaseStatus::Ok)
                    .map(|c| {
                        c.repetitions
                            .iter()
                            .filter(|r| r.valid)
                            .filter_map(read)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (b, n) = (values(base_cases.get(id)), values(new_cases.get(id)));
            if b.is_empty() && n.is_empty() && base_cases.contains_key(id) && new_cases.contains_key(id) {
                continue; // a figure neither run has (e.g. work_ns of a server)
            }
            let cross_machine = !same_machine && !options.allow_cross_machine;
            figures.push(compare_figure(id, name, &b, &n, cross_machine));
        }
    }
    holm(&mut figures);
    for f in &mut figures {
        decide(f, threshold);
    }
    Comparison {
        base_run: base.run_id.clone(),
        new_run: new.run_id.clone(),
        threshold,
        threshold_source,
        alpha: ALPHA,
        same_machine,
        figures,
    }
}

fn same_machine(a: &Environment, b: &Environment) -> bool {
    a.cpu_model == b.cpu_model
        && a.logical_cores == b.logical_cores
        && a.memory_total_bytes == b.memory_total_bytes
}

/// The threshold from a measured noise floor: the widest A/A reach of CPU time over the cases
/// with one in either run; else the default.
fn noise_threshold(base: &RunRecord, new: &RunRecord) -> (f64, String) {
    let reach = super::noise::noise_floor(&base.cases)
        .into_iter()
        .chain(super::noise::noise_floor(&new.cases))
        .filter_map(|c| c.cpu.resolvable())
        .reduce(f64::max);
    match reach {
        Some(r) => (
            r.max(0.01),
            "the A/A noise floor of CPU time measured in these runs".into(),
        ),
        None => (
            DEFAULT_THRESHOLD,
            "default (neither run measured a noise floor; run `arena noise` on this machine)".into(),
        ),
    }
}

fn compare_figure(id: &str, name: &str, base: &[f64], new: &[f64], cross_machine: bool) -> FigureComparison {
    let median = |v: &[f64]| (!v.is_empty()).then(|| super::stats::median(v));
    let mut f = FigureComparison {
        case_id: id.to_string(),
        figure: name.to_string(),
        base_median: median(base),
        new_median: median(new),
        base_n: base.len(),
        new_n: new.len(),
        ratio: None,
        ratio_ci_low: None,
        ratio_ci_high: None,
        ratio_ci_level: None,
        p_value: None,
        p_holm: None,
        verdict: Verdict::NotComparable,
        note: String::new(),
    };
    if base.is_empty() || new.is_empty() {
        f.note = format!(
            "no valid repetitions in {}",
            if base.is_empty() { "BASE" } else { "NEW" }
        );
        return f;
    }
    if cross_machine {
        f.note = "measured on different machines (pass --allow-cross-machine to compare anyway)".into();
        return f;
    }
    if base.iter().chain(new).any(|v| *v <= 0.0) {
        f.note = "a value ≤ 0: no ratio".into();
        return f;
    }
    let shift = log_shift(base, new);
    f.ratio = Some(shift.estimate.exp());
    if let Some((low, high, level)) = shift.interval {
        f.ratio_ci_low = Some(low.exp());
        f.ratio_ci_high = Some(high.exp());
        f.ratio_ci_level = Some(level);
    }
    f.p_value = Some(shift.p_value);
    f
}

/// The verdict from the Holm-adjusted test and the interval against the threshold.
fn decide(f: &mut FigureComparison, threshold: f64) {
    let (Some(p), Some(level)) = (f.p_holm, f.ratio_ci_level) else {
        if f.note.is_empty() {
            f.note = format!(
                "too few repetitions for a {:.0}% interval ({} and {})",
                VERDICT_LEVEL * 100.0,
                f.base_n,
                f.new_n
            );
        }
        return;
    };
    let (low, high) = (
        f.ratio_ci_low.unwrap_or(0.0),
        f.ratio_ci_high.unwrap_or(f64::INFINITY),
    );
    if level < VERDICT_LEVEL {
        f.note = format!(
            "its interval covers only {:.0}% with {} and {} repetitions",
            level * 100.0,
            f.base_n,
            f.new_n
        );
        return;
    }
    f.verdict = if p < ALPHA && low > 1.0 + threshold {
        Verdict::Regressed
    } else if p < ALPHA && high < 1.0 / (1.0 + threshold) {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    };
    f.note = match f.verdict {
        Verdict::Unchanged if p < ALPHA => format!(
            "a change within the ±{:.1}% threshold, or its interval reaches into it",
            threshold * 100.0
        ),
        Verdict::Unchanged => format!("Holm-adjusted p = {p:.3} ≥ {ALPHA}"),
        _ => format!(
            "Holm-adjusted p = {p:.3}; whole interval beyond ±{:.1}%",
            threshold * 100.0
        ),
    };
}

/// Holm's step-down adjustment over every figure with a p-value.
fn holm(figures: &mut [FigureComparison]) {
    let mut order: Vec<usize> = (0..figures.len())
        .filter(|i| figures[*i].p_value.is_some())
        .collect();
    order.sort_by(|a, b| {
        figures[*a]
            .p_value
            .unwrap()
            .total_cmp(&figures[*b].p_value.unwrap())
    });
    let m = order.len();
    let mut running: f64 = 0.0;
    for (rank, index) in order.into_iter().enumerate() {
        let adjusted = ((m - rank) as f64 * figures[index].p_value.unwrap()).min(1.0);
        running = running.max(adjusted);
        figures[index].p_holm = Some(running);
    }
}

/// The shift of log(NEW) against log(BASE): Hodges–Lehmann estimate, the exact interval
/// (low, high, achieved level) when one of at least `VERDICT_LEVEL` exists, else the widest,
/// and the two-sided exact Mann–Whitney p-value.
#[derive(Debug, Clone)]
pub struct Shift {
    pub estimate: f64,
    pub interval: Option<(f64, f64, f64)>,
    pub p_value: f64,
}

pub fn log_shift(base: &[f64], new: &[f64]) -> Shift {
    let (m, n) = (new.len(), base.len());
    let mut differences: Vec<f64> = new
        .iter()
        .flat_map(|x| base.iter().map(move |y| x.ln() - y.ln()))
        .collect();
    differences.sort_by(f64::total_cmp);
    let estimate = super::stats::median(&differences);
    let cdf = mann_whitney_cdf(m, n);
    // The interval [d_(k), d_(mn+1−k)] covers 1 − 2·P(U ≤ k − 1): the largest k that keeps the
    // level at VERDICT_LEVEL or above; k = 1 (the full range) when none does.
    let mut k = 1;
    while k < (m * n).div_ceil(2) && 1.0 - 2.0 * cdf[k] >= VERDICT_LEVEL {
        k += 1;
    }
    let level = 1.0 - 2.0 * cdf[k - 1];
    let interval = Some((differences[k - 1], differences[m * n - k], level));
    let u: f64 = new
        .iter()
        .map(|x| {
            base.iter()
                .map(|y| match x.total_cmp(y) {
                    std::cmp::Ordering::Greater => 1.0,
                    std::cmp::Ordering::Equal => 0.5,
                    std::cmp::Ordering::Less => 0.0,
                })
                .sum::<f64>()
        })
        .sum();
    let lower = cdf[(u.floor() as usize).min(m * n)];
    let upper = 1.0
        - if u.ceil() as usize == 0 {
            0.0
        } else {
            cdf[u.ceil() as usize - 1]
        };
    Shift {
        estimate,
        interval,
        p_value: (2.0 * lower.min(upper)).min(1.0),
    }
}

/// P(U ≤ u) for u = 0..=m·n under the null hypothesis, exactly (the count of arrangements with
/// U = u over C(m + n, m)), by the recurrence f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u).
pub fn mann_whitney_cdf(m: usize, n: usize) -> Vec<f64> {
    // counts[j][u] for the current i, j = 0..=n.
    let mut previous: Vec<Vec<f64>> = (0..=n).map(|_| vec![1.0]).collect();
    for i in 1..=m {
        let mut current: Vec<Vec<f64>> = vec![vec![1.0]];
        for j in 1..=n {
            let mut row = vec![0.0; i * j + 1];
            for (u, slot) in row.iter_mut().enumerate() {
                let with_largest_new = if u >= j {
                    previous[j].get(u - j).copied().unwrap_or(0.0)
                } else {
                    0.0
                };
                let with_largest_base = current[j - 1].get(u).copied().unwrap_or(0.0);
                *slot = with_largest_new + with_largest_base;
            }
            current.push(row);
        }
        previous = current;
    }
    let counts = &previous[n];
    let total: f64 = counts.iter().sum();
    let mut cdf = Vec::with_capacity(counts.len());
    let mut acc = 0.0;
    for c in counts {
        acc += c;
        cdf.push(acc / total);
    }
    cdf
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    #[test]
    fn the_exact_distribution_matches_known_tables() {
        // m = n = 3: 20 arrangements, U = 0 in one of them.
        let cdf = mann_whitney_cdf(3, 3);
        assert_eq!(cdf.len(), 10);
        assert!((cdf[0] - 1.0 / 20.0).abs() < 1e-12);
        assert!((cdf[9] - 1.0).abs() < 1e-12);
        // m = n = 6: the two-sided 5% critical value is U ≤ 5 (P(U ≤ 5) = 0.0206).
        let cdf = mann_whitney_cdf(6, 6);
        assert!((cdf[5] - 0.020562).abs() < 1e-5, "{}", cdf[5]);
        assert!(cdf[6] > 0.025);
        // Unequal sizes are symmetric.
        let (a, b) = (mann_whitney_cdf(4, 7), mann_whitney_cdf(7, 4));
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-12));
    }

    #[test]
    fn a_clear_shift_is_found_and_identical_runs_are_not() {
        let base = [1.00, 1.02, 0.98, 1.01, 0.99, 1.03];
        let slower: Vec<f64> = base.iter().map(|v| v * 1.5).collect();
        let shift = log_shift(&base, &slower);
        assert!((shift.estimate.exp() - 1.5).abs() < 0.01);
        let (low, high, level) = shift.interval.unwrap();
        assert!(level >= VERDICT_LEVEL && low.exp() > 1.4 && high.exp() < 1.6);
        assert!(shift.p_value < 0.01, "{}", shift.p_value);
        let same = log_shift(&base, &base);
        assert!((same.estimate).abs() < 1e-12 && same.p_value > 0.5);
        // Three against three: no interval reaches 95%.
        let few = log_shift(&base[..3], &slower[..3]);
        assert!(few.interval.unwrap().2 < VERDICT_LEVEL);
    }

    /// The interval's stated level is its coverage: simulated shifts of lognormal samples at
    /// the suite's n (6 and 6) are covered at least as often as stated, within 3 points.
    #[test]
    fn the_interval_covers_a_true_shift_as_often_as_it_says() {
        let mut rng = StdRng::seed_from_u64(11);
        let true_ratio: f64 = 1.2;
        let trials = 2000;
        let mut covered = 0;
        let mut level = 0.0;
        for _ in 0..trials {
            let mut sample = |scale: f64| -> Vec<f64> {
                (0..6)
                    .map(|_| {
                        let z: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
                        scale * (0.3 * z).exp()
                    })
                    .collect()
            };
            let (base, new) = (sample(1.0), sample(true_ratio));
            let (low, high, l) = log_shift(&base, &new).interval.unwrap();
            level = l;
            if low.exp() <= true_ratio && true_ratio <= high.exp() {
                covered += 1;
            }
        }
        let coverage = covered as f64 / trials as f64;
        assert!(
            (coverage - level).abs() <= 0.03,
            "coverage {coverage} vs stated {level}"
        );
    }

    #[test]
    fn holm_adjusts_step_down_and_stays_monotone() {
        let mut figures: Vec<FigureComparison> = [0.01, 0.04, 0.03, 0.5]
            .iter()
            .map(|p| {
                let mut f = compare_figure("c", "wall_ns", &[1.0], &[1.0], false);
                f.p_value = Some(*p);
                f
            })
            .collect();
        holm(&mut figures);
        let adjusted: Vec<f64> = figures.iter().map(|f| f.p_holm.unwrap()).collect();
        assert_eq!(adjusted, vec![0.04, 0.09, 0.09, 0.5]);
    }

    #[test]
    fn verdicts_need_the_test_the_level_and_the_threshold() {
        let base = [1.00, 1.02, 0.98, 1.01, 0.99, 1.03];
        let run = |factor: f64, threshold: f64| {
            let new: Vec<f64> = base.iter().map(|v| v * factor).collect();
            let mut f = vec![compare_figure("c", "wall_ns", &base, &new, false)];
            holm(&mut f);
            decide(&mut f[0], threshold);
            f.remove(0).verdict
        };
        assert_eq!(run(1.5, 0.05), Verdict::Regressed);
        assert_eq!(run(0.6, 0.05), Verdict::Improved);
        assert_eq!(run(1.0, 0.05), Verdict::Unchanged);
        // A real but small change inside the threshold is not a regression.
        assert_eq!(run(1.03, 0.05), Verdict::Unchanged);
        let mut missing = compare_figure("c", "wall_ns", &[], &base, false);
        decide(&mut missing, 0.05);
        assert_eq!(missing.verdict, Verdict::NotComparable);
        let mut elsewhere = compare_figure("c", "wall_ns", &base, &base, true);
        decide(&mut elsewhere, 0.05);
        assert_eq!(elsewhere.verdict, Verdict::NotComparable);
        assert!(elsewhere.note.contains("different machines"));
    }
}
