//! The HTML report of a run (`report.html`): one self-contained file (styles inline, charts
//! embedded as base64 SVG `<img>` data URIs rendered from the same chart models as the chart
//! files, no script, no network) with the claims and their verdicts, a section per workload, the
//! machine's sections (interference, noise floor) and the provenance. Every string is
//! interpolated through maud, which escapes it, so text from workloads, errors or the
//! environment cannot become markup; an SVG inside an `<img>` cannot either. Renders the report model; computes nothing but formatting.

use std::path::{Path, PathBuf};

use arena_results::{CaseRecord, CaseStatus, RunRecord};
use base64::Engine;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::chart_drawing;
use super::chart_model::Chart;
use super::report::{Exporter, Report, Section};
use super::table::{estimate_text, Table};

pub(super) const STYLE: &str = r#"
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

pub struct HtmlExporter;

impl Exporter for HtmlExporter {
    fn name(&self) -> &'static str {
        "report"
    }

    fn export(&self, report: &Report, run_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
        let path = run_dir.join("report.html");
        std::fs::write(&path, render(report).into_string())?;
        Ok(vec![path])
    }
}

pub fn render(report: &Report) -> Markup {
    let record = report.record;
    let caption = chart_drawing::provenance(record);
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
                (claims_section(report))
                @for section in &report.sections {
                    (workload_section(record, section, &caption))
                }
                @for section in &report.machine {
                    (machine_section(section))
                }
                (provenance_section(record))
            }
        }
    }
}

fn claims_section(report: &Report) -> Markup {
    html! {
        h2 id="claims" { "Claims, judged on this machine" }
        p.muted { "A verdict is decided on interval bounds: supported, contradicted, not enough evidence (an interval straddles the threshold or a case failed), or not measured (its workload did not run). Claims: harness/claims/claims.toml." }
        table {
            tr { th { "claim" } th { "verdict" } th { "evidence" } }
            @for judged in &report.claims {
                tr {
                    td { (judged.claim.statement) br; span.muted { (judged.claim.id) " · workload " (judged.claim.workload) } }
                    td { span class={ "verdict " (judged.verdict.label().replace(' ', "-")) } { (judged.verdict.label()) } }
                    td { @for line in &judged.evidence { (line) br; } }
                }
            }
        }
    }
}

pub(super) fn chart_img(chart: &Chart, caption: &str) -> Markup {
    match chart_drawing::svg(chart, caption) {
        Ok(svg) => {
            let data = base64::engine::general_purpose::STANDARD.encode(svg);
            html! { img.chart id={ "chart-" (chart.id) } src={ "data:image/svg+xml;base64," (data) } alt=(chart.title); }
        }
        Err(e) => html! { p.failed { "chart " (chart.id) " could not be drawn: " (format!("{e:#}")) } },
    }
}

fn figure_table(table: &Table) -> Markup {
    html! {
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

fn workload_section(record: &RunRecord, section: &Section, caption: &str) -> Markup {
    let cases: Vec<&CaseRecord> = record
        .cases
        .iter()
        .filter(|c| c.workload == section.workload)
        .collect();
    html! {
        h2 id=(section.workload) { (section.workload) }
        @if let Some(about) = &section.about {
            p { b { (about.class) ". " } (about.summary) }
            p { "Claim it speaks to: " i { (about.claim) } }
        }
        @for chart in &section.charts { (chart_img(chart, caption)) }
        @for table in &section.tables { (figure_table(table)) }
        (cases_table(&cases))
    }
}

/// A section about the machine (interference, noise floor): its summary line, then its tables.
fn machine_section(section: &Section) -> Markup {
    html! {
        h2 id=(section.workload.to_lowercase().replace(' ', "-")) { (section.workload) }
        @for note in &section.notes { p { (note) } }
        @for table in &section.tables { (figure_table(table)) }
    }
}

fn cases_table(cases: &[&CaseRecord]) -> Markup {
    html! {
        details {
            summary { "Every case: medians with intervals, failures and warnings" }
            table {
                tr { th { "variant" } th { "parameters" } th { "status" } th { "wall [s]" } th { "CPU [s]" } th { "peak tree RSS [MiB]" } th { "peak tree PSS [MiB]" } th { "RSS at ready [MiB]" } th { "PSS at ready [MiB]" } th { "notes" } }
                @for case in cases {
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
                            td.num { @if let Some(e) = &s.peak_tree_pss_bytes { (estimate_text(e, 1048576.0, 1)) } }
                            td.num { @if let Some(e) = &s.ready_tree_rss_bytes { (estimate_text(e, 1048576.0, 1)) } }
                            td.num { @if let Some(e) = &s.ready_tree_pss_bytes { (estimate_text(e, 1048576.0, 1)) } }
                            td {
                                (format!("n={}, interval covers {}%", s.wall_ns.n, super::table::level_percent(s.wall_ns.ci_level)))
                                @if s.wall_ns.outliers > 0 { br; (s.wall_ns.outliers) " wall-time outlier(s) flagged (kept)" }
                            }
                        } @else {
                            td {} td {} td {} td {} td {} td {}
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
            tr { th { "SMT" } td { (super::report::smt_text(env)) } }
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
