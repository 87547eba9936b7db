//! The Markdown summary of a run (`summary.md`): provenance, then per workload its tables with
//! their methods, the machine's sections (interference, noise floor), the claims with their verdicts, and the failed and skipped cases. Pastes into a
//! lesson or a PR comment. Renders the report model; it must not compute statistics.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use arena_results::CaseStatus;

use super::report::{Exporter, Report};

pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn name(&self) -> &'static str {
        "summary"
    }

    fn export(&self, report: &Report, run_dir: &Path) -> Result<Vec<PathBuf>> {
        let path = run_dir.join("summary.md");
        std::fs::write(&path, summary(report)).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(vec![path])
    }
}

/// Table cells must not break the Markdown table.
fn cell(text: &str) -> String {
    plain(text).replace('|', "/")
}

/// Text shown as text: HTML escaped and control characters blanked. A reason quotes a
/// workload's stderr, and CI appends summary.md to the job summary, where raw HTML would render.
pub fn plain(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            c if c.is_control() => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

pub fn summary(report: &Report) -> String {
    let mut md = String::new();
    let record = report.record;
    let env = &record.environment;
    let _ = writeln!(
        md,
        "# runtime-arena run `{}` (suite {})\n",
        record.run_id, record.suite
    );
    let _ = writeln!(
        md,
        "{} · {} logical cores · {:.1} GiB · kernel {} · harness {}{}",
        plain(&env.cpu_model),
        env.logical_cores,
        env.memory_total_bytes as f64 / (1u64 << 30) as f64,
        plain(&env.kernel),
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
    let _ = writeln!(
        md,
        "\nCPU placement: {}. {}.",
        env.cpu_pinning,
        super::report::smt_text(env)
    );
    let tools: Vec<String> = env
        .toolchains
        .iter()
        .map(|t| match (&t.version, &t.executable) {
            (Some(v), Some(p)) => format!("{} {} (`{}`)", t.language, plain(v), p.replace('`', "'")),
            _ => format!("{} missing", t.language),
        })
        .collect();
    let _ = writeln!(md, "\nToolchains: {}\n", tools.join(", "));
    if !record.complete {
        let _ = writeln!(md, "**Incomplete run** (interrupted or still in progress).\n");
    }
    for section in report.sections.iter().chain(&report.machine) {
        if !section.notes.is_empty() {
            let _ = writeln!(md, "## {}\n\n{}\n", section.workload, section.notes.join("\n\n"));
        }
        for table in &section.tables {
            let _ = writeln!(md, "## {}: {}\n", section.workload, table.title);
            let _ = writeln!(md, "| {} |", table.headers.join(" | "));
            let _ = writeln!(md, "|{}", "---|".repeat(table.headers.len()));
            for row in &table.rows {
                let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
                let _ = writeln!(md, "| {} |", cells.join(" | "));
            }
            let _ = writeln!(md, "\n{}\n", table.method);
        }
    }
    claims(&mut md, report);
    cases(&mut md, report);
    md
}

/// `arena claims RUN`: one row per claim, its verdict and the family it rests on.
pub fn claims_table(records: &[arena_results::ClaimRecord]) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| claim | workload | verdict | checks | contradiction needs | hold / fail / undecided or too few |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for r in records {
        let count = |o| r.intervals.iter().filter(|i| i.outcome == o).count();
        let _ = writeln!(
            md,
            "| {} | {} | **{}** | {} | {} | {} / {} / {} |",
            r.claim_id,
            r.workload,
            r.verdict.label(),
            r.family_checks,
            if r.family_checks == 0 {
                "–".to_string()
            } else {
                format!("{:.2}% each", r.contradict_level * 100.0)
            },
            count(arena_results::CheckOutcome::Holds),
            count(arena_results::CheckOutcome::Fails),
            (r.family_checks as usize).saturating_sub(
                count(arena_results::CheckOutcome::Holds) + count(arena_results::CheckOutcome::Fails)
            ),
        );
    }
    let _ = writeln!(
        md,
        "\nFamily-wise level 95%: supported when every check's 95% interval holds; contradicted when one check's interval at 1 − 5% / checks fails. `arena claims RUN --json` gives the evidence and intervals."
    );
    md
}

fn claims(md: &mut String, report: &Report) {
    let _ = writeln!(md, "## Claims, judged on this machine (on interval bounds)\n");
    let _ = writeln!(md, "| claim | verdict | evidence |");
    let _ = writeln!(md, "|---|---|---|");
    for judged in &report.claims {
        let _ = writeln!(
            md,
            "| {} | **{}** | {} |",
            cell(&judged.claim.statement),
            judged.verdict.label(),
            judged
                .evidence
                .iter()
                .map(|e| cell(e))
                .collect::<Vec<_>>()
                .join("<br>")
        );
    }
    md.push('\n');
}

fn cases(md: &mut String, report: &Report) {
    let all = &report.record.cases;
    let count = |status| all.iter().filter(|c| c.status == status).count();
    let _ = writeln!(
        md,
        "## Cases: {} ok, {} failed, {} skipped\n",
        count(CaseStatus::Ok),
        count(CaseStatus::Failed),
        count(CaseStatus::Skipped)
    );
    for case in all
        .iter()
        .filter(|c| matches!(c.status, CaseStatus::Failed | CaseStatus::Skipped))
    {
        let _ = writeln!(
            md,
            "- `{}`: {:?}{} — {}",
            case.case_id.replace('`', "'"),
            case.status,
            case.failure_kind.map(|k| format!(" ({k:?})")).unwrap_or_default(),
            plain(case.reason.as_deref().unwrap_or(""))
        );
    }
}
