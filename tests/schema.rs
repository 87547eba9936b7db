//! The committed JSON Schema matches the result types, and real harness output validates
//! against it. Regenerate after a schema change with: ARENA_UPDATE_SCHEMA=1 cargo test --test schema

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use arena_harness::executor::ProcessExecutor;
use arena_harness::progress::SilentProgress;
use arena_harness::schedule::{self, Schedule};
use arena_results::RunStore;
use common::*;

fn committed_schema_path() -> std::path::PathBuf {
    repo_root().join("results/schema/results.schema.json")
}

#[test]
fn committed_schema_is_generated_from_the_types() {
    let generated = serde_json::to_string_pretty(&arena_results::json_schema()).unwrap() + "\n";
    if std::env::var_os("ARENA_UPDATE_SCHEMA").is_some() {
        std::fs::write(committed_schema_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(committed_schema_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "results/schema/results.schema.json is stale: run ARENA_UPDATE_SCHEMA=1 cargo test --test schema and bump SCHEMA_VERSION if the change is incompatible"
    );
}

/// Validates a results.json file against the committed schema; returns the errors.
pub fn schema_errors(results: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(committed_schema_path()).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(results)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn real_output_validates_and_a_broken_file_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = RunStore::create(dir.path(), "schema").unwrap();
    let cases = vec![
        fixture_case("ok", Duration::from_secs(20), BTreeMap::new()),
        fixture_case("crash", Duration::from_secs(20), BTreeMap::new()),
    ];
    let mut record = empty_record("schema");
    schedule::execute(
        &mut record,
        &cases,
        &Schedule {
            repetitions: 3,
            seed: 3,
        },
        &ProcessExecutor,
        &store,
        &SilentProgress,
    )
    .unwrap();
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.results_path()).unwrap()).unwrap();
    assert_eq!(schema_errors(&written), Vec::<String>::new());

    let mut broken = written.clone();
    broken["cases"][0]["repetitions"][0]["wall_ns"] = serde_json::json!("fast");
    broken["cases"][0]["status"] = serde_json::json!("great");
    assert!(
        schema_errors(&broken).len() >= 2,
        "the schema must reject wrong types and unknown statuses"
    );
}
