//! jit-warmup: iteration time against iteration number from a cold process; K iterations of one
//! benchmark (nbody, spectral-norm or fannkuch-redux) per process, several fresh processes per
//! variant, a variant being one (VM, benchmark) pair (workloads/README.md, "Workload
//! `jit-warmup`"). Owns the checksum (the benchmark's reference, `reference::benchmarks_game`),
//! the invariants (K `iter` events in order, their sum), each process's classification by the
//! rules of krun's warmup_stats (`analyse::warmup`) and each pair's, the steady state's
//! iteration and time, the ratio of
//! the first iteration to the steady state, the table, the per-variant panels of the series
//! with their changepoints, `cite` metrics and the claims. Must not classify a process whose
//! checksum or invariants failed: its series is not in the figures.

use anyhow::Result;
use arena_results::{CaseRecord, Estimate, FailureKind, RunRecord};
use serde::Deserialize;

use super::module::{Metric, WorkloadModule};
use super::reference::benchmarks_game;
use crate::analyse::claims::{ClaimContext, Judgement};
use crate::analyse::warmup::VariantLabel;
use crate::measure::executor::Execution;
use crate::measure::judge::{Invariant, Params};
use crate::present::chart_model::{Chart, Line};
use crate::present::cite::{no_figure, optional_estimate, Citation};
use crate::present::Table;

pub mod figures;

use crate::present::table::estimate_with_level;
use figures::{judge_slow_then_fast, judge_warmup_share, pair_text, split_variant, variant_of};
pub use figures::{WarmupProcess, WarmupVariant, BENCHMARKS};

pub const ID: &str = "jit-warmup";
/// Iteration time against iteration number, one panel per variant, changepoints dashed.
pub const SERIES_CHART: &str = "jit-warmup-series";

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum JitWarmupClaim {
    /// For each (`jit`, `interpreter`) pair: the JIT variant's first iteration is at least
    /// `first_ratio` × its last quarter's mean, and the interpreter's last quarter is at least
    /// `speedup` × slower than the JIT's (paired by round).
    StartsSlowThenFast {
        pairs: Vec<[String; 2]>,
        first_ratio: f64,
        speedup: f64,
    },
    /// The share of the (VM, benchmark) pairs `vms` × `benchmarks` that warm up classically
    /// (every process flat or warm-up) is at most `share`; each pair counts once, and the
    /// Clopper–Pearson interval of the proportion over the pairs decides.
    ClassicalWarmupShareAtMost {
        vms: Vec<String>,
        benchmarks: Vec<String>,
        share: f64,
    },
}

pub struct JitWarmup;

fn param(params: &Params, key: &str) -> Result<u64, String> {
    params
        .get(key)
        .copied()
        .ok_or_else(|| format!("{ID} needs parameter {key}"))
}

impl WorkloadModule for JitWarmup {
    type Figures = Vec<WarmupVariant>;
    type Claim = JitWarmupClaim;

    fn id(&self) -> &'static str {
        ID
    }

    fn expected_checksum(&self, model: &str, params: &Params) -> Result<Option<String>, String> {
        param(params, "iterations")?;
        let n = param(params, "n")?;
        let Some((_, benchmark)) = split_variant(model) else {
            return Err(format!(
                "{ID}: model {model:?} names no benchmark (`<configuration>-<benchmark>`, benchmarks: {})",
                BENCHMARKS.join(", ")
            ));
        };
        benchmarks_game::checksum(benchmark, n)
            .map(Some)
            .map_err(|e| format!("{ID} {e}"))
    }

    fn invariants(&self, params: &Params, exec: &Execution) -> Result<Vec<Invariant>, (FailureKind, String)> {
        let Some(result) = exec.first_event("result") else {
            return Err((FailureKind::ProtocolError, "no `result` event".into()));
        };
        let k = params.get("iterations").copied().unwrap_or(0);
        let iters: Vec<_> = exec.events.iter().filter(|e| e.kind == "iter").collect();
        let in_order = iters
            .iter()
            .enumerate()
            .all(|(i, e)| e.int("i") == Some(i as i64) && e.int("ns").is_some_and(|ns| ns > 0));
        let sum: i64 = iters.iter().filter_map(|e| e.int("ns")).sum();
        Ok(vec![
            Invariant::new(
                iters.len() as u64 == k && in_order,
                format!(
                    "{} `iter` events numbered 0..{k} with ns > 0 (got {})",
                    k,
                    iters.len()
                ),
            ),
            Invariant::new(
                result.int("total_ns") == Some(sum),
                format!(
                    "result.total_ns {:?} == the sum of the iterations {sum}",
                    result.int("total_ns")
                ),
            ),
            Invariant::new(
                result.int("ops") == Some(k as i64),
                format!("result.ops {:?} == iterations {k}", result.int("ops")),
            ),
        ])
    }

    fn derive(&self, cases: &[&CaseRecord]) -> Vec<WarmupVariant> {
        cases.iter().filter_map(|case| variant_of(case)).collect()
    }

    fn tables(&self, variants: &Vec<WarmupVariant>) -> Vec<Table> {
        let optional = |e: &Option<Estimate>, scale: f64, digits: usize| {
            e.as_ref()
                .map_or("–".into(), |e| estimate_with_level(e, scale, digits, ""))
        };
        let body = variants
            .iter()
            .map(|v| {
                vec![
                    v.variant.clone(),
                    format!("{} × {} (n = {})", v.processes.len(), v.iterations, v.n),
                    pair_text(v)
                        .split_once(": ")
                        .map_or(String::new(), |(_, class)| class.to_string()),
                    optional(&v.steady_state_iteration, 1.0, 0),
                    optional(&v.steady_state_ns, 1e6, 1),
                    optional(&v.first_to_steady_ratio, 1.0, 2),
                    optional(&v.first_to_last_quarter_ratio, 1.0, 2),
                ]
            })
            .collect();
        vec![Table::new(
            "JIT warm-up: each (VM, benchmark) pair classified from its processes' series as warmup_stats does (median [interval] (its coverage) over processes)",
            &[
                "variant",
                "processes × iterations",
                "pair class (processes per label)",
                "steady from iteration",
                "time to steady [ms]",
                "first / steady",
                "first / last quarter",
            ],
            body,
            CLASSIFY_METHOD,
        )]
    }

    fn charts(&self, variants: &Vec<WarmupVariant>, record: &RunRecord) -> Vec<Chart> {
        let mut lines = Vec::new();
        for variant in variants {
            for process in &variant.processes {
                let Some(series) = series_of(record, &variant.variant, process.round) else {
                    continue;
                };
                let points = series
                    .iter()
                    .enumerate()
                    .map(|(i, ns)| (i as f64, *ns as f64 / 1e6, f64::NAN, f64::NAN))
                    .collect();
                let marks = process
                    .classification
                    .changepoints
                    .iter()
                    .map(|c| *c as f64)
                    .collect();
                let label = format!("{} process {}", variant.variant, process.round);
                lines.push(Line::new(&variant.variant, label, points).with_marks(marks));
            }
        }
        if lines.is_empty() {
            return Vec::new();
        }
        vec![Chart::new(
            SERIES_CHART,
            "jit-warmup: iteration time by iteration, every process (changepoints dashed)".into(),
            "iteration".into(),
            "iteration time [ms], log scale".into(),
            true,
            lines,
        )
        .with_panels()]
    }

    fn headlines(&self, variants: &Vec<WarmupVariant>) -> Vec<crate::analyse::trend::Headline> {
        variants
            .iter()
            .filter_map(|v| {
                let e = v.steady_state_ns.as_ref()?;
                Some(crate::analyse::trend::Headline::of(
                    "steady-state iteration [ms]",
                    v.variant.clone(),
                    e,
                    1e6,
                ))
            })
            .collect()
    }

    fn metrics(&self) -> Vec<Metric<Vec<WarmupVariant>>> {
        vec![
            Metric::citable("steady_state_iteration", STEADY_METHOD, |variants, case, _| {
                let e = variant_of_case(variants, case).and_then(|v| v.steady_state_iteration.as_ref());
                steady_citation(e, case, "steady state from iteration", (1.0, ""))
            }),
            Metric::citable("steady_state_time", STEADY_METHOD, |variants, case, _| {
                let e = variant_of_case(variants, case).and_then(|v| v.steady_state_ns.as_ref());
                steady_citation(e, case, "time to steady state", (1e6, "ms"))
            }),
            Metric::citable("warmup_classification", CLASSIFY_METHOD, |variants, case, _| {
                let v = variant_of_case(variants, case).ok_or_else(|| no_figure(case))?;
                Ok(Citation {
                    name: "warm-up classification".into(),
                    value: label_text(v.label).into(),
                    interval: "a classification of every process, no interval".into(),
                    basis: v
                        .label_counts
                        .iter()
                        .map(|(l, c)| format!("{c} {l}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }),
        ]
    }

    fn claim_variants(&self, claim: &JitWarmupClaim) -> Vec<String> {
        match claim {
            JitWarmupClaim::StartsSlowThenFast { pairs, .. } => pairs.iter().flatten().cloned().collect(),
            JitWarmupClaim::ClassicalWarmupShareAtMost { vms, benchmarks, .. } => vms
                .iter()
                .flat_map(|vm| benchmarks.iter().map(move |b| format!("{vm}-{b}")))
                .collect(),
        }
    }

    fn judge_claim(
        &self,
        claim: &JitWarmupClaim,
        variants: &Vec<WarmupVariant>,
        _ctx: &ClaimContext,
    ) -> Judgement {
        match claim {
            JitWarmupClaim::StartsSlowThenFast {
                pairs,
                first_ratio,
                speedup,
            } => judge_slow_then_fast(variants, pairs, *first_ratio, *speedup),
            JitWarmupClaim::ClassicalWarmupShareAtMost {
                vms,
                benchmarks,
                share,
            } => judge_warmup_share(variants, vms, benchmarks, *share),
        }
    }
}

fn variant_of_case<'a>(variants: &'a [WarmupVariant], case: &CaseRecord) -> Option<&'a WarmupVariant> {
    variants.iter().find(|v| v.variant == case.variant)
}

/// A steady-state figure of `case`: a median over the processes that reached one.
fn steady_citation(
    e: Option<&Estimate>,
    case: &CaseRecord,
    name: &str,
    (scale, unit): (f64, &str),
) -> Result<Citation> {
    let over = "processes that reached a steady state";
    optional_estimate(
        name,
        e,
        (scale, 1, unit),
        over,
        (case, "no process reached a steady state"),
    )
}

fn label_text(label: VariantLabel) -> &'static str {
    match label {
        VariantLabel::Consistent => "consistent",
        VariantLabel::GoodInconsistent => "good inconsistent",
        VariantLabel::BadInconsistent => "bad inconsistent",
    }
}

fn series_of<'a>(record: &'a RunRecord, variant: &str, round: u32) -> Option<&'a Vec<u64>> {
    let case = record
        .cases
        .iter()
        .find(|c| c.workload == ID && c.variant == variant)?;
    case.repetitions
        .iter()
        .find(|r| r.index == round && r.valid)
        .map(|r| &r.iter_ns)
}

const CLASSIFY_METHOD: &str = "jit-warmup: each process runs K iterations of one benchmark (nbody, spectral-norm or fannkuch-redux, each iteration from scratch) and reports each iteration's time (self-reported, monotonic clock). Each series is classified as krun's warmup_stats does (Barrett et al., OOPSLA 2017): outliers beyond 3 × (p90 − p10) of a rolling median (window min(200, K)) are set aside; changepoints by PELT on mean and variance (normal cost, penalty 15 · ln n); segments equivalent to the last (means within 5% of the fastest segment's mean, warmup_stats' `--delta 5%`, widened by their variance) form the steady state; the label is flat (one steady segment), warm-up (the steady state is the fastest), slowdown (an earlier segment was faster) or no steady state (the last change falls in the last quarter). A variant is one (VM, benchmark) pair, classified from its processes as warmup_stats does: consistent (one label), good inconsistent (flat and warm-up only) or bad inconsistent; it warms up classically when every process is flat or warm-up (consistent flat, consistent warm-up or good inconsistent: Barrett et al.'s 'consistently reach a steady state of peak performance'), and the claim counts each pair once. Barrett et al. ran 2,000 iterations × 30 processes on 56+ pairs; the suite states its own K, process count and n, printed beside each pair";
const STEADY_METHOD: &str = "steady state: the first iteration of the steady segments, the time of the iterations before it, and iteration 0's time over the steady mean, per process; median and order-statistic interval over the processes that reached a steady state (coverage as stated). Claims use iteration 0 over the mean of the last quarter of the iterations, which every process has, paired by round between variants";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::claims::Verdict;
    use crate::analyse::stats::estimate;
    use crate::analyse::warmup::{classify, ProcessLabel, WarmupSettings};
    use crate::measure::protocol::parse_line;
    use crate::workloads::reference::benchmarks_game as reference;
    use std::collections::BTreeMap;

    fn exec(lines: &[&str]) -> Execution {
        Execution {
            events: lines.iter().map(|l| parse_line(l, 0).unwrap()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn invariants_need_every_iteration_in_order_and_their_sum() {
        let params: Params = [("iterations", 2), ("n", 7)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let holds = |lines: &[&str]| {
            JitWarmup
                .invariants(&params, &exec(lines))
                .unwrap()
                .iter()
                .all(|i| i.holds)
        };
        let good = [
            r#"{"event":"iter","i":0,"ns":30}"#,
            r#"{"event":"iter","i":1,"ns":10}"#,
            r#"{"event":"result","checksum":"x","ops":2,"total_ns":40}"#,
        ];
        assert!(holds(&good));
        assert!(!holds(&[good[1], good[0], good[2]]), "out of order");
        assert!(!holds(&[good[0], good[2]]), "one missing");
        assert!(!holds(&[
            good[0],
            good[1],
            r#"{"event":"result","checksum":"x","ops":2,"total_ns":41}"#
        ]));
    }

    fn variant(name: &str, first_ms: f64, late_ms: f64, label: ProcessLabel) -> WarmupVariant {
        let series: Vec<f64> = std::iter::once(first_ms * 1e6)
            .chain(std::iter::repeat_n(late_ms * 1e6, 39))
            .collect();
        let mut classification = classify(&series, &WarmupSettings::default());
        classification.label = label;
        // Eight processes: a family of two checks needs 97.5% to contradict, [min, max] of 8 has 99.2%.
        let processes: Vec<WarmupProcess> = (1..=8)
            .map(|round| WarmupProcess {
                round,
                first_ns: first_ms * 1e6,
                last_quarter_mean_ns: late_ms * 1e6 * (1.0 + f64::from(round) * 0.001),
                classification: classification.clone(),
            })
            .collect();
        let ratios: Vec<f64> = processes
            .iter()
            .map(|p| p.first_ns / p.last_quarter_mean_ns)
            .collect();
        let (vm, benchmark) = split_variant(name).unwrap_or((name.to_string(), ""));
        let labels: Vec<ProcessLabel> = processes.iter().map(|p| p.classification.label).collect();
        WarmupVariant {
            variant: name.into(),
            vm,
            benchmark: benchmark.into(),
            pair: crate::analyse::warmup::classify_pair(&labels),
            iterations: 40,
            n: 7,
            settings: WarmupSettings::default(),
            label: VariantLabel::Consistent,
            label_counts: BTreeMap::new(),
            steady_state_iteration: None,
            steady_state_ns: None,
            first_to_steady_ratio: None,
            first_to_last_quarter_ratio: Some(estimate(&ratios)),
            processes,
        }
    }

    #[test]
    fn slow_then_fast_needs_both_the_fall_and_the_gap_to_the_interpreter() {
        let pairs = vec![["java/default".to_string(), "java/xint".to_string()]];
        let jit = variant("java/default", 10.0, 1.0, ProcessLabel::Warmup);
        let xint = variant("java/xint", 20.0, 20.0, ProcessLabel::Flat);
        let v = |vs: &[WarmupVariant]| judge_slow_then_fast(vs, &pairs, 2.0, 3.0).verdict;
        assert_eq!(v(&[jit.clone(), xint.clone()]), Verdict::Supported);
        let flat_jit = variant("java/default", 1.0, 1.0, ProcessLabel::Flat);
        let judged = judge_slow_then_fast(&[flat_jit, xint.clone()], &pairs, 2.0, 3.0);
        assert_eq!(
            judged.verdict,
            Verdict::Contradicted,
            "no fall: {:?}",
            judged.evidence
        );
        let fast_xint = variant("java/xint", 1.5, 1.5, ProcessLabel::Flat);
        assert_eq!(
            v(&[jit.clone(), fast_xint]),
            Verdict::Contradicted,
            "interpreter as fast"
        );
        assert_eq!(v(&[jit]), Verdict::NotEnoughEvidence, "interpreter missing");
    }

    /// A pair of 6 processes with these labels.
    fn pair(name: &str, labels: &[ProcessLabel]) -> WarmupVariant {
        let mut v = variant(name, 10.0, 1.0, ProcessLabel::Flat);
        for (process, label) in v.processes.iter_mut().zip(labels.iter().cycle()) {
            process.classification.label = *label;
        }
        let labels: Vec<ProcessLabel> = v.processes.iter().map(|p| p.classification.label).collect();
        v.pair = crate::analyse::warmup::classify_pair(&labels);
        v
    }

    /// `vms` × the three benchmarks, each pair given `labels(i)` for its index i.
    fn pairs(vms: &[String], labels: impl Fn(usize) -> Vec<ProcessLabel>) -> Vec<WarmupVariant> {
        let names = vms
            .iter()
            .flat_map(|vm| BENCHMARKS.iter().map(move |b| format!("{vm}-{b}")));
        names
            .enumerate()
            .map(|(i, name)| pair(&name, &labels(i)))
            .collect()
    }

    #[test]
    fn the_warmup_share_counts_each_pair_once_on_its_binomial_interval() {
        use ProcessLabel::*;
        let benchmarks: Vec<String> = BENCHMARKS.iter().map(|b| b.to_string()).collect();
        let judge = |vs: &[WarmupVariant], vms: &[String]| judge_warmup_share(vs, vms, &benchmarks, 0.5);
        // 4 VMs × 3 benchmarks = 12 pairs: 0 of 12 classical has a 95% upper bound of 0.26.
        let vms: Vec<String> = (0..4).map(|i| format!("x/c{i}")).collect();
        let none = pairs(&vms, |_| vec![Warmup, Slowdown]);
        assert_eq!(judge(&none, &vms).verdict, Verdict::Supported);
        // Every pair classical (consistent warm-up, or good inconsistent): 12 of 12.
        let all = pairs(&vms, |i| {
            if i % 2 == 0 {
                vec![Warmup]
            } else {
                vec![Flat, Warmup]
            }
        });
        let crate::analyse::bound_checks::Judgement {
            verdict, evidence, ..
        } = judge(&all, &vms);
        assert_eq!(verdict, Verdict::Contradicted, "{evidence:?}");
        assert!(
            evidence[0].contains("12 of 12 (VM, benchmark) pairs"),
            "{evidence:?}"
        );
        // Half of them: the interval straddles 0.5.
        let half = pairs(&vms, |i| {
            if i % 2 == 0 {
                vec![Warmup]
            } else {
                vec![NoSteadyState]
            }
        });
        assert_eq!(judge(&half, &vms).verdict, Verdict::NotEnoughEvidence);
        // Few pairs cannot decide: 1 VM × 3 benchmarks, none classical, upper bound 0.71.
        let one = pairs(&vms[..1], |_| vec![Slowdown]);
        assert_eq!(judge(&one, &vms[..1]).verdict, Verdict::NotEnoughEvidence);
        // A pair that was not measured leaves the verdict undecided, however clear the rest.
        assert_eq!(judge(&none[1..], &vms).verdict, Verdict::NotEnoughEvidence);
        // Processes are not pairs: 72 processes of 12 pairs, 1 of 6 processes warm-up per
        // pair, are 0 of 12 classical pairs (each pair mixes warm-up and slowdown).
        let mixed = pairs(&vms, |_| {
            vec![Warmup, Slowdown, Slowdown, Slowdown, Slowdown, Slowdown]
        });
        assert!(judge(&mixed, &vms).evidence[0].contains("0 of 12"));
    }

    #[test]
    fn the_checksum_is_the_benchmarks() {
        let params = |n: u64| -> Params {
            [("iterations", 5), ("n", n)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        };
        let sum = |model: &str, n: u64| JitWarmup.expected_checksum(model, &params(n));
        assert_eq!(sum("default-nbody", 1000), Ok(Some(reference::nbody(1000))));
        assert_eq!(sum("no-opt-spectral-norm", 100), Ok(Some("1.274219991".into())));
        assert_eq!(sum("xint-fannkuch-redux", 7), Ok(Some("228:16".into())));
        assert!(sum("default", 7).unwrap_err().contains("names no benchmark"));
        assert!(sum("default-binary-trees", 7).is_err());
    }

    #[test]
    fn a_variant_splits_into_its_vm_and_benchmark() {
        assert_eq!(
            split_variant("node/no-opt-fannkuch-redux"),
            Some(("node/no-opt".into(), "fannkuch-redux"))
        );
        assert_eq!(
            split_variant("java/default-nbody"),
            Some(("java/default".into(), "nbody"))
        );
        assert_eq!(split_variant("java/default"), None);
        assert_eq!(split_variant("-nbody"), None);
    }
}
