//! `arena cite`: one figure of a run as a short text for a lesson — value, interval, how many
//! repetitions, how it was measured, machine, toolchain version and path, harness commit, run id.
//! Looks figures up in the record; a bad case or metric is an error that lists what exists.

use anyhow::{anyhow, bail, Result};
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

/// Figures derived across cases or from a server's load phases; `ping_p99_ns@R` takes the /cpu rate.
const DERIVED_METRICS: [&str; 6] = [
    "speedup",
    "bytes_per_task",
    "bytes_per_idle_connection",
    "peak_json_rate_per_s",
    "io_capacity_per_s",
    "ping_p99_ns@<cpu rate>",
];

fn figure(record: &RunRecord, case: &CaseRecord, metric: &str) -> Result<Figure> {
    match metric {
        "speedup" => speedup_figure(record, case),
        "bytes_per_task" => task_memory_figure(record, case),
        "bytes_per_idle_connection" | "peak_json_rate_per_s" | "io_capacity_per_s" => {
            http_io_figure(record, case, metric)
        }
        _ => match metric.strip_prefix("ping_p99_ns") {
            Some(rate) => ping_figure(record, case, rate.strip_prefix('@')),
            None => summary_figure(case, metric),
        },
    }
}

fn speedup_figure(record: &RunRecord, case: &CaseRecord) -> Result<Figure> {
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
    Ok(Figure {
        name: "speedup over W=1".into(),
        value: format!("{:.2}×", p.speedup),
        interval: format!("95% CI {:.2}–{:.2}", p.speedup_ci_low, p.speedup_ci_high),
        basis: format!(
            "ratio of median wall times, {} process-level repetitions each",
            case.repetitions_planned
        ),
        method_key: "speedup",
    })
}

fn task_memory_figure(record: &RunRecord, case: &CaseRecord) -> Result<Figure> {
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
    Ok(Figure {
        name: "memory per task".into(),
        value: format!("{b:.0} bytes"),
        interval: format!("95% CI {lo:.0}–{hi:.0}"),
        basis: format!("slope of tree RSS at ready over N = {}", reached.join(", ")),
        method_key: "bytes_per_task",
    })
}

fn http_io_figure(record: &RunRecord, case: &CaseRecord, metric: &str) -> Result<Figure> {
    let Some(f) = (case.workload == "http-io")
        .then(|| record.derived.http_io.iter().find(|f| f.variant == case.variant))
        .flatten()
    else {
        bail!(
            "METRIC {metric}: exists for http-io cases only, and {} has none",
            case.case_id
        );
    };
    let missing = || {
        anyhow!(
            "METRIC {metric}: {} has no such figure (its phase failed or was not run)",
            case.case_id
        )
    };
    let repetitions = |e: &Estimate| format!("median of {} process-level repetitions", e.n);
    match metric {
        "bytes_per_idle_connection" => {
            let e = f.bytes_per_idle_connection.as_ref().ok_or_else(missing)?;
            let held: Vec<String> = f.idle_points.iter().map(|p| p.connections.to_string()).collect();
            Ok(Figure {
                name: "server memory per idle keep-alive connection".into(),
                value: scaled(e.median, 1024.0, 1, "KiB"),
                interval: interval(e, 1024.0, 1, "KiB"),
                basis: format!("{}; slope over C = {}", repetitions(e), held.join(", ")),
                method_key: "bytes_per_idle_connection",
            })
        }
        "peak_json_rate_per_s" => {
            let e = f.peak_json_rate_per_s.as_ref().ok_or_else(missing)?;
            let bound = if f.peak_generator_bound_repetitions > 0 {
                format!(
                    "; a lower bound: the load generator was the bottleneck in {} of them",
                    f.peak_generator_bound_repetitions
                )
            } else {
                String::new()
            };
            Ok(Figure {
                name: "peak /json throughput".into(),
                value: scaled(e.median, 1.0, 0, "req/s"),
                interval: interval(e, 1.0, 0, "req/s"),
                basis: format!("{}{bound}", repetitions(e)),
                method_key: "peak_json_rate_per_s",
            })
        }
        _ => {
            let e = f.io_capacity_per_s.as_ref().ok_or_else(missing)?;
            let top = f.sweep.last().map_or(0.0, |p| p.target_rate_per_s);
            let outcome = match f.first_saturated_target_per_s {
                Some(rate) => format!("saturated at a target of {rate:.0}/s"),
                None => format!("never saturated up to the top target of {top:.0}/s, so a lower bound"),
            };
            Ok(Figure {
                name: f
                    .sweep_delay_ms
                    .map_or("/io capacity".into(), |d| format!("/io capacity (delay {d} ms)")),
                value: scaled(e.median, 1.0, 0, "req/s"),
                interval: interval(e, 1.0, 0, "req/s"),
                basis: format!("{}; {outcome}", repetitions(e)),
                method_key: "io_capacity_per_s",
            })
        }
    }
}

fn ping_figure(record: &RunRecord, case: &CaseRecord, rate: Option<&str>) -> Result<Figure> {
    let Some(f) = (case.workload == "loop-blocking")
        .then(|| {
            record
                .derived
                .loop_blocking
                .iter()
                .find(|f| f.variant == case.variant)
        })
        .flatten()
    else {
        bail!(
            "METRIC ping_p99_ns: exists for loop-blocking cases only, and {} has none",
            case.case_id
        );
    };
    let rates: Vec<String> = f
        .points
        .iter()
        .map(|p| format!("ping_p99_ns@{}", p.cpu_rate_per_s))
        .collect();
    let point = rate
        .and_then(|r| r.parse::<f64>().ok())
        .and_then(|r| f.points.iter().find(|p| p.cpu_rate_per_s == r));
    let Some(point) = point else {
        bail!(
            "METRIC ping_p99_ns needs a measured /cpu rate per second; one of: {}",
            rates.join(", ")
        );
    };
    let (Some(p99), Some(lo), Some(hi)) = (
        point.ping_p99_ns_median,
        point.ping_p99_ns_min,
        point.ping_p99_ns_max,
    ) else {
        bail!(
            "METRIC ping_p99_ns: too few /ping samples at {} /cpu per s for a p99",
            point.cpu_rate_per_s
        );
    };
    let cpu_ms = f
        .cpu_ms_median
        .map_or(String::new(), |ms| format!(", each /cpu ≈ {ms:.1} ms of CPU"));
    Ok(Figure {
        name: format!(
            "/ping p99 latency at {} /cpu requests per s",
            point.cpu_rate_per_s
        ),
        value: scaled(p99, 1e6, 1, "ms"),
        interval: format!(
            "range {}–{} over repetitions",
            scaled(lo, 1e6, 1, ""),
            scaled(hi, 1e6, 1, "ms")
        ),
        basis: format!(
            "median of {} process-level repetitions{cpu_ms}",
            point.repetitions
        ),
        method_key: "ping_p99_ns",
    })
}

fn summary_figure(case: &CaseRecord, metric: &str) -> Result<Figure> {
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
        known.extend(DERIVED_METRICS.iter().map(|s| s.to_string()));
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
        value: scaled(e.median, scale, decimals, unit),
        interval: interval(e, scale, decimals, unit),
        basis: format!("median of {} process-level repetitions", e.n),
        method_key,
    })
}

fn scaled(value: f64, scale: f64, decimals: usize, unit: &str) -> String {
    format!("{:.*} {unit}", decimals, value / scale)
        .trim_end()
        .to_string()
}

/// The estimate's interval with its coverage (below 95% when there are few repetitions).
fn interval(e: &Estimate, scale: f64, decimals: usize, unit: &str) -> String {
    format!(
        "{:.0}% interval {}–{}",
        e.ci_level * 100.0,
        scaled(e.ci_low, scale, decimals, ""),
        scaled(e.ci_high, scale, decimals, unit)
    )
}
