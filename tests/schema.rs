//! The committed JSON Schema matches the result types (with every workload's derived figures),
//! and real harness output validates against it. Regenerate after a schema change with: ARENA_UPDATE_SCHEMA=1 cargo test --test schema

mod common;

use common::*;

fn committed_schema_path() -> std::path::PathBuf {
    repo_root().join("results/schema/results.schema.json")
}

#[test]
fn committed_schema_is_generated_from_the_types() {
    let generated =
        serde_json::to_string_pretty(&arena_harness::workloads::registry::REGISTRY.results_schema()).unwrap()
            + "\n";
    if std::env::var_os("ARENA_UPDATE_SCHEMA").is_some() {
        std::fs::write(committed_schema_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(committed_schema_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "results/schema/results.schema.json is stale: run ARENA_UPDATE_SCHEMA=1 cargo test --test schema and bump SCHEMA_VERSION if the change is incompatible"
    );
}

#[test]
fn real_output_validates_and_a_broken_file_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = measured_fixture_run(dir.path());
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
