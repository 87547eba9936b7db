//! Figures of the server workloads, derived from the phase steps recorded per repetition:
//! http-io (bytes per idle connection, peak /json rate, /io capacity and the latency sweep) and
//! loop-blocking (/ping latency per /cpu rate). Pure functions over result types; statistics
//! come from `stats`.

use std::collections::BTreeMap;

use arena_results::{
    CaseRecord, CaseStatus, HttpIoFigures, IdlePoint, LoadStream, LoopBlockingFigures, PhaseStep, PingPoint,
    Repetition, SweepPoint,
};

use crate::stats;

fn valid_reps(case: &CaseRecord) -> Vec<&Repetition> {
    case.repetitions.iter().filter(|r| r.valid).collect()
}

fn steps<'a>(rep: &'a Repetition, phase: &'a str) -> impl Iterator<Item = &'a PhaseStep> + 'a {
    rep.phases.iter().filter(move |s| s.phase == phase)
}

fn stream<'a>(step: &'a PhaseStep, name: &str) -> Option<&'a LoadStream> {
    step.load.as_ref()?.streams.iter().find(|s| s.stream == name)
}

fn median_of(values: Vec<f64>) -> Option<f64> {
    (!values.is_empty()).then(|| stats::median(&values))
}

fn estimate_of(values: Vec<f64>) -> Option<arena_results::Estimate> {
    (!values.is_empty()).then(|| stats::estimate(&values))
}

pub fn http_io(cases: &[CaseRecord]) -> Vec<HttpIoFigures> {
    cases
        .iter()
        .filter(|c| c.workload == "http-io" && c.status == CaseStatus::Ok)
        .map(|case| {
            let reps = valid_reps(case);
            let slopes: Vec<f64> = reps
                .iter()
                .filter_map(|rep| {
                    let points: Vec<(f64, f64)> = steps(rep, "idle-connections")
                        .filter_map(|s| Some((*s.knobs.get("connections")?, s.server_tree_rss_bytes? as f64)))
                        .collect();
                    stats::least_squares(&points).map(|(slope, _)| slope)
                })
                .collect();
            let mut idle: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
            for rep in &reps {
                for s in steps(rep, "idle-connections") {
                    if let (Some(c), Some(rss)) = (s.knobs.get("connections"), s.server_tree_rss_bytes) {
                        idle.entry(*c as u64).or_default().push(rss as f64);
                    }
                }
            }
            let peak_generator_bound = reps
                .iter()
                .filter_map(|rep| steps(rep, "peak").next()?.load.as_ref())
                .filter(|load| load.generator_bound)
                .count() as u32;
            let peak: Vec<(f64, Option<f64>)> = reps
                .iter()
                .filter_map(|rep| {
                    let step = steps(rep, "peak").next()?;
                    let json = stream(step, "json")?;
                    let requests = json.latency_uncorrected.count;
                    let cpu_per_request = step
                        .server_cpu_ns
                        .filter(|_| requests > 0)
                        .map(|cpu| cpu as f64 / requests as f64);
                    Some((json.achieved_rate_per_s, cpu_per_request))
                })
                .collect();
            let capacities: Vec<f64> = reps
                .iter()
                .filter_map(|rep| {
                    steps(rep, "io-sweep")
                        .filter_map(|s| stream(s, "io").map(|io| io.achieved_rate_per_s))
                        .reduce(f64::max)
                })
                .collect();
            let sweep_delay_ms = reps
                .iter()
                .find_map(|rep| steps(rep, "io-sweep").find_map(|s| s.knobs.get("delay_ms").copied()));
            let sweep = sweep_points(&reps);
            let first_saturated = sweep
                .iter()
                .find(|p| p.saturated_repetitions * 2 > p.repetitions)
                .map(|p| p.target_rate_per_s);
            HttpIoFigures {
                variant: case.variant.clone(),
                bytes_per_idle_connection: estimate_of(slopes),
                idle_points: idle
                    .into_iter()
                    .map(|(connections, rss)| IdlePoint {
                        connections,
                        tree_rss_bytes_median: stats::median(&rss),
                    })
                    .collect(),
                peak_json_rate_per_s: estimate_of(peak.iter().map(|p| p.0).collect()),
                peak_server_cpu_ns_per_request: median_of(peak.iter().filter_map(|p| p.1).collect()),
                peak_generator_bound_repetitions: peak_generator_bound,
                io_capacity_per_s: estimate_of(capacities),
                first_saturated_target_per_s: first_saturated,
                sweep_delay_ms,
                sweep,
            }
        })
        .collect()
}

fn sweep_points(reps: &[&Repetition]) -> Vec<SweepPoint> {
    let mut by_rate: BTreeMap<u64, Vec<(&LoadStream, bool)>> = BTreeMap::new();
    for rep in reps {
        for step in steps(rep, "io-sweep") {
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

/// The median cost of one `/cpu` request over the variants, for axis labels.
pub fn median_cpu_ms(figures: &[LoopBlockingFigures]) -> Option<f64> {
    median_of(figures.iter().filter_map(|f| f.cpu_ms_median).collect())
}

pub fn loop_blocking(cases: &[CaseRecord]) -> Vec<LoopBlockingFigures> {
    cases
        .iter()
        .filter(|c| c.workload == "loop-blocking" && c.status == CaseStatus::Ok)
        .map(|case| {
            let reps = valid_reps(case);
            let cpu_ms = median_of(
                reps.iter()
                    .filter_map(|r| {
                        steps(r, "calibrate-cpu")
                            .next()?
                            .knobs
                            .get("cpu_ms_measured")
                            .copied()
                    })
                    .collect(),
            );
            let mut by_rate: BTreeMap<u64, Vec<&PhaseStep>> = BTreeMap::new();
            for rep in &reps {
                for step in steps(rep, "ping-under-cpu") {
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
                    PingPoint {
                        cpu_rate_per_s: rate as f64 / 1000.0,
                        ping_p50_ns_median: median_of(ping(&|s| s.latency_corrected.p50_ns)),
                        ping_p99_ns_median: median_of(p99.clone()),
                        ping_p99_ns_min: p99.iter().copied().reduce(f64::min),
                        ping_p99_ns_max: p99.iter().copied().reduce(f64::max),
                        ping_max_ns_median: median_of(ping(&|s| s.latency_corrected.max_ns)),
                        cpu_achieved_rate_per_s_median: median_of(
                            steps
                                .iter()
                                .filter_map(|s| stream(s, "cpu").map(|c| c.achieved_rate_per_s))
                                .collect(),
                        ),
                        repetitions: steps.len() as u32,
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
