//! first-response: a minimal HTTP server polled from spawn until its first `200` on `/ping`
//! (workloads/README.md, "Workload `first-response`"). Owns the driver (one probe from spawn,
//! then the step's CPU and memory), the verify checks, the time to first response, the tree's
//! RSS and CPU at that moment, the time of the server's own `ready` line beside it, the ratios
//! between variants paired by round, the table, chart, `cite` metrics and claims. Must not
//! trust the `ready` line for the figure (OpenJ9 defines start-up time the same way), nor
//! spawn or kill the server.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Result};
use arena_results::{CaseRecord, Estimate, PhaseStep, RunRecord};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::module::{server_driver, Metric, WorkloadModule};
use crate::analyse::claims::{round_ratios_at_least, BoundChecks, ClaimContext, Judgement, RatioAtLeast};
use crate::analyse::stats::estimate;
use crate::analyse::summary::{valid_rounds, valid_values};
use crate::measure::judge::Params;
use crate::measure::serve::{self, DriveOutcome, Driver, ServerContext, StepProbe};
use crate::measure::verify::EndpointCheck;
use crate::plan::ServerLoad;
use crate::present::chart_model::{Chart, Line};
use crate::present::cite::{optional_estimate, Citation};
use crate::present::table::estimate_with_level;
use crate::present::Table;

pub const ID: &str = "first-response";
pub const FIRST_RESPONSE_CHART: &str = "first-response-time";
const PHASE: &str = "first-response";
const PING_BODY: &str = "pong";
/// Between two probes. A refused connect returns in microseconds on loopback, so the probe
/// costs little, and the figure is late by at most this.
const POLL_EVERY: Duration = Duration::from_micros(200);

/// One start-up configuration's figures.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct FirstResponseRow {
    pub variant: String,
    /// Harness clock from spawn to the first 200 on /ping.
    pub time_to_first_response_ns: Estimate,
    /// Tree RSS read right after that response.
    pub idle_tree_rss_bytes: Option<Estimate>,
    /// Tree CPU (utime + stime) from the driver's start, just after spawn, to that response.
    pub cpu_to_first_response_ns: Option<Estimate>,
    /// When the server's own `ready` line arrived (for comparison only).
    pub ready_line_ns: Option<Estimate>,
    pub time_to_first_response_rounds: Vec<(u32, f64)>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FirstResponseClaim {
    /// Every `variants` entry takes at least `factor` × as long as every `versus` entry to
    /// answer its first request (paired by round).
    FirstResponseRatioAtLeast(RatioAtLeast),
}

pub struct FirstResponse;

fn row_for<'a>(rows: &'a [FirstResponseRow], case: &CaseRecord) -> Option<&'a FirstResponseRow> {
    rows.iter().find(|r| r.variant == case.variant)
}

/// A figure of `case`: a median over its server processes.
fn cite_row(
    e: Option<&Estimate>,
    case: &CaseRecord,
    name: &str,
    (scale, unit): (f64, &str),
) -> Result<Citation> {
    let why = format!("it exists for {ID} cases that succeeded");
    optional_estimate(name, e, (scale, 2, unit), "server processes", (case, &why))
}

/// The driver: probes from spawn, then records the step.
#[derive(Debug, Default)]
pub struct FirstResponseDriver;

impl Driver for FirstResponseDriver {
    fn probes_from_spawn(&self) -> bool {
        true
    }

    fn drive(&self, ctx: &ServerContext) -> DriveOutcome {
        let probe = StepProbe::begin(ctx);
        match serve::first_response(ctx, "/ping", PING_BODY.as_bytes(), POLL_EVERY) {
            Ok(first) => {
                let mut step = probe.finish(PHASE, 0, Default::default(), None);
                step.first_response_ns = Some(first.at_ns);
                step.first_response_attempts = Some(first.attempts);
                DriveOutcome {
                    steps: vec![step],
                    failure: None,
                }
            }
            Err(e) => DriveOutcome {
                steps: Vec::new(),
                failure: Some(e.failure("first response to /ping")),
            },
        }
    }
}

impl WorkloadModule for FirstResponse {
    type Figures = Vec<FirstResponseRow>;
    type Claim = FirstResponseClaim;

    fn id(&self) -> &'static str {
        ID
    }

    fn is_server(&self) -> bool {
        true
    }

    fn expected_checksum(&self, _model: &str, _params: &Params) -> Result<Option<String>, String> {
        Ok(None)
    }

    fn check_load(&self, table: Option<&toml::Value>) -> Result<()> {
        match table {
            None => Ok(()),
            Some(_) => bail!("{ID} takes no `load` table: its one step is the probe from spawn"),
        }
    }

    fn driver(&self, load: &ServerLoad) -> Result<Arc<dyn Driver>> {
        server_driver(
            load,
            || {
                vec![
                    EndpointCheck::new("/ping", 200, Some(PING_BODY.into())),
                    EndpointCheck::new("/nope", 404, None),
                ]
            },
            |(): ()| FirstResponseDriver,
        )
    }

    fn derive(&self, cases: &[&CaseRecord]) -> Vec<FirstResponseRow> {
        cases.iter().filter_map(|case| row_of(case)).collect()
    }

    fn tables(&self, rows: &Vec<FirstResponseRow>) -> Vec<Table> {
        let ms = |e: Option<&Estimate>| e.map_or("–".into(), |e| estimate_with_level(e, 1e6, 1, ""));
        let body = rows
            .iter()
            .map(|r| {
                vec![
                    r.variant.clone(),
                    ms(Some(&r.time_to_first_response_ns)),
                    ms(r.ready_line_ns.as_ref()),
                    ms(r.cpu_to_first_response_ns.as_ref()),
                    r.idle_tree_rss_bytes
                        .as_ref()
                        .map_or("–".into(), |e| format!("{:.1}", e.median / (1024.0 * 1024.0))),
                    r.time_to_first_response_ns.n.to_string(),
                ]
            })
            .collect();
        vec![Table::new(
            "time to first response of a minimal HTTP server (median [interval] (its coverage))",
            &[
                "variant",
                "first 200 [ms]",
                "`ready` line [ms]",
                "CPU to first 200 [ms]",
                "RSS then [MiB]",
                "processes",
            ],
            body,
            FIRST_RESPONSE_METHOD,
        )]
    }

    fn charts(&self, rows: &Vec<FirstResponseRow>, _record: &RunRecord) -> Vec<Chart> {
        if rows.is_empty() {
            return Vec::new();
        }
        let lines = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let e = &r.time_to_first_response_ns;
                Line::new(
                    &r.variant,
                    format!("{} ({:.1} ms)", r.variant, e.median / 1e6),
                    vec![(i as f64 + 1.0, e.median / 1e6, e.ci_low / 1e6, e.ci_high / 1e6)],
                )
            })
            .collect();
        let level = crate::present::table::interval_level_text(
            rows.iter().map(|r| r.time_to_first_response_ns.ci_level),
        );
        vec![Chart::new(
            FIRST_RESPONSE_CHART,
            format!("first-response: spawn to the first 200 on /ping (median, {level})"),
            "variant (in legend order)".into(),
            "time to first response [ms]".into(),
            false,
            lines,
        )]
    }

    fn headlines(&self, rows: &Vec<FirstResponseRow>) -> Vec<crate::analyse::trend::Headline> {
        rows.iter()
            .map(|r| {
                crate::analyse::trend::Headline::of(
                    "time to first response [ms]",
                    r.variant.clone(),
                    &r.time_to_first_response_ns,
                    1e6,
                )
            })
            .collect()
    }

    fn metrics(&self) -> Vec<Metric<Vec<FirstResponseRow>>> {
        vec![
            Metric::citable(
                "time_to_first_response",
                FIRST_RESPONSE_METHOD,
                |rows, case, _| {
                    let e = row_for(rows, case).map(|r| &r.time_to_first_response_ns);
                    cite_row(e, case, "time to first response", (1e6, "ms"))
                },
            ),
            Metric::citable("idle_rss", IDLE_RSS_METHOD, |rows, case, _| {
                let e = row_for(rows, case).and_then(|r| r.idle_tree_rss_bytes.as_ref());
                cite_row(
                    e,
                    case,
                    "tree RSS at the first response",
                    (1024.0 * 1024.0, "MiB"),
                )
            }),
        ]
    }

    fn claim_variants(&self, claim: &FirstResponseClaim) -> Vec<String> {
        let FirstResponseClaim::FirstResponseRatioAtLeast(ratio) = claim;
        ratio.named()
    }

    fn judge_claim(
        &self,
        claim: &FirstResponseClaim,
        rows: &Vec<FirstResponseRow>,
        _ctx: &ClaimContext,
    ) -> Judgement {
        let FirstResponseClaim::FirstResponseRatioAtLeast(ratio) = claim;
        let mut checks = BoundChecks::new();
        round_ratios_at_least(
            &mut checks,
            "time to first response",
            ratio.pairs(),
            ratio.factor,
            |v| {
                rows.iter()
                    .find(|r| r.variant == v)
                    .map(|r| r.time_to_first_response_rounds.clone())
            },
        );
        checks.verdict()
    }
}

fn step(r: &arena_results::Repetition) -> Option<&PhaseStep> {
    r.phases.iter().find(|s| s.phase == PHASE)
}

fn row_of(case: &CaseRecord) -> Option<FirstResponseRow> {
    let first = |r: &arena_results::Repetition| step(r).and_then(|s| s.first_response_ns).map(|v| v as f64);
    let times = valid_values(case, first);
    if times.is_empty() {
        return None;
    }
    let optional = |values: Vec<f64>| (!values.is_empty()).then(|| estimate(&values));
    Some(FirstResponseRow {
        variant: case.variant.clone(),
        time_to_first_response_ns: estimate(&times),
        idle_tree_rss_bytes: optional(valid_values(case, |r| {
            step(r).and_then(|s| s.server_tree_rss_bytes).map(|b| b as f64)
        })),
        cpu_to_first_response_ns: optional(valid_values(case, |r| {
            step(r).and_then(|s| s.server_cpu_ns).map(|v| v as f64)
        })),
        ready_line_ns: optional(valid_values(case, |r| r.time_to_ready_ns.map(|v| v as f64))),
        time_to_first_response_rounds: valid_rounds(case, first),
    })
}

const FIRST_RESPONSE_METHOD: &str = "first-response: the harness reserves a free loopback port, spawns the server with it, and from the spawn polls GET /ping (a connect, then a request on the connection, every 0.2 ms) until the first 200 with body `pong`; the figure is the harness's monotonic clock from just before spawn to that response, so it includes the runtime's start-up, the server's set-up and its first request. The server's own `ready` line is recorded beside it and never used. Server and prober are pinned to different CPUs. Median over processes with the order-statistic interval and its coverage. CPU: the server tree's utime + stime (10 ms ticks) from the probe's start, just after spawn, to the first response";
const IDLE_RSS_METHOD: &str = "first-response idle RSS: the server tree's resident set (/proc/<pid>/statm of every process in the group) read right after its first response, before any load: what a minimal server of this runtime holds when it can answer";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::claims::Verdict;
    use crate::analyse::phases::fixtures;

    #[test]
    fn rows_read_the_probe_step_of_valid_repetitions_only() {
        let step_at = |ns: u64| PhaseStep {
            first_response_ns: Some(ns),
            ..fixtures::step(PHASE, &[], Some(8 << 20), Vec::new())
        };
        let mut reps: Vec<_> = (0..6)
            .map(|i| fixtures::repetition(i + 1, true, vec![step_at(10_000_000 + u64::from(i))]))
            .collect();
        reps.push(fixtures::repetition(7, false, vec![step_at(1)]));
        let case = fixtures::case(ID, "go/default", arena_results::CaseStatus::Ok, reps);
        let row = row_of(&case).expect("a row");
        assert_eq!(row.time_to_first_response_ns.n, 6);
        assert!(
            row.time_to_first_response_ns.ci_low >= 10_000_000.0,
            "the invalid 1 ns is left out"
        );
        assert_eq!(row.idle_tree_rss_bytes.unwrap().median, (8 << 20) as f64);
    }

    fn row(variant: &str, times_ms: &[f64]) -> FirstResponseRow {
        let ns: Vec<f64> = times_ms.iter().map(|t| t * 1e6).collect();
        FirstResponseRow {
            variant: variant.into(),
            time_to_first_response_ns: estimate(&ns),
            idle_tree_rss_bytes: None,
            cpu_to_first_response_ns: None,
            ready_line_ns: None,
            time_to_first_response_rounds: ns.iter().enumerate().map(|(i, v)| (i as u32 + 1, *v)).collect(),
        }
    }

    #[test]
    fn the_claim_is_judged_on_paired_ratios_with_its_family() {
        let claim: FirstResponseClaim = toml::from_str(
            "kind = \"first_response_ratio_at_least\"\nvariants = [\"java/default\"]\nversus = [\"go/default\", \"rust/default\"]\nfactor = 3.0",
        )
        .unwrap();
        let ctx = ClaimContext { logical_cores: 2 };
        let judge = |java: &[f64]| {
            let rows = vec![
                row("java/default", java),
                row("go/default", &[10.0, 11.0, 10.5, 10.2, 10.8, 10.1, 10.3, 10.6]),
                row("rust/default", &[5.0, 5.5, 5.2, 5.1, 5.4, 5.3, 5.05, 5.25]),
            ];
            FirstResponse.judge_claim(&claim, &rows, &ctx)
        };
        let judged = judge(&[100.0, 110.0, 105.0, 102.0, 108.0, 101.0, 103.0, 106.0]);
        assert_eq!(judged.verdict, Verdict::Supported, "{:?}", judged.evidence);
        assert_eq!(judged.family.checks, 2);
        assert_eq!(
            judge(&[20.0, 21.0, 20.5, 20.2, 20.8, 20.1, 20.3, 20.6]).verdict,
            Verdict::Contradicted,
            "2× a Go server, with 8 rounds (99.2% ≥ the 97.5% a family of two needs)"
        );
        assert_eq!(
            judge(&[20.0, 60.0, 25.0, 40.0, 35.0, 30.0, 45.0, 50.0]).verdict,
            Verdict::NotEnoughEvidence,
            "the ratio to Go straddles 3×"
        );
        let rows = vec![row("java/default", &[100.0; 6])];
        let judged = FirstResponse.judge_claim(&claim, &rows, &ctx);
        assert_eq!(judged.verdict, Verdict::NotEnoughEvidence, "go and rust missing");
    }

    #[test]
    fn the_driver_probes_from_spawn() {
        assert!(FirstResponseDriver.probes_from_spawn());
    }
}
