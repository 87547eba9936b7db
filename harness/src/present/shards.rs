//! The "Shards" section of a merged run (`arena merge`): which run, machine and harness commit
//! measured which workload × variant groups, and what that means for the figures. Formatting
//! only; it must not merge or derive.

use std::collections::BTreeSet;

use arena_results::RunRecord;

use super::{Section, Table};

pub fn sections(record: &RunRecord) -> Vec<Section> {
    if record.merged_from.is_empty() {
        return Vec::new();
    }
    let rows = record
        .merged_from
        .iter()
        .map(|run| {
            let env = &run.environment;
            let groups: BTreeSet<String> = record
                .cases
                .iter()
                .filter(|c| run.case_ids.contains(&c.case_id))
                .map(|c| format!("{} {}", c.workload, c.variant))
                .collect();
            vec![
                run.run_id.clone(),
                run.shard
                    .map_or("–".into(), |s| format!("{}/{}", s.index, s.count)),
                format!(
                    "{}, {} logical cores, kernel {}",
                    env.cpu_model, env.logical_cores, env.kernel
                ),
                run.harness
                    .git_commit
                    .as_deref()
                    .map_or("unknown".into(), |c| c[..c.len().min(12)].to_string()),
                run.case_ids.len().to_string(),
                groups.into_iter().collect::<Vec<_>>().join("; "),
            ]
        })
        .collect();
    vec![Section {
        workload: "Shards".into(),
        about: None,
        notes: vec![format!(
            "This run is {} runs merged by `arena merge`. Every workload × variant group was measured by one of them, so every figure derived within a variant (a speedup, a slope, a capacity) comes from one machine. A claim that compares variants measured by different shards compares machines too: check the table before citing it.",
            record.merged_from.len()
        )],
        tables: vec![Table::new(
            "which run measured which cases",
            &["run", "shard", "machine", "harness", "cases", "workload × variant"],
            rows,
            "From `merged_from` in results.json: each shard's own environment and harness are kept there in full.",
        )],
        charts: Vec::new(),
    }]
}
