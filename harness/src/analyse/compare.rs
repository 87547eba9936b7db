//! `arena compare BASE NEW`: one primary figure per case (CPU time), tested as the ratio
//! NEW/BASE with a Bonferroni correction over the cases, and one earned outcome per case:
//! regressed or improved (its corrected interval excludes 1), equivalent (its corrected interval
//! lies within ±margin: two one-sided tests, TOST), not detected (neither), or not comparable
//! (missing case, another machine, too few repetitions). Every case also states the smallest
//! change it could have detected (80% power at its measured noise). Wall time, work time and
//! peak RSS are descriptive: their ratios are shown with 95% intervals, never tested, never
//! gating. Lower is better for every figure. Pure: it must not read files or print.
//!
//! Method and the reasoning behind each choice: docs/methodology.md, "Comparing two runs". The
//! statistics are analyse::log_ratio's: paired t over the rounds of `--run-both`, Welch's t
//! between runs measured apart.

use std::collections::BTreeMap;

use arena_results::{CaseRecord, CaseStatus, Environment, Repetition, RunRecord};
use serde::Serialize;

use super::log_ratio::LogShift;

/// The family-wise error rate over the cases compared: the chance that any case of an A/A
/// comparison is called regressed or improved.
pub const ALPHA: f64 = 0.05;
/// The power at which the detectable change is stated.
pub const POWER: f64 = 0.8;
/// The default equivalence margin: equivalent means within ±5% (`--margin`).
pub const DEFAULT_MARGIN: f64 = 0.05;
/// Fewer repetitions (or paired rounds) per side than this give no outcome: a t interval from 4
/// values rests too much on the noise being normal.
pub const MIN_REPETITIONS: usize = 5;
/// The figure each case is judged on. CPU time (user + system, from wait4) is measured by the
/// harness, not the workload, and is the steadiest figure on a shared host: this machine's A/A
/// noise floor resolved ±0.7–4.3% in CPU time against ±28–58% in wall time
/// (docs/methodology.md, "Noise and interference").
pub const PRIMARY_FIGURE: &str = "cpu_ns";
/// The descriptive 95% intervals of the other figures (not corrected, not tested).
pub const DESCRIPTIVE_LEVEL: f64 = 0.95;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Regressed,
    Improved,
    Equivalent,
    NotDetected,
    NotComparable,
}

/// How the two sides' repetitions are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// `--run-both`: both sides measured in the same rounds; one NEW/BASE ratio per round.
    PairedRounds,
    /// Two runs measured apart: Welch's t on the logs, the host's drift between the runs taken
    /// out (`between_runs`).
    Independent,
}

/// One case's primary figure, tested.
#[derive(Debug, Clone, Serialize)]
pub struct CaseComparison {
    pub case_id: String,
    pub figure: String,
    pub base_n: usize,
    pub new_n: usize,
    /// Rounds with both sides valid (paired design only).
    pub pairs: Option<usize>,
    pub base_median: Option<f64>,
    pub new_median: Option<f64>,
    /// Geometric-mean ratio NEW/BASE; for runs measured apart, relative to the common drift
    /// (`Comparison::drift`).
    pub ratio: Option<f64>,
    pub ratio_ci_low: Option<f64>,
    pub ratio_ci_high: Option<f64>,
    /// The interval's level: 1 − ALPHA / cases tested (Bonferroni).
    pub ratio_ci_level: Option<f64>,
    /// Uncorrected two-sided p of "no change".
    pub p_value: Option<f64>,
    /// The smallest slowdown (ratio above 1) this case detects with `POWER` at its noise.
    pub detectable_ratio: Option<f64>,
    pub outcome: Outcome,
    pub note: String,
}

/// One descriptive figure of one case: shown, never tested.
#[derive(Debug, Clone, Serialize)]
pub struct FigureRatio {
    pub case_id: String,
    pub figure: String,
    pub ratio: f64,
    pub ratio_ci_low: f64,
    pub ratio_ci_high: f64,
    pub ratio_ci_level: f64,
    /// Paired rounds, or the smaller side's repetitions.
    pub n: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub base_run: String,
    pub new_run: String,
    pub design: Design,
    pub primary_figure: String,
    pub alpha: f64,
    pub power: f64,
    /// Equivalence margin m: equivalent means the corrected interval within [1/(1+m), 1+m].
    pub margin: f64,
    /// Cases with a test (the Bonferroni family).
    pub cases_tested: usize,
    /// 1 − alpha / cases_tested.
    pub case_level: f64,
    pub same_machine: bool,
    /// Over the tested cases: the median and the largest detectable ratio.
    pub detectable_ratio_median: Option<f64>,
    pub detectable_ratio_largest: Option<f64>,
    pub cases: Vec<CaseComparison>,
    pub descriptive: Vec<FigureRatio>,
    /// Runs measured apart: the host's drift between them, estimated over the tested cases and
    /// taken out of every case's test (`between_runs`); None for `--run-both` or too few cases.
    pub drift: Option<Drift>,
}

/// Between two runs measured apart the host drifts (this machine's absolute times move 3×
/// within minutes): by a shift common to every case, and by a scatter from case to case beyond
/// what each case's own repetitions show. Both are estimated robustly over the family, where
/// most cases did not change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Drift {
    /// exp(median of the cases' log shifts): reported, never tested. Two runs measured apart
    /// cannot tell the host's drift from a change that slows every case alike (`--run-both` can).
    pub common_ratio: f64,
    /// τ, the case-to-case scatter of the log shifts beyond their own standard errors:
    /// (1.4826 · MAD)² − median(se²), at least 0.
    pub scatter_log: f64,
    pub cases: usize,
}

/// The fewest tested cases from which the drift is estimated; with fewer, runs measured apart
/// are tested on Welch's t alone and the report says the drift is not taken out.
pub const DRIFT_MIN_CASES: usize = 8;

/// Takes the host's drift out of runs measured apart: every tested case's shift is measured
/// from the common shift, its variance grows by τ² (a random effect per case), and its degrees
/// of freedom shrink towards those τ² was estimated with.
pub fn between_runs(shifts: &mut [Option<LogShift>]) -> Option<Drift> {
    let estimates: Vec<f64> = shifts.iter().flatten().map(|s| s.estimate).collect();
    if estimates.len() < DRIFT_MIN_CASES {
        return None;
    }
    let common = super::stats::median(&estimates);
    let deviations: Vec<f64> = estimates.iter().map(|d| (d - common).abs()).collect();
    let spread = 1.4826 * super::stats::median(&deviations);
    let within: Vec<f64> = shifts
        .iter()
        .flatten()
        .map(|s| s.standard_error.powi(2))
        .collect();
    let tau2 = (spread.powi(2) - super::stats::median(&within)).max(0.0);
    // τ² rests on the m cases through a median absolute deviation, whose efficiency for normal
    // data is 37%: about 0.37 (m − 1) degrees of freedom, combined with each case's own by
    // Satterthwaite's rule.
    let tau_df = (0.37 * (estimates.len() - 1) as f64).max(1.0);
    // Each case is measured from the median of the m shifts, itself uncertain: its variance is
    // about π/2 · σ²/m for normal shifts, added in the same proportion.
    let from_median = 1.0 + std::f64::consts::FRAC_PI_2 / estimates.len() as f64;
    for s in shifts.iter_mut().flatten() {
        let own = s.standard_error.powi(2) * from_median;
        let tau2 = tau2 * from_median;
        let total = own + tau2;
        s.estimate -= common;
        s.standard_error = total.sqrt();
        if tau2 > 0.0 {
            s.degrees_of_freedom =
                total.powi(2) / (own.powi(2) / s.degrees_of_freedom + tau2.powi(2) / tau_df);
        }
    }
    Some(Drift {
        common_ratio: common.exp(),
        scatter_log: tau2.sqrt(),
        cases: estimates.len(),
    })
}

impl Comparison {
    pub fn regressions(&self) -> usize {
        self.count(Outcome::Regressed)
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }
}

/// The options of a comparison, validated by the CLI.
#[derive(Debug, Clone, Copy)]
pub struct CompareOptions {
    /// Equivalence margin as a fraction (0.05 = ±5%).
    pub margin: f64,
    pub allow_cross_machine: bool,
    /// The two runs were measured in the same rounds (`--run-both`). Also inferred from run ids
    /// `X-base` and `X-new`, which `--run-both` writes.
    pub paired_rounds: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            margin: DEFAULT_MARGIN,
            allow_cross_machine: false,
            paired_rounds: false,
        }
    }
}

type Figure = (&'static str, fn(&Repetition) -> Option<f64>);

fn cpu_ns(r: &Repetition) -> Option<f64> {
    Some((r.user_cpu_ns + r.sys_cpu_ns) as f64)
}

const DESCRIPTIVE: [Figure; 3] = [
    ("wall_ns", |r| Some(r.wall_ns as f64)),
    ("work_ns", |r| r.self_reported.get("work_ns").map(|v| *v as f64)),
    ("peak_tree_rss_bytes", |r| r.peak_tree_rss_bytes.map(|v| v as f64)),
];

/// A case's valid values of one figure, with their round.
fn values(case: Option<&CaseRecord>, read: fn(&Repetition) -> Option<f64>) -> Vec<(u32, f64)> {
    case.filter(|c| c.status == CaseStatus::Ok)
        .map(|c| {
            c.repetitions
                .iter()
                .filter(|r| r.valid)
                .filter_map(|r| read(r).filter(|v| *v > 0.0).map(|v| (r.index, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// The log shift of two sides' values: per-round ratios when paired, else Welch.
fn shift(design: Design, base: &[(u32, f64)], new: &[(u32, f64)]) -> (Option<LogShift>, Option<usize>) {
    match design {
        Design::PairedRounds => {
            let ratios: Vec<f64> = new
                .iter()
                .filter_map(|(round, n)| base.iter().find(|(r, _)| r == round).map(|(_, b)| (n / b).ln()))
                .collect();
            let pairs = ratios.len();
            (
                (pairs >= MIN_REPETITIONS)
                    .then(|| LogShift::paired(&ratios))
                    .flatten(),
                Some(pairs),
            )
        }
        Design::Independent => {
            let logs = |v: &[(u32, f64)]| v.iter().map(|(_, x)| x.ln()).collect::<Vec<_>>();
            let enough = base.len() >= MIN_REPETITIONS && new.len() >= MIN_REPETITIONS;
            (
                enough.then(|| LogShift::welch(&logs(base), &logs(new))).flatten(),
                None,
            )
        }
    }
}

pub fn compare(base: &RunRecord, new: &RunRecord, options: CompareOptions) -> Comparison {
    let same_machine = same_machine(&base.environment, &new.environment);
    let paired = options.paired_rounds
        || matches!(
            (base.run_id.strip_suffix("-base"), new.run_id.strip_suffix("-new")),
            (Some(a), Some(b)) if a == b
        );
    let design = if paired {
        Design::PairedRounds
    } else {
        Design::Independent
    };
    let base_cases: BTreeMap<&str, &CaseRecord> =
        base.cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let new_cases: BTreeMap<&str, &CaseRecord> = new.cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let mut ids: Vec<&str> = base_cases.keys().chain(new_cases.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let cross_machine = !same_machine && !options.allow_cross_machine;
    let mut cases = Vec::new();
    let mut shifts = Vec::new();
    let mut descriptive = Vec::new();
    for id in ids {
        let (b, n) = (base_cases.get(id).copied(), new_cases.get(id).copied());
        let (case, s) = primary_case(id, design, b, n, cross_machine);
        if let (Some(_), Some(b), Some(n)) = (s, b, n) {
            descriptive.extend(describe(design, b, n));
        }
        shifts.push(s);
        cases.push(case);
    }
    let drift = match design {
        Design::Independent => between_runs(&mut shifts),
        Design::PairedRounds => None,
    };
    let family = judge_family(&shifts, options.margin);
    for ((case, decision), shift) in cases.iter_mut().zip(family.decisions).zip(&shifts) {
        if let (Some(s), Some(_)) = (shift, drift) {
            case.ratio = Some(s.estimate.exp());
            case.p_value = Some(s.p_value());
        }
        if let Some(d) = decision {
            case.ratio_ci_low = Some(d.interval.0.exp());
            case.ratio_ci_high = Some(d.interval.1.exp());
            case.ratio_ci_level = Some(family.case_level);
            case.detectable_ratio = Some(d.detectable_ratio);
            case.outcome = d.outcome;
            case.note = d.note;
        }
    }
    let mut detectable: Vec<f64> = cases.iter().filter_map(|c| c.detectable_ratio).collect();
    detectable.sort_by(f64::total_cmp);
    Comparison {
        base_run: base.run_id.clone(),
        new_run: new.run_id.clone(),
        design,
        primary_figure: PRIMARY_FIGURE.into(),
        alpha: ALPHA,
        power: POWER,
        margin: options.margin,
        cases_tested: family.cases_tested,
        case_level: family.case_level,
        same_machine,
        detectable_ratio_median: (!detectable.is_empty()).then(|| super::stats::median(&detectable)),
        detectable_ratio_largest: detectable.last().copied(),
        cases,
        descriptive,
        drift,
    }
}

/// A case's primary figure before the family is judged, and its log shift when it can be
/// tested; otherwise the case says why it is not comparable.
fn primary_case(
    id: &str,
    design: Design,
    b: Option<&CaseRecord>,
    n: Option<&CaseRecord>,
    cross_machine: bool,
) -> (CaseComparison, Option<LogShift>) {
    let (bv, nv) = (values(b, cpu_ns), values(n, cpu_ns));
    let (s, pairs) = shift(design, &bv, &nv);
    let median = |v: &[(u32, f64)]| {
        (!v.is_empty()).then(|| super::stats::median(&v.iter().map(|x| x.1).collect::<Vec<_>>()))
    };
    let why_not = if b.is_none() || n.is_none() {
        Some(format!(
            "case missing from {}",
            if b.is_none() { "BASE" } else { "NEW" }
        ))
    } else if cross_machine {
        Some("measured on different machines (pass --allow-cross-machine to compare anyway)".into())
    } else if s.is_none() {
        Some(match pairs {
            Some(p) => format!("{p} rounds with both sides valid; a test needs {MIN_REPETITIONS}"),
            None => format!(
                "{} and {} valid repetitions; a test needs {MIN_REPETITIONS} on each side",
                bv.len(),
                nv.len()
            ),
        })
    } else {
        None
    };
    let case = CaseComparison {
        case_id: id.to_string(),
        figure: PRIMARY_FIGURE.into(),
        base_n: bv.len(),
        new_n: nv.len(),
        pairs,
        base_median: median(&bv),
        new_median: median(&nv),
        ratio: s.map(|s| s.estimate.exp()),
        ratio_ci_low: None,
        ratio_ci_high: None,
        ratio_ci_level: None,
        p_value: s.map(|s| s.p_value()),
        detectable_ratio: None,
        outcome: Outcome::NotComparable,
        note: why_not.clone().unwrap_or_default(),
    };
    (case, if why_not.is_some() { None } else { s })
}

/// The descriptive figures of a case both runs have.
fn describe(design: Design, base: &CaseRecord, new: &CaseRecord) -> Vec<FigureRatio> {
    DESCRIPTIVE
        .iter()
        .filter_map(|(name, read)| {
            let (b, n) = (values(Some(base), *read), values(Some(new), *read));
            let (s, pairs) = shift(design, &b, &n);
            let s = s?;
            let (low, high) = s.interval(DESCRIPTIVE_LEVEL);
            Some(FigureRatio {
                case_id: base.case_id.clone(),
                figure: name.to_string(),
                ratio: s.estimate.exp(),
                ratio_ci_low: low.exp(),
                ratio_ci_high: high.exp(),
                ratio_ci_level: DESCRIPTIVE_LEVEL,
                n: pairs.unwrap_or(b.len().min(n.len())),
            })
        })
        .collect()
}

/// One tested case's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The log-ratio interval at the family's per-case level.
    pub interval: (f64, f64),
    pub detectable_ratio: f64,
    pub outcome: Outcome,
    pub note: String,
}

/// The decisions over a family of cases (None: no test), Bonferroni-corrected.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub cases_tested: usize,
    pub case_level: f64,
    pub decisions: Vec<Option<Decision>>,
}

/// The gate's decision rule, used by `compare` and simulated as it is by tests/compare_gate.rs.
/// Each tested case gets the interval of its log shift at level 1 − α/m (m = cases tested):
/// regressed when it lies above 0, improved when below, equivalent when within
/// ±ln(1 + margin) (TOST at α/(2m) a side), else not detected. The chance that any case of an
/// A/A comparison is regressed or improved is at most α.
pub fn judge_family(shifts: &[Option<LogShift>], margin: f64) -> Family {
    let m = shifts.iter().flatten().count();
    let alpha_case = ALPHA / m.max(1) as f64;
    let case_level = 1.0 - alpha_case;
    let bound = (1.0 + margin).ln();
    let decisions = shifts
        .iter()
        .map(|s| {
            let s = s.as_ref()?;
            let interval = s.interval(case_level);
            let outcome = if interval.0 > 0.0 {
                Outcome::Regressed
            } else if interval.1 < 0.0 {
                Outcome::Improved
            } else if -bound < interval.0 && interval.1 < bound {
                Outcome::Equivalent
            } else {
                Outcome::NotDetected
            };
            let level = format!("{:.2}%", case_level * 100.0);
            let note = match outcome {
                Outcome::Regressed => format!("its {level} interval lies above 1"),
                Outcome::Improved => format!("its {level} interval lies below 1"),
                Outcome::Equivalent => {
                    format!("its {level} interval lies within ±{:.1}%", margin * 100.0)
                }
                _ => format!(
                    "its {level} interval holds 1 and reaches beyond ±{:.1}%",
                    margin * 100.0
                ),
            };
            Some(Decision {
                interval,
                detectable_ratio: s.detectable(alpha_case, POWER).exp(),
                outcome,
                note,
            })
        })
        .collect();
    Family {
        cases_tested: m,
        case_level,
        decisions,
    }
}

fn same_machine(a: &Environment, b: &Environment) -> bool {
    a.cpu_model == b.cpu_model
        && a.logical_cores == b.logical_cores
        && a.memory_total_bytes == b.memory_total_bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paired(ratios: &[f64]) -> Option<LogShift> {
        LogShift::paired(&ratios.iter().map(|r| r.ln()).collect::<Vec<_>>())
    }

    /// Ten cases of two runs measured apart, the second 1.2× slower throughout (the host), one
    /// case 1.5× more: the drift model tests that one case from the common shift, which it
    /// reports; without the model every case reads "regressed". Fewer than 8 cases: no model.
    #[test]
    fn runs_measured_apart_are_tested_from_their_common_shift() {
        let case = |extra: f64, wobble: f64| {
            let base: Vec<f64> = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0]
                .iter()
                .map(|v: &f64| v.ln())
                .collect();
            let new: Vec<f64> = base.iter().map(|b| b + (1.2 * extra * wobble).ln()).collect();
            LogShift::welch(&base, &new)
        };
        let wobbles = [1.0, 1.01, 0.99, 1.02, 0.98, 1.005, 0.995, 1.015, 0.985];
        let mut shifts: Vec<Option<LogShift>> = wobbles.iter().map(|w| case(1.0, *w)).collect();
        shifts.push(case(1.5, 1.0));
        let before = judge_family(&shifts, DEFAULT_MARGIN);
        assert!(before
            .decisions
            .iter()
            .flatten()
            .all(|d| d.outcome == Outcome::Regressed));
        let drift = between_runs(&mut shifts).unwrap();
        assert!((drift.common_ratio - 1.2).abs() < 0.01, "{drift:?}");
        let after = judge_family(&shifts, DEFAULT_MARGIN);
        let outcomes: Vec<Outcome> = after.decisions.iter().flatten().map(|d| d.outcome).collect();
        assert_eq!(outcomes.last(), Some(&Outcome::Regressed));
        assert!(outcomes[..9]
            .iter()
            .all(|o| *o != Outcome::Regressed && *o != Outcome::Improved));
        assert!(between_runs(&mut shifts[..7].to_vec()).is_none());
    }

    #[test]
    fn the_four_outcomes_of_a_tested_case() {
        let noise = [1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99, 1.0, 1.02, 0.98];
        let scaled = |f: f64| paired(&noise.map(|r| r * f));
        let wide = paired(&[1.3, 0.8, 1.2, 0.75, 1.0, 1.1, 0.9, 1.0, 1.25, 0.8]);
        let family = judge_family(&[scaled(1.3), scaled(0.7), scaled(1.0), wide, None], 0.05);
        assert_eq!(family.cases_tested, 4);
        assert!((family.case_level - (1.0 - 0.05 / 4.0)).abs() < 1e-12);
        let outcomes: Vec<Option<Outcome>> = family
            .decisions
            .iter()
            .map(|d| d.as_ref().map(|d| d.outcome))
            .collect();
        assert_eq!(
            outcomes,
            [
                Some(Outcome::Regressed),
                Some(Outcome::Improved),
                Some(Outcome::Equivalent),
                Some(Outcome::NotDetected),
                None
            ]
        );
        // The wide case could only have seen a large change; the tight ones a small one.
        let detectable = |i: usize| family.decisions[i].as_ref().unwrap().detectable_ratio;
        assert!(detectable(3) > 1.15 && detectable(2) < 1.05, "{family:?}");
    }

    /// The correction is over cases: the same evidence that is a regression alone is not one
    /// in a family of 1,000.
    #[test]
    fn the_correction_grows_with_the_family() {
        let s = paired(&[1.03, 1.05, 1.04, 1.06, 1.02, 1.04]);
        let alone = judge_family(&[s], 0.05);
        assert_eq!(alone.decisions[0].as_ref().unwrap().outcome, Outcome::Regressed);
        let mut many = vec![paired(&[1.0; 6].map(|_| 1.0)); 999];
        many.insert(0, s);
        let crowd = judge_family(&many, 0.05);
        assert_eq!(crowd.decisions[0].as_ref().unwrap().outcome, Outcome::NotDetected);
    }
}
