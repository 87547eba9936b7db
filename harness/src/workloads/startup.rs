//! startup: a minimal program that parses its arguments, prints its result line and exits
//! (workloads/README.md, "Workload `startup`"). Owns the checksum (the seed, echoed), the
//! invariants, the time to exit of each start-up configuration (wall time from spawn to reaping,
//! as hyperfine -N measures it), its CPU time and peak RSS, the artifact size of each variant,
//! the ratio between variants paired by round, the table, chart, `cite` metrics and the claims
//! over those ratios. Must not measure anything itself: every figure comes from the repetitions.

use anyhow::Result;
use arena_results::{CaseRecord, Estimate, FailureKind, RunRecord};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::module::{Metric, WorkloadModule};
use crate::analyse::claims::{round_ratios_at_least, BoundChecks, ClaimContext, Judgement, RatioAtLeast};
use crate::analyse::stats::estimate;
use crate::analyse::summary::{valid_rounds, valid_values};
use crate::measure::executor::Execution;
use crate::measure::judge::{Invariant, Params};
use crate::present::chart_model::{Chart, Line};
use crate::present::cite::{no_figure, Citation};
use crate::present::table::estimate_with_level;
use crate::present::Table;

pub const ID: &str = "startup";
/// Time to exit per variant (median and interval), one point per variant.
pub const EXIT_CHART: &str = "startup-time-to-exit";

/// One start-up configuration's figures.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct StartupRow {
    pub variant: String,
    /// Harness clock from just before spawn to wait4's return.
    pub time_to_exit_ns: Estimate,
    /// user + system CPU of the process (wait4).
    pub cpu_ns: Estimate,
    /// What the variant launches from the project (binary, jar and archives, or sources).
    pub artifact_bytes: Option<u64>,
    /// (round, wall ns) of each valid repetition, for ratios paired by round.
    pub time_to_exit_rounds: Vec<(u32, f64)>,
}

/// The claim tests over start-up ratios.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StartupClaim {
    /// Every `variants` entry takes at least `factor` × as long to exit as every `versus`
    /// entry (time to exit, paired by round).
    ExitRatioAtLeast(RatioAtLeast),
}

pub struct Startup;

fn seed(params: &Params) -> Result<u64, String> {
    params
        .get("seed")
        .copied()
        .ok_or_else(|| format!("{ID} needs parameter seed"))
}

impl WorkloadModule for Startup {
    type Figures = Vec<StartupRow>;
    type Claim = StartupClaim;

    fn id(&self) -> &'static str {
        ID
    }

    fn expected_checksum(&self, _model: &str, params: &Params) -> Result<Option<String>, String> {
        Ok(Some(seed(params)?.to_string()))
    }

    fn invariants(
        &self,
        _params: &Params,
        exec: &Execution,
    ) -> Result<Vec<Invariant>, (FailureKind, String)> {
        let Some(result) = exec.first_event("result") else {
            return Err((FailureKind::ProtocolError, "no `result` event".into()));
        };
        Ok(vec![
            Invariant::new(
                result.int("ops") == Some(1),
                format!("result.ops {:?} == 1", result.int("ops")),
            ),
            Invariant::new(
                exec.events.len() == 1,
                format!("one event printed (the result line), got {}", exec.events.len()),
            ),
        ])
    }

    fn derive(&self, cases: &[&CaseRecord]) -> Vec<StartupRow> {
        cases.iter().filter_map(|case| row_of(case)).collect()
    }

    fn tables(&self, rows: &Vec<StartupRow>) -> Vec<Table> {
        let body = rows
            .iter()
            .map(|r| {
                vec![
                    r.variant.clone(),
                    ms_interval(&r.time_to_exit_ns),
                    ms_interval(&r.cpu_ns),
                    r.artifact_bytes
                        .map_or("–".into(), |b| format!("{:.2}", b as f64 / MIB)),
                    r.time_to_exit_ns.n.to_string(),
                ]
            })
            .collect();
        vec![Table::new(
            "time to exit of a minimal program (median [interval] (its coverage))",
            &[
                "variant",
                "time to exit [ms]",
                "CPU [ms]",
                "artifact [MiB]",
                "processes",
            ],
            body,
            EXIT_METHOD,
        )]
    }

    fn charts(&self, rows: &Vec<StartupRow>, _record: &RunRecord) -> Vec<Chart> {
        if rows.is_empty() {
            return Vec::new();
        }
        let lines = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let e = &r.time_to_exit_ns;
                let label = format!("{} ({:.1} ms)", r.variant, e.median / 1e6);
                Line::new(
                    &r.variant,
                    label,
                    vec![(i as f64 + 1.0, e.median / 1e6, e.ci_low / 1e6, e.ci_high / 1e6)],
                )
            })
            .collect();
        let level =
            crate::present::table::interval_level_text(rows.iter().map(|r| r.time_to_exit_ns.ci_level));
        vec![Chart::new(
            EXIT_CHART,
            format!("startup: time from spawn to exit (median, {level})"),
            "variant (in legend order)".into(),
            "time to exit [ms]".into(),
            false,
            lines,
        )]
    }

    fn headlines(&self, rows: &Vec<StartupRow>) -> Vec<crate::analyse::trend::Headline> {
        rows.iter()
            .map(|r| {
                crate::analyse::trend::Headline::of(
                    "time to exit [ms]",
                    r.variant.clone(),
                    &r.time_to_exit_ns,
                    1e6,
                )
            })
            .collect()
    }

    fn metrics(&self) -> Vec<Metric<Vec<StartupRow>>> {
        vec![
            Metric::citable("time_to_exit", EXIT_METHOD, |rows, case, _| {
                let Some(r) = rows.iter().find(|r| r.variant == case.variant) else {
                    return Err(no_figure(case));
                };
                Ok(Citation::of_estimate(
                    "time to exit",
                    &r.time_to_exit_ns,
                    (1e6, 2, "ms"),
                    format!("median of {} processes", r.time_to_exit_ns.n),
                ))
            }),
            Metric::citable("artifact_bytes", ARTIFACT_METHOD, |rows, case, _| {
                let row = rows.iter().find(|r| r.variant == case.variant);
                let Some(bytes) = row.and_then(|r| r.artifact_bytes) else {
                    return Err(no_figure(case));
                };
                Ok(Citation {
                    name: "artifact size".into(),
                    value: format!("{:.2} MiB ({bytes} bytes)", bytes as f64 / MIB),
                    interval: "exact (bytes on disk)".into(),
                    basis: case.artifact_paths.join(", "),
                })
            }),
            Metric::method_only("startup_ratio", RATIO_METHOD),
        ]
    }

    fn claim_variants(&self, claim: &StartupClaim) -> Vec<String> {
        let StartupClaim::ExitRatioAtLeast(ratio) = claim;
        ratio.named()
    }

    fn judge_claim(&self, claim: &StartupClaim, rows: &Vec<StartupRow>, _ctx: &ClaimContext) -> Judgement {
        let StartupClaim::ExitRatioAtLeast(ratio) = claim;
        judge_ratios(rows, ratio)
    }
}

fn row_of(case: &CaseRecord) -> Option<StartupRow> {
    let wall = valid_values(case, |r| Some(r.wall_ns as f64));
    if wall.is_empty() {
        return None;
    }
    Some(StartupRow {
        variant: case.variant.clone(),
        time_to_exit_ns: estimate(&wall),
        cpu_ns: estimate(&valid_values(case, |r| {
            Some((r.user_cpu_ns + r.sys_cpu_ns) as f64)
        })),
        artifact_bytes: case.artifact_bytes,
        time_to_exit_rounds: valid_rounds(case, |r| Some(r.wall_ns as f64)),
    })
}

/// Every (slower, faster) pair's time-to-exit ratio against the claim's factor.
pub fn judge_ratios(rows: &[StartupRow], ratio: &RatioAtLeast) -> Judgement {
    let mut checks = BoundChecks::new();
    round_ratios_at_least(&mut checks, "time to exit", ratio.pairs(), ratio.factor, |v| {
        rows.iter()
            .find(|r| r.variant == v)
            .map(|r| r.time_to_exit_rounds.clone())
    });
    checks.verdict()
}

const MIB: f64 = 1024.0 * 1024.0;

fn ms_interval(e: &Estimate) -> String {
    estimate_with_level(e, 1e6, 2, "")
}

const EXIT_METHOD: &str = "startup: the harness's monotonic clock from just before spawn to wait4's return, for a program that only parses its arguments and prints one line (hyperfine -N measures the same span, without a shell); median over processes with the order-statistic interval and its coverage. The process is not pinned. CPU: user + system from wait4. No memory figure: the harness's RSS samples start 20 ms after spawn, later than most of these programs exit, and wait4's ru_maxrss of a process started by posix_spawn (vfork) carries the harness's own resident set (143.8 MiB for every variant in run 20261201T154735Z-quick); first-response reads the memory of a runtime that is up";
const ARTIFACT_METHOD: &str = "artifact size: bytes on disk of what the case launches from the project, read when the run is planned: the Go or Rust binary; the jar plus the CDS archive or AOT cache a variant names; Node's main.js and src/ (and the snapshot blob for node/snapshot); Python's package sources (no bytecode cache: the runner sets PYTHONDONTWRITEBYTECODE, or -B under -I). The runtime itself (JVM, node, python) is not counted";
const RATIO_METHOD: &str = "startup ratio: median over rounds of time to exit (A) / time to exit (B), the two processes of a round paired (each round runs every case once, the workloads in shuffled order and each one's cases back to back in shuffled order, so the two run seconds apart), with the order-statistic interval of the ratios and its coverage; a claim needs its lower bound at or above the factor";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::claims::Verdict;
    use crate::analyse::claims::VERDICT_LEVEL;

    fn row(variant: &str, ms: &[f64]) -> StartupRow {
        let ns: Vec<f64> = ms.iter().map(|m| m * 1e6).collect();
        StartupRow {
            variant: variant.into(),
            time_to_exit_ns: estimate(&ns),
            cpu_ns: estimate(&ns),
            artifact_bytes: None,
            time_to_exit_rounds: ns.iter().enumerate().map(|(i, v)| (i as u32 + 1, *v)).collect(),
        }
    }

    #[test]
    fn the_checksum_is_the_seed_and_a_missing_seed_is_an_error() {
        let params: Params = [("seed".to_string(), 7)].into_iter().collect();
        assert_eq!(
            Startup.expected_checksum("default", &params),
            Ok(Some("7".into()))
        );
        assert!(Startup.expected_checksum("default", &Params::new()).is_err());
    }

    #[test]
    fn ratio_claims_decide_on_the_paired_interval() {
        let java = row("java/default", &[40.0; 20]);
        let slow_go = row("go/default", &[30.0; 20]);
        let go = row(
            "go/default",
            &(0..20).map(|i| 1.0 + i as f64 * 0.01).collect::<Vec<_>>(),
        );
        let v = |rows: &[StartupRow]| {
            let ratio = RatioAtLeast {
                variants: vec!["java/default".into()],
                versus: vec!["go/default".into()],
                factor: 2.0,
            };
            judge_ratios(rows, &ratio).verdict
        };
        assert_eq!(v(&[java.clone(), go.clone()]), Verdict::Supported);
        assert_eq!(v(&[java.clone(), slow_go]), Verdict::Contradicted);
        assert_eq!(
            v(std::slice::from_ref(&java)),
            Verdict::NotEnoughEvidence,
            "go missing"
        );
        let few = row("go/default", &[1.0, 1.0, 1.0]);
        let java_few = row("java/default", &[40.0, 40.0, 40.0]);
        assert!(estimate(&[1.0, 2.0, 3.0]).ci_level < VERDICT_LEVEL);
        assert_eq!(
            v(&[java_few, few]),
            Verdict::NotEnoughEvidence,
            "3 rounds cover 75%"
        );
    }
}
