//! Claims the field repeats (harness/claims/claims.toml), each judged against a run's derived
//! figures: supported, contradicted, not enough evidence, or not measured. A verdict is decided
//! on 95% interval bounds, never on a point estimate alone. Pure: reads a record, returns verdicts.

use arena_results::{HttpIoFigures, LoopBlockingFigures, RunRecord, SpeedupPoint, TaskMemory};
use serde::Deserialize;

const CLAIMS_TOML: &str = include_str!("../claims/claims.toml");

#[derive(Debug, Clone, Deserialize)]
struct ClaimsFile {
    claim: Vec<Claim>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Claim {
    pub id: String,
    pub statement: String,
    pub workload: String,
    #[serde(flatten)]
    pub test: ClaimTest,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClaimTest {
    SpeedupAtMost {
        variants: Vec<String>,
        workers: u64,
        threshold: f64,
    },
    SpeedupAtLeast {
        variants: Vec<String>,
        workers: u64,
        threshold: f64,
    },
    MemoryRatioAtLeast {
        variants: Vec<String>,
        versus: Vec<String>,
        factor: f64,
    },
    /// `variant`'s /io capacity lies within `tolerance` of `expected_per_s` (Little's law),
    /// while every `versus` variant's capacity lies above that band.
    CapacityNear {
        variant: String,
        expected_per_s: f64,
        tolerance: f64,
        versus: Vec<String>,
    },
    /// At the highest /cpu rate, /ping p99 of every `variants` entry is at least `fraction` of
    /// one /cpu request's cost (it waited behind one), and every `versus` entry stays below it.
    PingStall {
        variants: Vec<String>,
        versus: Vec<String>,
        fraction: f64,
    },
    NotYet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Supported,
    Contradicted,
    NotEnoughEvidence,
    NotMeasured,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Contradicted => "contradicted",
            Verdict::NotEnoughEvidence => "not enough evidence",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// A claim with its verdict on one run and the figures behind it.
#[derive(Debug, Clone)]
pub struct Judged {
    pub claim: Claim,
    pub verdict: Verdict,
    pub evidence: Vec<String>,
}

pub fn builtin() -> Vec<Claim> {
    let file: ClaimsFile = toml::from_str(CLAIMS_TOML).expect("harness/claims/claims.toml parses");
    file.claim
}

pub fn judge_all(record: &RunRecord) -> Vec<Judged> {
    builtin().into_iter().map(|claim| judge(claim, record)).collect()
}

fn judge(claim: Claim, record: &RunRecord) -> Judged {
    let measured = record.cases.iter().any(|c| c.workload == claim.workload);
    if !measured || matches!(claim.test, ClaimTest::NotYet) {
        let why = if matches!(claim.test, ClaimTest::NotYet) {
            format!("workload `{}` is not implemented yet", claim.workload)
        } else {
            format!("workload `{}` did not run in this run", claim.workload)
        };
        return Judged {
            claim,
            verdict: Verdict::NotMeasured,
            evidence: vec![why],
        };
    }
    let cores = u64::from(record.environment.logical_cores);
    let (verdict, evidence) = match &claim.test {
        ClaimTest::SpeedupAtMost {
            variants,
            workers,
            threshold,
        }
        | ClaimTest::SpeedupAtLeast {
            variants,
            workers,
            threshold,
        } => speedups(
            &record.derived.cpu_scale,
            variants,
            resolve_workers(*workers, cores),
            *threshold,
            matches!(claim.test, ClaimTest::SpeedupAtLeast { .. }),
        ),
        ClaimTest::MemoryRatioAtLeast {
            variants,
            versus,
            factor,
        } => memory_ratio(&record.derived.sleep_tasks, variants, versus, *factor),
        ClaimTest::CapacityNear {
            variant,
            expected_per_s,
            tolerance,
            versus,
        } => capacity_near(
            &record.derived.http_io,
            variant,
            *expected_per_s,
            *tolerance,
            versus,
        ),
        ClaimTest::PingStall {
            variants,
            versus,
            fraction,
        } => ping_stall(&record.derived.loop_blocking, variants, versus, *fraction),
        ClaimTest::NotYet => unreachable!("handled above"),
    };
    Judged {
        claim,
        verdict,
        evidence,
    }
}

fn resolve_workers(workers: u64, cores: u64) -> u64 {
    if workers == 0 {
        cores
    } else {
        workers
    }
}

fn speedups(
    points: &[SpeedupPoint],
    variants: &[String],
    workers: u64,
    threshold: f64,
    at_least: bool,
) -> (Verdict, Vec<String>) {
    let mut evidence = Vec::new();
    let (mut all_pass, mut any_fail, mut missing) = (true, false, false);
    for variant in variants {
        let Some(p) = points
            .iter()
            .find(|p| &p.variant == variant && p.workers == workers)
        else {
            evidence.push(format!("{variant} at W={workers}: no valid measurement"));
            missing = true;
            continue;
        };
        evidence.push(format!(
            "{variant} at W={workers}: {:.2}× (95% CI {:.2}–{:.2}); threshold {} {threshold:.2}×",
            p.speedup,
            p.speedup_ci_low,
            p.speedup_ci_high,
            if at_least { "≥" } else { "≤" }
        ));
        let (pass, fail) = if at_least {
            (p.speedup_ci_low >= threshold, p.speedup_ci_high < threshold)
        } else {
            (p.speedup_ci_high <= threshold, p.speedup_ci_low > threshold)
        };
        all_pass &= pass;
        any_fail |= fail;
    }
    let verdict = if any_fail {
        Verdict::Contradicted
    } else if all_pass && !missing {
        Verdict::Supported
    } else {
        Verdict::NotEnoughEvidence
    };
    (verdict, evidence)
}

/// Decided on the capacity's interval over repetitions: inside the band, above it, or straddling.
fn capacity_near(
    figures: &[HttpIoFigures],
    variant: &str,
    expected: f64,
    tolerance: f64,
    versus: &[String],
) -> (Verdict, Vec<String>) {
    let (low_band, high_band) = (expected * (1.0 - tolerance), expected * (1.0 + tolerance));
    let mut evidence = vec![format!(
        "band: {expected:.0}/s ± {:.0}% = {low_band:.0}–{high_band:.0}/s",
        tolerance * 100.0
    )];
    let capacity = |name: &str, evidence: &mut Vec<String>| {
        let found = figures.iter().find(|f| f.variant == name)?;
        let cap = found.io_capacity_per_s.as_ref()?;
        let saturated = found
            .first_saturated_target_per_s
            .map_or("never saturated in the sweep".to_string(), |t| {
                format!("saturated at {t:.0}/s")
            });
        evidence.push(format!(
            "{name}: capacity {:.0}/s (range {:.0}–{:.0} over {} repetitions), {saturated}",
            cap.median, cap.ci_low, cap.ci_high, cap.n
        ));
        Some((cap.ci_low, cap.ci_high))
    };
    let Some((lo, hi)) = capacity(variant, &mut evidence) else {
        evidence.push(format!("{variant}: no valid sweep"));
        return (Verdict::NotEnoughEvidence, evidence);
    };
    let mut others = Vec::new();
    for name in versus {
        match capacity(name, &mut evidence) {
            Some(bounds) => others.push(bounds),
            None => {
                evidence.push(format!("{name}: no valid sweep"));
                return (Verdict::NotEnoughEvidence, evidence);
            }
        }
    }
    let inside = lo >= low_band && hi <= high_band;
    let outside = hi < low_band || lo > high_band;
    let others_above = others.iter().all(|(lo, _)| *lo > high_band);
    let some_other_inside = others.iter().any(|(_, hi)| *hi <= high_band);
    let verdict = if inside && others_above {
        Verdict::Supported
    } else if outside || some_other_inside {
        Verdict::Contradicted
    } else {
        Verdict::NotEnoughEvidence
    };
    (verdict, evidence)
}

/// Decided on every repetition's p99 (min and max over repetitions) at the highest /cpu rate.
fn ping_stall(
    figures: &[LoopBlockingFigures],
    variants: &[String],
    versus: &[String],
    fraction: f64,
) -> (Verdict, Vec<String>) {
    let mut evidence = Vec::new();
    let mut spans = |names: &[String]| -> Option<Vec<(f64, f64, f64)>> {
        let mut out = Vec::new();
        for name in names {
            let found = figures.iter().find(|f| &f.variant == name);
            let top = found.and_then(|f| {
                let point = f
                    .points
                    .iter()
                    .max_by(|a, b| a.cpu_rate_per_s.total_cmp(&b.cpu_rate_per_s))?;
                Some((point, f.cpu_ms_median?))
            });
            let Some((point, cpu_ms)) = top else {
                evidence.push(format!("{name}: no valid run"));
                return None;
            };
            let (Some(min), Some(max)) = (point.ping_p99_ns_min, point.ping_p99_ns_max) else {
                evidence.push(format!("{name}: too few /ping samples for a p99"));
                return None;
            };
            evidence.push(format!(
                "{name}: /ping p99 {:.1}–{:.1} ms at {:.0} /cpu per s (one /cpu ≈ {cpu_ms:.1} ms)",
                min / 1e6,
                max / 1e6,
                point.cpu_rate_per_s
            ));
            out.push((min / 1e6, max / 1e6, cpu_ms));
        }
        Some(out)
    };
    let (Some(stalled), Some(offloaded)) = (spans(variants), spans(versus)) else {
        return (Verdict::NotEnoughEvidence, evidence);
    };
    evidence.push(format!("threshold: {fraction} × one /cpu request"));
    let all_stalled = stalled.iter().all(|(min, _, cpu)| *min >= fraction * cpu);
    let all_fast = offloaded.iter().all(|(_, max, cpu)| *max < fraction * cpu);
    let some_unstalled = stalled.iter().any(|(_, max, cpu)| *max < fraction * cpu);
    let verdict = if all_stalled && all_fast {
        Verdict::Supported
    } else if some_unstalled {
        Verdict::Contradicted
    } else {
        Verdict::NotEnoughEvidence
    };
    (verdict, evidence)
}

fn memory_ratio(
    memory: &[TaskMemory],
    variants: &[String],
    versus: &[String],
    factor: f64,
) -> (Verdict, Vec<String>) {
    let mut evidence = Vec::new();
    let mut bounds = |names: &[String]| -> Option<Vec<(f64, f64)>> {
        let mut out = Vec::new();
        for name in names {
            let found = memory.iter().find(|m| &m.variant == name);
            match found.and_then(|m| {
                Some((
                    m.bytes_per_task?,
                    m.bytes_per_task_ci_low?,
                    m.bytes_per_task_ci_high?,
                ))
            }) {
                Some((b, lo, hi)) => {
                    evidence.push(format!("{name}: {b:.0} bytes/task (95% CI {lo:.0}–{hi:.0})"));
                    out.push((lo, hi));
                }
                None => {
                    evidence.push(format!(
                        "{name}: no bytes/task (fewer than two task counts measured)"
                    ));
                    return None;
                }
            }
        }
        Some(out)
    };
    let (Some(dear), Some(cheap)) = (bounds(variants), bounds(versus)) else {
        return (Verdict::NotEnoughEvidence, evidence);
    };
    let dear_low = dear.iter().map(|b| b.0).fold(f64::INFINITY, f64::min);
    let dear_high = dear.iter().map(|b| b.1).fold(f64::INFINITY, f64::min);
    let cheap_high = cheap.iter().map(|b| b.1).fold(0.0, f64::max);
    let cheap_low = cheap.iter().map(|b| b.0).fold(0.0, f64::max);
    evidence.push(format!(
        "cheapest of the first group ≥ {factor}× the dearest of the second? {:.0} vs {factor} × {:.0} (interval bounds)",
        dear_low, cheap_high
    ));
    let verdict = if dear_low >= factor * cheap_high {
        Verdict::Supported
    } else if dear_high < factor * cheap_low {
        Verdict::Contradicted
    } else {
        Verdict::NotEnoughEvidence
    };
    (verdict, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_claim_parses_and_names_a_known_kind() {
        let claims = builtin();
        assert!(claims.len() >= 6);
        let ids: std::collections::BTreeSet<_> = claims.iter().map(|c| &c.id).collect();
        assert_eq!(ids.len(), claims.len(), "claim ids are unique");
    }

    fn point(variant: &str, workers: u64, speedup: f64, lo: f64, hi: f64) -> SpeedupPoint {
        SpeedupPoint {
            variant: variant.into(),
            workers,
            speedup,
            speedup_ci_low: lo,
            speedup_ci_high: hi,
            wall_ns_median: 1.0,
            cpu_ns_median: 1.0,
            peak_tree_rss_bytes_median: None,
        }
    }

    #[test]
    fn speedup_verdicts_follow_the_interval() {
        let v = |p: SpeedupPoint, at_least| speedups(&[p], &["x/y".into()], 2, 1.3, at_least).0;
        assert_eq!(v(point("x/y", 2, 1.8, 1.6, 1.9), true), Verdict::Supported);
        assert_eq!(v(point("x/y", 2, 1.1, 1.0, 1.2), true), Verdict::Contradicted);
        assert_eq!(
            v(point("x/y", 2, 1.35, 1.2, 1.5), true),
            Verdict::NotEnoughEvidence
        );
        assert_eq!(v(point("x/y", 2, 1.0, 0.9, 1.1), false), Verdict::Supported);
        assert_eq!(
            v(point("x/y", 4, 1.0, 0.9, 1.1), false),
            Verdict::NotEnoughEvidence,
            "W=2 missing"
        );
    }
}
