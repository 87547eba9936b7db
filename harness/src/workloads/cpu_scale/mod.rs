//! cpu-scale: a pure-language integer kernel over C equal chunks processed by W workers,
//! partials summed in chunk order (workloads/README.md). Owns the invariants (the kernel's
//! reference checksum lives in `reference::chunk_hash`, shared with loop-blocking's `/cpu`), the
//! speedup of W workers over W = 1 (wall and in-process work time, rounds paired) and the cores in use within each process, their
//! table and chart, `cite … speedup` / `cores_in_use`, and the claims over both.

use anyhow::{bail, Result};
use arena_results::{CaseRecord, Estimate, FailureKind, RunRecord};
use serde::Deserialize;

use super::module::{Metric, WorkloadModule};
use super::reference::chunk_hash::checksum;
use crate::analyse::claims::{Bound, BoundChecks, ClaimContext, Judgement, TIMES};
use crate::measure::executor::Execution;
use crate::measure::judge::{Invariant, Params};
use crate::present::chart_model::{Chart, Line, ReferenceLine};
use crate::present::cite::Citation;
use crate::present::table::{estimate_with_level, level_percent};
use crate::present::Table;
use figures::speedups;
pub use figures::SpeedupPoint;

pub mod figures;

pub const ID: &str = "cpu-scale";
/// Speedup vs workers, one line per variant.
pub const SPEEDUP_CHART: &str = "cpu-scale-speedup";

/// The claim tests, all at W = the machine's logical cores (always planned: the
/// `pow2-to-2x-cores` rule adds it). Each variant is checked twice, on the paired speedup by
/// wall time and by in-process work time; the cores each process kept busy are shown beside.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CpuScaleClaim {
    /// The speedup is at most `threshold` (it does not speed up).
    SpeedupAtMost { variants: Vec<String>, threshold: f64 },
    /// The speedup is at least `share_of_cores` × the cores (it scales to the core count).
    SpeedupAtLeast {
        variants: Vec<String>,
        share_of_cores: f64,
    },
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
                        "{:.2}× [{:.2}–{:.2}] ({}%)",
                        p.speedup,
                        p.speedup_ci_low,
                        p.speedup_ci_high,
                        level_percent(p.speedup_ci_level)
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

    fn metrics(&self) -> Vec<Metric<Vec<SpeedupPoint>>> {
        vec![
            Metric::citable("speedup", SPEEDUP_METHOD, |points, case, _| {
                speedup_citation(points, case)
            }),
            Metric::citable("cores_in_use", CORES_METHOD, |points, case, _| {
                cores_citation(points, case)
            }),
        ]
    }

    fn claim_variants(&self, claim: &CpuScaleClaim) -> Vec<String> {
        match claim {
            CpuScaleClaim::SpeedupAtMost { variants, .. }
            | CpuScaleClaim::SpeedupAtLeast { variants, .. } => variants.clone(),
        }
    }

    fn judge_claim(
        &self,
        claim: &CpuScaleClaim,
        points: &Vec<SpeedupPoint>,
        ctx: &ClaimContext,
    ) -> Judgement {
        let cores = ctx.logical_cores;
        match claim {
            CpuScaleClaim::SpeedupAtMost { variants, threshold } => {
                judge_points(points, variants, cores, Bound::AtMost(*threshold))
            }
            CpuScaleClaim::SpeedupAtLeast {
                variants,
                share_of_cores,
            } => judge_points(
                points,
                variants,
                cores,
                Bound::AtLeast(share_of_cores * cores as f64),
            ),
        }
    }
}

fn interval_text(e: &Estimate, unit: &str) -> String {
    estimate_with_level(e, 1.0, 2, unit)
}

const SPEEDUP_METHOD: &str = "speedup: median over rounds of wall(W=1) / wall(W) of the same variant and job, the two processes of a round paired (each round runs every case once, the workloads in shuffled order and each one's cases back to back in shuffled order, so the two run seconds apart), with the order-statistic interval of the ratios and its coverage; speedup (work): the same from each process's own work_ns, start-up excluded; cores in use: CPU time / wall time within each process of the case (wait4), median and order-statistic interval over its processes — drift between processes cannot move it, start-up on one core can only lower it. Warnings: work_ns above the wall time, or start-up above half of it";
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
            "{}% interval {:.2}–{:.2}",
            level_percent(p.speedup_ci_level),
            p.speedup_ci_low,
            p.speedup_ci_high
        ),
        basis: format!(
            "median of {} paired per-round ratios of wall times{work}",
            p.pairs
        ),
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
            "{}% interval {:.2}–{:.2}",
            level_percent(e.ci_level),
            e.ci_low,
            e.ci_high
        ),
        basis: format!(
            "CPU time / wall time, median of {} process-level repetitions",
            e.n
        ),
    })
}

/// Each variant at W = `cores`: its paired speedup by wall time and by work time against `bound`,
/// the cores in use named beside (they show spinning or runtime threads, not progress).
fn judge_points(points: &[SpeedupPoint], variants: &[String], cores: u64, bound: Bound) -> Judgement {
    let mut checks = BoundChecks::new();
    for variant in variants {
        let Some(p) = points
            .iter()
            .find(|p| &p.variant == variant && p.workers == cores)
        else {
            checks.missing(format!(
                "{variant} at W = {cores} (the cores): no valid measurement (the suite must plan W = cores; its `pow2-to-2x-cores` rule does)"
            ));
            continue;
        };
        let busy = p
            .cores_in_use
            .as_ref()
            .map_or("cores in use unknown".into(), |e| {
                format!("cores in use {}", interval_text(e, ""))
            });
        for (clock, ratios) in [("wall", &p.speedup_by_round), ("work", &p.work_speedup_by_round)] {
            let what =
                format!("{variant} at W = {cores} cores ({busy}): speedup by {clock} time, rounds paired");
            if ratios.is_empty() {
                checks.missing(format!("{what}: no paired round"));
            } else {
                checks.values(what, ratios.clone(), bound, TIMES);
            }
        }
    }
    checks.verdict()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::claims::Verdict;
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

    fn point(variant: &str, workers: u64, ratios: &[f64]) -> SpeedupPoint {
        let e = crate::analyse::stats::estimate(ratios);
        SpeedupPoint {
            variant: variant.into(),
            workers,
            speedup: e.median,
            speedup_ci_low: e.ci_low,
            speedup_ci_high: e.ci_high,
            speedup_ci_level: e.ci_level,
            pairs: ratios.len() as u32,
            speedup_by_round: ratios.to_vec(),
            work_speedup_by_round: ratios.iter().map(|r| r * 1.01).collect(),
            work_speedup: None,
            cores_in_use: None,
            wall_ns_median: 1.0,
            cpu_ns_median: 1.0,
            peak_tree_rss_bytes_median: None,
            warnings: vec![],
        }
    }

    fn judge(claim: &str, points: &[SpeedupPoint], cores: u64) -> Judgement {
        let claim: CpuScaleClaim = toml::from_str(claim).unwrap();
        CpuScale.judge_claim(&claim, &points.to_vec(), &ClaimContext { logical_cores: cores })
    }

    const SCALES: &str = "kind = \"speedup_at_least\"\nvariants = [\"x/y\"]\nshare_of_cores = 0.75";
    const FLAT: &str = "kind = \"speedup_at_most\"\nvariants = [\"x/y\"]\nthreshold = 1.15";

    #[test]
    fn scaling_is_judged_on_speedup_at_w_equal_cores_relative_to_the_cores() {
        let near = |c: f64| {
            [
                c - 0.05,
                c - 0.02,
                c,
                c + 0.02,
                c + 0.05,
                c + 0.01,
                c - 0.01,
                c + 0.03,
            ]
        };
        // 6 cores, a share of 0.75: needs 4.5×; W = 6 is judged, not W = 4 or 8.
        let six = [
            point("x/y", 4, &near(3.9)),
            point("x/y", 6, &near(5.6)),
            point("x/y", 8, &near(1.0)),
        ];
        assert_eq!(judge(SCALES, &six, 6).verdict, Verdict::Supported);
        // The same 5.6× on 8 cores needs 6×: contradicted, by wall and by work time.
        let eight = [point("x/y", 8, &near(5.6))];
        let judged = judge(SCALES, &eight, 8);
        assert_eq!(judged.verdict, Verdict::Contradicted, "{:?}", judged.evidence);
        assert_eq!(judged.family.checks, 2, "wall and work");
        // Straddling the threshold: not enough evidence.
        let close = [point("x/y", 2, &[1.3, 1.6, 1.45, 1.55, 1.4, 1.62, 1.35, 1.58])];
        assert_eq!(judge(SCALES, &close, 2).verdict, Verdict::NotEnoughEvidence);
        // No case at W = cores: not enough evidence, and it says why.
        let judged = judge(SCALES, &[point("x/y", 4, &near(3.9))], 6);
        assert_eq!(judged.verdict, Verdict::NotEnoughEvidence);
        assert!(judged.evidence[0].contains("W = cores"), "{:?}", judged.evidence);
    }

    #[test]
    fn threads_that_do_not_speed_up_are_judged_on_speedup_too() {
        let flat = [point("x/y", 2, &[0.98, 1.01, 0.99, 1.02, 1.0, 0.97])];
        assert_eq!(judge(FLAT, &flat, 2).verdict, Verdict::Supported);
        let fast = [point("x/y", 2, &[1.8, 1.9, 1.85, 1.95, 1.7, 1.88, 1.92, 1.83])];
        assert_eq!(judge(FLAT, &fast, 2).verdict, Verdict::Contradicted);
        // Three rounds cover 75% at most: no verdict.
        let few = [point("x/y", 2, &[0.98, 1.01, 0.99])];
        let judged = judge(FLAT, &few, 2);
        assert_eq!(judged.verdict, Verdict::NotEnoughEvidence);
        assert!(judged.evidence[0].contains("too few"), "{:?}", judged.evidence);
    }
}
