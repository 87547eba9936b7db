//! From raw repetitions to a case's summary: the median and interval of every metric measured
//! from outside, and of the self-reported `_ns` figures. Figures derived across cases belong to
//! each workload's module. Pure functions over the result types; the statistics are `stats`.

use std::collections::BTreeMap;

use arena_results::{CaseRecord, CaseSummary, Estimate, Repetition};

use super::stats;

fn estimate_of(reps: &[&Repetition], metric: impl Fn(&Repetition) -> Option<f64>) -> Option<Estimate> {
    let values: Vec<f64> = reps.iter().filter_map(|r| metric(r)).collect();
    (values.len() == reps.len() && !values.is_empty()).then(|| stats::estimate(&values))
}

/// Marks a case `ok` with the summary of the repetitions it has: when its last planned one
/// finished, when a stopping rule ends it, or (on a copy) to judge claims mid-run.
pub fn complete(case: &mut CaseRecord) {
    case.status = arena_results::CaseStatus::Ok;
    case.summary = summarize(&case.repetitions);
}

/// Summary of the valid repetitions of a case; None when there are none.
pub fn summarize(reps: &[Repetition]) -> Option<CaseSummary> {
    let valid: Vec<&Repetition> = reps.iter().filter(|r| r.valid).collect();
    if valid.is_empty() {
        return None;
    }
    let mut self_reported = BTreeMap::new();
    for key in valid[0].self_reported.keys() {
        if key.ends_with("_ns") {
            if let Some(e) = estimate_of(&valid, |r| r.self_reported.get(key).map(|v| *v as f64)) {
                self_reported.insert(key.clone(), e);
            }
        }
    }
    Some(CaseSummary {
        wall_ns: estimate_of(&valid, |r| Some(r.wall_ns as f64))?,
        cpu_ns: estimate_of(&valid, |r| Some((r.user_cpu_ns + r.sys_cpu_ns) as f64))?,
        peak_tree_rss_bytes: estimate_of(&valid, |r| r.peak_tree_rss_bytes.map(|v| v as f64)),
        ready_tree_rss_bytes: estimate_of(&valid, |r| r.ready_tree_rss_bytes.map(|v| v as f64)),
        peak_tree_pss_bytes: estimate_of(&valid, |r| r.peak_tree_pss_bytes.map(|v| v as f64)),
        ready_tree_pss_bytes: estimate_of(&valid, |r| r.ready_tree_pss_bytes.map(|v| v as f64)),
        time_to_ready_ns: estimate_of(&valid, |r| r.time_to_ready_ns.map(|v| v as f64)),
        ru_maxrss_bytes: estimate_of(&valid, |r| r.ru_maxrss_bytes.map(|v| v as f64)),
        self_reported,
    })
}

/// The values of `metric` over a case's valid repetitions (those that have it).
pub fn valid_values(case: &CaseRecord, metric: impl Fn(&Repetition) -> Option<f64>) -> Vec<f64> {
    case.repetitions
        .iter()
        .filter(|r| r.valid)
        .filter_map(metric)
        .collect()
}

/// `metric` of the case's valid repetitions with their round (`Repetition.index`), for ratios
/// between cases paired by round (`stats::ratio_by_round`).
pub fn valid_rounds(case: &CaseRecord, metric: impl Fn(&Repetition) -> Option<f64>) -> Vec<(u32, f64)> {
    case.repetitions
        .iter()
        .filter(|r| r.valid)
        .filter_map(|r| metric(r).map(|v| (r.index, v)))
        .collect()
}
