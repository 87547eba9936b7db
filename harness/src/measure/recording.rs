//! What a finished process becomes in the record: its execution and its judged findings turned
//! into a `Repetition`, including the payloads a workload's events carry (per-iteration times,
//! hiccup and runtime-pause lists). It must not judge, schedule or write anything.

use std::collections::BTreeMap;

use arena_results::{DurationList, Repetition};

use super::executor::Execution;
use super::judge;
use crate::analyse::histogram;

pub(super) fn to_repetition(
    round: u32,
    exec: &Execution,
    findings: judge::Findings,
    stderr_log: String,
) -> Repetition {
    let timeline_peak = exec.timeline.rss_bytes.iter().copied().max();
    let peak = timeline_peak.max(exec.ready_rss_bytes);
    let (failure_kind, reason) = match findings.failure {
        Some((kind, reason)) => (Some(kind), Some(reason)),
        None => (None, None),
    };
    Repetition {
        index: round + 1,
        valid: failure_kind.is_none(),
        stderr_tail: failure_kind
            .is_some()
            .then(|| exec.stderr_tail.clone())
            .filter(|t| !t.is_empty()),
        failure_kind,
        reason,
        exit_code: exec.exit_code,
        signal: exec.signal,
        wall_ns: exec.wall_ns,
        user_cpu_ns: exec.user_cpu_ns,
        sys_cpu_ns: exec.sys_cpu_ns,
        peak_tree_rss_bytes: peak,
        ready_tree_rss_bytes: exec.ready_rss_bytes,
        ready_tree_pss_bytes: exec.ready_pss_bytes,
        peak_tree_pss_bytes: exec.peak_pss_bytes,
        ready_sampled_at_ns: exec.ready_sampled_at_ns,
        ru_maxrss_bytes: exec.ru_maxrss_bytes,
        time_to_ready_ns: exec.first_event("ready").map(|e| e.at_ns),
        rss_samples: exec.timeline.t_ns.len() as u32,
        leftover_processes_killed: exec.leftovers_killed,
        checksum: findings.checksum,
        self_reported: findings.self_reported.into_iter().collect::<BTreeMap<_, _>>(),
        rss_timeline: exec.timeline.clone(),
        stderr_log: Some(stderr_log),
        phases: exec.drive.as_ref().map(|d| d.steps.clone()).unwrap_or_default(),
        interference: exec.interference.clone(),
        iter_ns: exec
            .events
            .iter()
            .filter(|e| e.kind == "iter")
            .filter_map(|e| e.int("ns").and_then(|ns| u64::try_from(ns).ok()))
            .collect(),
        hiccups: duration_list(exec, "hiccups"),
        runtime_pauses: duration_list(exec, "gc_pauses"),
    }
}

/// The `ns` array of the first `kind` event as a histogram with its exact count, sum and max
/// (workloads/README.md, "Output protocol"); None when the process printed no such event.
/// Entries that are not non-negative integers are left out (the workload's invariants count
/// them).
fn duration_list(exec: &Execution, kind: &str) -> Option<DurationList> {
    let event = exec.first_event(kind)?;
    let values: Vec<u64> = event
        .fields
        .get("ns")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_u64()).collect())
        .unwrap_or_default();
    let mut histogram = histogram::new_histogram();
    for v in &values {
        histogram.saturating_record(*v);
    }
    Some(DurationList {
        count: values.len() as u64,
        total_ns: values.iter().sum(),
        max_ns: values.iter().copied().max().unwrap_or(0),
        histogram: histogram::encode(&histogram),
        source: event.text("source").map(str::to_string),
    })
}
