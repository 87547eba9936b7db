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
