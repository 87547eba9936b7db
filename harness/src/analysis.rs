//! From raw repetitions to figures: per-case summaries (median + interval of each metric) and
//! the figures derived across cases (cpu-scale speedups, sleep-tasks bytes per task).
//! Pure functions over the result types; the statistics themselves live in `stats`.

use std::collections::BTreeMap;

use arena_results::{
    CaseRecord, CaseStatus, CaseSummary, Derived, Estimate, Repetition, SpeedupPoint, TaskMemory,
    TaskMemoryPoint,
};

use crate::stats;

fn estimate_of(reps: &[&Repetition], metric: impl Fn(&Repetition) -> Option<f64>) -> Option<Estimate> {
    let values: Vec<f64> = reps.iter().filter_map(|r| metric(r)).collect();
    (values.len() == reps.len() && !values.is_empty()).then(|| stats::estimate(&values))
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
        time_to_ready_ns: estimate_of(&valid, |r| r.time_to_ready_ns.map(|v| v as f64)),
        ru_maxrss_bytes: estimate_of(&valid, |r| r.ru_maxrss_bytes.map(|v| v as f64)),
        self_reported,
    })
}

fn valid_values(case: &CaseRecord, metric: impl Fn(&Repetition) -> Option<f64>) -> Vec<f64> {
    case.repetitions
        .iter()
        .filter(|r| r.valid)
        .filter_map(metric)
        .collect()
}

/// Cross-case figures for every workload that has them.
pub fn derive(cases: &[CaseRecord]) -> Derived {
    Derived {
        cpu_scale: cpu_scale_speedups(cases),
        sleep_tasks: sleep_tasks_memory(cases),
        http_io: crate::server_analysis::http_io(cases),
        loop_blocking: crate::server_analysis::loop_blocking(cases),
    }
}

fn cpu_scale_speedups(cases: &[CaseRecord]) -> Vec<SpeedupPoint> {
    let ok: Vec<&CaseRecord> = cases
        .iter()
        .filter(|c| c.workload == "cpu-scale" && c.status == CaseStatus::Ok)
        .collect();
    let same_job = |a: &CaseRecord, b: &CaseRecord| {
        a.variant == b.variant
            && a.params
                .iter()
                .filter(|(k, _)| *k != "workers")
                .eq(b.params.iter().filter(|(k, _)| *k != "workers"))
    };
    let mut points = Vec::new();
    for case in &ok {
        let Some(base) = ok
            .iter()
            .find(|b| same_job(b, case) && b.params.get("workers") == Some(&1))
        else {
            continue;
        };
        let wall = |c: &CaseRecord| valid_values(c, |r| Some(r.wall_ns as f64));
        let (speedup, lo, hi) = stats::ratio_of_medians(&wall(base), &wall(case), 0x5eed);
        let summary = case.summary.as_ref().expect("ok cases have a summary");
        points.push(SpeedupPoint {
            variant: case.variant.clone(),
            workers: case.params["workers"],
            speedup,
            speedup_ci_low: lo,
            speedup_ci_high: hi,
            wall_ns_median: summary.wall_ns.median,
            cpu_ns_median: summary.cpu_ns.median,
            peak_tree_rss_bytes_median: summary.peak_tree_rss_bytes.as_ref().map(|e| e.median),
        });
    }
    points.sort_by(|a, b| a.variant.cmp(&b.variant).then(a.workers.cmp(&b.workers)));
    points
}

fn sleep_tasks_memory(cases: &[CaseRecord]) -> Vec<TaskMemory> {
    let mut by_variant: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for case in cases.iter().filter(|c| c.workload == "sleep-tasks") {
        by_variant.entry(&case.variant).or_default().push(case);
    }
    by_variant
        .into_iter()
        .map(|(variant, cases)| {
            let mut ok: Vec<&CaseRecord> = cases
                .iter()
                .copied()
                .filter(|c| c.status == CaseStatus::Ok)
                .collect();
            ok.sort_by_key(|c| c.params["tasks"]);
            let groups: Vec<(f64, Vec<f64>)> = ok
                .iter()
                .map(|c| {
                    (
                        c.params["tasks"] as f64,
                        valid_values(c, |r| r.ready_tree_rss_bytes.map(|v| v as f64)),
                    )
                })
                .filter(|(_, ys)| !ys.is_empty())
                .collect();
            let fit = stats::slope_with_interval(&groups, 0x5eed);
            let first_failed = cases
                .iter()
                .filter(|c| c.status == CaseStatus::Failed)
                .min_by_key(|c| c.params["tasks"]);
            TaskMemory {
                variant: variant.to_string(),
                bytes_per_task: fit.map(|f| f.0),
                bytes_per_task_ci_low: fit.map(|f| f.1),
                bytes_per_task_ci_high: fit.map(|f| f.2),
                baseline_bytes: fit.map(|f| f.3),
                tasks_reached: ok.iter().map(|c| c.params["tasks"]).collect(),
                largest_tasks_reached: ok.last().map(|c| c.params["tasks"]),
                first_failed_tasks: first_failed.map(|c| c.params["tasks"]),
                first_failure: first_failed.and_then(|c| c.reason.clone()),
                points: ok
                    .iter()
                    .filter_map(|c| {
                        let s = c.summary.as_ref()?;
                        Some(TaskMemoryPoint {
                            tasks: c.params["tasks"],
                            ready_tree_rss_bytes_median: s.ready_tree_rss_bytes.as_ref()?.median,
                            spawn_ns_median: s.self_reported.get("spawn_ns").map(|e| e.median),
                        })
                    })
                    .collect(),
            }
        })
        .collect()
}
