//! The `memory_ratio_at_least` claim: every variant of one group costs at least `factor` × every
//! variant of the other in bytes per task, judged on the slopes' interval bounds. Owns the
//! family-wise rule of this comparison and the intervals it stores (`Judgement.intervals`, one
//! per slope); must not derive figures (that is `task_memory`).

use arena_results::{CheckOutcome, ClaimInterval};

use super::{linearity, TaskMemory};
use crate::analyse::bound_checks::Family;
use crate::analyse::claims::{too_weak, Judgement, Verdict, VERDICT_LEVEL};
use crate::analyse::stats;
use crate::present::table::level_percent;

/// One variant's slope with its 95% interval and the interval's degrees of freedom.
struct SlopeBounds {
    variant: String,
    slope: f64,
    low: f64,
    high: f64,
    df: Option<f64>,
    processes: u32,
}

impl SlopeBounds {
    /// The interval at `level` (a family's Bonferroni share), or None without its df.
    fn at(&self, level: f64) -> Option<(f64, f64)> {
        stats::rescale_t_interval(self.low, self.high, self.df?, VERDICT_LEVEL, level)
    }
}

/// Each named variant's slope and 95% interval, described in `evidence`; None (said why) when
/// one has no interval or one below the level a verdict needs.
fn slope_bounds(
    memory: &[TaskMemory],
    names: &[String],
    evidence: &mut Vec<String>,
) -> Option<Vec<SlopeBounds>> {
    let mut out = Vec::new();
    for name in names {
        let found = memory.iter().find(|m| &m.variant == name);
        let fit = found.and_then(|m| {
            Some((
                m,
                m.bytes_per_task?,
                m.bytes_per_task_ci_low?,
                m.bytes_per_task_ci_high?,
            ))
        });
        let Some((m, b, lo, hi)) = fit else {
            evidence.push(format!(
                "{name}: no bytes/task interval (fewer than two task counts measured, or one with fewer than two valid repetitions)"
            ));
            return None;
        };
        let level = m.bytes_per_task_ci_level.unwrap_or(0.0);
        let range = match (m.bytes_per_task_from_tasks, m.bytes_per_task_to_tasks) {
            (Some(a), Some(z)) => format!(" between N = {a} and {z}"),
            _ => String::new(),
        };
        evidence.push(format!(
            "{name}: {b:.0} bytes/task ({}% interval {lo:.0}–{hi:.0}){range}{}",
            level_percent(level),
            linearity(m)
        ));
        if level < VERDICT_LEVEL {
            evidence.push(format!("{name}: {}", too_weak(level)));
            return None;
        }
        out.push(SlopeBounds {
            variant: name.clone(),
            slope: b,
            low: lo,
            high: hi,
            df: m.bytes_per_task_ci_df,
            processes: m.bytes_per_task_processes.unwrap_or(0),
        });
    }
    Some(out)
}

/// The claim compares every variant of one group with every variant of the other on interval
/// bounds. Supported needs every pair to hold on 95% intervals (intersection–union: a false
/// "supported" needs the pair that is truly short to pass, ≤ 5%). A contradiction picks the
/// dearest's upper and the cheapest's lower bound out of k intervals, so each is widened to
/// 1 − 5%/k (Bonferroni over the k intervals it chose from), keeping a false "contradicted" ≤ 5%.
pub fn memory_ratio(memory: &[TaskMemory], variants: &[String], versus: &[String], factor: f64) -> Judgement {
    let mut evidence = Vec::new();
    let dear = slope_bounds(memory, variants, &mut evidence);
    let cheap = slope_bounds(memory, versus, &mut evidence);
    let (Some(dear), Some(cheap)) = (dear, cheap) else {
        return (Verdict::NotEnoughEvidence, evidence).into();
    };
    let family = Family::of(dear.len() + cheap.len());
    let dear_low = dear.iter().map(|b| b.low).fold(f64::INFINITY, f64::min);
    let cheap_high = cheap.iter().map(|b| b.high).fold(0.0, f64::max);
    evidence.push(format!(
        "cheapest of the first group ≥ {factor}× the dearest of the second? {dear_low:.0} vs {factor} × {cheap_high:.0} (95% interval bounds)"
    ));
    let wide = |group: &[SlopeBounds]| -> WideBounds {
        group.iter().map(|b| b.at(family.contradict_level)).collect()
    };
    let (dear_wide, cheap_wide) = (wide(&dear), wide(&cheap));
    // The bounds a contradiction reads: the dearest's upper and the cheapest's lower, each at
    // the family's level.
    let wide_bounds = dear_wide.as_ref().zip(cheap_wide.as_ref()).map(|(d, c)| {
        (
            d.iter().map(|b| b.1).fold(f64::INFINITY, f64::min),
            c.iter().map(|b| b.0).fold(0.0, f64::max),
        )
    });
    let verdict = if dear_low >= factor * cheap_high {
        Verdict::Supported
    } else if let Some((dear_high, cheap_low)) = wide_bounds {
        evidence.push(format!(
            "a contradiction picks two bounds out of {} intervals, so it reads them at {:.2}% (Bonferroni, 5% / {}): {dear_high:.0} < {factor} × {cheap_low:.0}?",
            family.checks,
            family.contradict_level * 100.0,
            family.checks
        ));
        if dear_high < factor * cheap_low {
            Verdict::Contradicted
        } else {
            Verdict::NotEnoughEvidence
        }
    } else {
        evidence.push(
            "no contradiction can be judged: an interval was recorded without its degrees of freedom (run `arena report` to derive the figures again)".into(),
        );
        Verdict::NotEnoughEvidence
    };
    let bounds = DecidingBounds {
        factor,
        dear_low,
        cheap_high,
        wide: wide_bounds.filter(|(dear_high, cheap_low)| *dear_high < factor * *cheap_low),
    };
    let intervals = slope_records(
        (&dear, dear_wide),
        (&cheap, cheap_wide),
        &bounds,
        family.contradict_level,
    );
    Judgement {
        verdict,
        evidence,
        family,
        intervals,
    }
}

/// Each slope's interval at the family's level, in the group's order; None when one has no df.
type WideBounds = Option<Vec<(f64, f64)>>;

/// The bounds `memory_ratio` decided on: the cheapest dear and the dearest cheap 95% bounds,
/// and, when they contradicted the claim, the dearest's upper and the cheapest's lower bound at
/// the family's level.
struct DecidingBounds {
    factor: f64,
    dear_low: f64,
    cheap_high: f64,
    wide: Option<(f64, f64)>,
}

/// Every slope as the claim's record stores it, with how it came out: a dear slope holds when
/// its 95% lower bound clears `factor` × the dearest cheap upper bound, a cheap one when `factor`
/// × its upper bound stays under the cheapest dear lower bound; the two bounds a contradiction
/// read fail.
fn slope_records(
    (dear, dear_wide): (&[SlopeBounds], WideBounds),
    (cheap, cheap_wide): (&[SlopeBounds], WideBounds),
    bounds: &DecidingBounds,
    wide_level: f64,
) -> Vec<ClaimInterval> {
    let DecidingBounds {
        factor,
        dear_low,
        cheap_high,
        wide,
    } = *bounds;
    let record = |b: &SlopeBounds, w: Option<(f64, f64)>, holds: bool, fails: bool, bound: String| {
        let outcome = match (holds, fails) {
            (true, _) => CheckOutcome::Holds,
            (false, true) => CheckOutcome::Fails,
            _ => CheckOutcome::Undecided,
        };
        stored(b, w, wide_level, bound, outcome)
    };
    let each = |group: &[SlopeBounds], wide: WideBounds| -> Vec<(usize, Option<(f64, f64)>)> {
        let wide = wide.map_or(vec![None; group.len()], |w| w.into_iter().map(Some).collect());
        wide.into_iter().enumerate().collect()
    };
    let dear_rows = each(dear, dear_wide).into_iter().map(|(i, w)| {
        let fails = w
            .zip(wide)
            .is_some_and(|((_, high), (dear_high, _))| high == dear_high);
        let bound = format!("≥ {factor} × {cheap_high:.0}");
        record(&dear[i], w, dear[i].low >= factor * cheap_high, fails, bound)
    });
    let cheap_rows = each(cheap, cheap_wide).into_iter().map(|(i, w)| {
        let fails = w
            .zip(wide)
            .is_some_and(|((low, _), (_, cheap_low))| low == cheap_low);
        let bound = format!("≤ {dear_low:.0} / {factor}");
        record(&cheap[i], w, factor * cheap[i].high <= dear_low, fails, bound)
    });
    dear_rows.chain(cheap_rows).collect()
}

/// One slope as the claim's record stores it (`arena claims`).
fn stored(
    b: &SlopeBounds,
    wide: Option<(f64, f64)>,
    wide_level: f64,
    bound: String,
    outcome: CheckOutcome,
) -> ClaimInterval {
    ClaimInterval {
        figure: format!("{}: bytes per task (slope of tree RSS at ready)", b.variant),
        unit: "B".into(),
        median: b.slope,
        low: b.low,
        high: b.high,
        level: VERDICT_LEVEL,
        wide_low: wide.map(|w| w.0),
        wide_high: wide.map(|w| w.1),
        wide_level: wide.map(|_| wide_level),
        n: b.processes,
        bound,
        outcome,
    }
}
