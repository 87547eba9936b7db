//! cpu-scale: a pure-language integer kernel over C equal chunks processed by W workers,
//! partials summed in chunk order (workloads/README.md). Owns the invariants (the kernel's
//! reference checksum lives in `reference::chunk_hash`, shared with loop-blocking's `/cpu`), the
//! speedup of W workers over W = 1 (wall and in-process work time, rounds paired) and the cores in use within each process, their
//! table and chart, `cite … speedup` / `cores_in_use`, and the claims over both.

use anyhow::{bail, Result};
use arena_results::{CaseRecord, Estimate, FailureKind, RunRecord};
use serde::Deserialize;

use super::module::WorkloadModule;
use super::reference::chunk_hash::checksum;
use crate::analyse::claims::{BoundChecks, ClaimContext, Verdict};
use crate::measure::executor::Execution;
use crate::measure::judge::{Invariant, Params};
use crate::present::chart_model::{Chart, Line, ReferenceLine};
use crate::present::cite::Citation;
use crate::present::Table;
use figures::speedups;
pub use figures::SpeedupPoint;

pub mod figures;

pub const ID: &str = "cpu-scale";
/// Speedup vs workers, one line per variant.
pub const SPEEDUP_CHART: &str = "cpu-scale-speedup";

/// The claim tests (`workers = 0` means the machine's logical cores). Each compares the
/// interval of one figure per variant at W = `workers` with `threshold`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CpuScaleClaim {
    /// The paired wall-time speedup is at most `threshold`.
    SpeedupAtMost {
        variants: Vec<String>,
        workers: u64,
        threshold: f64,
    },
    /// The paired wall-time speedup is at least `threshold`.
    SpeedupAtLeast {
        variants: Vec<String>,
        workers: u64,
        threshold: f64,
    },
    /// The cores a process keeps busy are at most `threshold`.
    CoresInUseAtMost {
        variants: Vec<String>,
        workers: u64,
        threshold: f64,
    },
    /// The cores a process keeps busy are at least `threshold`.
    CoresInUseAtLeast {
        variants: Vec<String>,
        workers: u64,
        threshold: f64,
    },
}

/// Which figure a claim reads.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Figure {
    Speedup,
    CoresInUse,
}

pub struct CpuScale;

fn param(params: &Params, key: &str) -> Result<u64, String> {
    params
        .get(key)
        .copied()
        .ok_or_else(|| format!("{ID} needs parameter {key}"))
}

impl WorkloadModule for CpuScale {
    type Figures = Vec<SpeedupPoint>;
    type Claim = CpuScaleClaim;

    fn id(&self) -> &'static str {
        ID
    }

    fn expected_checksum(&self, _model: &str, params: &Params) -> Result<Option<String>, String> {
        Ok(Some(
            checksum(param(params, "chunks")?, param(params, "items")?).to_string(),
        ))
    }

    fn invariants(&self, params: &Params, exec: &Execution) -> Result<Vec<Invariant>, (FailureKind, String)> {
        let Some(result) = exec.first_event("result") else {
            return Err((FailureKind::ProtocolError, "no `result` event".into()));
        };
        let p = |k: &str| params.get(k).copied().unwrap_or(0) as i64;
        let ops = p("chunks") * p("items");
        Ok(vec![
            Invariant::new(
                result.int("workers") == Some(p("workers")),
                format!(
                    "result.workers {:?} == workers {}",
                    result.int("workers"),
                    p("workers")
                ),
            ),
            Invariant::new(
                result.int("ops") == Some(ops),
                format!("result.ops {:?} == chunks*items {ops}", result.int("ops")),
            ),
        ])
    }

    fn derive(&self, cases: &[&CaseRecord]) -> Vec<SpeedupPoint> {
        speedups(cases)
    }

    fn tables(&self, points: &Vec<SpeedupPoint>) -> Vec<Table> {
        let rows = points
            .iter()
            .map(|p| {
                vec![
                    p.variant.clone(),
                    p.workers.to_string(),
                    format!(
                        "{:.2}× [{:.2}–{:.2}] ({:.0}%)",
                        p.speedup,
                        p.speedup_ci_low,
                        p.speedup_ci_high,
                        p.speedup_ci_level * 100.0
                    ),
                    p.work_speedup
                        .as_ref()
                        .map_or("–".into(), |e| interval_text(e, "×")),
                    p.cores_in_use
                        .as_ref()
                        .map_or("–".into(), |e| interval_text(e, "")),
                    format!("{:.3}", p.wall_ns_median / 1e9),
                    format!("{:.3}", p.cpu_ns_median / 1e9),
                    p.warnings.join("; "),
                ]
            })
            .collect();
        vec![Table::new(
            "speedup over W = 1 and cores in use (median [interval] (its coverage))",
            &[
                "variant",
                "W",
                "speedup (wall)",
                "speedup (work)",
                "cores in use",
                "wall median [s]",
                "CPU median [s]",
                "warnings",
            ],
            rows,
            SPEEDUP_METHOD,
        )]
    }

    fn charts(&self, points: &Vec<SpeedupPoint>, record: &RunRecord) -> Vec<Chart> {
        if points.is_empty() {
            return Vec::new();
        }
        let cores = f64::from(record.environment.logical_cores);
        let level = crate::present::table::interval_level_text(points.iter().map(|p| p.speedup_ci_level));
        let mut by_variant: std::collections::BTreeMap<&str, Vec<(f64, f64, f64, f64)>> = Default::default();
        for p in points {
            by_variant.entry(&p.variant).or_default().push((
                p.workers as f64,
                p.speedup,
                p.speedup_ci_low,
                p.speedup_ci_high,
            ));
        }
        let lines = by_variant
            .into_iter()
            .map(|(variant, points)| {
                let at2 = points
                    .iter()
                    .find(|p| p.0 == 2.0)
                    .map(|p| format!(" ({:.2}x at W=2)", p.1))
                    .unwrap_or_default();
                Line::new(variant, format!("{variant}{at2}"), points)
            })
            .collect();
        let chart = Chart::new(
            SPEEDUP_CHART,
            format!("cpu-scale: speedup over 1 worker (median, {level})"),
            "workers W".into(),
            "speedup = wall(W=1) / wall(W)  [x]".into(),
            false,
            lines,
        )
        .with_reference(ReferenceLine {
            label: format!("ideal: min(W, {cores} cores)"),
            cores,
        });
        vec![chart]
    }

    fn headlines(&self, points: &Vec<SpeedupPoint>) -> Vec<crate::analyse::trend::Headline> {
        // Each variant at its most workers: the speedup a lesson quotes.
        let mut most: std::collections::BTreeMap<&str, &SpeedupPoint> = Default::default();
        for p in points {
            let entry = most.entry(&p.variant).or_insert(p);
            if p.workers > entry.workers {
                *entry = p;
            }
        }
        most.values()
            .map(|p| crate::analyse::trend::Headline {
                figure: "speedup at the most workers [×]".into(),
                series: format!("{} (W={})", p.variant, p.workers),
                median: p.speedup,
                low: p.speedup_ci_low,
                high: p.speedup_ci_high,
                level: p.speedup_ci_level,
            })
            .collect()
    }

    fn methods(&self) -> Vec<(&'static str, &'static str)> {
        vec![("speedup", SPEEDUP_METHOD), ("cores_in_use", CORES_METHOD)]
    }

    fn cite_metrics(&self) -> Vec<&'static str> {
        vec!["speedup", "cores_in_use"]
    }

    fn cite(&self, points: &Vec<SpeedupPoint>, case: &CaseRecord, metric: &str) -> Option<Result<Citation>> {
        match metric {
            "speedup" => Some(speedup_citation(points, case)),
            "cores_in_use" => Some(cores_citation(points, case)),
            _ => None,
        }
    }

    fn claim_variants(&self, claim: &CpuScaleClaim) -> Vec<String> {
        claim_parts(claim).0.clone()
    }

    fn judge_claim(
        &self,
        claim: &CpuScaleClaim,
        points: &Vec<SpeedupPoint>,
        ctx: &ClaimContext,
    ) -> (Verdict, Vec<String>) {
        let (variants, workers, threshold, at_least, figure) = claim_parts(claim);
        let workers = if workers == 0 { ctx.logical_cores } else { workers };
        judge_points(points, variants, workers, threshold, at_least, figure)
    }
}

/// (variants, workers, threshold, at least?, figure) of a claim.
fn claim_parts(claim: &CpuScaleClaim) -> (&Vec<String>, u64, f64, bool, Figure) {
    use CpuScaleClaim::*;
    match claim {
        SpeedupAtMost {
            variants,
            workers,
            threshold,
        } => (variants, *workers, *threshold, false, Figure::Speedup),
        SpeedupAtLeast {
            variants,
            workers,
            threshold,
        } => (variants, *workers, *threshold, true, Figure::Speedup),
        CoresInUseAtMost {
            variants,
            workers,
            threshold,
        } => (variants, *workers, *threshold, false, Figure::CoresInUse),
        CoresInUseAtLeast {
            variants,
            workers,
            threshold,
        } => (variants, *workers, *threshold, true, Figure::CoresInUse),
    }
}

fn interval_text(e: &Estimate, unit: &str) -> String {
    format!(
        "{:.2}{unit} [{:.2}–{:.2}] ({:.0}%)",
        e.median,
        e.ci_low,
        e.ci_high,
        e.ci_level * 100.0
    )
}

const SPEEDUP_METHOD: &str = "speedup: median over rounds of wall(W=1) / wall(W) of the same variant and job, the two processes of a round paired (each round runs every case once, in shuffled order), with the order-statistic interval of the ratios and its coverage; speedup (work): the same from each process's own work_ns, start-up excluded; cores in use: CPU time / wall time within each process of the case (wait4), median and order-statistic interval over its processes — drift between processes cannot move it, start-up on one core can only lower it. Warnings: work_ns above the wall time, or start-up above half of it";
const CORES_METHOD: &str = "cpu-scale: (user + system CPU from wait4) / wall time of each process of the case, median and order-statistic interval over its processes (coverage as stated); the cores the process kept busy, start-up included";

fn point_of<'a>(points: &'a [SpeedupPoint], case: &CaseRecord) -> Option<&'a SpeedupPoint> {
    let workers = case.params.get("workers").copied().unwrap_or(0);
    points
        .iter()
        .find(|p| p.variant == case.variant && p.workers == workers)
}

fn speedup_citation(points: &[SpeedupPoint], case: &CaseRecord) -> Result<Citation> {
    let Some(p) = point_of(points, case) else {
        bail!(
            "METRIC speedup: no speedup for {} (it exists for {ID} cases that succeeded)",
            case.case_id
        );
    };
    let work = p.work_speedup.as_ref().map_or(String::new(), |w| {
        format!("; from in-process work time {:.2}×", w.median)
    });
    Ok(Citation {
        name: "speedup over W=1".into(),
        value: format!("{:.2}×", p.speedup),
        interval: format!(
            "{:.0}% interval {:.2}–{:.2}",
            p.speedup_ci_level * 100.0,
            p.speedup_ci_low,
            p.speedup_ci_high
        ),
        basis: format!(
            "median of {} paired per-round ratios of wall times{work}",
            p.pairs
        ),
        method_key: "speedup".into(),
    })
}

fn cores_citation(points: &[SpeedupPoint], case: &CaseRecord) -> Result<Citation> {
    let Some(e) = point_of(points, case).and_then(|p| p.cores_in_use.as_ref()) else {
        bail!(
            "METRIC cores_in_use: none for {} (it exists for {ID} cases that succeeded)",
            case.case_id
        );
    };
    Ok(Citation {
        name: "cores in use".into(),
        value: format!("{:.2}", e.median),
        interval: format!(
            "{:.0}% interval {:.2}–{:.2}",
            e.ci_level * 100.0,
            e.ci_low,
            e.ci_high
        ),
        basis: format!(
            "CPU time / wall time, median of {} process-level repetitions",
            e.n
        ),
        method_key: "cores_in_use".into(),
    })
}

fn judge_points(
    points: &[SpeedupPoint],
    variants: &[String],
    workers: u64,
    threshold: f64,
    at_least: bool,
    figure: Figure,
) -> (Verdict, Vec<String>) {
    let mut checks = BoundChecks::new();
    for variant in variants {
        let found = points
            .iter()
            .find(|p| &p.variant == variant && p.workers == workers);
        let bounds = found.and_then(|p| match figure {
            Figure::Speedup => Some((p.speedup, p.speedup_ci_low, p.speedup_ci_high, p.speedup_ci_level)),
            Figure::CoresInUse => p
                .cores_in_use
                .as_ref()
                .map(|e| (e.median, e.ci_low, e.ci_high, e.ci_level)),
        });
        let Some((median, low, high, level)) = bounds else {
            checks.missing(format!("{variant} at W={workers}: no valid measurement"));
            continue;
        };
        let (name, context) = match (figure, found) {
            (Figure::CoresInUse, Some(p)) => ("cores in use", format!("; wall speedup {:.2}×", p.speedup)),
            _ => ("speedup (wall, paired rounds)", String::new()),
        };
        let evidence = format!(
            "{variant} at W={workers}: {name} {median:.2} ({:.0}% interval {low:.2}–{high:.2}); threshold {} {threshold:.2}{context}",
            level * 100.0,
            if at_least { "≥" } else { "≤" }
        );
        let (pass, fail) = if at_least {
            (low >= threshold, high < threshold)
        } else {
            (high <= threshold, low > threshold)
        };
        checks.check(level, pass, fail, evidence);
    }
    checks.verdict()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::protocol::parse_line;

    #[test]
    fn matches_the_contract_test_vectors() {
        assert_eq!(checksum(1, 1), 84_694_791);
        assert_eq!(checksum(4, 1000), 14_385_195_142);
        assert_eq!(checksum(16, 1000), 47_801_991_433);
        assert_eq!(checksum(16, 100_000), 25_229_320_511);
    }

    #[test]
    fn a_missing_size_is_an_error_not_a_pass() {
        let params: Params = [("chunks".to_string(), 1)].into_iter().collect();
        assert!(CpuScale.expected_checksum("threads", &params).is_err());
    }

    #[test]
    fn invariants_check_the_echoed_workers_and_ops() {
        let params: Params = [("chunks", 1), ("items", 1), ("workers", 2)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let exec = |line: &str| Execution {
            events: vec![parse_line(line, 0).unwrap()],
            ..Default::default()
        };
        let holds = |line| {
            CpuScale
                .invariants(&params, &exec(line))
                .unwrap()
                .iter()
                .all(|i| i.holds)
        };
        assert!(holds(
            r#"{"event":"result","checksum":"84694791","ops":1,"workers":2}"#
        ));
        assert!(!holds(
            r#"{"event":"result","checksum":"84694791","ops":1,"workers":1}"#
        ));
        assert!(!holds(
            r#"{"event":"result","checksum":"84694791","ops":2,"workers":2}"#
        ));
    }

    fn point(variant: &str, workers: u64, speedup: f64, lo: f64, hi: f64) -> SpeedupPoint {
        SpeedupPoint {
            variant: variant.into(),
            workers,
            speedup,
            speedup_ci_low: lo,
            speedup_ci_high: hi,
            speedup_ci_level: 0.969,
            pairs: 6,
            work_speedup: None,
            cores_in_use: None,
            wall_ns_median: 1.0,
            cpu_ns_median: 1.0,
            peak_tree_rss_bytes_median: None,
            warnings: vec![],
        }
    }

    #[test]
    fn speedup_verdicts_follow_the_interval_and_its_level() {
        let v = |p: SpeedupPoint, at_least| {
            judge_points(&[p], &["x/y".into()], 2, 1.3, at_least, Figure::Speedup).0
        };
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
        let mut three = point("x/y", 2, 1.8, 1.6, 1.9);
        three.speedup_ci_level = 0.75;
        assert_eq!(
            v(three, true),
            Verdict::NotEnoughEvidence,
            "a 75% interval decides nothing"
        );
    }
}
