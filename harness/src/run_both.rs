//! `arena compare --run-both BASE_CHECKOUT NEW_CHECKOUT --suite S`: the workloads of two
//! checkouts, each built from its own tree and planned from its own catalogue and suite,
//! measured by this harness in one session with their repetitions interleaved (every round runs
//! every case of both, in a random order), so that both see the same machine at the same time;
//! then split into two runs and compared, each case's BASE and NEW paired by round (the
//! compare options say so: `paired_rounds`). A stored baseline from another runner swings by ±20%
//! (docs/methodology.md, "Comparing two runs"); this does not. While they run, base and new are
//! told apart by a prefix on their case ids. It must not compare runs measured apart (`arena
//! compare BASE NEW` does that) and measures both with this harness, so it compares workloads
//! and suites, not two harnesses.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use arena_results::{RunRecord, RunStore};
use arena_runners::Workspace;

use crate::analyse::compare::{self, CompareOptions};
use crate::commands::{machine, measure, new_record, write_reports};
use crate::config::{in_ci, Project};
use crate::measure::environment;
use crate::measure::schedule::{PlannedCase, Schedule};
use crate::measure::toolchains::{self, Detected};
use crate::measure::Cancel;
use crate::plan::catalog::Catalog;
use crate::plan::suite::Suite;
use crate::plan::{plan_suite, Filters};
use crate::present;
use crate::workloads::registry::REGISTRY;

const BASE: &str = "base:";
const NEW: &str = "new:";

/// What `--run-both` needs, validated by the CLI.
#[derive(Debug, Clone)]
pub struct RunBoth {
    pub base: PathBuf,
    pub new: PathBuf,
    pub suite: String,
    pub runs_dir: PathBuf,
    pub seed: u64,
    pub options: CompareOptions,
    pub json: bool,
}

/// One checkout's cases, planned and built, with their ids prefixed by `tag`.
fn prepare(
    project: &Project,
    root: &Path,
    tag: &str,
    suite: &str,
) -> Result<(Vec<PlannedCase>, u32, Workspace)> {
    if !root.join("workloads").join("catalog.toml").is_file() {
        bail!(
            "--run-both: {} has no workloads/catalog.toml; give two runtime-arena checkouts",
            root.display()
        );
    }
    let catalog = Catalog::load(root)?;
    REGISTRY.check_catalog(&catalog)?;
    let suite = Suite::load(suite, root, &catalog)?;
    REGISTRY.check_suite(&suite)?;
    let cases = plan_suite(&catalog, &suite, &Filters::default(), &machine())?;
    let ws = Workspace {
        root: root.to_path_buf(),
        target: root.join("target"),
        jdk_override: project.workspace.jdk_override.clone(),
    };
    let detected = Detected::all(&ws);
    let mut planned = toolchains::prepare(cases, &detected, &ws, in_ci(), &|line| eprintln!("{tag} {line}"))?;
    for case in &mut planned {
        case.spec.case_id = format!("{tag}{}", case.spec.case_id);
    }
    Ok((planned, suite.repetitions, ws))
}

/// The part of the joint record whose case ids carry `tag`, ids restored, figures derived,
/// with its own checkout's harness information.
fn split(joint: &RunRecord, tag: &str, root: &Path) -> Result<RunRecord> {
    let mut record = joint.clone();
    record.cases.retain(|c| c.case_id.starts_with(tag));
    for case in &mut record.cases {
        case.case_id = case.case_id[tag.len()..].to_string();
    }
    record.execution_order = joint
        .execution_order
        .iter()
        .filter_map(|e| e.strip_prefix(tag).map(str::to_string))
        .collect();
    record.run_id = format!("{}-{}", joint.run_id, tag.trim_end_matches(':'));
    record.harness = environment::harness_info(root, joint.harness.command_line.clone());
    record.derived = REGISTRY.derive(&record.cases)?;
    Ok(record)
}

pub fn run_both(project: &Project, config: &RunBoth, cancel: &Cancel) -> Result<i32> {
    let base_root = std::fs::canonicalize(&config.base).unwrap_or(config.base.clone());
    let new_root = std::fs::canonicalize(&config.new).unwrap_or(config.new.clone());
    let (mut planned, _, _) = prepare(project, &base_root, BASE, &config.suite)?;
    let (new_planned, repetitions, new_ws) = prepare(project, &new_root, NEW, &config.suite)?;
    planned.extend(new_planned);
    let detected = Detected::all(&new_ws);
    let mut joint = new_record(
        &format!("{}-both", config.suite),
        &detected,
        &new_ws,
        std::env::args().collect(),
    );
    let (store, run_id) = RunStore::create(&config.runs_dir, &joint.run_id)?;
    joint.run_id = run_id;
    eprintln!(
        "run {}: suite {} of {} and of {}, {} cases interleaved, results in {}",
        joint.run_id,
        config.suite,
        base_root.display(),
        new_root.display(),
        planned.len(),
        store.dir().display()
    );
    let schedule = Schedule {
        repetitions,
        seed: config.seed,
    };
    measure(&mut joint, &planned, &schedule, &store, cancel, None, None)?;
    let base = split(&joint, BASE, &base_root)?;
    let new = split(&joint, NEW, &new_root)?;
    for (name, record) in [("base", &base), ("new", &new)] {
        let dir = store.dir().join(name);
        std::fs::create_dir_all(&dir)?;
        let part = RunStore::at(&dir);
        part.write(record)?;
        write_reports(project, record, &part, false)?;
    }
    let comparison = compare::compare(&base, &new, config.options);
    let markdown = present::compare::markdown(&comparison);
    std::fs::write(store.dir().join("compare.md"), &markdown)?;
    if config.json {
        println!("{}", serde_json::to_string_pretty(&comparison)?);
    } else {
        print!("{markdown}");
    }
    if cancel.is_cancelled() {
        return Ok(130);
    }
    Ok(if comparison.regressions() > 0 { 1 } else { 0 })
}
