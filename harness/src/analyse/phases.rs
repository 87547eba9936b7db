//! Reading the load steps a server repetition recorded (`Repetition.phases`): the valid
//! repetitions of a case, a phase's steps, a step's named stream, medians of what is present,
//! and the corrected latency pooled over repetitions. Shared by the server workloads' figures;
//! pure.

use arena_results::{CaseRecord, Estimate, LatencySummary, LoadStream, PhaseStep, Repetition};

use super::{histogram, stats};

pub fn valid_reps(case: &CaseRecord) -> Vec<&Repetition> {
    case.repetitions.iter().filter(|r| r.valid).collect()
}

pub fn steps<'a>(rep: &'a Repetition, phase: &'a str) -> impl Iterator<Item = &'a PhaseStep> + 'a {
    rep.phases.iter().filter(move |s| s.phase == phase)
}

pub fn stream<'a>(step: &'a PhaseStep, name: &str) -> Option<&'a LoadStream> {
    step.load.as_ref()?.streams.iter().find(|s| s.stream == name)
}

pub fn median_of(values: Vec<f64>) -> Option<f64> {
    (!values.is_empty()).then(|| stats::median(&values))
}

pub fn estimate_of(values: Vec<f64>) -> Option<Estimate> {
    (!values.is_empty()).then(|| stats::estimate(&values))
}

/// The corrected latency of the same step over several repetitions, from their merged
/// histograms: every request counted once (not a median of percentiles). None when a stream
/// has no stored histogram (files recorded before they were stored) or one does not decode.
pub fn pooled_corrected<'a>(streams: impl IntoIterator<Item = &'a LoadStream>) -> Option<LatencySummary> {
    let histograms = streams
        .into_iter()
        .map(|s| histogram::decode(s.latency_corrected_hdr.as_deref()?).ok())
        .collect::<Option<Vec<_>>>()?;
    (!histograms.is_empty()).then(|| histogram::summarize(&histogram::merge(&histograms)))
}

/// Recorded phases for the server workloads' unit tests: a case of repetitions whose steps
/// carry the figures a real run records.
#[cfg(test)]
pub mod fixtures {
    use std::collections::BTreeMap;

    use arena_results::{
        CaseRecord, CaseStatus, LatencySummary, LaunchRecord, LoadMode, LoadRecord, LoadStream, PhaseStep,
        Repetition, RssTimeline,
    };

    /// A stream with its achieved rate and corrected p50/p99.
    pub fn stream(name: &str, target: Option<f64>, achieved: f64, p50_ns: u64, p99_ns: u64) -> LoadStream {
        let latency = LatencySummary {
            count: 1000,
            p50_ns: Some(p50_ns),
            p99_ns: Some(p99_ns),
            ..Default::default()
        };
        LoadStream {
            stream: name.into(),
            example_path: format!("/{name}"),
            mode: if target.is_some() {
                LoadMode::Open
            } else {
                LoadMode::Closed
            },
            connections: 10,
            target_rate_per_s: target,
            window_ns: 1_000_000_000,
            warmup_ns: 0,
            requests_ok: 1000,
            errors: BTreeMap::new(),
            unsent_at_end: 0,
            achieved_rate_per_s: achieved,
            saturated: target.map(|t| achieved < 0.99 * t),
            saturation_causes: vec![],
            latency_corrected: latency.clone(),
            latency_corrected_incomplete: 0,
            latency_corrected_hdr: None,
            latency_uncorrected: latency,
            send_lag: LatencySummary::default(),
            paced: target.map(|_| true),
            intervals: vec![],
        }
    }

    pub fn step(phase: &str, knobs: &[(&str, f64)], rss: Option<u64>, streams: Vec<LoadStream>) -> PhaseStep {
        PhaseStep {
            phase: phase.into(),
            step: 0,
            knobs: knobs.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            server_cpu_ns: Some(500_000_000),
            server_tree_rss_bytes: rss,
            server_tree_pss_bytes: None,
            server_stats: BTreeMap::new(),
            first_response_ns: None,
            first_response_attempts: None,
            load: (!streams.is_empty()).then(|| LoadRecord {
                target: "127.0.0.1:1".into(),
                streams,
                wall_ns: 1_000_000_000,
                generator_threads: 1,
                generator_cpus: vec![0],
                generator_cpu_ns: 100_000_000,
                generator_cpu_window_ns: Some(80_000_000),
                generator_run_delay_window_ns: Some(0),
                target_cpu_window_ns: Some(400_000_000),
                generator_busiest_thread_fraction: 0.1,
                generator_bound: false,
            }),
        }
    }

    pub fn repetition(index: u32, valid: bool, phases: Vec<PhaseStep>) -> Repetition {
        Repetition {
            index,
            valid,
            failure_kind: None,
            reason: None,
            exit_code: None,
            signal: Some(15),
            wall_ns: 1,
            user_cpu_ns: 1,
            sys_cpu_ns: 1,
            peak_tree_rss_bytes: None,
            ready_tree_rss_bytes: None,
            ready_tree_pss_bytes: None,
            peak_tree_pss_bytes: None,
            ready_sampled_at_ns: None,
            ru_maxrss_bytes: None,
            time_to_ready_ns: None,
            rss_samples: 0,
            leftover_processes_killed: false,
            checksum: None,
            self_reported: BTreeMap::new(),
            rss_timeline: RssTimeline::default(),
            stderr_log: None,
            stderr_tail: None,
            phases,
            interference: None,
            iter_ns: Vec::new(),
            hiccups: None,
            runtime_pauses: None,
        }
    }

    pub fn case(
        workload: &str,
        variant: &str,
        status: CaseStatus,
        repetitions: Vec<Repetition>,
    ) -> CaseRecord {
        CaseRecord {
            case_id: format!("{workload}/{variant}/port=0"),
            workload: workload.into(),
            language: variant.split('/').next().unwrap().into(),
            variant: variant.into(),
            model: variant.split('/').nth(1).unwrap().into(),
            params: BTreeMap::new(),
            launch: LaunchRecord {
                program: String::new(),
                args: vec![],
                env: BTreeMap::new(),
                cwd: String::new(),
                timeout_ms: 0,
            },
            status,
            failure_kind: None,
            reason: None,
            expected_checksum: None,
            repetitions_planned: repetitions.len() as u32,
            server_cpus: vec![1],
            generator_cpus: vec![0],
            artifact_bytes: None,
            artifact_paths: Vec::new(),
            repetitions,
            summary: None,
        }
    }
}
