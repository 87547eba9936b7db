//! The HTML report of a run: one self-contained file (styles inline, charts embedded as base64
//! `<img>` data URIs, no script, no network) with a section per workload, the claims and their
//! verdicts, and the provenance. Every string is interpolated through maud, which escapes it, so
//! text from workloads, errors or the environment cannot become markup. Charts are `<img>`s, so
//! an SVG's own text cannot either. Reads the record; computes nothing but formatting.

use std::path::Path;

use arena_results::{CaseRecord, CaseStatus, RunRecord};
use base64::Engine;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::catalog::Catalog;
use crate::claims;
use crate::report::estimate_text;

const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1150px; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
img.chart { max-width: 100%; border: 1px solid #ddd; }
.verdict { font-weight: 600; padding: .1rem .4rem; border-radius: .3rem; white-space: nowrap; }
.supported { background: #d8f0d8; } .contradicted { background: #f6d5d5; }
.not-enough-evidence { background: #f6ecc8; } .not-measured { background: #e6e6e6; }
.failed { color: #a40000; } .skipped { color: #666; } .muted { color: #666; font-size: .85rem; }
code { font-size: .85em; word-break: break-all; }
"#;

/// Writes `report.html` into the run folder; the charts must already be in `charts/`.
pub fn write(record: &RunRecord, catalog: &Catalog, run_dir: &Path) -> anyhow::Result<std::path::PathBuf> {
    let path = run_dir.join("report.html");
    std::fs::write(
        &path,
        render(record, catalog, &run_dir.join("charts")).into_string(),
    )?;
    Ok(path)
}

pub fn render(record: &RunRecord, catalog: &Catalog, charts_dir: &Path) -> Markup {
    let workloads: Vec<&str> = {
        let mut ids: Vec<&str> = record.cases.iter().map(|c| c.workload.as_str()).collect();
        ids.dedup();
        ids.sort();
        ids.dedup();
        ids
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "runtime-arena run " (record.run_id) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "runtime-arena: run " code { (record.run_id) } }
                p {
                    "Suite " b { (record.suite) } ", started " (record.started_at)
                    @if let Some(end) = &record.finished_at { ", finished " (end) }
                    ". " (record.cases.len()) " cases; repetitions per case: "
                    (repetition_counts(record))
                    "; case order shuffled with seed " (record.order_seed) "."
                    @if !record.complete { " " b.failed { "Incomplete run (interrupted)." } }
                }
                (claims_section(record))
                @for id in &workloads {
                    (workload_section(record, catalog, id, charts_dir))
                }
                (provenance_section(record))
            }
        }
    }
}

fn claims_section(record: &RunRecord) -> Markup {
    html! {
        h2 id="claims" { "Claims, judged on this machine" }
        p.muted { "A verdict is decided on 95% interval bounds: supported, contradicted, not enough evidence (the interval straddles the threshold or a case failed), or not measured (its workload did not run). Claims: harness/claims/claims.toml." }
        table {
            tr { th { "claim" } th { "verdict" } th { "evidence" } }
            @for judged in claims::judge_all(record) {
                tr {
                    td { (judged.claim.statement) br; span.muted { (judged.claim.id) " · workload " (judged.claim.workload) } }
                    td { span class={ "verdict " (judged.verdict.label().replace(' ', "-")) } { (judged.verdict.label()) } }
                    td { @for line in &judged.evidence { (line) br; } }
                }
            }
        }
    }
}

fn chart_img(charts_dir: &Path, stem: &str, alt: &str) -> Markup {
    match std::fs::read(charts_dir.join(format!("{stem}.svg"))) {
        Ok(bytes) => {
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            html! { img.chart src={ "data:image/svg+xml;base64," (data) } alt=(alt); }
        }
        Err(_) => html! { p.failed { "chart " (stem) " was not drawn" } },
    }
}

fn workload_section(record: &RunRecord, catalog: &Catalog, id: &str, charts_dir: &Path) -> Markup {
    let spec = catalog.workload(id);
    let cases: Vec<&CaseRecord> = record.cases.iter().filter(|c| c.workload == id).collect();
    html! {
        h2 id=(id) { (id) }
        @if let Some(spec) = spec {
            p { b { (spec.class) ". " } (spec.summary) }
            p { "Claim it speaks to: " i { (spec.claim) } }
        }
        @match id {
            "cpu-scale" => {
                (chart_img(charts_dir, "cpu-scale-speedup", "cpu-scale speedup vs workers"))
                table {
                    tr { th { "variant" } th { "W" } th { "speedup" } th { "95% CI" } th { "wall median [s]" } th { "CPU median [s]" } }
                    @for p in &record.derived.cpu_scale {
                        tr {
                            td { (p.variant) } td.num { (p.workers) } td.num { (format!("{:.2}×", p.speedup)) }
                            td.num { (format!("{:.2}–{:.2}", p.speedup_ci_low, p.speedup_ci_high)) }
                            td.num { (format!("{:.3}", p.wall_ns_median / 1e9)) } td.num { (format!("{:.3}", p.cpu_ns_median / 1e9)) }
                        }
                    }
                }
            }
            "sleep-tasks" => {
                (chart_img(charts_dir, "sleep-tasks-memory", "sleep-tasks memory vs N"))
                table {
                    tr { th { "variant" } th { "bytes/task" } th { "95% CI" } th { "N reached" } th { "first failure" } }
                    @for t in &record.derived.sleep_tasks {
                        tr {
                            td { (t.variant) }
                            td.num { (t.bytes_per_task.map_or("–".into(), |b| format!("{b:.0}"))) }
                            td.num { @if let (Some(lo), Some(hi)) = (t.bytes_per_task_ci_low, t.bytes_per_task_ci_high) { (format!("{lo:.0}–{hi:.0}")) } }
                            td { (t.tasks_reached.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")) }
                            td { @if let (Some(n), Some(why)) = (t.first_failed_tasks, &t.first_failure) { "N=" (n) ": " (why) } }
                        }
                    }
                }
            }
            "http-io" => {
                (chart_img(charts_dir, "http-io-latency-p99", "http-io p99 latency vs offered load"))
                (chart_img(charts_dir, "http-io-latency-p50", "http-io median latency vs offered load"))
                (chart_img(charts_dir, "http-io-memory", "http-io memory vs idle connections"))
                (figure_tables(record, id))
            }
            "loop-blocking" => {
                (chart_img(charts_dir, "loop-blocking-ping", "loop-blocking ping p99 vs cpu load"))
                (figure_tables(record, id))
            }
            _ => {}
        }
        details {
            summary { "Every case: medians with intervals, failures and warnings" }
            table {
                tr { th { "variant" } th { "parameters" } th { "status" } th { "wall [s]" } th { "CPU [s]" } th { "peak tree RSS [MiB]" } th { "RSS at ready [MiB]" } th { "notes" } }
                @for case in &cases {
                    tr {
                        td { (case.variant) }
                        td { code { (case.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")) } }
                        @match case.status {
                            CaseStatus::Ok => td { "ok" },
                            CaseStatus::Failed => td.failed { "failed" @if let Some(kind) = case.failure_kind { " (" (format!("{kind:?}")) ")" } },
                            CaseStatus::Skipped => td.skipped { "skipped" },
                            CaseStatus::Pending => td.skipped { "pending" },
                        }
                        @if let Some(s) = &case.summary {
                            td.num { (estimate_text(&s.wall_ns, 1e9, 3)) }
                            td.num { (estimate_text(&s.cpu_ns, 1e9, 3)) }
                            td.num { @if let Some(e) = &s.peak_tree_rss_bytes { (estimate_text(e, 1048576.0, 1)) } }
                            td.num { @if let Some(e) = &s.ready_tree_rss_bytes { (estimate_text(e, 1048576.0, 1)) } }
                            td {
                                (format!("n={}, interval covers {:.0}%", s.wall_ns.n, s.wall_ns.ci_level * 100.0))
                                @if s.wall_ns.outliers > 0 { br; (s.wall_ns.outliers) " wall-time outlier(s) flagged (kept)" }
                            }
                        } @else {
                            td {} td {} td {} td {}
                            td { (case.reason.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    }
}

/// "3", or "2–3" when workloads differ.
fn repetition_counts(record: &RunRecord) -> String {
    let counts: Vec<u32> = record.cases.iter().map(|c| c.repetitions_planned).collect();
    match (counts.iter().min(), counts.iter().max()) {
        (Some(lo), Some(hi)) if lo != hi => format!("{lo}–{hi} (per workload)"),
        (Some(n), _) => n.to_string(),
        _ => "0".into(),
    }
}

fn figure_tables(record: &RunRecord, workload: &str) -> Markup {
    html! {
        @for table in crate::report::server_tables(record).into_iter().filter(|t| t.workload == workload) {
            h3 { (table.title) }
            table {
                tr { @for h in &table.headers { th { (h) } } }
                @for row in &table.rows {
                    tr { @for (i, cell) in row.iter().enumerate() { @if i == 0 { td { (cell) } } @else { td.num { (cell) } } } }
                }
            }
            p.method { (table.method) }
        }
    }
}

fn provenance_section(record: &RunRecord) -> Markup {
    let env = &record.environment;
    html! {
        h2 id="provenance" { "Environment and provenance" }
        table {
            tr { th { "CPU" } td { (env.cpu_model) ", " (env.logical_cores) " logical cores" } }
            tr { th { "memory" } td { (format!("{:.1} GiB", env.memory_total_bytes as f64 / 1073741824.0)) } }
            tr { th { "OS, kernel" } td { (env.os) ", " (env.kernel) } }
            tr { th { "limits" } td { "pid_max " (env.pid_max.map_or("?".into(), |v| v.to_string())) ", threads-max " (env.threads_max.map_or("?".into(), |v| v.to_string())) } }
            tr { th { "CPU pinning" } td { (env.cpu_pinning) } }
            tr { th { "harness" } td { (record.harness.version) " @ " code { (record.harness.git_commit.as_deref().unwrap_or("unknown")) } @if record.harness.git_dirty == Some(true) { " (uncommitted changes)" } } }
            tr { th { "command" } td { code { (record.harness.command_line.join(" ")) } } }
        }
        h3 { "Toolchains" }
        table {
            tr { th { "language" } th { "version" } th { "executable" } th { "details" } }
            @for t in &env.toolchains {
                tr {
                    td { (t.language) }
                    td { (t.version.as_deref().unwrap_or("missing")) }
                    td { code { (t.executable.as_deref().unwrap_or("")) } }
                    td { @for (k, v) in &t.details { (k) ": " (v) br; } @if let Some(p) = &t.problem { span.failed { (p) } } }
                }
            }
        }
        h3 { "Runtime flags per variant" }
        table {
            tr { th { "workload" } th { "variant" } th { "command (first case)" } th { "environment added" } }
            @for case in first_case_per_variant(record) {
                tr {
                    td { (case.workload) }
                    td { (case.variant) }
                    td { code { (case.launch.program) " " (case.launch.args.join(" ")) } }
                    td { code { (case.launch.env.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")) } }
                }
            }
        }
        h3 { "Methods" }
        table {
            @for (field, method) in &record.methods {
                tr { th { code { (field) } } td { (method) } }
            }
        }
    }
}

fn first_case_per_variant(record: &RunRecord) -> Vec<&CaseRecord> {
    let mut seen = std::collections::BTreeSet::new();
    record
        .cases
        .iter()
        .filter(|c| seen.insert((c.workload.clone(), c.variant.clone())))
        .collect()
}
