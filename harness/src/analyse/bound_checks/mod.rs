//! Bound checks and how a claim's family of them becomes one verdict, with its family-wise
//! error controlled for "supported" and for "contradicted" alike (`BoundChecks`). Owns the
//! order-statistic interval at any level a family needs (`median_interval`). Pure: it must not
//! know a claim, a workload or a file.

use arena_results::{CheckOutcome, ClaimInterval, Estimate};

pub use arena_results::ClaimVerdict as Verdict;

/// The family-wise error a verdict allows: each of "supported" and "contradicted" is wrong with
/// probability at most this, however many checks the claim makes.
pub const FAMILY_ERROR: f64 = 0.05;
/// The least coverage an interval needs before a verdict may rest on it (1 − `FAMILY_ERROR`).
pub const VERDICT_LEVEL: f64 = 0.95;

/// How a family of checks was judged: the levels each verdict needed of every interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Family {
    pub checks: u32,
    pub level: f64,
    pub support_level: f64,
    pub contradict_level: f64,
}

impl Family {
    /// `checks` checks at `FAMILY_ERROR`: supported on every interval at 1 − α (intersection–
    /// union), contradicted on one at 1 − α / checks (Bonferroni).
    pub fn of(checks: usize) -> Family {
        Family {
            checks: checks as u32,
            level: 1.0 - FAMILY_ERROR,
            support_level: VERDICT_LEVEL,
            contradict_level: 1.0 - FAMILY_ERROR / checks.max(1) as f64,
        }
    }

    /// The evidence's last line: how many checks, and what each verdict needed.
    pub fn text(&self) -> String {
        if self.checks == 0 {
            return "no check could be made: not enough evidence".into();
        }
        if self.checks == 1 {
            return format!(
                "one check: its {} interval decides (family-wise error ≤ {})",
                percent(self.support_level),
                percent(1.0 - self.level)
            );
        }
        format!(
            "family of {} checks, {} family-wise: supported needs every check's {} interval to hold (intersection–union test); contradicted needs one check's {} interval to fail (Bonferroni, {} / {})",
            self.checks,
            percent(self.level),
            percent(self.support_level),
            percent(self.contradict_level),
            percent(1.0 - self.level),
            self.checks
        )
    }
}

/// A verdict with its evidence and the intervals it rests on.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub verdict: Verdict,
    pub evidence: Vec<String>,
    pub family: Family,
    pub intervals: Vec<ClaimInterval>,
}

impl Judgement {
    /// A verdict that rests on no check (not measured, or a claim that cannot be parsed).
    pub fn without_checks(verdict: Verdict, evidence: Vec<String>) -> Judgement {
        Judgement {
            verdict,
            evidence,
            family: Family::of(0),
            intervals: Vec::new(),
        }
    }
}

/// A verdict a workload decided without `BoundChecks`: no family, no stored intervals.
impl From<(Verdict, Vec<String>)> for Judgement {
    fn from((verdict, evidence): (Verdict, Vec<String>)) -> Judgement {
        Judgement::without_checks(verdict, evidence)
    }
}

/// "95%", "98.75%", "99.74%": a level with the decimals it needs, at most two.
pub fn percent(level: f64) -> String {
    let text = format!("{:.2}", level * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// What a check asks of a figure's median.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    AtLeast(f64),
    /// Strictly above: a tie does not pass.
    Above(f64),
    AtMost(f64),
    /// Strictly below.
    Below(f64),
    /// Inside [low, high].
    Within(f64, f64),
}

impl Bound {
    /// Every value of [low, high] satisfies the bound.
    pub fn holds(self, low: f64, high: f64) -> bool {
        match self {
            Bound::AtLeast(t) => low >= t,
            Bound::Above(t) => low > t,
            Bound::AtMost(t) => high <= t,
            Bound::Below(t) => high < t,
            Bound::Within(a, b) => low >= a && high <= b,
        }
    }

    /// No value of [low, high] satisfies the bound.
    pub fn fails(self, low: f64, high: f64) -> bool {
        match self {
            Bound::AtLeast(t) => high < t,
            Bound::Above(t) => high <= t,
            Bound::AtMost(t) => low > t,
            Bound::Below(t) => low >= t,
            Bound::Within(a, b) => high < a || low > b,
        }
    }

    fn text(self, unit: Unit) -> String {
        let v = |x: f64| unit.show(x);
        match self {
            Bound::AtLeast(t) => format!("≥ {}", v(t)),
            Bound::Above(t) => format!("> {}", v(t)),
            Bound::AtMost(t) => format!("≤ {}", v(t)),
            Bound::Below(t) => format!("< {}", v(t)),
            Bound::Within(a, b) => format!("within {}–{}", v(a), v(b)),
        }
    }
}

/// How a check's values print: divided by `per`, with `decimals`, then `name`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    pub name: &'static str,
    pub per: f64,
    pub decimals: usize,
}

impl Unit {
    pub fn show(self, value: f64) -> String {
        let space = if self.name == "×" || self.name.is_empty() {
            ""
        } else {
            " "
        };
        format!("{:.*}{space}{}", self.decimals, value / self.per, self.name)
    }
}

/// Ratios.
pub const TIMES: Unit = Unit {
    name: "×",
    per: 1.0,
    decimals: 2,
};
/// Nanoseconds shown as milliseconds.
pub const MS_FROM_NS: Unit = Unit {
    name: "ms",
    per: 1e6,
    decimals: 3,
};

/// A median with an order-statistic interval and the coverage it achieves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub median: f64,
    pub low: f64,
    pub high: f64,
    pub level: f64,
    pub n: u32,
}

impl Interval {
    pub fn of(e: &Estimate) -> Interval {
        Interval {
            median: e.median,
            low: e.ci_low,
            high: e.ci_high,
            level: e.ci_level,
            n: e.n,
        }
    }
}

/// ln P(B ≤ k) for B ~ Binomial(n, 1/2), summed in log space so that no n overflows.
fn ln_half_cdf(n: usize, k: usize) -> f64 {
    let mut ln_term = -(n as f64) * std::f64::consts::LN_2; // ln C(n, 0) / 2^n
    let mut ln_sum = ln_term;
    for i in 1..=k.min(n) {
        ln_term += ((n - i + 1) as f64 / i as f64).ln();
        let (big, small) = if ln_sum > ln_term {
            (ln_sum, ln_term)
        } else {
            (ln_term, ln_sum)
        };
        ln_sum = big + (small - big).exp().ln_1p();
    }
    ln_sum
}

/// The narrowest order-statistic interval of the median of independent `values` whose coverage
/// is at least `level`: [x(k), x(n+1−k)] for the largest k with 2·P(B ≤ k−1) ≤ 1 − level,
/// B ~ Binomial(n, 1/2), whatever the values' distribution. Its `level` is the coverage it
/// achieves. None when even [min, max] covers less than `level` (too few values).
pub fn median_interval(values: &[f64], level: f64) -> Option<Interval> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let coverage = |k: usize| 1.0 - 2.0 * ln_half_cdf(n, k - 1).exp();
    if n == 0 || coverage(1) < level {
        return None;
    }
    let mut k = 1;
    while k < n.div_ceil(2) && coverage(k + 1) >= level {
        k += 1;
    }
    Some(Interval {
        median: crate::analyse::stats::median(&sorted),
        low: sorted[k - 1],
        high: sorted[n - k],
        level: coverage(k),
        n: n as u32,
    })
}

/// Where a check's interval comes from.
#[derive(Debug, Clone)]
enum Source {
    /// Independent values: intervals at whatever level the family needs.
    Values(Vec<f64>),
    /// One interval computed elsewhere: it decides only where its level reaches the one needed.
    Fixed(Interval),
    /// Bounds already compared by the caller (`check`): no interval to store.
    Decided { level: f64, pass: bool, fail: bool },
}

#[derive(Debug, Clone)]
struct Check {
    what: String,
    source: Source,
    bound: Bound,
    unit: Unit,
}

/// The checks of one claim, combined with family-wise error control: supported when every
/// check holds on its `VERDICT_LEVEL` interval and none is missing (an intersection–union test,
/// error ≤ `FAMILY_ERROR`); contradicted when one check fails on its interval at
/// 1 − `FAMILY_ERROR` / m, m the checks made (Bonferroni: error ≤ `FAMILY_ERROR` when every
/// true value sits on its bound); otherwise not enough evidence, which also says when the
/// values were too few for the level a verdict needs.
#[derive(Debug, Default)]
pub struct BoundChecks {
    checks: Vec<Check>,
    /// Evidence of figures the claim needs and did not get, in order.
    missing: Vec<String>,
    /// Evidence that decides nothing (what was left out of the family, and why).
    notes: Vec<String>,
}

impl BoundChecks {
    pub fn new() -> BoundChecks {
        BoundChecks::default()
    }

    /// The median of independent `values` (paired rounds, processes) must respect `bound`.
    pub fn values(&mut self, what: impl Into<String>, values: Vec<f64>, bound: Bound, unit: Unit) {
        self.push(what.into(), Source::Values(values), bound, unit);
    }

    /// An interval computed elsewhere (an `Estimate`): it can support at `VERDICT_LEVEL` and
    /// contradict only if its level reaches the family's contradiction level.
    pub fn interval(&mut self, what: impl Into<String>, interval: Interval, bound: Bound, unit: Unit) {
        self.push(what.into(), Source::Fixed(interval), bound, unit);
    }

    fn push(&mut self, what: String, source: Source, bound: Bound, unit: Unit) {
        self.checks.push(Check {
            what,
            source,
            bound,
            unit,
        });
    }

    /// One figure whose interval covers `level`, its bounds compared by the caller: `pass` holds
    /// on the bounds that favour the claim, `fail` on those against it.
    pub fn check(&mut self, level: f64, pass: bool, fail: bool, evidence: String) {
        let unit = TIMES;
        self.push(
            evidence,
            Source::Decided { level, pass, fail },
            Bound::AtLeast(f64::NAN),
            unit,
        );
    }

    /// A figure the claim needs is absent.
    pub fn missing(&mut self, evidence: String) {
        self.missing.push(evidence);
    }

    /// A line of evidence that is not a check (e.g. a variant the claim does not cover here).
    pub fn note(&mut self, evidence: String) {
        self.notes.push(evidence);
    }

    pub fn verdict(self) -> Judgement {
        let family = Family::of(self.checks.len());
        let (mut passed_all, mut failed_any) = (!self.checks.is_empty(), false);
        let mut evidence = Vec::new();
        let mut intervals = Vec::new();
        for check in &self.checks {
            let judged = judge_check(check, &family);
            passed_all &= judged.outcome == CheckOutcome::Holds;
            failed_any |= judged.outcome == CheckOutcome::Fails;
            evidence.push(judged.evidence);
            intervals.extend(judged.interval);
        }
        passed_all &= self.missing.is_empty();
        evidence.extend(self.missing);
        evidence.extend(self.notes);
        evidence.push(family.text());
        let verdict = if failed_any {
            Verdict::Contradicted
        } else if passed_all {
            Verdict::Supported
        } else {
            Verdict::NotEnoughEvidence
        };
        Judgement {
            verdict,
            evidence,
            family,
            intervals,
        }
    }
}

struct JudgedCheck {
    outcome: CheckOutcome,
    evidence: String,
    interval: Option<ClaimInterval>,
}

/// One check against its family's levels.
fn judge_check(check: &Check, family: &Family) -> JudgedCheck {
    let (narrow, wide) = match &check.source {
        Source::Decided { level, pass, fail } => return judge_decided(check, *level, *pass, *fail, family),
        Source::Values(values) => (
            median_interval(values, family.support_level),
            median_interval(values, family.contradict_level),
        ),
        Source::Fixed(i) => (
            Some(*i).filter(|i| i.level >= family.support_level),
            Some(*i).filter(|i| i.level >= family.contradict_level),
        ),
    };
    let n = match &check.source {
        Source::Values(values) => values.len() as u32,
        Source::Fixed(i) => i.n,
        Source::Decided { .. } => 0,
    };
    let bound = check.bound.text(check.unit);
    let Some(narrow) = narrow else {
        let why = match &check.source {
            Source::Fixed(i) => too_weak(i.level),
            _ => format!(
                "{n} values are too few for a {} interval (more repetitions)",
                percent(family.support_level)
            ),
        };
        return JudgedCheck {
            outcome: CheckOutcome::TooFew,
            evidence: format!("{}: needs {bound} — {why}", check.what),
            interval: None,
        };
    };
    judge_interval(check, family, narrow, wide, n, bound)
}

/// A check whose bounds the caller compared (`BoundChecks::check`).
fn judge_decided(check: &Check, level: f64, pass: bool, fail: bool, family: &Family) -> JudgedCheck {
    let outcome = decided_outcome(level, pass, fail, family);
    let evidence = match outcome {
        CheckOutcome::TooFew => format!("{} — {}", check.what, too_weak(level)),
        _ if fail && outcome != CheckOutcome::Fails => {
            format!("{} — {}", check.what, too_weak_to_fail(level, family))
        }
        _ => check.what.clone(),
    };
    JudgedCheck {
        outcome,
        evidence,
        interval: None,
    }
}

/// A check with its interval at the support level and, where the values allow it, at the
/// contradiction level.
fn judge_interval(
    check: &Check,
    family: &Family,
    narrow: Interval,
    wide: Option<Interval>,
    n: u32,
    bound: String,
) -> JudgedCheck {
    let holds = check.bound.holds(narrow.low, narrow.high);
    let fails = wide.is_some_and(|w| check.bound.fails(w.low, w.high));
    let outcome = if holds {
        CheckOutcome::Holds
    } else if fails {
        CheckOutcome::Fails
    } else {
        CheckOutcome::Undecided
    };
    let u = |x: f64| check.unit.show(x);
    let mut evidence = format!(
        "{}: {} ({} interval {}–{}, n = {n}); needs {bound}",
        check.what,
        u(narrow.median),
        percent(narrow.level),
        u(narrow.low),
        u(narrow.high)
    );
    if !holds && family.contradict_level > family.support_level {
        match wide {
            Some(w) => evidence.push_str(&format!(
                "; at the {} a contradiction needs: {}–{}",
                percent(w.level),
                u(w.low),
                u(w.high)
            )),
            None if check.bound.fails(narrow.low, narrow.high) => {
                evidence.push_str(&format!(" — {}", too_weak_to_fail(narrow.level, family)))
            }
            None => {}
        }
    }
    let scale = |x: f64| x / check.unit.per;
    JudgedCheck {
        outcome,
        evidence,
        interval: Some(ClaimInterval {
            figure: check.what.clone(),
            unit: check.unit.name.to_string(),
            median: scale(narrow.median),
            low: scale(narrow.low),
            high: scale(narrow.high),
            level: narrow.level,
            wide_low: wide.map(|w| scale(w.low)),
            wide_high: wide.map(|w| scale(w.high)),
            wide_level: wide.map(|w| w.level),
            n,
            bound,
            outcome,
        }),
    }
}

fn decided_outcome(level: f64, pass: bool, fail: bool, family: &Family) -> CheckOutcome {
    if level < family.support_level {
        CheckOutcome::TooFew
    } else if pass {
        CheckOutcome::Holds
    } else if fail && level >= family.contradict_level {
        CheckOutcome::Fails
    } else {
        CheckOutcome::Undecided
    }
}

/// Why an interval that fails its bound cannot contradict a family of several checks.
fn too_weak_to_fail(level: f64, family: &Family) -> String {
    format!(
        "it fails its bound, but its {} interval is below the {} a contradiction in a family of {} checks needs (more repetitions)",
        percent(level),
        percent(family.contradict_level),
        family.checks
    )
}

/// One ratio that a claim needs to reach `factor` (`what` names it in the evidence), from an
/// interval computed elsewhere.
pub fn ratio_at_least(checks: &mut BoundChecks, what: &str, ratio: Option<&Estimate>, factor: f64) {
    match ratio {
        None => checks.missing(format!(
            "{what}: no ratio (a variant has no valid repetition in a shared round)"
        )),
        Some(r) => checks.interval(what, Interval::of(r), Bound::AtLeast(factor), TIMES),
    }
}

/// The ratios a / b of two variants' values matched on their round: rounds only one has are
/// left out, and so are those where b is not positive.
pub fn ratios_by_round(a: &[(u32, f64)], b: &[(u32, f64)]) -> Vec<f64> {
    a.iter()
        .filter_map(|(round, x)| {
            let (_, y) = b.iter().find(|(r, _)| r == round)?;
            (*y > 0.0).then(|| x / y)
        })
        .collect()
}

/// For every (slower, faster) pair of variants, `figure` of the slower over the faster, paired by
/// round, must reach `factor`: one check per pair, its values the per-round ratios. `rounds`
/// gives a variant's (round, value) pairs; None when it has no valid case.
pub fn round_ratios_at_least(
    checks: &mut BoundChecks,
    figure: &str,
    (slower, faster): (&[String], &[String]),
    factor: f64,
    rounds: impl Fn(&str) -> Option<Vec<(u32, f64)>>,
) {
    for s in slower {
        for f in faster {
            let what = format!("{figure} {s} / {f}");
            match (rounds(s), rounds(f)) {
                (Some(a), Some(b)) if !ratios_by_round(&a, &b).is_empty() => {
                    checks.values(what, ratios_by_round(&a, &b), Bound::AtLeast(factor), TIMES)
                }
                _ => checks.missing(format!(
                    "{what}: no ratio (a variant has no valid repetition in a shared round)"
                )),
            }
        }
    }
}

/// Why an interval cannot carry a verdict.
pub fn too_weak(level: f64) -> String {
    format!(
        "its interval covers only {}, below the {} a verdict needs (more repetitions)",
        percent(level),
        percent(VERDICT_LEVEL)
    )
}

#[cfg(test)]
mod tests;
