//! `arena cite`: one figure of a run as a short text for a lesson — value, interval, how many
//! repetitions, how it was measured, machine, toolchain version and path, harness commit, run id.
//! Looks figures up in the record; a bad case or metric is an error that lists what exists.

use anyhow::{bail, Result};
use arena_results::{CaseRecord, Estimate, RunRecord};

/// A figure with its interval, in display units.
struct Figure {
    name: String,
    value: String,
    interval: String,
    basis: String,
    method_key: &'static str,
}

pub fn cite(record: &RunRecord, case_query: &str, metric: &str) -> Result<String> {
    let case = find_case(record, case_query)?;
    let figure = figure(record, case, metric)?;
    let env = &record.environment;
    let toolchain = env.toolchains.iter().find(|t| t.language == case.language);
    let params: Vec<String> = case.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let method = record.methods.get(figure.method_key).cloned().unwrap_or_default();
    Ok(format!(
        "{variant}, {workload} ({params}): {name} {value} ({interval}; {basis}).\n\
         Measured by runtime-arena {version} (commit {commit}) in run {run} on {cpu}, {cores} logical cores, \
         {mem:.1} GiB, {os}, kernel {kernel}; {lang} {tver} ({texe}). Method: {method}\n",
        variant = case.variant,
        workload = case.workload,
        params = params.join(" "),
        name = figure.name,
        value = figure.value,
        interval = figure.interval,
        basis = figure.basis,
        version = record.harness.version,
        commit = record
            .harness
            .git_commit
            .as_deref()
            .map_or("unknown", |c| &c[..c.len().min(12)]),
        run = record.run_id,
        cpu = env.cpu_model,
        cores = env.logical_cores,
        mem = env.memory_total_bytes as f64 / 1073741824.0,
        os = env.os,
        kernel = env.kernel,
        lang = case.language,
        tver = toolchain
            .and_then(|t| t.version.as_deref())
            .unwrap_or("unknown version"),
        texe = toolchain
            .and_then(|t| t.executable.as_deref())
            .unwrap_or("unknown path"),
    ))
}

/// Exact case id, or the one case whose id contains the query.
fn find_case<'a>(record: &'a RunRecord, query: &str) -> Result<&'a CaseRecord> {
    if let Some(case) = record.cases.iter().find(|c| c.case_id == query) {
        return Ok(case);
    }
    let matches: Vec<&CaseRecord> = record
        .cases
        .iter()
        .filter(|c| c.case_id.contains(query))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => bail!(
            "CASE {query:?} matches no case of run {}; case ids look like {}",
            record.run_id,
            record.cases.first().map_or("(none)", |c| c.case_id.as_str())
        ),
        many => bail!(
            "CASE {query:?} matches {} cases; give more of the id, e.g.:\n  {}",
            many.len(),
            many.iter()
                .take(8)
                .map(|c| c.case_id.as_str())
                .collect::<Vec<_>>()
                .join("\n  ")
        ),
    }
}

const SUMMARY_METRICS: [&str; 6] = [
    "wall_ns",
    "cpu_ns",
    "peak_tree_rss_bytes",
    "ready_tree_rss_bytes",
    "time_to_ready_ns",
    "ru_maxrss_bytes",
];

fn figure(record: &RunRecord, case: &CaseRecord, metric: &str) -> Result<Figure> {
    if metric == "speedup" {
        let workers = case.params.get("workers").copied().unwrap_or(0);
        let Some(p) = record
            .derived
            .cpu_scale
            .iter()
            .find(|p| p.variant == case.variant && p.workers == workers)
        else {
            bail!(
                "METRIC speedup: no speedup for {} (it exists for cpu-scale cases that succeeded)",
                case.case_id
            );
        };
        return Ok(Figure {
            name: "speedup over W=1".into(),
            value: format!("{:.2}×", p.speedup),
            interval: format!("95% CI {:.2}–{:.2}", p.speedup_ci_low, p.speedup_ci_high),
            basis: format!(
                "ratio of median wall times, {} process-level repetitions each",
                case.repetitions_planned
            ),
            method_key: "speedup",
        });
    }
    if metric == "bytes_per_task" {
        let Some(m) = record
            .derived
            .sleep_tasks
            .iter()
            .find(|m| m.variant == case.variant)
        else {
            bail!("METRIC bytes_per_task: exists for sleep-tasks variants only");
        };
        let (Some(b), Some(lo), Some(hi)) = (
            m.bytes_per_task,
            m.bytes_per_task_ci_low,
            m.bytes_per_task_ci_high,
        ) else {
            bail!(
                "METRIC bytes_per_task: {} has fewer than two task counts measured",
                case.variant
            );
        };
        let reached: Vec<String> = m.tasks_reached.iter().map(u64::to_string).collect();
        return Ok(Figure {
            name: "memory per task".into(),
            value: format!("{b:.0} bytes"),
            interval: format!("95% CI {lo:.0}–{hi:.0}"),
            basis: format!("slope of tree RSS at ready over N = {}", reached.join(", ")),
            method_key: "bytes_per_task",
        });
    }
    let Some(summary) = &case.summary else {
        bail!(
            "case {} has no figures: {:?} ({})",
            case.case_id,
            case.status,
            case.reason.as_deref().unwrap_or("")
        );
    };
    let (estimate, method_key): (Option<&Estimate>, &'static str) = match metric {
        "wall_ns" => (Some(&summary.wall_ns), "wall_ns"),
        "cpu_ns" => (Some(&summary.cpu_ns), "user_cpu_ns"),
        "peak_tree_rss_bytes" => (summary.peak_tree_rss_bytes.as_ref(), "peak_tree_rss_bytes"),
        "ready_tree_rss_bytes" => (summary.ready_tree_rss_bytes.as_ref(), "ready_tree_rss_bytes"),
        "time_to_ready_ns" => (summary.time_to_ready_ns.as_ref(), "time_to_ready_ns"),
        "ru_maxrss_bytes" => (summary.ru_maxrss_bytes.as_ref(), "ru_maxrss_bytes"),
        other => (summary.self_reported.get(other), "self_reported"),
    };
    let Some(e) = estimate else {
        let mut known: Vec<String> = SUMMARY_METRICS.iter().map(|s| s.to_string()).collect();
        known.extend(summary.self_reported.keys().cloned());
        known.extend(["speedup".to_string(), "bytes_per_task".to_string()]);
        bail!(
            "METRIC {metric:?} is not recorded for {}; known: {}",
            case.case_id,
            known.join(", ")
        );
    };
    let (scale, unit, decimals) = if metric.ends_with("_ns") {
        (1e9, "s", 3)
    } else {
        (1048576.0, "MiB", 1)
    };
    Ok(Figure {
        name: metric.to_string(),
        value: format!("{:.*} {unit}", decimals, e.median / scale),
        interval: format!(
            "{:.0}% interval {:.*}–{:.*} {unit}",
            e.ci_level * 100.0,
            decimals,
            e.ci_low / scale,
            decimals,
            e.ci_high / scale
        ),
        basis: format!("median of {} process-level repetitions", e.n),
        method_key,
    })
}
