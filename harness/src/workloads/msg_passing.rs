//! msg-passing: the cost of handing one value from one task to another (workloads/README.md,
//! "Workload `msg-passing`"): a ring of P tasks passing a token M hops, then a producer/consumer
//! pair through a queue of capacity Q, in one process. Owns the reference checksum, the
//! invariants, ns and CPU ns per hand-off per case, the ratio of each to Rust's standard
//! channel (paired by round), the table, chart, `cite` and the `hop_ratio_at_least` claim.
//! Must not compare the two phases with each other.

use anyhow::Result;
use arena_results::{CaseRecord, Estimate, FailureKind, Repetition, RunRecord};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::module::{Metric, WorkloadModule};
use crate::analyse::claims::{round_ratios_at_least, BoundChecks, ClaimContext, Judgement};
use crate::analyse::stats::{estimate, ratio_by_round};
use crate::analyse::summary::{valid_rounds, valid_values};
use crate::measure::executor::Execution;
use crate::measure::judge::{Invariant, Params};
use crate::present::chart_model::{Chart, Line};
use crate::present::cite::{optional_estimate, Citation};
use crate::present::table::estimate_with_level;
use crate::present::Table;

pub const ID: &str = "msg-passing";
pub const CHART: &str = "msg-passing-ns-per-hand-off";
/// The reference of the ratios: Rust's standard bounded channel on OS threads.
pub const REFERENCE: &str = "rust/std-mpsc";

/// One variant at one parameter set.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct HandOffCase {
    pub variant: String,
    pub case_id: String,
    pub tasks: u64,
    pub hops: u64,
    pub messages: u64,
    /// The capacity the variant used (0: a rendezvous), as it reported.
    pub capacity: Option<u64>,
    pub ring_ns_per_hop: Estimate,
    pub ring_cpu_ns_per_hop: Estimate,
    pub pair_ns_per_message: Estimate,
    pub pair_cpu_ns_per_message: Estimate,
    pub pair_messages_per_s: Estimate,
    pub ring_rounds: Vec<(u32, f64)>,
    pub pair_rounds: Vec<(u32, f64)>,
    /// ns per hop / the reference's, paired by round (None for the reference itself or when it
    /// did not run).
    pub ring_vs_reference: Option<Estimate>,
    pub pair_vs_reference: Option<Estimate>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Ring,
    Pair,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MsgPassingClaim {
    /// Every `slower` variant's ns per hand-off in `phase` is at least `factor` × every `faster`
    /// variant's (paired by round, on the interval's bounds).
    HopRatioAtLeast {
        phase: Phase,
        slower: Vec<String>,
        faster: Vec<String>,
        factor: f64,
    },
}

pub struct MsgPassing;

fn row_of<'a>(rows: &'a [HandOffCase], case: &CaseRecord) -> Option<&'a HandOffCase> {
    rows.iter().find(|r| r.case_id == case.case_id)
}

/// A hand-off figure of `case`: a median over its processes, ratios paired by round.
fn cite_row(e: Option<&Estimate>, case: &CaseRecord, (name, unit): (&str, &str)) -> Result<Citation> {
    let why = format!("ratios exist where {REFERENCE} ran");
    optional_estimate(
        name,
        e,
        (1.0, 2, unit),
        "processes (ratios: paired by round)",
        (case, &why),
    )
}

fn param(params: &Params, key: &str) -> Result<u64, String> {
    params
        .get(key)
        .copied()
        .ok_or_else(|| format!("{ID} needs parameter {key}"))
}

/// The final ring token and the consumer's fold, as the contract defines them.
pub fn checksum(tasks: u64, hops: u64, messages: u64) -> String {
    let mut token = 2_166_136_261u32;
    for h in 0..hops {
        let k = (h % tasks) as u32;
        token = (token ^ (k + 1)).wrapping_mul(16_777_619);
    }
    let acc = (0..messages).fold(0u32, |acc, v| acc.wrapping_mul(31).wrapping_add(v as u32));
    format!("{token}:{acc}")
}

fn per(r: &Repetition, field: &str, count: u64) -> Option<f64> {
    let v = *r.self_reported.get(field)?;
    (v > 0 && count > 0).then(|| v as f64 / count as f64)
}

/// CPU time may read 0 for a short phase: a JVM's process CPU clock moves in 10 ms steps.
fn cpu_per(r: &Repetition, field: &str, count: u64) -> Option<f64> {
    let v = *r.self_reported.get(field)?;
    (v >= 0 && count > 0).then(|| v as f64 / count as f64)
}

fn case_of(case: &CaseRecord) -> Option<HandOffCase> {
    let get = |k: &str| case.params.get(k).copied().unwrap_or(0);
    let (hops, messages) = (get("hops"), get("messages"));
    let ring = valid_values(case, |r| per(r, "ring_ns", hops));
    if ring.is_empty() {
        return None;
    }
    let pair_ns = valid_values(case, |r| per(r, "pair_ns", messages));
    Some(HandOffCase {
        variant: case.variant.clone(),
        case_id: case.case_id.clone(),
        tasks: get("tasks"),
        hops,
        messages,
        capacity: case
            .repetitions
            .iter()
            .find(|r| r.valid)
            .and_then(|r| r.self_reported.get("capacity"))
            .map(|c| *c as u64),
        ring_ns_per_hop: estimate(&ring),
        ring_cpu_ns_per_hop: estimate(&valid_values(case, |r| cpu_per(r, "ring_cpu_ns", hops))),
        pair_ns_per_message: estimate(&pair_ns),
        pair_cpu_ns_per_message: estimate(&valid_values(case, |r| cpu_per(r, "pair_cpu_ns", messages))),
        pair_messages_per_s: estimate(&pair_ns.iter().map(|ns| 1e9 / ns).collect::<Vec<_>>()),
        ring_rounds: valid_rounds(case, |r| per(r, "ring_ns", hops)),
        pair_rounds: valid_rounds(case, |r| per(r, "pair_ns", messages)),
        ring_vs_reference: None,
        pair_vs_reference: None,
    })
}

impl WorkloadModule for MsgPassing {
    type Figures = Vec<HandOffCase>;
    type Claim = MsgPassingClaim;

    fn id(&self) -> &'static str {
        ID
    }

    fn expected_checksum(&self, _model: &str, params: &Params) -> Result<Option<String>, String> {
        let tasks = param(params, "tasks")?;
        if tasks < 2 {
            return Err(format!("{ID}: tasks = {tasks} must be at least 2"));
        }
        param(params, "capacity")?;
        Ok(Some(checksum(
            tasks,
            param(params, "hops")?,
            param(params, "messages")?,
        )))
    }

    fn invariants(&self, params: &Params, exec: &Execution) -> Result<Vec<Invariant>, (FailureKind, String)> {
        let Some(result) = exec.first_event("result") else {
            return Err((FailureKind::ProtocolError, "no `result` event".into()));
        };
        let get = |k: &str| params.get(k).copied().unwrap_or(0) as i64;
        let within_wall = |field: &str| {
            let v = result.int(field);
            Invariant::new(
                v.is_some_and(|v| v > 0 && (v as u64) <= exec.wall_ns),
                format!("0 < result.{field} {v:?} <= wall {} ns", exec.wall_ns),
            )
        };
        let capacity = result.int("capacity");
        let mut checks = vec![
            Invariant::new(
                result.int("ops") == Some(get("hops") + get("messages")),
                format!("result.ops {:?} = hops + messages", result.int("ops")),
            ),
            Invariant::new(
                result.int("tasks") == Some(get("tasks")),
                format!("result.tasks {:?} = {}", result.int("tasks"), get("tasks")),
            ),
            Invariant::new(
                capacity == Some(0) || capacity == Some(get("capacity")),
                format!(
                    "result.capacity {capacity:?} is 0 (a rendezvous) or {}",
                    get("capacity")
                ),
            ),
        ];
        checks.extend(["ring_ns", "pair_ns"].map(within_wall));
        for cpu in ["ring_cpu_ns", "pair_cpu_ns"] {
            let v = result.int(cpu);
            checks.push(Invariant::new(
                v.is_some_and(|v| v >= 0),
                format!("result.{cpu} {v:?} is present"),
            ));
        }
        Ok(checks)
    }

    fn derive(&self, cases: &[&CaseRecord]) -> Vec<HandOffCase> {
        let mut rows: Vec<HandOffCase> = cases.iter().filter_map(|c| case_of(c)).collect();
        let reference = rows
            .iter()
            .find(|r| r.variant == REFERENCE)
            .map(|r| (r.ring_rounds.clone(), r.pair_rounds.clone()));
        if let Some((ring, pair)) = reference {
            for row in rows.iter_mut().filter(|r| r.variant != REFERENCE) {
                row.ring_vs_reference = ratio_by_round(&row.ring_rounds, &ring);
                row.pair_vs_reference = ratio_by_round(&row.pair_rounds, &pair);
            }
        }
        rows
    }

    fn tables(&self, rows: &Vec<HandOffCase>) -> Vec<Table> {
        let body = rows
            .iter()
            .map(|r| {
                vec![
                    r.variant.clone(),
                    format!("P={} M={} N={}", r.tasks, r.hops, r.messages),
                    r.capacity.map_or("–".into(), |c| {
                        if c == 0 {
                            "0 (rendezvous)".into()
                        } else {
                            c.to_string()
                        }
                    }),
                    ns(&r.ring_ns_per_hop),
                    ns(&r.ring_cpu_ns_per_hop),
                    times(r.ring_vs_reference.as_ref()),
                    ns(&r.pair_ns_per_message),
                    ns(&r.pair_cpu_ns_per_message),
                    format!("{:.2} M", r.pair_messages_per_s.median / 1e6),
                    times(r.pair_vs_reference.as_ref()),
                ]
            })
            .collect();
        vec![Table::new(
            "cost per hand-off (median [interval] (coverage) over processes)",
            &[
                "variant",
                "sizes",
                "capacity",
                "ring ns/hop",
                "ring CPU ns/hop",
                "ring ÷ rust/std-mpsc",
                "queue ns/message",
                "queue CPU ns/message",
                "queue messages/s",
                "queue ÷ rust/std-mpsc",
            ],
            body,
            METHOD,
        )]
    }

    fn charts(&self, rows: &Vec<HandOffCase>, _record: &RunRecord) -> Vec<Chart> {
        let lines: Vec<Line> = rows
            .iter()
            .map(|r| {
                let point = |x: f64, e: &Estimate| (x, e.median, e.ci_low, e.ci_high);
                Line::new(
                    &r.variant,
                    r.variant.clone(),
                    vec![point(1.0, &r.ring_ns_per_hop), point(2.0, &r.pair_ns_per_message)],
                )
            })
            .collect();
        if lines.is_empty() {
            return Vec::new();
        }
        let level = crate::present::table::interval_level_text(
            rows.iter()
                .flat_map(|r| [r.ring_ns_per_hop.ci_level, r.pair_ns_per_message.ci_level]),
        );
        vec![Chart::new(
            CHART,
            "msg-passing: ns per hand-off, 1 = ring hop, 2 = queue message (log y)".into(),
            "phase".into(),
            format!("ns per hand-off (median, {level})"),
            true,
            lines,
        )
        .with_linear_x()]
    }

    fn headlines(&self, rows: &Vec<HandOffCase>) -> Vec<crate::analyse::trend::Headline> {
        let mut out = Vec::new();
        for r in rows {
            out.push(crate::analyse::trend::Headline::of(
                "ring: ns per hop",
                r.variant.clone(),
                &r.ring_ns_per_hop,
                1.0,
            ));
            out.push(crate::analyse::trend::Headline::of(
                "queue: ns per message",
                r.variant.clone(),
                &r.pair_ns_per_message,
                1.0,
            ));
        }
        out
    }

    fn metrics(&self) -> Vec<Metric<Vec<HandOffCase>>> {
        vec![
            Metric::citable("ns_per_hop", METHOD, |rows, case, _| {
                cite_row(
                    row_of(rows, case).map(|r| &r.ring_ns_per_hop),
                    case,
                    ("ring: ns per hop", "ns"),
                )
            }),
            Metric::citable("cpu_ns_per_hop", METHOD, |rows, case, _| {
                let e = row_of(rows, case).map(|r| &r.ring_cpu_ns_per_hop);
                cite_row(e, case, ("ring: CPU ns per hop", "ns"))
            }),
            Metric::citable("ns_per_message", METHOD, |rows, case, _| {
                let e = row_of(rows, case).map(|r| &r.pair_ns_per_message);
                cite_row(e, case, ("queue: ns per message", "ns"))
            }),
            Metric::citable("hop_ratio", METHOD, |rows, case, _| {
                let e = row_of(rows, case).and_then(|r| r.ring_vs_reference.as_ref());
                cite_row(e, case, ("ring ns per hop / rust/std-mpsc's", "×"))
            }),
        ]
    }

    fn claim_variants(&self, claim: &MsgPassingClaim) -> Vec<String> {
        let MsgPassingClaim::HopRatioAtLeast { slower, faster, .. } = claim;
        slower.iter().chain(faster).cloned().collect()
    }

    fn judge_claim(
        &self,
        claim: &MsgPassingClaim,
        rows: &Vec<HandOffCase>,
        _ctx: &ClaimContext,
    ) -> Judgement {
        let MsgPassingClaim::HopRatioAtLeast {
            phase,
            slower,
            faster,
            factor,
        } = claim;
        let mut checks = BoundChecks::new();
        let figure = match phase {
            Phase::Ring => "ring ns/hop",
            Phase::Pair => "queue ns/message",
        };
        round_ratios_at_least(&mut checks, figure, (slower, faster), *factor, |variant| {
            rows.iter().find(|r| r.variant == variant).map(|r| match phase {
                Phase::Ring => r.ring_rounds.clone(),
                Phase::Pair => r.pair_rounds.clone(),
            })
        });
        checks.verdict()
    }
}

fn ns(e: &Estimate) -> String {
    let digits = if e.median < 10.0 {
        2
    } else if e.median < 1000.0 {
        1
    } else {
        0
    };
    estimate_with_level(e, 1.0, digits, "")
}

/// A ratio with 3 significant digits below 1 (0.0234×), 2 decimals above.
fn times(e: Option<&Estimate>) -> String {
    e.map_or("–".into(), |e| {
        let d = if e.median >= 1.0 {
            2
        } else {
            (2.0 - e.median.log10().floor()).clamp(2.0, 6.0) as usize
        };
        format!("{:.d$}× [{:.d$}–{:.d$}]", e.median, e.ci_low, e.ci_high)
    })
}

const METHOD: &str = "msg-passing: ring = P tasks pass one integer token M hops, each task receiving from its own inbox and sending to the next's (every hop hands the token to another task); queue = one producer sends N values through one queue of capacity Q (or the variant's rendezvous) to one consumer. Times from the process's monotonic clock around each phase (tasks created before the clock starts, joined after it stops), divided by M or N; CPU = the process's user + system CPU (all threads, waited-for children) over the same phase, self-reported, divided likewise: a channel that spins shows CPU above wall time. Median over processes with the order-statistic interval; ratios to rust/std-mpsc paired by round, as ns per hand-off (so a smaller M for Python still compares)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::claims::Verdict;
    use crate::analyse::phases::fixtures::{case, repetition};
    use arena_results::CaseStatus;

    fn hand_off(variant: &str, ring_ns: i64) -> CaseRecord {
        let reps = (1..=6)
            .map(|i| {
                let mut r = repetition(i, true, vec![]);
                for (k, v) in [
                    ("ring_ns", ring_ns + i64::from(i)),
                    ("pair_ns", 1000),
                    ("ring_cpu_ns", 10),
                    ("pair_cpu_ns", 10),
                    ("capacity", 0),
                ] {
                    r.self_reported.insert(k.into(), v);
                }
                r
            })
            .collect();
        let mut c = case(ID, variant, CaseStatus::Ok, reps);
        c.case_id = format!("{ID}/{variant}");
        c.params = [("tasks", 4), ("hops", 1000), ("messages", 100), ("capacity", 8)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        c
    }

    #[test]
    fn checksums_follow_the_contract_vectors() {
        assert_eq!(checksum(3, 10, 10), "2055683726:165029893");
        assert_eq!(checksum(2, 1, 1), "67918732:0");
        let mut p: Params = [("tasks", 1), ("hops", 1), ("messages", 1), ("capacity", 1)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert!(
            MsgPassing.expected_checksum("x", &p).is_err(),
            "a ring of one task"
        );
        p.remove("capacity");
        p.insert("tasks".into(), 2);
        assert!(
            MsgPassing.expected_checksum("x", &p).is_err(),
            "capacity is required"
        );
    }

    #[test]
    fn figures_survive_json_with_a_cpu_clock_that_read_zero() {
        let mut c = hand_off(REFERENCE, 1000);
        for r in &mut c.repetitions {
            r.self_reported.insert("ring_cpu_ns".into(), 0);
        }
        let value = crate::workloads::Workload::derive(&MsgPassing, &[&c]).unwrap();
        let back: Vec<HandOffCase> = serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
        assert_eq!(back[0].ring_cpu_ns_per_hop.median, 0.0);
    }

    #[test]
    fn figures_are_per_hand_off_and_relative_to_the_reference() {
        let cases = [hand_off(REFERENCE, 5_000_000), hand_off("go/unbuffered", 500_000)];
        let refs: Vec<&CaseRecord> = cases.iter().collect();
        let rows = MsgPassing.derive(&refs);
        let go = rows.iter().find(|r| r.variant == "go/unbuffered").unwrap();
        assert!((go.ring_ns_per_hop.median - 500.0).abs() < 0.1);
        assert!((go.pair_messages_per_s.median - 1e8).abs() < 1.0);
        assert!((go.ring_vs_reference.as_ref().unwrap().median - 0.1).abs() < 0.001);
        let claim = |factor| MsgPassingClaim::HopRatioAtLeast {
            phase: Phase::Ring,
            slower: vec![REFERENCE.into()],
            faster: vec!["go/unbuffered".into()],
            factor,
        };
        let ctx = ClaimContext { logical_cores: 2 };
        assert_eq!(
            MsgPassing.judge_claim(&claim(2.0), &rows, &ctx).verdict,
            Verdict::Supported
        );
        assert_eq!(
            MsgPassing.judge_claim(&claim(20.0), &rows, &ctx).verdict,
            Verdict::Contradicted
        );
        let MsgPassingClaim::HopRatioAtLeast { mut faster, .. } = claim(2.0);
        faster.push("go/buffered".into());
        let unmeasured = MsgPassingClaim::HopRatioAtLeast {
            phase: Phase::Ring,
            slower: vec![REFERENCE.into()],
            faster,
            factor: 2.0,
        };
        let judged = MsgPassing.judge_claim(&unmeasured, &rows, &ctx);
        assert_eq!(
            judged.verdict,
            Verdict::NotEnoughEvidence,
            "go/buffered did not run"
        );
        assert!(judged
            .evidence
            .iter()
            .any(|e| e.contains("go/buffered") && e.contains("no ratio")));
    }
}
