//! loop-blocking, a server: `/ping` at a constant rate while `/cpu` requests, each calibrated to
//! the same CPU time on its runtime, arrive at rising rates; inline vs offloaded per runtime.
//! Owns its driver (`driver`), the verify checks of its endpoints, its figures (`figures`),
//! their table, chart and citation (`present`), and the `ping_stall` claim. No checksum: every
//! response is validated, `/cpu` against the cpu-scale kernel.

pub mod driver;
pub mod figures;
pub mod present;

use std::sync::Arc;

use anyhow::Result;
use arena_results::{CaseRecord, RunRecord};
use serde::Deserialize;

use super::module::{load_settings, server_driver, Metric, WorkloadModule};
use super::reference::chunk_hash;
use crate::analyse::claims::{Bound, BoundChecks, ClaimContext, Interval, Judgement, Unit};
use crate::measure::judge::Params;
use crate::measure::serve::Driver;
use crate::measure::verify::EndpointCheck;
use crate::plan::ServerLoad;
use crate::present::{Chart, Table};
use driver::{LoopBlockingDriver, LoopBlockingSettings};
use figures::LoopBlockingFigures;

pub const ID: &str = "loop-blocking";

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LoopBlockingClaim {
    /// At the highest /cpu rate, /ping p99 of every `variants` entry is at least `fraction` of
    /// one /cpu request's cost (it waited behind one), and every `versus` entry stays below it.
    PingStall {
        variants: Vec<String>,
        versus: Vec<String>,
        fraction: f64,
    },
}

pub struct LoopBlocking;

/// Every endpoint of the contract (workloads/README.md) once, for `arena verify`.
fn verify_checks() -> Vec<EndpointCheck> {
    let cpu = |chunk: u64, items: u64| Some(chunk_hash::partial(chunk, items).to_string());
    vec![
        EndpointCheck::new("/ping", 200, Some("pong".into())),
        EndpointCheck::new("/cpu?items=1000&chunk=3", 200, cpu(3, 1000)),
        EndpointCheck::new("/cpu?items=20000&chunk=11", 200, cpu(11, 20_000)),
        EndpointCheck::new("/nope", 404, None),
        EndpointCheck::new("/cpu?items=x&chunk=1", 400, None),
    ]
}

impl WorkloadModule for LoopBlocking {
    type Figures = Vec<LoopBlockingFigures>;
    type Claim = LoopBlockingClaim;

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
        load_settings::<LoopBlockingSettings>(table).map(|_| ())
    }

    fn driver(&self, load: &ServerLoad) -> Result<Arc<dyn Driver>> {
        server_driver(load, verify_checks, LoopBlockingDriver::new)
    }

    fn derive(&self, cases: &[&CaseRecord]) -> Vec<LoopBlockingFigures> {
        figures::derive(cases)
    }

    fn tables(&self, figures: &Vec<LoopBlockingFigures>) -> Vec<Table> {
        present::tables(figures)
    }

    fn charts(&self, figures: &Vec<LoopBlockingFigures>, _record: &RunRecord) -> Vec<Chart> {
        present::charts(figures)
    }

    fn headlines(&self, figures: &Vec<LoopBlockingFigures>) -> Vec<crate::analyse::trend::Headline> {
        // /ping p99 at the highest /cpu rate: the stall a lesson quotes. Its spread is the
        // repetitions' smallest and largest p99, which covers their median with 1 − 2 · 0.5^n.
        figures
            .iter()
            .filter_map(|f| {
                let p = f
                    .points
                    .iter()
                    .max_by(|a, b| a.cpu_rate_per_s.total_cmp(&b.cpu_rate_per_s))?;
                Some(crate::analyse::trend::Headline {
                    figure: "/ping p99 at the highest /cpu rate [ms]".into(),
                    series: format!("{} ({}/s)", f.variant, p.cpu_rate_per_s),
                    median: p.ping_p99_ns_median? / 1e6,
                    low: p.ping_p99_ns_min? / 1e6,
                    high: p.ping_p99_ns_max? / 1e6,
                    level: 1.0 - 2.0 * 0.5f64.powi(p.repetitions as i32),
                })
            })
            .collect()
    }

    fn metrics(&self) -> Vec<Metric<Vec<LoopBlockingFigures>>> {
        vec![Metric::citable(
            "ping_p99_ns@<cpu rate>",
            present::PING_METHOD,
            |figures, case, metric| {
                present::ping_citation(figures, case, metric.split_once('@').map(|(_, rate)| rate))
            },
        )]
    }

    fn claim_variants(&self, claim: &LoopBlockingClaim) -> Vec<String> {
        let LoopBlockingClaim::PingStall { variants, versus, .. } = claim;
        variants.iter().chain(versus).cloned().collect()
    }

    fn judge_claim(
        &self,
        claim: &LoopBlockingClaim,
        figures: &Vec<LoopBlockingFigures>,
        _ctx: &ClaimContext,
    ) -> Judgement {
        let LoopBlockingClaim::PingStall {
            variants,
            versus,
            fraction,
        } = claim;
        ping_stall(figures, variants, versus, *fraction)
    }
}

/// Decided on the p99 of the repetitions that passed the pacing gate (their median's
/// order-statistic intervals) at the highest /cpu rate: every `variants` entry at or above `fraction` × one /cpu request,
/// every `versus` entry below it (one family: `BoundChecks`).
fn ping_stall(
    figures: &[LoopBlockingFigures],
    variants: &[String],
    versus: &[String],
    fraction: f64,
) -> Judgement {
    let mut checks = BoundChecks::new();
    let ms = Unit {
        name: "ms",
        per: 1e6,
        decimals: 1,
    };
    let wanted = variants
        .iter()
        .map(|v| (v, true))
        .chain(versus.iter().map(|v| (v, false)));
    for (name, stalls) in wanted {
        let found = figures.iter().find(|f| &f.variant == name);
        let top = found.and_then(|f| {
            let point = f
                .points
                .iter()
                .max_by(|a, b| a.cpu_rate_per_s.total_cmp(&b.cpu_rate_per_s))?;
            Some((point, f.cpu_ms_median?))
        });
        let Some((point, cpu_ms)) = top else {
            checks.missing(format!("{name}: no valid run"));
            continue;
        };
        let (Some(min), Some(max), Some(median)) = (
            point.ping_p99_ns_min_paced,
            point.ping_p99_ns_max_paced,
            point.ping_p99_ns_median,
        ) else {
            checks.missing(format!(
                "{name}: no repetition with a paced /ping p99 ({} of {} failed the pacing gate or had too few samples)",
                point.repetitions - point.paced_repetitions,
                point.repetitions
            ));
            continue;
        };
        let threshold_ns = fraction * cpu_ms * 1e6;
        let bound = if stalls {
            Bound::AtLeast(threshold_ns)
        } else {
            Bound::Below(threshold_ns)
        };
        let what = format!(
            "{name}: /ping p99 at {:.0} /cpu per s (the {} paced of {} repetitions; one /cpu ≈ {cpu_ms:.1} ms, threshold {fraction} of it)",
            point.cpu_rate_per_s, point.paced_repetitions, point.repetitions
        );
        if point.ping_p99_ns_paced.is_empty() {
            // A run recorded before the paced values were kept: [min, max] of n repetitions
            // covers the median p99 with 1 − 2^(1−n).
            let n = point.paced_repetitions;
            let interval = Interval {
                median,
                low: min,
                high: max,
                level: 1.0 - 2f64.powi(1 - n as i32),
                n,
            };
            checks.interval(what, interval, bound, ms);
        } else {
            // The order-statistic interval at each level the family needs: one slow process
            // no longer sets the bound a verdict reads at 95%.
            checks.values(what, point.ping_p99_ns_paced.clone(), bound, ms);
        }
    }
    checks.verdict()
}

#[cfg(test)]
mod claim_tests {
    use super::*;
    use crate::analyse::claims::Verdict;

    /// One variant whose paced repetitions' /ping p99 at the top /cpu rate are `p99_ms`; one
    /// /cpu request costs 10 ms.
    fn figures(variant: &str, p99_ms: &[f64]) -> LoopBlockingFigures {
        let ns: Vec<f64> = p99_ms.iter().map(|ms| ms * 1e6).collect();
        let point = |rate: f64, values: Vec<f64>| figures::PingPoint {
            cpu_rate_per_s: rate,
            ping_p50_ns_median: crate::analyse::phases::median_of(values.clone()),
            ping_p99_ns_median: crate::analyse::phases::median_of(values.clone()),
            ping_p99_ns_min: values.iter().copied().reduce(f64::min),
            ping_p99_ns_max: values.iter().copied().reduce(f64::max),
            ping_p99_ns_min_paced: values.iter().copied().reduce(f64::min),
            ping_p99_ns_max_paced: values.iter().copied().reduce(f64::max),
            paced_repetitions: values.len() as u32,
            ping_p99_ns_paced: values.clone(),
            ping_max_ns_median: values.iter().copied().reduce(f64::max),
            ping_p99_ns_pooled: None,
            ping_p999_ns_pooled: None,
            cpu_achieved_rate_per_s_median: Some(rate),
            repetitions: values.len() as u32,
            unpaced_repetitions: 0,
        };
        LoopBlockingFigures {
            variant: variant.into(),
            cpu_ms_median: Some(10.0),
            points: vec![point(0.0, vec![1e5; p99_ms.len()]), point(20.0, ns)],
        }
    }

    /// `count` values spread evenly over `low`–`high` ms.
    fn spread(low: f64, high: f64, count: usize) -> Vec<f64> {
        (0..count)
            .map(|i| low + (high - low) * i as f64 / (count - 1).max(1) as f64)
            .collect()
    }

    fn judge(inline: &[f64], offloaded: &[f64]) -> Judgement {
        let figures = [figures("node/inline", inline), figures("node/workers", offloaded)];
        ping_stall(&figures, &["node/inline".into()], &["node/workers".into()], 0.5)
    }

    fn verdict(inline: &[f64], offloaded: &[f64]) -> Verdict {
        judge(inline, offloaded).verdict
    }

    #[test]
    fn ping_stall_supports_contradicts_or_needs_more_evidence() {
        // Threshold: 0.5 × 10 ms.
        assert_eq!(
            verdict(&spread(8.0, 12.0, 8), &spread(0.2, 0.9, 8)),
            Verdict::Supported
        );
        assert_eq!(
            verdict(&spread(0.3, 1.0, 8), &spread(0.2, 0.9, 8)),
            Verdict::Contradicted,
            "the inline loop never stalls /ping"
        );
        assert_eq!(
            verdict(&spread(3.0, 9.0, 8), &spread(0.2, 0.9, 8)),
            Verdict::NotEnoughEvidence,
            "the values straddle the threshold"
        );
        assert_eq!(
            verdict(&spread(8.0, 12.0, 3), &spread(0.2, 0.9, 3)),
            Verdict::NotEnoughEvidence,
            "3 paced repetitions cover 75%"
        );
        let judged = ping_stall(&[], &["node/inline".into()], &[], 0.5);
        assert_eq!(judged.verdict, Verdict::NotEnoughEvidence);
        assert!(
            judged.evidence[0].contains("no valid run"),
            "{:?}",
            judged.evidence
        );
    }

    /// Run 20261207T232622Z-quick: node/workers' 7 paced p99s reached 13.6 ms in one process, so
    /// [min, max] straddled its 8.9 ms threshold (here 5 ms). The 95% interval of 9 values is [x2, x8].
    #[test]
    fn one_slow_process_does_not_set_the_bound_at_95_percent() {
        let mut offloaded = spread(1.0, 4.0, 8);
        offloaded.push(13.6);
        let inline = spread(17.0, 35.0, 9);
        assert_eq!(verdict(&inline, &offloaded), Verdict::Supported);
        // A contradiction still needs the family's level: 4 of 9 slow processes are not one.
        let mut half_slow = spread(1.0, 4.0, 5);
        half_slow.extend([13.0, 14.0, 15.0, 16.0]);
        assert_eq!(verdict(&inline, &half_slow), Verdict::NotEnoughEvidence);
    }

    /// A run recorded before the paced values were kept is judged on [min, max] of its paced
    /// repetitions, as it was then.
    #[test]
    fn an_older_run_is_judged_on_min_and_max() {
        let mut offloaded = spread(1.0, 4.0, 8);
        offloaded.push(13.6);
        let mut figures = [
            figures("node/inline", &spread(17.0, 35.0, 9)),
            figures("node/workers", &offloaded),
        ];
        for f in &mut figures {
            f.points.iter_mut().for_each(|p| p.ping_p99_ns_paced.clear());
        }
        let judged = ping_stall(&figures, &["node/inline".into()], &["node/workers".into()], 0.5);
        assert_eq!(
            judged.verdict,
            Verdict::NotEnoughEvidence,
            "{:?}",
            judged.evidence
        );
    }
}
