//! http-io figures, derived from the phase steps each repetition recorded: memory per idle
//! connection, peak /json rate and server CPU per request, /io capacity and the latency sweep.
//! The result types live here too (`derived.http-io` in results.json). Pure.

use std::collections::BTreeMap;

use arena_results::{CaseRecord, CaseStatus, Estimate, LoadStream, Repetition};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::driver::{IDLE_PHASE, PEAK_PHASE, SWEEP_PHASE};
use crate::analyse::phases::{estimate_of, median_of, pooled_corrected, steps, stream, valid_reps};
use crate::analyse::stats;

/// http-io, per variant: figures over the valid repetitions (median, interval over repetitions).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct HttpIoFigures {
    pub variant: String,
    /// Least-squares slope of the server's settled tree RSS over the idle connections held,
    /// per repetition; median and interval over repetitions.
    pub bytes_per_idle_connection: Option<Estimate>,
    pub idle_points: Vec<IdlePoint>,
    /// Closed loop on /json: responses per second.
    pub peak_json_rate_per_s: Option<Estimate>,
    /// Server CPU per /json response in the peak step, both over its measured window (median
    /// of repetitions; None for files recorded before the window CPU was read).
    pub peak_server_cpu_ns_per_request: Option<f64>,
    /// Repetitions whose peak step was generator-bound: the peak then measures the generator.
    #[serde(default)]
    pub peak_generator_bound_repetitions: u32,
    /// The highest achieved /io rate of the sweep (the capacity if it saturated).
    pub io_capacity_per_s: Option<Estimate>,
    /// The lowest target rate that saturated in a majority of repetitions; None: never saturated.
    pub first_saturated_target_per_s: Option<f64>,
    /// The wait of every `/io` request in the sweep (its `delay_ms` knob); None without a sweep.
    #[serde(default)]
    pub sweep_delay_ms: Option<f64>,
    pub sweep: Vec<SweepPoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct IdlePoint {
    pub connections: u64,
    pub tree_rss_bytes_median: f64,
}

/// One target rate of the /io sweep; medians over the repetitions that reached it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct SweepPoint {
    pub target_rate_per_s: f64,
    pub achieved_rate_per_s_median: f64,
    pub p50_ns_median: Option<f64>,
    pub p99_ns_median: Option<f64>,
    pub p999_ns_median: Option<f64>,
    pub uncorrected_p99_ns_median: Option<f64>,
    /// Corrected p99 and p99.9 of every repetition's requests pooled (merged histograms; None
    /// before histograms were stored, or below the sample gates). (Added within schema version 2.)
    #[serde(default)]
    pub pooled_p99_ns: Option<u64>,
    #[serde(default)]
    pub pooled_p999_ns: Option<u64>,
    pub repetitions: u32,
    pub saturated_repetitions: u32,
    pub generator_bound_repetitions: u32,
}

pub fn derive(cases: &[&CaseRecord]) -> Vec<HttpIoFigures> {
    cases
        .iter()
        .filter(|c| c.status == CaseStatus::Ok)
        .map(|case| variant_figures(case))
        .collect()
}

fn variant_figures(case: &CaseRecord) -> HttpIoFigures {
    let reps = valid_reps(case);
    let (bytes_per_idle_connection, idle_points) = idle_figures(&reps);
    let peak = peak_figures(&reps);
    let capacities: Vec<f64> = reps
        .iter()
        .filter_map(|rep| {
            steps(rep, SWEEP_PHASE)
                .filter_map(|s| stream(s, "io").map(|io| io.achieved_rate_per_s))
                .reduce(f64::max)
        })
        .collect();
    let sweep_delay_ms = reps
        .iter()
        .find_map(|rep| steps(rep, SWEEP_PHASE).find_map(|s| s.knobs.get("delay_ms").copied()));
    let sweep = sweep_points(&reps);
    let first_saturated = sweep
        .iter()
        .find(|p| p.saturated_repetitions * 2 > p.repetitions)
        .map(|p| p.target_rate_per_s);
    HttpIoFigures {
        variant: case.variant.clone(),
        bytes_per_idle_connection,
        idle_points,
        peak_json_rate_per_s: peak.rate,
        peak_server_cpu_ns_per_request: peak.cpu_ns_per_request,
        peak_generator_bound_repetitions: peak.generator_bound_repetitions,
        io_capacity_per_s: estimate_of(capacities),
        first_saturated_target_per_s: first_saturated,
        sweep_delay_ms,
        sweep,
    }
}

/// The slope of settled RSS over connections held (one per repetition, then their estimate),
/// and the median RSS at each connection count. Per repetition, not pooled: one process holds
/// every connection count in turn, so its points share its baseline. The median of 6 slopes
/// with its order-statistic interval (96.9%) covered 96.8–96.9% in simulation with constant,
/// proportional and lognormal noise and a ±10% baseline per process
/// (`analyse::stats::coverage`, `http_io_per_repetition_slopes_hold_their_order_statistic_level`).
fn idle_figures(reps: &[&Repetition]) -> (Option<Estimate>, Vec<IdlePoint>) {
    let slopes: Vec<f64> = reps
        .iter()
        .filter_map(|rep| {
            let points: Vec<(f64, f64)> = steps(rep, IDLE_PHASE)
                .filter_map(|s| Some((*s.knobs.get("connections")?, s.server_tree_rss_bytes? as f64)))
                .collect();
            stats::least_squares(&points).map(|(slope, _)| slope)
        })
        .collect();
    let mut idle: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for rep in reps {
        for s in steps(rep, IDLE_PHASE) {
            if let (Some(c), Some(rss)) = (s.knobs.get("connections"), s.server_tree_rss_bytes) {
                idle.entry(*c as u64).or_default().push(rss as f64);
            }
        }
    }
    let points = idle
        .into_iter()
        .map(|(connections, rss)| IdlePoint {
            connections,
            tree_rss_bytes_median: stats::median(&rss),
        })
        .collect();
    (estimate_of(slopes), points)
}

struct Peak {
    rate: Option<Estimate>,
    cpu_ns_per_request: Option<f64>,
    generator_bound_repetitions: u32,
}

fn peak_figures(reps: &[&Repetition]) -> Peak {
    let generator_bound_repetitions = reps
        .iter()
        .filter_map(|rep| steps(rep, PEAK_PHASE).next()?.load.as_ref())
        .filter(|load| load.generator_bound)
        .count() as u32;
    let peak: Vec<(f64, Option<f64>)> = reps
        .iter()
        .filter_map(|rep| {
            let step = steps(rep, PEAK_PHASE).next()?;
            let json = stream(step, "json")?;
            // CPU and requests over the same measured window (not connect, warm-up or drain).
            let requests = json.requests_ok;
            let cpu_per_request = step
                .load
                .as_ref()?
                .target_cpu_window_ns
                .filter(|_| requests > 0)
                .map(|cpu| cpu as f64 / requests as f64);
            Some((json.achieved_rate_per_s, cpu_per_request))
        })
        .collect();
    Peak {
        rate: estimate_of(peak.iter().map(|p| p.0).collect()),
        cpu_ns_per_request: median_of(peak.iter().filter_map(|p| p.1).collect()),
        generator_bound_repetitions,
    }
}

fn sweep_points(reps: &[&Repetition]) -> Vec<SweepPoint> {
    let mut by_rate: BTreeMap<u64, Vec<(&LoadStream, bool)>> = BTreeMap::new();
    for rep in reps {
        for step in steps(rep, SWEEP_PHASE) {
            if let (Some(io), Some(load)) = (stream(step, "io"), step.load.as_ref()) {
                let rate = io.target_rate_per_s.unwrap_or(0.0);
                by_rate
                    .entry((rate * 1000.0) as u64)
                    .or_default()
                    .push((io, load.generator_bound));
            }
        }
    }
    by_rate
        .into_values()
        .map(|runs| {
            let pick = |f: &dyn Fn(&LoadStream) -> Option<u64>| {
                median_of(runs.iter().filter_map(|(s, _)| f(s)).map(|v| v as f64).collect())
            };
            let pooled = pooled_corrected(runs.iter().map(|(s, _)| *s));
            SweepPoint {
                target_rate_per_s: runs[0].0.target_rate_per_s.unwrap_or(0.0),
                achieved_rate_per_s_median: stats::median(
                    &runs
                        .iter()
                        .map(|(s, _)| s.achieved_rate_per_s)
                        .collect::<Vec<_>>(),
                ),
                p50_ns_median: pick(&|s| s.latency_corrected.p50_ns),
                p99_ns_median: pick(&|s| s.latency_corrected.p99_ns),
                p999_ns_median: pick(&|s| s.latency_corrected.p999_ns),
                uncorrected_p99_ns_median: pick(&|s| s.latency_uncorrected.p99_ns),
                pooled_p99_ns: pooled.as_ref().and_then(|p| p.p99_ns),
                pooled_p999_ns: pooled.as_ref().and_then(|p| p.p999_ns),
                repetitions: runs.len() as u32,
                saturated_repetitions: runs.iter().filter(|(s, _)| s.saturated == Some(true)).count() as u32,
                generator_bound_repetitions: runs.iter().filter(|(_, bound)| *bound).count() as u32,
            }
        })
        .collect()
}

/// The `/io` wait shared by every variant's sweep, for titles; None if they differ or none ran.
pub fn common_sweep_delay_ms(figures: &[HttpIoFigures]) -> Option<f64> {
    let mut delays = figures.iter().filter_map(|f| f.sweep_delay_ms);
    let first = delays.next()?;
    delays.all(|d| d == first).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::phases::fixtures::{case, repetition, step, stream};

    /// One repetition: idle RSS = 10 MB + `per_connection` × C, a /json peak, and an /io sweep
    /// that saturates above `capacity`.
    fn rep(index: u32, valid: bool, per_connection: f64, peak: f64, capacity: f64) -> Repetition {
        let mut phases = Vec::new();
        for c in [100.0, 1000.0] {
            let rss = 10e6 + per_connection * c;
            phases.push(step(IDLE_PHASE, &[("connections", c)], Some(rss as u64), vec![]));
        }
        phases.push(step(
            PEAK_PHASE,
            &[("connections", 50.0)],
            None,
            vec![stream("json", None, peak, 100_000, 900_000)],
        ));
        for target in [1000.0, 2000.0, 4000.0] {
            let achieved = f64::min(target, capacity);
            let p99 = if achieved < target {
                900_000_000
            } else {
                60_000_000
            };
            phases.push(step(
                SWEEP_PHASE,
                &[("target_rate_per_s", target), ("delay_ms", 50.0)],
                None,
                vec![stream("io", Some(target), achieved, 51_000_000, p99)],
            ));
        }
        repetition(index, valid, phases)
    }

    #[test]
    fn figures_come_from_the_valid_repetitions_phases() {
        let reps = vec![
            rep(1, true, 20_000.0, 50_000.0, 2500.0),
            rep(2, true, 22_000.0, 60_000.0, 2600.0),
            // An invalid repetition's figures never count.
            rep(3, false, 1e9, 1.0, 1.0),
        ];
        let figures = derive(&[&case("w", "java/pool", CaseStatus::Ok, reps)]);
        assert_eq!(figures.len(), 1);
        let f = &figures[0];
        let per_connection = f.bytes_per_idle_connection.as_ref().unwrap();
        assert!(
            (per_connection.median - 21_000.0).abs() < 1.0,
            "{per_connection:?}"
        );
        assert_eq!(per_connection.n, 2);
        assert_eq!(f.idle_points.len(), 2);
        assert_eq!(f.peak_json_rate_per_s.as_ref().unwrap().median, 55_000.0);
        // Window CPU 0.4 s over the window's 1000 requests (not the step's 0.5 s).
        assert_eq!(f.peak_server_cpu_ns_per_request, Some(400_000.0));
        assert_eq!(f.io_capacity_per_s.as_ref().unwrap().median, 2550.0);
        assert_eq!(f.first_saturated_target_per_s, Some(4000.0));
        assert_eq!(f.sweep_delay_ms, Some(50.0));
        assert_eq!(f.sweep.len(), 3);
        assert_eq!(f.sweep[2].saturated_repetitions, 2);
        assert_eq!(f.sweep[0].p99_ns_median, Some(60_000_000.0));
        assert_eq!(common_sweep_delay_ms(&figures), Some(50.0));
    }

    #[test]
    fn a_failed_case_has_no_figures_and_a_server_that_never_saturates_says_so() {
        let failed = case(
            "w",
            "go/net-http",
            CaseStatus::Failed,
            vec![rep(1, false, 1.0, 1.0, 1.0)],
        );
        assert!(derive(&[&failed]).is_empty());
        let fast = case(
            "w",
            "go/net-http",
            CaseStatus::Ok,
            vec![rep(1, true, 1.0, 1.0, 1e9)],
        );
        let figures = derive(&[&fast]);
        assert_eq!(figures[0].first_saturated_target_per_s, None);
    }
}
