//! The Markdown summary of a run: per workload, a table of the figures with their intervals,
//! failures with reasons, and the provenance. Pastes into a lesson or a PR comment.
//! Reads the record only; it must not compute statistics (those are in results.json).

use std::fmt::Write;

use arena_results::{CaseStatus, RunRecord};

use crate::server_analysis;

fn mib(bytes: f64) -> String {
    format!("{:.1}", bytes / (1024.0 * 1024.0))
}

pub fn markdown_summary(record: &RunRecord) -> String {
    let mut md = String::new();
    let env = &record.environment;
    let _ = writeln!(
        md,
        "# runtime-arena run `{}` (suite {})\n",
        record.run_id, record.suite
    );
    let _ = writeln!(
        md,
        "{} · {} logical cores · {:.1} GiB · kernel {} · harness {}{}",
        env.cpu_model,
        env.logical_cores,
        env.memory_total_bytes as f64 / (1u64 << 30) as f64,
        env.kernel,
        record
            .harness
            .git_commit
            .as_deref()
            .map_or("unknown", |c| &c[..c.len().min(12)]),
        if record.harness.git_dirty == Some(true) {
            " (dirty)"
        } else {
            ""
        }
    );
    let tools: Vec<String> = env
        .toolchains
        .iter()
        .map(|t| match (&t.version, &t.executable) {
            (Some(v), Some(p)) => format!("{} {v} (`{p}`)", t.language),
            _ => format!("{} missing", t.language),
        })
        .collect();
    let _ = writeln!(md, "\nToolchains: {}\n", tools.join(", "));
    if !record.complete {
        let _ = writeln!(md, "**Incomplete run** (interrupted or still in progress).\n");
    }

    if !record.derived.cpu_scale.is_empty() {
        let _ = writeln!(
            md,
            "## cpu-scale: speedup over W = 1 (median wall, 95% bootstrap CI)\n"
        );
        let _ = writeln!(
            md,
            "| variant | W | speedup | 95% CI | wall median [s] | CPU median [s] |"
        );
        let _ = writeln!(md, "|---|---:|---:|---|---:|---:|");
        for p in &record.derived.cpu_scale {
            let _ = writeln!(
                md,
                "| {} | {} | {:.2}× | {:.2}–{:.2} | {:.3} | {:.3} |",
                p.variant,
                p.workers,
                p.speedup,
                p.speedup_ci_low,
                p.speedup_ci_high,
                p.wall_ns_median / 1e9,
                p.cpu_ns_median / 1e9
            );
        }
        md.push('\n');
    }
    if !record.derived.sleep_tasks.is_empty() {
        let _ = writeln!(
            md,
            "## sleep-tasks: memory per task (slope of tree RSS at ready over N)\n"
        );
        let _ = writeln!(
            md,
            "| variant | bytes/task | 95% CI | baseline [MiB] | N reached | first failure |"
        );
        let _ = writeln!(md, "|---|---:|---|---:|---|---|");
        for t in &record.derived.sleep_tasks {
            let reached: Vec<String> = t.tasks_reached.iter().map(u64::to_string).collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                t.variant,
                t.bytes_per_task.map_or("–".into(), |b| format!("{b:.0}")),
                match (t.bytes_per_task_ci_low, t.bytes_per_task_ci_high) {
                    (Some(lo), Some(hi)) => format!("{lo:.0}–{hi:.0}"),
                    _ => "–".into(),
                },
                t.baseline_bytes.map_or("–".into(), mib),
                reached.join(", "),
                match (t.first_failed_tasks, &t.first_failure) {
                    (Some(n), Some(why)) => format!("N={n}: {}", why.replace('|', "/")),
                    _ => String::new(),
                }
            );
        }
        md.push('\n');
    }
    for table in server_tables(record) {
        let _ = writeln!(md, "## {}: {}\n", table.workload, table.title);
        let _ = writeln!(md, "| {} |", table.headers.join(" | "));
        let _ = writeln!(md, "|{}", "---|".repeat(table.headers.len()));
        for row in &table.rows {
            let _ = writeln!(md, "| {} |", row.join(" | "));
        }
        let _ = writeln!(md, "\n{}\n", table.method);
    }
    let _ = writeln!(md, "## Claims, judged on this machine (95% interval bounds)\n");
    let _ = writeln!(md, "| claim | verdict | evidence |");
    let _ = writeln!(md, "|---|---|---|");
    for judged in crate::claims::judge_all(record) {
        let _ = writeln!(
            md,
            "| {} | **{}** | {} |",
            judged.claim.statement.replace('|', "/"),
            judged.verdict.label(),
            judged.evidence.join("<br>").replace('|', "/")
        );
    }
    md.push('\n');
    let problems: Vec<_> = record
        .cases
        .iter()
        .filter(|c| matches!(c.status, CaseStatus::Failed | CaseStatus::Skipped))
        .collect();
    let _ = writeln!(
        md,
        "## Cases: {} ok, {} failed, {} skipped\n",
        record.cases.iter().filter(|c| c.status == CaseStatus::Ok).count(),
        problems.iter().filter(|c| c.status == CaseStatus::Failed).count(),
        problems
            .iter()
            .filter(|c| c.status == CaseStatus::Skipped)
            .count()
    );
    for case in problems {
        let _ = writeln!(
            md,
            "- `{}`: {:?}{} — {}",
            case.case_id,
            case.status,
            case.failure_kind.map(|k| format!(" ({k:?})")).unwrap_or_default(),
            case.reason.as_deref().unwrap_or("")
        );
    }
    md
}

/// `arena load`'s human output: one block per stream, latencies in ms.
pub fn load_text(record: &arena_results::LoadRecord) -> String {
    use std::fmt::Write;
    let ms = |ns: Option<u64>| ns.map_or("—".to_string(), |v| format!("{:.3}", v as f64 / 1e6));
    let mut out = String::new();
    for s in &record.streams {
        let errors = if s.errors.is_empty() {
            "none".to_string()
        } else {
            format!("{:?}", s.errors)
        };
        let _ = writeln!(
            out,
            "requests ok {} in {:.1} s = {:.1} req/s{}; errors: {errors}; unsent at end: {}",
            s.requests_ok,
            s.window_ns as f64 / 1e9,
            s.achieved_rate_per_s,
            match s.saturated {
                Some(true) => format!(
                    " — SATURATED (below 99% of {} req/s)",
                    s.target_rate_per_s.unwrap_or(0.0)
                ),
                Some(false) => " (target reached)".into(),
                None => String::new(),
            },
            s.unsent_at_end
        );
        let _ = writeln!(
            out,
            "latency ms                  count      p50      p90      p99    p99.9      max"
        );
        let mut row = |label: &str, l: &arena_results::LatencySummary| {
            let _ = writeln!(
                out,
                "  {label:<24} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8}",
                l.count,
                ms(l.p50_ns),
                ms(l.p90_ns),
                ms(l.p99_ns),
                ms(l.p999_ns),
                ms(l.max_ns)
            );
        };
        match s.mode {
            arena_results::LoadMode::Open => {
                row("corrected (from due)", &s.latency_corrected);
                row("uncorrected (from send)", &s.latency_uncorrected);
                row("send lag", &s.send_lag);
            }
            arena_results::LoadMode::Closed => row("per request", &s.latency_uncorrected),
        }
    }
    let requests: u64 = record.streams.iter().map(|s| s.latency_corrected.count).sum();
    let _ = writeln!(
        out,
        "generator: {:.0}% of one core (busiest thread), {:.2} µs CPU per request{}",
        record.generator_busiest_thread_fraction * 100.0,
        record.generator_cpu_ns as f64 / 1e3 / requests.max(1) as f64,
        if record.generator_bound {
            " — GENERATOR-BOUND: the figures measure the generator, add --threads or CPUs"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "percentiles need ≥ 10 samples at or beyond them (— otherwise); send lag includes tokio's 1 ms timer granularity"
    );
    out
}

/// A table of figures, rendered by both the Markdown summary and the HTML report.
pub struct FigureTable {
    pub workload: &'static str,
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    /// How the figures were measured, printed under the table.
    pub method: &'static str,
}

fn ms(ns: Option<f64>) -> String {
    ns.map_or("–".into(), |v| format!("{:.2}", v / 1e6))
}

/// "median [low–high]" in display units (the interval as recorded, see its `ci_level`).
pub fn estimate_text(e: &arena_results::Estimate, scale: f64, decimals: usize) -> String {
    format!(
        "{:.*} [{:.*}–{:.*}]",
        decimals,
        e.median / scale,
        decimals,
        e.ci_low / scale,
        decimals,
        e.ci_high / scale
    )
}

fn optional_estimate_text(e: Option<&arena_results::Estimate>, scale: f64, decimals: usize) -> String {
    e.map_or("–".into(), |e| estimate_text(e, scale, decimals))
}

/// The http-io and loop-blocking tables (empty when those workloads did not run).
pub fn server_tables(record: &RunRecord) -> Vec<FigureTable> {
    let mut tables = Vec::new();
    let http = &record.derived.http_io;
    if !http.is_empty() {
        tables.push(FigureTable {
            workload: "http-io",
            title: "idle connections, peak throughput, /io capacity".into(),
            headers: vec![
                "variant",
                "KiB per idle connection",
                "peak /json [req/s]",
                "server CPU per /json [µs]",
                "/io capacity [req/s]",
                "first saturated target [req/s]",
            ],
            rows: http
                .iter()
                .map(|f| {
                    vec![
                        f.variant.clone(),
                        optional_estimate_text(f.bytes_per_idle_connection.as_ref(), 1024.0, 1),
                        format!(
                            "{}{}",
                            optional_estimate_text(f.peak_json_rate_per_s.as_ref(), 1.0, 0),
                            if f.peak_generator_bound_repetitions > 0 {
                                " (generator-bound: a lower bound)"
                            } else {
                                ""
                            }
                        ),
                        f.peak_server_cpu_ns_per_request
                            .map_or("–".into(), |ns| format!("{:.1}", ns / 1e3)),
                        optional_estimate_text(f.io_capacity_per_s.as_ref(), 1.0, 0),
                        f.first_saturated_target_per_s
                            .map_or("never".into(), |t| format!("{t:.0}")),
                    ]
                })
                .collect(),
            method: "Median [range] over repetitions. Memory: slope of the server's settled tree RSS over idle keep-alive connections held (each made one request). Peak: closed loop on /json; where the generator's thread used > 85% of its core, the peak is a lower bound for the server. Capacity: highest achieved rate in the open-loop /io sweep; saturated = below 99% of the target rate. Server and load generator pinned to different CPUs.",
        });
        let mut sweep_rows = Vec::new();
        for f in http {
            for p in &f.sweep {
                sweep_rows.push(vec![
                    f.variant.clone(),
                    format!("{:.0}", p.target_rate_per_s),
                    format!("{:.0}", p.achieved_rate_per_s_median),
                    ms(p.p50_ns_median),
                    ms(p.p99_ns_median),
                    ms(p.p999_ns_median),
                    ms(p.uncorrected_p99_ns_median),
                    format!(
                        "{}/{}{}",
                        p.saturated_repetitions,
                        p.repetitions,
                        if p.generator_bound_repetitions > 0 {
                            " (generator-bound!)"
                        } else {
                            ""
                        }
                    ),
                ]);
            }
        }
        tables.push(FigureTable {
            workload: "http-io",
            title: match server_analysis::common_sweep_delay_ms(http) {
                Some(delay) => format!("latency vs offered load on /io ({delay} ms wait)"),
                None => "latency vs offered load on /io".into(),
            },
            headers: vec![
                "variant",
                "target [req/s]",
                "achieved [req/s]",
                "p50 [ms]",
                "p99 [ms]",
                "p99.9 [ms]",
                "uncorrected p99 [ms]",
                "saturated reps",
            ],
            rows: sweep_rows,
            method: "Open loop: request i is due at start + i/rate and its latency counts from that due time (corrected for coordinated omission); 'uncorrected' counts from the actual send, as a closed-loop tool would. Medians over repetitions; a percentile needs ≥ 10 samples at or beyond it (– otherwise). Request pacing uses tokio's 1 ms timer.",
        });
    }
    let lb = &record.derived.loop_blocking;
    if !lb.is_empty() {
        let mut rows = Vec::new();
        for f in lb {
            for p in &f.points {
                rows.push(vec![
                    f.variant.clone(),
                    f.cpu_ms_median.map_or("–".into(), |v| format!("{v:.1}")),
                    format!("{:.0}", p.cpu_rate_per_s),
                    p.cpu_achieved_rate_per_s_median
                        .map_or("–".into(), |v| format!("{v:.1}")),
                    ms(p.ping_p50_ns_median),
                    ms(p.ping_p99_ns_median),
                    match (p.ping_p99_ns_min, p.ping_p99_ns_max) {
                        (Some(lo), Some(hi)) => format!("{:.2}–{:.2}", lo / 1e6, hi / 1e6),
                        _ => "–".into(),
                    },
                    ms(p.ping_max_ns_median),
                ]);
            }
        }
        tables.push(FigureTable {
            workload: "loop-blocking",
            title: "/ping latency while /cpu requests run".into(),
            headers: vec![
                "variant",
                "one /cpu [ms]",
                "/cpu target [req/s]",
                "/cpu achieved [req/s]",
                "/ping p50 [ms]",
                "/ping p99 [ms]",
                "p99 range over reps",
                "/ping max [ms]",
            ],
            rows,
            method: "/ping open loop at a constant rate beside an open-loop stream of /cpu requests, each calibrated to the same CPU time on its runtime (sequential requests on the idle server). Latency from the due time. Medians over repetitions.",
        });
    }
    tables
}
