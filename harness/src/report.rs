//! The Markdown summary of a run: per workload, a table of the figures with their intervals,
//! failures with reasons, and the provenance. Pastes into a lesson or a PR comment.
//! Reads the record only; it must not compute statistics (those are in results.json).

use std::fmt::Write;

use arena_results::{CaseStatus, RunRecord};

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
