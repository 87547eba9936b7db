//! Planning against the real catalogue and suites: every variant is planned with explicit knobs,
//! servers get port 0 and their own CPUs, filters narrow the plan, bad filters name their flag.

use arena_harness::config::parse_filters;
use arena_harness::plan::catalog::{build_root, Catalog};
use arena_harness::plan::placement::Placement;
use arena_harness::plan::suite::Suite;
use arena_harness::plan::{plan_suite, plan_verify, Filters, MachineFacts};
use arena_harness::workloads::registry::REGISTRY;
use arena_runners::Language;

fn catalog() -> Catalog {
    Catalog::load(&build_root()).unwrap()
}

fn quick(catalog: &Catalog) -> Suite {
    Suite::load("quick", &build_root(), catalog).unwrap()
}

fn two_cores() -> MachineFacts {
    MachineFacts {
        cores: 2,
        placement: Placement::plan(&[0, 1]),
    }
}

#[test]
fn quick_plans_every_variant_with_explicit_knobs() {
    let catalog = catalog();
    let suite = quick(&catalog);
    let cases = plan_suite(&catalog, &suite, &Filters::default(), &two_cores()).unwrap();
    for spec in &catalog.workloads {
        for v in &spec.variants {
            assert!(
                cases
                    .iter()
                    .any(|c| c.variant() == v.name() && c.workload == spec.id),
                "{}",
                v.name()
            );
        }
    }
    let go = cases
        .iter()
        .find(|c| c.workload == "cpu-scale" && c.language == Language::Go && c.params["workers"] == 2)
        .unwrap();
    assert_eq!(go.env["GOMAXPROCS"], "2");
    let tokio = cases
        .iter()
        .find(|c| c.variant() == "rust/tokio" && c.workload == "sleep-tasks")
        .unwrap();
    assert_eq!(tokio.params["workers"], 2);
    assert_eq!(
        tokio.size_param.as_deref(),
        Some("tasks"),
        "the catalog's size_param is carried"
    );
    // A server gets port 0, the server's CPUs only, and each runtime is told that count.
    let server = cases
        .iter()
        .find(|c| c.variant() == "rust/tokio" && c.workload == "http-io")
        .unwrap();
    assert_eq!((server.params["workers"], server.params["port"]), (1, 0));
    let setup = server.server.as_ref().unwrap();
    assert_eq!(
        (
            setup.placement.server_cpus.clone(),
            setup.placement.generator_cpus.clone()
        ),
        (vec![1], vec![0])
    );
    let java_pool = cases
        .iter()
        .find(|c| c.variant() == "java/pool" && c.workload == "http-io")
        .unwrap();
    assert!(java_pool
        .runtime_args
        .contains(&"-XX:ActiveProcessorCount=1".to_string()));
    assert_eq!(java_pool.params["pool"], 200);
    let java = cases.iter().find(|c| c.language == Language::Java).unwrap();
    assert!(java.runtime_args.iter().any(|a| a.contains("G1")));
    let ids: std::collections::BTreeSet<_> = cases.iter().map(|c| &c.case_id).collect();
    assert_eq!(ids.len(), cases.len(), "case ids are unique");
}

#[test]
fn filters_narrow_and_empty_selection_is_an_error() {
    let catalog = catalog();
    let suite = quick(&catalog);
    let filters = parse_filters(&catalog, &["cpu-scale".into()], &["rust".into()], &[]).unwrap();
    let cases = plan_suite(&catalog, &suite, &filters, &two_cores()).unwrap();
    assert!(cases
        .iter()
        .all(|c| c.workload == "cpu-scale" && c.language == Language::Rust));
    let none = parse_filters(&catalog, &["cpu-scale".into()], &[], &["rust/tokio".into()]).unwrap();
    assert!(plan_suite(&catalog, &suite, &none, &two_cores()).is_err());
}

#[test]
fn bad_filter_values_name_the_flag() {
    let catalog = catalog();
    let err = parse_filters(&catalog, &["nope".into()], &[], &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("--workload"), "{err}");
    let err = parse_filters(&catalog, &[], &["cobol".into()], &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("--lang"), "{err}");
    let err = parse_filters(&catalog, &[], &[], &["python".into()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("--variant"), "{err}");
}

#[test]
fn verify_plans_one_case_per_variant() {
    let catalog = catalog();
    let cases = plan_verify(&catalog, &Filters::default(), &two_cores()).unwrap();
    let variants: usize = catalog.workloads.iter().map(|w| w.variants.len()).sum();
    assert_eq!(cases.len(), variants);
}

#[test]
fn every_suite_is_valid_for_its_workload_modules() {
    let catalog = catalog();
    REGISTRY.check_catalog(&catalog).unwrap();
    for name in Suite::names(&build_root()) {
        let suite = Suite::load(&name, &build_root(), &catalog).unwrap();
        REGISTRY.check_suite(&suite).unwrap();
    }
}

#[test]
fn a_server_load_table_with_an_unknown_knob_is_refused() {
    let catalog = catalog();
    let mut suite = quick(&catalog);
    let server = catalog.workloads.iter().find(|w| w.server).unwrap();
    let table: toml::Value = toml::from_str("no_such_knob = 1").unwrap();
    suite.workloads.get_mut(&server.id).unwrap().load = Some(table);
    let err = format!("{:#}", REGISTRY.check_suite(&suite).unwrap_err());
    assert!(err.contains("no_such_knob") && err.contains(&server.id), "{err}");
}

#[test]
fn the_shards_of_quick_are_exactly_quick_and_keep_each_workload_on_one_shard() {
    use arena_harness::plan::shard::{group_key, select};
    use arena_results::ShardInfo;
    use std::collections::BTreeMap;
    let catalog = catalog();
    let suite = quick(&catalog);
    let all = plan_suite(&catalog, &suite, &Filters::default(), &two_cores()).unwrap();
    let mut expected: Vec<String> = all.iter().map(|c| c.case_id.clone()).collect();
    expected.sort();
    for count in [1, 2, 3, 5, 8] {
        let mut union: Vec<String> = Vec::new();
        let mut owner = BTreeMap::new();
        for index in 1..=count {
            for case in select(all.clone(), ShardInfo { index, count }).unwrap() {
                assert!(
                    *owner.entry(group_key(&case)).or_insert(index) == index,
                    "{} split across shards",
                    case.workload
                );
                union.push(case.case_id);
            }
        }
        union.sort();
        assert_eq!(union, expected, "{count} shards");
    }
}
