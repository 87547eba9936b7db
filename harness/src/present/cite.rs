//! `arena cite`: one figure of a run as a short text for a lesson — value, interval with its
//! true coverage, how many repetitions, how it was measured, machine, toolchain version and
//! path, harness commit, run id. The figures measured from outside are looked up here; derived
//! figures come from their workload's module as a `Citation`. A bad case or metric is an error
//! that lists what exists.

use anyhow::{bail, Result};
use arena_results::{CaseRecord, Estimate, RunRecord};

/// A figure ready to cite, in display units.
#[derive(Debug, Clone)]
pub struct Citation {
    pub name: String,
    pub value: String,
    /// The interval with its coverage, e.g. "95% interval 1.2–1.4 s".
    pub interval: String,
    /// What it rests on, e.g. "median of 10 process-level repetitions".
    pub basis: String,
}

impl Citation {
    /// A median over processes with its interval and coverage: `e` divided by `scale` (ns to
    /// ms: 1e6), at `decimals`, in `unit`; `basis` says what it rests on. The one way every
    /// workload's module cites an `Estimate`.
    pub fn of_estimate(
        name: &str,
        e: &Estimate,
        (scale, decimals, unit): (f64, usize, &str),
        basis: String,
    ) -> Citation {
        Citation {
            name: name.into(),
            value: scaled(e.median, scale, decimals, unit),
            interval: interval(e, scale, decimals, unit),
            basis,
        }
    }
}

/// The error for a workload's figure that `case` does not have (it failed, or did not run).
pub fn no_figure(case: &CaseRecord) -> anyhow::Error {
    none_for(
        case,
        &format!("it exists for {} cases that succeeded", case.workload),
    )
}

/// The error for a figure `case` does not have; `why` says where it exists.
pub fn none_for(case: &CaseRecord, why: &str) -> anyhow::Error {
    anyhow::anyhow!("none for {} ({why})", case.case_id)
}

/// A workload's median-over-processes figure of `case`, cited as `Citation::of_estimate` does:
/// `over` names what the median is over ("server processes"), `why` where the figure exists
/// when `e` is absent. The one way every module cites an optional `Estimate`.
pub fn optional_estimate(
    name: &str,
    e: Option<&Estimate>,
    format: (f64, usize, &str),
    over: &str,
    (case, why): (&CaseRecord, &str),
) -> Result<Citation> {
    let e = e.ok_or_else(|| none_for(case, why))?;
    Ok(Citation::of_estimate(
        name,
        e,
        format,
        format!("median of {} {over}", e.n),
    ))
}

/// The figures every case has, measured from outside.
pub const SUMMARY_METRICS: [&str; 8] = [
    "wall_ns",
    "cpu_ns",
    "peak_tree_rss_bytes",
    "ready_tree_rss_bytes",
    "peak_tree_pss_bytes",
    "ready_tree_pss_bytes",
    "time_to_ready_ns",
    "ru_maxrss_bytes",
];

/// Exact case id, or the one case whose id contains the query.
pub fn find_case<'a>(record: &'a RunRecord, query: &str) -> Result<&'a CaseRecord> {
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

/// A figure of the case's own summary (measured or self-reported) with its method key; None if
/// it has no such key.
pub fn summary_citation(case: &CaseRecord, metric: &str) -> Option<Result<(Citation, &'static str)>> {
    let known = SUMMARY_METRICS.contains(&metric)
        || case
            .summary
            .as_ref()
            .is_some_and(|s| s.self_reported.contains_key(metric));
    if !known {
        return None;
    }
    let Some(summary) = &case.summary else {
        return Some(Err(anyhow::anyhow!(
            "case {} has no figures: {:?} ({})",
            case.case_id,
            case.status,
            case.reason.as_deref().unwrap_or("")
        )));
    };
    let (estimate, method_key) = match metric {
        "wall_ns" => (Some(&summary.wall_ns), "wall_ns"),
        "cpu_ns" => (Some(&summary.cpu_ns), "user_cpu_ns"),
        "peak_tree_rss_bytes" => (summary.peak_tree_rss_bytes.as_ref(), "peak_tree_rss_bytes"),
        "ready_tree_rss_bytes" => (summary.ready_tree_rss_bytes.as_ref(), "ready_tree_rss_bytes"),
        "peak_tree_pss_bytes" => (summary.peak_tree_pss_bytes.as_ref(), "peak_tree_pss_bytes"),
        "ready_tree_pss_bytes" => (summary.ready_tree_pss_bytes.as_ref(), "ready_tree_pss_bytes"),
        "time_to_ready_ns" => (summary.time_to_ready_ns.as_ref(), "time_to_ready_ns"),
        "ru_maxrss_bytes" => (summary.ru_maxrss_bytes.as_ref(), "ru_maxrss_bytes"),
        other => (summary.self_reported.get(other), "self_reported"),
    };
    let Some(e) = estimate else {
        return Some(Err(anyhow::anyhow!(
            "METRIC {metric:?} was not recorded for {}",
            case.case_id
        )));
    };
    let (scale, unit, decimals) = if metric.ends_with("_ns") {
        (1e9, "s", 3)
    } else {
        (1048576.0, "MiB", 1)
    };
    let figure = Citation {
        name: metric.to_string(),
        value: scaled(e.median, scale, decimals, unit),
        interval: interval(e, scale, decimals, unit),
        basis: format!("median of {} process-level repetitions", e.n),
    };
    Some(Ok((figure, method_key)))
}

/// The citation as text, with the run's provenance and the figure's method (`method_key` in
/// `RunRecord.methods`).
pub fn text(record: &RunRecord, case: &CaseRecord, figure: &Citation, method_key: &str) -> String {
    let env = &record.environment;
    let toolchain = env.toolchains.iter().find(|t| t.language == case.language);
    let params: Vec<String> = case.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let method = record.methods.get(method_key).cloned().unwrap_or_default();
    format!(
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
    )
}

pub fn scaled(value: f64, scale: f64, decimals: usize, unit: &str) -> String {
    format!("{:.*} {unit}", decimals, value / scale)
        .trim_end()
        .to_string()
}

/// The estimate's interval with its coverage (below 95% when there are few repetitions).
pub fn interval(e: &Estimate, scale: f64, decimals: usize, unit: &str) -> String {
    format!(
        "{}% interval {}–{}",
        super::table::level_percent(e.ci_level),
        scaled(e.ci_low, scale, decimals, ""),
        scaled(e.ci_high, scale, decimals, unit)
    )
}
