//! The registry of workload modules against the catalogue and the claims: the real files agree,
//! and every way they can disagree is a clear error at start-up, never a silent fall-through.

use arena_harness::analyse::claims::{self, ClaimSpec, NOT_YET};
use arena_harness::plan::catalog::{build_root, Catalog};
use arena_harness::workloads::registry::REGISTRY;

fn catalog() -> Catalog {
    Catalog::load(&build_root()).unwrap()
}

fn error(result: anyhow::Result<()>) -> String {
    format!("{:#}", result.expect_err("must be refused"))
}

#[test]
fn the_real_catalogue_and_claims_agree_with_the_modules() {
    let catalog = catalog();
    REGISTRY.check_catalog(&catalog).unwrap();
    let claims = claims::load(&build_root()).unwrap();
    REGISTRY.check_claims(&claims, &catalog).unwrap();
    // Every claim with a real test parses into its workload's claim kinds (checked above);
    // the rest wait for a workload that does not exist yet.
    for claim in &claims {
        assert_eq!(
            claim.kind == NOT_YET,
            REGISTRY.get(&claim.workload).is_none(),
            "{}",
            claim.id
        );
    }
    assert!(claims.iter().any(|c| c.kind != NOT_YET));
}

#[test]
fn a_catalogue_entry_without_a_module_and_a_module_without_an_entry_are_errors() {
    let mut extra = catalog();
    let mut unknown = extra.workloads[0].clone();
    unknown.id = "no-such-workload".into();
    extra.workloads.push(unknown);
    let err = error(REGISTRY.check_catalog(&extra));
    assert!(
        err.contains("no-such-workload") && err.contains("ADDING.md"),
        "{err}"
    );

    let mut missing = catalog();
    let gone = missing.workloads.remove(0).id;
    let err = error(REGISTRY.check_catalog(&missing));
    assert!(err.contains(&gone) && err.contains("no entry"), "{err}");

    let mut flipped = catalog();
    flipped.workloads[0].server = !flipped.workloads[0].server;
    let err = error(REGISTRY.check_catalog(&flipped));
    assert!(err.contains("server"), "{err}");
}

fn claim(text: &str) -> ClaimSpec {
    toml::from_str(text).unwrap()
}

/// A real claim of the file, rewritten by `edit`.
fn edited_real_claim(edit: impl Fn(&mut ClaimSpec)) -> Vec<ClaimSpec> {
    let mut claim = claims::load(&build_root())
        .unwrap()
        .into_iter()
        .find(|c| c.kind != NOT_YET)
        .unwrap();
    edit(&mut claim);
    vec![claim]
}

#[test]
fn a_claim_naming_what_does_not_exist_is_an_error() {
    let catalog = catalog();
    let workload = claim(
        r#"id = "x"
statement = "s"
workload = "no-such-workload"
kind = "speedup_at_most""#,
    );
    let err = error(REGISTRY.check_claims(&[workload], &catalog));
    assert!(err.contains("no-such-workload"), "{err}");

    let variant = edited_real_claim(|c| {
        for key in ["variants", "versus"] {
            if let Some(toml::Value::Array(list)) = c.params.get_mut(key) {
                list.push(toml::Value::String("cobol/threads".into()));
            }
        }
        if let Some(v) = c.params.get_mut("variant") {
            *v = toml::Value::String("cobol/threads".into());
        }
    });
    let err = error(REGISTRY.check_claims(&variant, &catalog));
    assert!(err.contains("cobol/threads"), "{err}");

    let kind = edited_real_claim(|c| c.kind = "faster_than_light".into());
    let err = error(REGISTRY.check_claims(&kind, &catalog));
    assert!(err.contains("faster_than_light"), "{err}");

    let field = edited_real_claim(|c| {
        c.params.insert("thresold".into(), toml::Value::Float(1.0));
    });
    let err = error(REGISTRY.check_claims(&field, &catalog));
    assert!(err.contains("thresold"), "{err}");

    let not_yet = edited_real_claim(|c| {
        c.kind = NOT_YET.into();
        c.params.clear();
    });
    let err = error(REGISTRY.check_claims(&not_yet, &catalog));
    assert!(err.contains("real test"), "{err}");
}

#[test]
fn cite_help_names_every_workload_figure() {
    let help = arena_harness::workloads::registry::REGISTRY.cite_metric_help();
    for module in arena_harness::workloads::registry::REGISTRY.all() {
        for metric in module.cite_metrics() {
            assert!(help.contains(metric), "{} lacks {metric}", module.id());
        }
    }
    assert!(
        help.contains("hiccup_max") && help.contains("ns_per_hop"),
        "{help}"
    );
}

/// Each module keeps one metric table: every METRIC `arena cite` knows has its method text in
/// results.json's `methods` under its key, and a figure between variants (startup's ratio) is a
/// clear error per case, not a silent miss.
#[test]
fn every_citable_figure_has_its_method_and_a_ratio_between_variants_says_where_it_is() {
    let methods = REGISTRY.methods();
    for module in REGISTRY.all() {
        for metric in module.cite_metrics() {
            let key = metric.split('@').next().unwrap();
            assert!(
                methods.contains_key(key),
                "{}: {metric} has no method text",
                module.id()
            );
        }
        for (key, _) in module.methods() {
            assert!(
                module.cite_metrics().iter().any(|m| m.starts_with(key)),
                "{}: method {key} names no figure",
                module.id()
            );
        }
    }
    let record: arena_results::RunRecord = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/smoke-run/results.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let startup = REGISTRY.get("startup").unwrap();
    let err = startup
        .cite(&serde_json::json!([]), &record.cases[0], "startup_ratio")
        .expect("startup knows startup_ratio")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no value per case") && err.contains("arena claims"),
        "{err}"
    );
    assert!(startup
        .cite(&serde_json::json!([]), &record.cases[0], "bogus")
        .is_none());
}

/// Two shards that split a claim family (cpu-scale's python/threads and python/processes on two
/// machines), merged with --allow-cross-machine: every cpu-scale claim is refused as "not
/// comparable: different machines", and a workload kept on one shard is judged as usual.
#[test]
fn a_merge_never_judges_a_claim_family_split_across_shards() {
    use arena_harness::analyse::merge::{merge, ShardRecord};
    let shard = |run_id: &str, cpu: &str, cases: &[(&str, &str)]| -> ShardRecord {
        let cases: Vec<serde_json::Value> = cases
            .iter()
            .map(|(workload, variant)| {
                serde_json::json!({
                    "case_id": format!("{workload}/{variant}/workers=2"), "workload": workload,
                    "variant": variant, "language": variant.split('/').next().unwrap(),
                    "model": variant.split('/').nth(1).unwrap(), "params": {"workers": 2},
                    "launch": { "program": "p", "args": [], "env": {}, "cwd": "c", "timeout_ms": 1 },
                    "status": "ok", "repetitions_planned": 6, "repetitions": []
                })
            })
            .collect();
        let record = serde_json::from_value(serde_json::json!({
            "schema_version": arena_results::SCHEMA_VERSION, "run_id": run_id, "suite": "quick",
            "started_at": "2026-12-07T10:00:00Z", "finished_at": "2026-12-07T11:00:00Z",
            "complete": true,
            "harness": { "version": "t", "git_commit": "abc", "git_dirty": false, "command_line": [] },
            "environment": { "cpu_model": cpu, "logical_cores": 2, "memory_total_bytes": 1,
                "kernel": "k", "os": "o", "pid_max": null, "threads_max": null,
                "page_size_bytes": 4096, "cpu_pinning": "p", "toolchains": [] },
            "methods": {}, "order_seed": 7, "execution_order": [], "cases": cases, "derived": {}
        }))
        .unwrap();
        ShardRecord {
            source: format!("runs/{run_id}"),
            record,
        }
    };
    let shards = || {
        vec![
            shard("a", "cpu A", &[("cpu-scale", "python/threads")]),
            shard(
                "b",
                "cpu B",
                &[("cpu-scale", "python/processes"), ("startup", "go/default")],
            ),
        ]
    };
    let refused = merge(shards(), false).unwrap_err().to_string();
    assert!(refused.contains("different machines"), "{refused}");
    let merged = merge(shards(), true).unwrap();
    let claims = claims::load(&build_root()).unwrap();
    let judged = REGISTRY.judge_claims(&claims, &merged);
    let cpu_scale: Vec<_> = judged
        .iter()
        .filter(|j| j.record().workload == "cpu-scale")
        .collect();
    assert!(!cpu_scale.is_empty());
    for j in cpu_scale {
        let record = j.record();
        assert_eq!(
            record.verdict,
            arena_results::ClaimVerdict::NotEnoughEvidence,
            "{}",
            record.claim_id
        );
        assert!(
            record.evidence[0].starts_with("not comparable: different machines"),
            "{}: {:?}",
            record.claim_id,
            record.evidence
        );
    }
    let startup = judged.iter().find(|j| j.record().workload == "startup").unwrap();
    assert!(!startup.record().evidence[0].contains("different machines"));
}
