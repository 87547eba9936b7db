//! loop-blocking figures, derived from the phase steps each repetition recorded: the
//! calibrated cost of one /cpu request and /ping latency at each /cpu rate. The result types
//! live here too (`derived.loop-blocking` in results.json). Pure.

use std::collections::BTreeMap;

use arena_results::{CaseRecord, CaseStatus, LoadStream, PhaseStep};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::driver::{CALIBRATE_PHASE, PING_PHASE};
use crate::analyse::phases::{median_of, pooled_corrected, steps, stream, valid_reps};

/// loop-blocking, per variant: /ping latency at each /cpu rate.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LoopBlockingFigures {
    pub variant: String,
    /// Measured cost of one /cpu request after calibration (median over repetitions).
    pub cpu_ms_median: Option<f64>,
    pub points: Vec<PingPoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PingPoint {
    pub cpu_rate_per_s: f64,
    pub ping_p50_ns_median: Option<f64>,
    pub ping_p99_ns_median: Option<f64>,
    /// Smallest and largest p99 over the repetitions.
    pub ping_p99_ns_min: Option<f64>,
    pub ping_p99_ns_max: Option<f64>,
    /// The same over the repetitions whose /ping stream passed the pacing gate (send-lag p99
    /// ≤ 1 ms), and how many those are: the claims decide on these, since the tail of an unpaced
    /// repetition partly measures the generator. (Added within schema version 2.)
    #[serde(default)]
    pub ping_p99_ns_min_paced: Option<f64>,
    #[serde(default)]
    pub ping_p99_ns_max_paced: Option<f64>,
    #[serde(default)]
    pub paced_repetitions: u32,
    /// The /ping p99 of each paced repetition, in run order: the claim's order-statistic
    /// intervals are read from these at each level its family needs. (Added within schema
    /// version 2; empty in older runs.)
    #[serde(default)]
    pub ping_p99_ns_paced: Vec<f64>,
    pub ping_max_ns_median: Option<f64>,
    /// Corrected /ping p99 and p99.9 of every repetition's requests pooled (merged
    /// histograms; None before histograms were stored, or below the sample gates). (Added
    /// within schema version 2.)
    #[serde(default)]
    pub ping_p99_ns_pooled: Option<u64>,
    #[serde(default)]
    pub ping_p999_ns_pooled: Option<u64>,
    pub cpu_achieved_rate_per_s_median: Option<f64>,
    pub repetitions: u32,
    /// Repetitions whose /ping stream failed the pacing gate (send-lag p99 > 1 ms).
    #[serde(default)]
    pub unpaced_repetitions: u32,
}

/// The median cost of one `/cpu` request over the variants, for axis labels.
pub fn median_cpu_ms(figures: &[LoopBlockingFigures]) -> Option<f64> {
    median_of(figures.iter().filter_map(|f| f.cpu_ms_median).collect())
}

pub fn derive(cases: &[&CaseRecord]) -> Vec<LoopBlockingFigures> {
    cases
        .iter()
        .filter(|c| c.status == CaseStatus::Ok)
        .map(|case| {
            let reps = valid_reps(case);
            let cpu_ms = median_of(
                reps.iter()
                    .filter_map(|r| {
                        steps(r, CALIBRATE_PHASE)
                            .next()?
                            .knobs
                            .get("cpu_ms_measured")
                            .copied()
                    })
                    .collect(),
            );
            let mut by_rate: BTreeMap<u64, Vec<&PhaseStep>> = BTreeMap::new();
            for rep in &reps {
                for step in steps(rep, PING_PHASE) {
                    let rate = step.knobs.get("cpu_rate_per_s").copied().unwrap_or(0.0);
                    by_rate.entry((rate * 1000.0) as u64).or_default().push(step);
                }
            }
            let points = by_rate
                .into_iter()
                .map(|(rate, steps)| {
                    let ping = |f: &dyn Fn(&LoadStream) -> Option<u64>| -> Vec<f64> {
                        steps
                            .iter()
                            .filter_map(|s| stream(s, "ping").and_then(f))
                            .map(|v| v as f64)
                            .collect()
                    };
                    let p99 = ping(&|s| s.latency_corrected.p99_ns);
                    // Repetitions that passed the pacing gate: their tail measures the server.
                    let paced_p99: Vec<f64> = steps
                        .iter()
                        .filter_map(|s| stream(s, "ping"))
                        .filter(|p| p.paced != Some(false))
                        .filter_map(|p| p.latency_corrected.p99_ns)
                        .map(|v| v as f64)
                        .collect();
                    let pooled = pooled_corrected(steps.iter().filter_map(|s| stream(s, "ping")));
                    PingPoint {
                        cpu_rate_per_s: rate as f64 / 1000.0,
                        ping_p50_ns_median: median_of(ping(&|s| s.latency_corrected.p50_ns)),
                        ping_p99_ns_median: median_of(p99.clone()),
                        ping_p99_ns_min: p99.iter().copied().reduce(f64::min),
                        ping_p99_ns_max: p99.iter().copied().reduce(f64::max),
                        ping_p99_ns_min_paced: paced_p99.iter().copied().reduce(f64::min),
                        ping_p99_ns_max_paced: paced_p99.iter().copied().reduce(f64::max),
                        paced_repetitions: paced_p99.len() as u32,
                        ping_p99_ns_paced: paced_p99,
                        ping_max_ns_median: median_of(ping(&|s| s.latency_corrected.max_ns)),
                        ping_p99_ns_pooled: pooled.as_ref().and_then(|p| p.p99_ns),
                        ping_p999_ns_pooled: pooled.as_ref().and_then(|p| p.p999_ns),
                        cpu_achieved_rate_per_s_median: median_of(
                            steps
                                .iter()
                                .filter_map(|s| stream(s, "cpu").map(|c| c.achieved_rate_per_s))
                                .collect(),
                        ),
                        repetitions: steps.len() as u32,
                        unpaced_repetitions: steps
                            .iter()
                            .filter(|s| stream(s, "ping").is_some_and(|p| p.paced == Some(false)))
                            .count() as u32,
                    }
                })
                .collect();
            LoopBlockingFigures {
                variant: case.variant.clone(),
                cpu_ms_median: cpu_ms,
                points,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::phases::fixtures::{case, repetition, step, stream};

    /// A repetition whose /ping p99 is `p99_ms` at every /cpu rate > 0 (1 ms at rate 0).
    fn rep(index: u32, cpu_ms: f64, p99_ms: f64) -> arena_results::Repetition {
        let mut phases = vec![step(
            CALIBRATE_PHASE,
            &[("cpu_ms_measured", cpu_ms)],
            None,
            vec![],
        )];
        for rate in [0.0, 25.0] {
            let p99 = if rate > 0.0 { p99_ms } else { 1.0 };
            let mut streams = vec![stream("ping", Some(400.0), 400.0, 200_000, (p99 * 1e6) as u64)];
            if rate > 0.0 {
                streams.push(stream("cpu", Some(rate), rate, 20_000_000, 40_000_000));
            }
            phases.push(step(PING_PHASE, &[("cpu_rate_per_s", rate)], None, streams));
        }
        repetition(index, true, phases)
    }

    #[test]
    fn ping_latency_per_cpu_rate_with_the_range_over_repetitions() {
        let figures = derive(&[&case(
            "w",
            "node/inline",
            CaseStatus::Ok,
            vec![rep(1, 19.0, 20.0), rep(2, 21.0, 24.0)],
        )]);
        let f = &figures[0];
        assert_eq!(f.cpu_ms_median, Some(20.0));
        assert_eq!(f.points.len(), 2);
        let loaded = &f.points[1];
        assert_eq!(loaded.cpu_rate_per_s, 25.0);
        assert_eq!(
            (loaded.ping_p99_ns_min, loaded.ping_p99_ns_max),
            (Some(20e6), Some(24e6))
        );
        assert_eq!(loaded.ping_p99_ns_median, Some(22e6));
        assert_eq!(loaded.cpu_achieved_rate_per_s_median, Some(25.0));
        assert_eq!(loaded.repetitions, 2);
        assert_eq!(
            f.points[0].cpu_achieved_rate_per_s_median, None,
            "no /cpu stream at rate 0"
        );
        assert_eq!(median_cpu_ms(&figures), Some(20.0));
    }

    #[test]
    fn the_claims_span_leaves_out_repetitions_that_failed_the_pacing_gate() {
        let mut late = rep(3, 20.0, 90.0);
        for step in late.phases.iter_mut() {
            for s in step.load.iter_mut().flat_map(|l| l.streams.iter_mut()) {
                if s.stream == "ping" {
                    s.paced = Some(false);
                }
            }
        }
        let figures = derive(&[&case(
            "w",
            "node/workers",
            CaseStatus::Ok,
            vec![rep(1, 20.0, 3.0), rep(2, 20.0, 4.0), late],
        )]);
        let loaded = figures[0]
            .points
            .iter()
            .find(|p| p.cpu_rate_per_s == 25.0)
            .unwrap();
        assert_eq!(
            (
                loaded.repetitions,
                loaded.paced_repetitions,
                loaded.unpaced_repetitions
            ),
            (3, 2, 1)
        );
        assert_eq!(
            loaded.ping_p99_ns_max,
            Some(90e6),
            "the table still shows every repetition"
        );
        assert_eq!(loaded.ping_p99_ns_max_paced, Some(4e6));
    }
}
