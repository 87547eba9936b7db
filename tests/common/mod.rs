//! Helpers shared by the integration tests: fixture cases and a quiet run record.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use arena_harness::measure::executor::Executor;
use arena_harness::measure::progress::SilentProgress;
use arena_harness::measure::schedule::{self, PlannedCase, Readiness, Schedule, Session};
use arena_harness::measure::Cancel;
use arena_harness::plan::CaseSpec;
use arena_harness::workloads::registry::REGISTRY;
use arena_results::{Derived, Environment, HarnessInfo, RunRecord, RunStore, SCHEMA_VERSION};
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
        repetitions: None,
        server: None,
        size_param: None,
        expected_s_per_process: None,
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
        artifacts: Vec::new(),
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
            cpu_thread_siblings: BTreeMap::new(),
            generator_and_server_share_a_core: None,
            toolchains: vec![],
        },
        methods: BTreeMap::new(),
        order_seed: 0,
        execution_order: vec![],
        cases: vec![],
        derived: Derived::default(),
        shard: None,
        merged_from: Vec::new(),
        harness_time_between_repetitions_median_ns: None,
        harness_time_between_repetitions_max_ns: None,
        harness_time_between_repetitions_count: None,
        claims: Vec::new(),
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

/// Validates a results.json value against the committed JSON Schema; returns the errors.
pub fn schema_errors(results: &serde_json::Value) -> Vec<String> {
    let path = repo_root().join("results/schema/results.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(results)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Runs `cases` with the workloads' real rules, silently; `cancel` stops it.
pub fn execute(
    record: &mut RunRecord,
    cases: &[PlannedCase],
    schedule: &Schedule,
    executor: &dyn Executor,
    store: &RunStore,
    cancel: &Cancel,
) {
    let session = Session {
        executor,
        rules: &REGISTRY,
        store,
        progress: &SilentProgress,
        cancel,
        stop: None,
    };
    schedule::execute(record, cases, schedule, &session).unwrap();
}

/// The typed derived figures of one workload, derived afresh from the record's cases.
pub fn derived<T: serde::de::DeserializeOwned>(record: &RunRecord, workload: &str) -> T {
    let derived = REGISTRY.derive(&record.cases).unwrap();
    serde_json::from_value(derived[workload].clone()).unwrap()
}

/// A real run of two fixture processes (one well-behaved, one crashing), 3 repetitions each,
/// written into a run folder under `dir`.
pub fn measured_fixture_run(dir: &Path) -> (arena_results::RunStore, RunRecord) {
    use arena_harness::measure::executor::ProcessExecutor;
    let (store, _) = RunStore::create(dir, "fixtures").unwrap();
    let cases = vec![
        fixture_case("ok", Duration::from_secs(20), BTreeMap::new()),
        fixture_case("crash", Duration::from_secs(20), BTreeMap::new()),
    ];
    let mut record = empty_record("fixtures");
    let schedule = Schedule {
        repetitions: 3,
        seed: 3,
    };
    execute(
        &mut record,
        &cases,
        &schedule,
        &ProcessExecutor::default(),
        &store,
        &Cancel::new(),
    );
    record.derived = REGISTRY.derive(&record.cases).unwrap();
    (store, record)
}

/// Whether this is a CI run (`CI=true`): then a missing toolchain or browser fails the test.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Opens `page` in headless Chromium (scripts/report-check): every chart decoded, no console
/// error, no network request, a screenshot. Returns its verdict, or None (with a message) when
/// Chromium or playwright-core is missing on a user's machine; in CI that is a failure.
pub fn check_in_chromium(page: &Path, screenshot: &Path) -> Option<serde_json::Value> {
    let checker = repo_root().join("scripts/report-check");
    if !Path::new("/usr/bin/chromium").exists() || !checker.join("node_modules/playwright-core").exists() {
        assert!(
            !in_ci(),
            "CI needs Chromium and scripts/report-check: run scripts/install-test-deps"
        );
        eprintln!(
            "SKIPPED browser check: run scripts/install-test-deps to install Chromium and playwright-core"
        );
        return None;
    }
    let out = std::process::Command::new("node")
        .arg(checker.join("check.js"))
        .arg(page)
        .arg(screenshot)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "browser check of {} failed:\n{stdout}\n{}",
        page.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_str(stdout.trim()).unwrap())
}
