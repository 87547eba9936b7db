//! cpu-scale: a pure-language integer kernel over C equal chunks processed by W workers,
//! partials summed in chunk order (workloads/README.md). Owns the kernel's reference checksum
//! (also used by loop-blocking's `/cpu`), the invariants, the speedup of W workers over W = 1,
//! its table and chart, `cite … speedup`, and the `speedup_at_most` / `speedup_at_least` claims.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use anyhow::{bail, Result};
use arena_results::{CaseRecord, CaseStatus, FailureKind, RunRecord};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::module::WorkloadModule;
use crate::analyse::claims::{BoundChecks, ClaimContext, Verdict};
use crate::analyse::stats;
use crate::analyse::summary::valid_values;
use crate::measure::executor::Execution;
use crate::measure::judge::{Invariant, Params};
use crate::present::chart::{Chart, Line, ReferenceLine};
use crate::present::cite::Citation;
use crate::present::Table;

pub const ID: &str = "cpu-scale";
/// Speedup vs workers, one line per variant.
pub const SPEEDUP_CHART: &str = "cpu-scale-speedup";
/// Seed of the bootstrap resampling of speedup intervals (fixed, so a report is reproducible).
const BOOTSTRAP_SEED: u64 = 0x5eed;

/// One chunk of the kernel (u32 arithmetic modulo 2^32).
pub fn partial(chunk: u64, items: u64) -> u32 {
    let mut h: u32 = 2_166_136_261;
    let base = (chunk.wrapping_mul(items)) as u32;
    for i in 0..items {
        let v = base.wrapping_add(i as u32);
        h = (h ^ v).wrapping_mul(16_777_619);
        h ^= h >> 15;
    }
    h
}

/// Sum of the partials in chunk order; chunks are computed in parallel (rayon). Memoized: a
/// suite asks for the same job once per variant and worker count.
pub fn checksum(chunks: u64, items: u64) -> u64 {
    static MEMO: OnceLock<Mutex<HashMap<(u64, u64), u64>>> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    if let Some(sum) = memo.lock().expect("memo lock").get(&(chunks, items)) {
        return *sum;
    }
    let partials: Vec<u32> = (0..chunks).into_par_iter().map(|c| partial(c, items)).collect();
    let sum = partials.into_iter().map(u64::from).sum();
    memo.lock().expect("memo lock").insert((chunks, items), sum);
    sum
}

/// cpu-scale: speedup of W workers over W = 1 of the same variant and parameters.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct SpeedupPoint {
    pub variant: String,
    pub workers: u64,
    /// median wall(W=1) / median wall(W); interval by bootstrap over repetitions.
    pub speedup: f64,
    pub speedup_ci_low: f64,
    pub speedup_ci_high: f64,
    pub wall_ns_median: f64,
    pub cpu_ns_median: f64,
    pub peak_tree_rss_bytes_median: Option<f64>,
}

/// The claim tests over speedups (`workers = 0` means the machine's logical cores).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CpuScaleClaim {
    /// Every listed variant's speedup at W = `workers` is at most `threshold`.
    SpeedupAtMost {
        variants: Vec<String>,
        workers: u64,
        threshold: f64,
    },
    /// Every listed variant's speedup at W = `workers` is at least `threshold`.
    SpeedupAtLeast {
        variants: Vec<String>,
        workers: u64,
        threshold: f64,
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

    fn expected_checksum(&self, params: &Params) -> Result<Option<String>, String> {
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
                    format!("{:.2}×", p.speedup),
                    format!("{:.2}–{:.2}", p.speedup_ci_low, p.speedup_ci_high),
                    format!("{:.3}", p.wall_ns_median / 1e9),
                    format!("{:.3}", p.cpu_ns_median / 1e9),
                ]
            })
            .collect();
        vec![Table::new(
            "speedup over W = 1 (median wall, 95% bootstrap CI)",
            &[
                "variant",
                "W",
                "speedup",
                "95% CI",
                "wall median [s]",
                "CPU median [s]",
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
            "cpu-scale: speedup over 1 worker (median, 95% CI)".into(),
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

    fn methods(&self) -> Vec<(&'static str, &'static str)> {
        vec![("speedup", SPEEDUP_METHOD)]
    }

    fn cite_metrics(&self) -> Vec<&'static str> {
        vec!["speedup"]
    }

    fn cite(&self, points: &Vec<SpeedupPoint>, case: &CaseRecord, metric: &str) -> Option<Result<Citation>> {
        (metric == "speedup").then(|| speedup_citation(points, case))
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
    ) -> (Verdict, Vec<String>) {
        let (variants, workers, threshold, at_least) = match claim {
            CpuScaleClaim::SpeedupAtMost {
                variants,
                workers,
                threshold,
            } => (variants, *workers, *threshold, false),
            CpuScaleClaim::SpeedupAtLeast {
                variants,
                workers,
                threshold,
            } => (variants, *workers, *threshold, true),
        };
        let workers = if workers == 0 { ctx.logical_cores } else { workers };
        judge_speedups(points, variants, workers, threshold, at_least)
    }
}

const SPEEDUP_METHOD: &str = "median wall(W=1) / median wall(W) of the same variant and job; 95% percentile bootstrap (2000 resamples) over repetitions";

fn speedups(cases: &[&CaseRecord]) -> Vec<SpeedupPoint> {
    let ok: Vec<&CaseRecord> = cases
        .iter()
        .copied()
        .filter(|c| c.status == CaseStatus::Ok)
        .collect();
    let same_job = |a: &CaseRecord, b: &CaseRecord| {
        a.variant == b.variant
            && a.params
                .iter()
                .filter(|(k, _)| *k != "workers")
                .eq(b.params.iter().filter(|(k, _)| *k != "workers"))
    };
    let mut points = Vec::new();
    for case in &ok {
        let Some(base) = ok
            .iter()
            .find(|b| same_job(b, case) && b.params.get("workers") == Some(&1))
        else {
            continue;
        };
        let wall = |c: &CaseRecord| valid_values(c, |r| Some(r.wall_ns as f64));
        let (speedup, lo, hi) = stats::ratio_of_medians(&wall(base), &wall(case), BOOTSTRAP_SEED);
        let summary = case.summary.as_ref().expect("ok cases have a summary");
        points.push(SpeedupPoint {
            variant: case.variant.clone(),
            workers: case.params["workers"],
            speedup,
            speedup_ci_low: lo,
            speedup_ci_high: hi,
            wall_ns_median: summary.wall_ns.median,
            cpu_ns_median: summary.cpu_ns.median,
            peak_tree_rss_bytes_median: summary.peak_tree_rss_bytes.as_ref().map(|e| e.median),
        });
    }
    points.sort_by(|a, b| a.variant.cmp(&b.variant).then(a.workers.cmp(&b.workers)));
    points
}

fn speedup_citation(points: &[SpeedupPoint], case: &CaseRecord) -> Result<Citation> {
    let workers = case.params.get("workers").copied().unwrap_or(0);
    let Some(p) = points
        .iter()
        .find(|p| p.variant == case.variant && p.workers == workers)
    else {
        bail!(
            "METRIC speedup: no speedup for {} (it exists for {ID} cases that succeeded)",
            case.case_id
        );
    };
    Ok(Citation {
        name: "speedup over W=1".into(),
        value: format!("{:.2}×", p.speedup),
        interval: format!("95% CI {:.2}–{:.2}", p.speedup_ci_low, p.speedup_ci_high),
        basis: format!(
            "ratio of median wall times, {} process-level repetitions each",
            case.repetitions_planned
        ),
        method_key: "speedup".into(),
    })
}

fn judge_speedups(
    points: &[SpeedupPoint],
    variants: &[String],
    workers: u64,
    threshold: f64,
    at_least: bool,
) -> (Verdict, Vec<String>) {
    let mut checks = BoundChecks::new();
    for variant in variants {
        let Some(p) = points
            .iter()
            .find(|p| &p.variant == variant && p.workers == workers)
        else {
            checks.missing(format!("{variant} at W={workers}: no valid measurement"));
            continue;
        };
        let evidence = format!(
            "{variant} at W={workers}: {:.2}× (95% CI {:.2}–{:.2}); threshold {} {threshold:.2}×",
            p.speedup,
            p.speedup_ci_low,
            p.speedup_ci_high,
            if at_least { "≥" } else { "≤" }
        );
        let (pass, fail) = if at_least {
            (p.speedup_ci_low >= threshold, p.speedup_ci_high < threshold)
        } else {
            (p.speedup_ci_high <= threshold, p.speedup_ci_low > threshold)
        };
        checks.check(pass, fail, evidence);
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
        assert!(CpuScale.expected_checksum(&params).is_err());
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
            wall_ns_median: 1.0,
            cpu_ns_median: 1.0,
            peak_tree_rss_bytes_median: None,
        }
    }

    #[test]
    fn speedup_verdicts_follow_the_interval() {
        let v = |p: SpeedupPoint, at_least| judge_speedups(&[p], &["x/y".into()], 2, 1.3, at_least).0;
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
