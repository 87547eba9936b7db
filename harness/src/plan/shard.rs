//! `arena run --shard K/N`: a deterministic split of the planned cases across N machines (CI
//! jobs). A whole workload stays on one shard: every figure derived within a variant (a speedup
//! over worker counts, a slope over N), every ratio that pairs two variants by round, and every
//! claim (each claim judges one workload's figures, harness/claims/claims.toml) is then measured
//! on one machine. The workloads are sorted by id and dealt out in turn. Pure: it must not look
//! at the machine.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use arena_results::ShardInfo;

use super::CaseSpec;

/// Parses `K/N` (1 ≤ K ≤ N).
pub fn parse(text: &str) -> Result<ShardInfo> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((index, count)) if count >= 1 && (1..=count).contains(&index) => Ok(ShardInfo { index, count }),
        _ => bail!("--shard {text:?}: give K/N with 1 ≤ K ≤ N, e.g. --shard 2/4"),
    }
}

/// The group a case belongs to, the unit that is never split: its workload.
pub fn group_key(case: &CaseSpec) -> String {
    case.workload.clone()
}

/// The cases of shard `shard`, in their planned order. An empty shard is an error: there are
/// fewer groups than shards.
pub fn select(cases: Vec<CaseSpec>, shard: ShardInfo) -> Result<Vec<CaseSpec>> {
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    for case in &cases {
        groups.entry(group_key(case)).or_default();
    }
    let group_count = groups.len();
    for (position, slot) in groups.values_mut().enumerate() {
        *slot = position % shard.count as usize;
    }
    let mine = (shard.index - 1) as usize;
    let selected: Vec<CaseSpec> = cases
        .into_iter()
        .filter(|c| groups[&group_key(c)] == mine)
        .collect();
    if selected.is_empty() {
        bail!(
            "--shard {}/{}: this shard has no cases; the selection has only {group_count} workload(s), and a workload is never split, so use at most that many shards",
            shard.index,
            shard.count
        );
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use arena_runners::Language;

    use super::*;

    fn case(workload: &str, language: Language, model: &str, n: u64) -> CaseSpec {
        CaseSpec {
            case_id: format!("{workload}/{language}/{model}/n={n}"),
            workload: workload.into(),
            language,
            model: model.into(),
            params: [("n".to_string(), n)].into(),
            env: BTreeMap::new(),
            runtime_args: vec![],
            timeout: Duration::from_secs(1),
            repetitions: None,
            server: None,
            size_param: None,
            expected_s_per_process: None,
        }
    }

    fn planned() -> Vec<CaseSpec> {
        let mut cases = Vec::new();
        for (w, l, m) in [
            ("a", Language::Python, "threads"),
            ("a", Language::Python, "processes"),
            ("a", Language::Go, "goroutines"),
            ("b", Language::Rust, "tokio"),
            ("b", Language::Java, "virtual"),
        ] {
            for n in [1, 2, 4] {
                cases.push(case(w, l, m, n));
            }
        }
        cases
    }

    #[test]
    fn shards_partition_the_cases_and_never_split_a_workload() {
        let all: Vec<String> = planned().into_iter().map(|c| c.case_id).collect();
        for count in 1..=2 {
            let mut seen: Vec<String> = Vec::new();
            let mut owner: BTreeMap<String, u32> = BTreeMap::new();
            for index in 1..=count {
                let part = select(planned(), ShardInfo { index, count }).unwrap();
                for c in &part {
                    let previous = owner.insert(group_key(c), index);
                    assert!(
                        previous.is_none_or(|p| p == index),
                        "a workload split across shards"
                    );
                }
                seen.extend(part.into_iter().map(|c| c.case_id));
            }
            let distinct: BTreeSet<&String> = seen.iter().collect();
            assert_eq!(distinct.len(), seen.len(), "a case on two shards");
            assert_eq!(seen.len(), all.len());
            let mut sorted = seen.clone();
            sorted.sort();
            let mut expected = all.clone();
            expected.sort();
            assert_eq!(sorted, expected, "the union of {count} shards is the whole plan");
        }
    }

    #[test]
    fn the_split_is_deterministic_and_keeps_the_planned_order() {
        let a = select(planned(), ShardInfo { index: 2, count: 3 }).unwrap();
        let mut reversed = planned();
        reversed.reverse();
        let b = select(reversed, ShardInfo { index: 2, count: 3 }).unwrap();
        let ids = |v: &[CaseSpec]| v.iter().map(|c| c.case_id.clone()).collect::<BTreeSet<_>>();
        assert_eq!(ids(&a), ids(&b));
        let positions: Vec<usize> = a
            .iter()
            .map(|c| planned().iter().position(|p| p.case_id == c.case_id).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn bad_and_empty_shards_are_clear_errors() {
        assert_eq!(parse("2/4").unwrap(), ShardInfo { index: 2, count: 4 });
        for bad in ["0/4", "5/4", "2", "a/b", "1/0", ""] {
            let error = parse(bad).unwrap_err().to_string();
            assert!(error.contains("--shard"), "{error}");
        }
        let error = select(planned(), ShardInfo { index: 3, count: 3 })
            .unwrap_err()
            .to_string();
        assert!(error.contains("2 workload(s)"), "{error}");
    }
}
