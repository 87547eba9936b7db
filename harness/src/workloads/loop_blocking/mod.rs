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

use super::module::{load_settings, server_driver, WorkloadModule};
use super::reference::chunk_hash;
use crate::analyse::claims::{Bound, BoundChecks, ClaimContext, Interval, Judgement, Unit};
use crate::measure::judge::Params;
use crate::measure::serve::Driver;
use crate::measure::verify::EndpointCheck;
use crate::plan::ServerLoad;
use crate::present::cite::Citation;
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

    fn methods(&self) -> Vec<(&'static str, &'static str)> {
        vec![present::PING_METHOD]
    }

    fn cite_metrics(&self) -> Vec<&'static str> {
        vec!["ping_p99_ns@<cpu rate>"]
    }

    fn cite(
        &self,
        figures: &Vec<LoopBlockingFigures>,
        case: &CaseRecord,
        metric: &str,
    ) -> Option<Result<Citation>> {
        present::cite(figures, case, metric)
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

/// Decided on the p99 of the repetitions that passed the pacing gate (min and max over them) at
/// the highest /cpu rate: every `variants` entry at or above `fraction` × one /cpu request,
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
        // [min, max] of n repetitions covers the median p99 with 1 − 2^(1−n); only the
        // repetitions that passed the pacing gate count.
        let n = point.paced_repetitions;
        let threshold_ns = fraction * cpu_ms * 1e6;
        checks.interval(
            format!(
                "{name}: /ping p99 at {:.0} /cpu per s (median of all {} repetitions; interval: min–max of the {n} paced; one /cpu ≈ {cpu_ms:.1} ms, threshold {fraction} of it)",
                point.cpu_rate_per_s, point.repetitions
            ),
            Interval {
                median,
                low: min,
                high: max,
                level: 1.0 - 2f64.powi(1 - n as i32),
                n,
            },
            if stalls {
                Bound::AtLeast(threshold_ns)
            } else {
                Bound::Below(threshold_ns)
            },
            ms,
        );
    }
    checks.verdict()
}

#[cfg(test)]
mod claim_tests {
    use super::*;
    use crate::analyse::claims::Verdict;

    /// One variant whose /ping p99 at the top /cpu rate spans `low_ms`–`high_ms` over `paced`
    /// repetitions; one /cpu request costs 10 ms.
    fn figures(variant: &str, low_ms: f64, high_ms: f64, paced: u32) -> LoopBlockingFigures {
        let point = |rate: f64, low: f64, high: f64| figures::PingPoint {
            cpu_rate_per_s: rate,
            ping_p50_ns_median: Some(low * 1e6),
            ping_p99_ns_median: Some((low + high) / 2.0 * 1e6),
            ping_p99_ns_min: Some(low * 1e6),
            ping_p99_ns_max: Some(high * 1e6),
            ping_p99_ns_min_paced: Some(low * 1e6),
            ping_p99_ns_max_paced: Some(high * 1e6),
            paced_repetitions: paced,
            ping_max_ns_median: Some(high * 1e6),
            ping_p99_ns_pooled: None,
            ping_p999_ns_pooled: None,
            cpu_achieved_rate_per_s_median: Some(rate),
            repetitions: paced,
            unpaced_repetitions: 0,
        };
        LoopBlockingFigures {
            variant: variant.into(),
            cpu_ms_median: Some(10.0),
            points: vec![point(0.0, 0.1, 0.2), point(20.0, low_ms, high_ms)],
        }
    }

    fn verdict(inline: (f64, f64), offloaded: (f64, f64), paced: u32) -> Verdict {
        let figures = [
            figures("node/inline", inline.0, inline.1, paced),
            figures("node/workers", offloaded.0, offloaded.1, paced),
        ];
        ping_stall(&figures, &["node/inline".into()], &["node/workers".into()], 0.5).verdict
    }

    #[test]
    fn ping_stall_supports_contradicts_or_needs_more_evidence() {
        // Threshold: 0.5 × 10 ms. 8 paced repetitions: [min, max] covers 99.2%.
        assert_eq!(verdict((8.0, 12.0), (0.2, 0.9), 8), Verdict::Supported);
        assert_eq!(
            verdict((0.3, 1.0), (0.2, 0.9), 8),
            Verdict::Contradicted,
            "the inline loop never stalls /ping"
        );
        assert_eq!(
            verdict((3.0, 9.0), (0.2, 0.9), 8),
            Verdict::NotEnoughEvidence,
            "the span straddles the threshold"
        );
        assert_eq!(
            verdict((8.0, 12.0), (0.2, 0.9), 3),
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
}
