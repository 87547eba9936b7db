//! `arena merge`: several run records, one per shard, become one record. It keeps every shard's
//! environment and harness (`merged_from`), refuses what cannot be merged honestly (another
//! schema version, another suite, a case measured twice) and, unless told otherwise, a workload
//! split across shards, whose derived figures (a speedup, a slope, a ratio of two variants paired
//! by round) and claims would then pair processes of different machines. When told to merge such
//! a run anyway, `workloads_across_machines` names those workloads so that nothing is derived or
//! judged on them. Pure: it must not read files or derive figures (the caller re-derives them with
//! the workload modules).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Result};
use arena_results::{MergedRun, RunRecord, SCHEMA_VERSION};

/// A record to merge and where it came from (for error messages).
pub struct ShardRecord {
    pub source: String,
    pub record: RunRecord,
}

/// Merges the shards in the order given. `derived` of the result is empty.
pub fn merge(shards: Vec<ShardRecord>, allow_cross_machine: bool) -> Result<RunRecord> {
    check(&shards, allow_cross_machine)?;
    let first = &shards[0];
    let mut merged = first.record.clone();
    merged.run_id = format!("{}-merged", first.record.run_id);
    merged.cases.clear();
    merged.execution_order.clear();
    merged.derived.clear();
    merged.merged_from.clear();
    merged.shard = None;
    merged.complete = shards.iter().all(|s| s.record.complete);
    merged.finished_at = shards
        .iter()
        .map(|s| s.record.finished_at.clone())
        .collect::<Option<Vec<_>>>()
        .and_then(|ends| ends.into_iter().max());
    merged.started_at = shards
        .iter()
        .map(|s| s.record.started_at.clone())
        .min()
        .unwrap_or_default();
    for shard in shards {
        let record = shard.record;
        // A merged run can be merged again: its own shards are carried over as they were.
        if record.merged_from.is_empty() {
            merged.merged_from.push(MergedRun {
                run_id: record.run_id.clone(),
                shard: record.shard,
                started_at: record.started_at.clone(),
                finished_at: record.finished_at.clone(),
                complete: record.complete,
                order_seed: record.order_seed,
                harness: record.harness.clone(),
                environment: record.environment.clone(),
                case_ids: record.cases.iter().map(|c| c.case_id.clone()).collect(),
            });
        } else {
            merged.merged_from.extend(record.merged_from);
        }
        for (figure, method) in record.methods {
            merged.methods.entry(figure).or_insert(method);
        }
        merged.execution_order.extend(record.execution_order);
        merged.cases.extend(record.cases);
    }
    Ok(merged)
}

/// The workloads of a merged run whose cases were measured by more than one shard (possible only
/// with --allow-cross-machine): no figure that pairs their cases and no claim is derived from
/// them ("not comparable: different machines"). Empty for a run that is not merged.
pub fn workloads_across_machines(record: &RunRecord) -> BTreeSet<String> {
    let workload_of: BTreeMap<&str, &str> = record
        .cases
        .iter()
        .map(|c| (c.case_id.as_str(), c.workload.as_str()))
        .collect();
    let mut shards_of: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (shard, part) in record.merged_from.iter().enumerate() {
        for case_id in &part.case_ids {
            if let Some(workload) = workload_of.get(case_id.as_str()) {
                shards_of.entry(workload).or_default().insert(shard);
            }
        }
    }
    shards_of
        .into_iter()
        .filter(|(_, shards)| shards.len() > 1)
        .map(|(workload, _)| workload.to_string())
        .collect()
}

/// Refuses what cannot be merged honestly; see the module comment.
fn check(shards: &[ShardRecord], allow_cross_machine: bool) -> Result<()> {
    let Some(first) = shards.first() else {
        bail!("arena merge needs at least one run folder");
    };
    let suite = first.record.suite.clone();
    let mut case_owner: BTreeMap<String, String> = BTreeMap::new();
    let mut workload_owner: BTreeMap<String, String> = BTreeMap::new();
    for shard in shards {
        let record = &shard.record;
        if record.schema_version != SCHEMA_VERSION {
            bail!(
                "{}: results of schema version {}, this harness merges version {SCHEMA_VERSION}; re-run that shard with this harness",
                shard.source,
                record.schema_version
            );
        }
        if record.suite != suite {
            bail!(
                "{}: a run of suite {:?}, the first run is of suite {suite:?}; merge shards of one suite",
                shard.source,
                record.suite
            );
        }
        for case in &record.cases {
            if let Some(other) = case_owner.insert(case.case_id.clone(), shard.source.clone()) {
                bail!(
                    "case {} is in {other} and in {}: a case may be measured by one shard only",
                    case.case_id,
                    shard.source
                );
            }
            match workload_owner.get(&case.workload) {
                Some(other) if *other != shard.source && !allow_cross_machine => bail!(
                    "{} has cases in {other} and in {}: its derived figures and claims would pair processes of different machines; shard with `arena run --shard K/N` (which keeps a workload on one shard), or pass --allow-cross-machine to merge it with nothing derived or judged on that workload",
                    case.workload,
                    shard.source
                ),
                Some(_) => {}
                None => {
                    workload_owner.insert(case.workload.clone(), shard.source.clone());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use arena_results::CaseStatus;

    use super::*;
    use crate::analyse::phases::fixtures::case;

    fn record(run_id: &str, cpu: &str, variants: &[(&str, &str)]) -> ShardRecord {
        let mut record: RunRecord = serde_json::from_value(serde_json::json!({
            "schema_version": SCHEMA_VERSION, "run_id": run_id, "suite": "quick",
            "started_at": format!("2026-12-01T10:00:0{}Z", run_id.len() % 10),
            "finished_at": "2026-12-01T11:00:00Z", "complete": true,
            "harness": { "version": "t", "git_commit": "abc", "git_dirty": false, "command_line": [] },
            "environment": { "cpu_model": cpu, "logical_cores": 2, "memory_total_bytes": 1,
                "kernel": "k", "os": "o", "pid_max": null, "threads_max": null,
                "page_size_bytes": 4096, "cpu_pinning": "p", "toolchains": [] },
            "methods": { "wall_ns": "monotonic clock" }, "order_seed": 7,
            "execution_order": [], "cases": [], "derived": {}
        }))
        .unwrap();
        for (workload, variant) in variants {
            record.cases.push(case(workload, variant, CaseStatus::Ok, vec![]));
            record.execution_order.push(format!("{workload}/{variant}#1"));
        }
        ShardRecord {
            source: format!("runs/{run_id}"),
            record,
        }
    }

    #[test]
    fn shards_merge_into_one_run_that_keeps_every_machine() {
        let merged = merge(
            vec![
                record("a", "cpu A", &[("w", "go/x"), ("w", "rust/y")]),
                record("b", "cpu B", &[("v", "java/z")]),
            ],
            false,
        )
        .unwrap();
        assert_eq!(merged.cases.len(), 3);
        assert!(workloads_across_machines(&merged).is_empty());
        assert_eq!(merged.execution_order.len(), 3);
        assert_eq!(merged.merged_from.len(), 2);
        assert_eq!(merged.merged_from[1].environment.cpu_model, "cpu B");
        assert_eq!(merged.merged_from[0].case_ids.len(), 2);
        assert!(merged.derived.is_empty() && merged.complete);
        // Merging a merged run again keeps the original shards.
        let again = merge(
            vec![
                ShardRecord {
                    source: "m".into(),
                    record: merged,
                },
                record("c", "cpu C", &[("u", "go/x")]),
            ],
            false,
        )
        .unwrap();
        assert_eq!(again.merged_from.len(), 3);
    }

    #[test]
    fn duplicates_other_versions_suites_and_split_variants_are_refused() {
        let dup = merge(
            vec![
                record("a", "A", &[("w", "go/x")]),
                record("b", "B", &[("w", "go/x")]),
            ],
            true,
        );
        assert!(dup
            .unwrap_err()
            .to_string()
            .contains("measured by one shard only"));
        let mut old = record("b", "B", &[("w", "java/z")]);
        old.record.schema_version = 1;
        let error = merge(vec![record("a", "A", &[]), old], false)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("runs/b") && error.contains("schema version 1"),
            "{error}"
        );
        let mut other = record("b", "B", &[]);
        other.record.suite = "full".into();
        assert!(merge(vec![record("a", "A", &[]), other], false)
            .unwrap_err()
            .to_string()
            .contains("suite"));
        // The same variant at two sizes on two machines: refused unless allowed.
        let mut a = record("a", "A", &[("w", "go/x")]);
        let mut b = record("b", "B", &[("w", "go/x")]);
        a.record.cases[0].case_id = "w/go/x/n=1".into();
        b.record.cases[0].case_id = "w/go/x/n=2".into();
        let split = merge(vec![a, b], false).unwrap_err().to_string();
        assert!(split.contains("different machines"), "{split}");
        let mut a = record("a", "A", &[("w", "go/x")]);
        let mut b = record("b", "B", &[("w", "go/x")]);
        a.record.cases[0].case_id = "w/go/x/n=1".into();
        b.record.cases[0].case_id = "w/go/x/n=2".into();
        let merged = merge(vec![a, b], true).unwrap();
        assert_eq!(merged.cases.len(), 2);
        assert_eq!(
            workloads_across_machines(&merged),
            BTreeSet::from(["w".to_string()])
        );
        assert!(merge(vec![], false).is_err());
    }

    #[test]
    fn two_variants_of_one_workload_on_two_shards_are_a_split_workload() {
        // Two variants that a claim or a round-paired ratio compares, measured on two machines.
        let split = merge(
            vec![
                record("a", "A", &[("w", "go/x")]),
                record("b", "B", &[("w", "rust/y")]),
            ],
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(split.contains("w has cases in runs/a and in runs/b"), "{split}");
        let merged = merge(
            vec![
                record("a", "A", &[("w", "go/x"), ("v", "go/x")]),
                record("b", "B", &[("w", "rust/y")]),
            ],
            true,
        )
        .unwrap();
        assert_eq!(
            workloads_across_machines(&merged),
            BTreeSet::from(["w".to_string()])
        );
    }
}
