//! Helpers shared by the integration tests: fixture cases and a quiet run record.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use arena_harness::plan::CaseSpec;
use arena_harness::schedule::{PlannedCase, Readiness};
use arena_results::{Derived, Environment, HarnessInfo, RunRecord, SCHEMA_VERSION};
use arena_runners::{Language, LaunchSpec};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A cpu-scale case (chunks=1 items=1 workers=1) whose process is a fixture script.
pub fn fixture_case(name: &str, timeout: Duration, env: BTreeMap<String, String>) -> PlannedCase {
    let params: BTreeMap<String, u64> = [("chunks", 1), ("items", 1), ("workers", 1)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let spec = CaseSpec {
        case_id: format!("cpu-scale/fixture/{name}"),
        workload: "cpu-scale".into(),
        language: Language::Python,
        model: name.into(),
        params,
        env: env.clone(),
        runtime_args: vec![],
        timeout,
    };
    let launch = LaunchSpec {
        program: PathBuf::from("/bin/sh"),
        args: vec![repo_root()
            .join("tests/fixtures")
            .join(format!("{name}.sh"))
            .display()
            .to_string()],
        env,
        cwd: repo_root(),
    };
    PlannedCase {
        spec,
        readiness: Readiness::Ready(launch),
    }
}

pub fn empty_record(run_id: &str) -> RunRecord {
    RunRecord {
        schema_version: SCHEMA_VERSION,
        run_id: run_id.into(),
        suite: "test".into(),
        started_at: "2026-01-01T00:00:00Z".into(),
        finished_at: None,
        complete: false,
        harness: HarnessInfo {
            version: "test".into(),
            git_commit: None,
            git_dirty: None,
            command_line: vec![],
        },
        environment: Environment {
            cpu_model: "test".into(),
            logical_cores: 2,
            memory_total_bytes: 1 << 30,
            kernel: "test".into(),
            os: "test".into(),
            pid_max: None,
            threads_max: None,
            page_size_bytes: 4096,
            cpu_pinning: "none".into(),
            toolchains: vec![],
        },
        methods: BTreeMap::new(),
        order_seed: 0,
        execution_order: vec![],
        cases: vec![],
        derived: Derived::default(),
    }
}

/// Whether a process still runs (absent or zombie counts as gone).
pub fn process_running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().next());
            state != Some("Z")
        }
        Err(_) => false,
    }
}

pub fn read_pid(path: &Path) -> i32 {
    std::fs::read_to_string(path).unwrap().trim().parse().unwrap()
}
