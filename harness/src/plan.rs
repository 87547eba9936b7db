//! Suite planning: catalogue × suite × filters → the list of cases, each with every parameter
//! and knob resolved to a concrete value. Pure: no processes, no files.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use arena_runners::{Language, LaunchRequest};

use crate::catalog::{Catalog, ParamSets, ParamValues, Suite, VariantSpec};
use crate::config::Filters;
use crate::placement::Placement;
use crate::serve::LoadSettings;

/// One case: a workload variant at one parameter set, repeated as whole processes.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSpec {
    pub case_id: String,
    pub workload: String,
    pub language: Language,
    pub model: String,
    pub params: BTreeMap<String, u64>,
    pub env: BTreeMap<String, String>,
    pub runtime_args: Vec<String>,
    pub timeout: Duration,
    /// Process-level repetitions; `None`: the run's default.
    pub repetitions: Option<u32>,
    /// Server workloads: what to run once the server is ready, and where both run.
    pub server: Option<ServerSetup>,
    /// The catalog's `size_param` of the workload: larger sizes are not attempted once a
    /// resource limit was hit at a smaller one.
    pub size_param: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServerSetup {
    pub load: LoadSettings,
    pub placement: Placement,
}

impl CaseSpec {
    pub fn variant(&self) -> String {
        format!("{}/{}", self.language, self.model)
    }

    pub fn launch_request(&self) -> LaunchRequest {
        LaunchRequest {
            workload: self.workload.clone(),
            model: self.model.clone(),
            params: self.params.clone(),
            env: self.env.clone(),
            runtime_args: self.runtime_args.clone(),
        }
    }

    /// A short label for progress lines: `cpu-scale python/threads chunks=16 items=.. workers=2`.
    pub fn label(&self) -> String {
        let params: Vec<String> = self.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{} {} {}", self.workload, self.variant(), params.join(" "))
    }
}

/// The machine facts that templates may use.
#[derive(Debug, Clone)]
pub struct MachineFacts {
    pub cores: u64,
    /// Where a server and its load generator run (`{server_cores}` = its server CPU count).
    pub placement: Placement,
}

impl MachineFacts {
    pub fn this_machine(cores: u64) -> MachineFacts {
        MachineFacts {
            cores,
            placement: Placement::for_this_machine(),
        }
    }
}

/// Every case of `suite` admitted by `filters`, in catalogue order.
pub fn plan_suite(
    catalog: &Catalog,
    suite: &Suite,
    filters: &Filters,
    machine: &MachineFacts,
) -> Result<Vec<CaseSpec>> {
    let mut cases = Vec::new();
    for (workload_id, suite_workload) in &suite.workloads {
        let spec = catalog.workload(workload_id).expect("validated by Suite::load");
        for variant in &spec.variants {
            if !filters.admits(workload_id, variant.language(), &variant.name()) {
                continue;
            }
            let sets = match suite_workload.params_for(variant) {
                ParamSets::Product(lists) => cartesian(&lists, machine.cores)
                    .with_context(|| format!("suite workload {workload_id}"))?,
                ParamSets::Points(points) => points,
            };
            let load = spec
                .server
                .then(|| LoadSettings::parse(workload_id, suite_workload.load.as_ref()))
                .transpose()?;
            for params in sets {
                let timeout = Duration::from_secs(suite_workload.timeout_s);
                let mut case = resolve_case(
                    catalog,
                    workload_id,
                    variant,
                    params,
                    timeout,
                    machine,
                    load.clone(),
                )?;
                case.repetitions = suite_workload.repetitions;
                case.size_param = spec.size_param.clone();
                cases.push(case);
            }
        }
    }
    if cases.is_empty() {
        bail!(
            "the filters select no case of suite {:?} (see `arena list`)",
            suite.name
        );
    }
    Ok(cases)
}

/// One case per variant at the workload's verify parameters (the smallest sizes).
pub fn plan_verify(catalog: &Catalog, filters: &Filters, machine: &MachineFacts) -> Result<Vec<CaseSpec>> {
    let mut cases = Vec::new();
    for spec in &catalog.workloads {
        for variant in &spec.variants {
            if filters.admits(&spec.id, variant.language(), &variant.name()) {
                cases.push(resolve_case(
                    catalog,
                    &spec.id,
                    variant,
                    spec.verify.clone(),
                    Duration::from_secs(30),
                    machine,
                    spec.server.then_some(LoadSettings::Verify),
                )?);
            }
        }
    }
    if cases.is_empty() {
        bail!("the filters select no variant (see `arena list`)");
    }
    Ok(cases)
}

fn resolve_case(
    catalog: &Catalog,
    workload: &str,
    variant: &VariantSpec,
    mut params: BTreeMap<String, u64>,
    timeout: Duration,
    machine: &MachineFacts,
    load: Option<LoadSettings>,
) -> Result<CaseSpec> {
    if load.is_some() {
        // The OS picks the port; the server reports it in its ready event.
        params.insert("port".into(), 0);
    }
    let base_params = params.clone();
    let server_cores = machine.placement.server_cores();
    let resolve = |template: &str| -> Result<String> {
        let mut text = template
            .replace("{cores}", &machine.cores.to_string())
            .replace("{server_cores}", &server_cores.to_string());
        if text.contains("{workers}") {
            let workers = base_params.get("workers").with_context(|| {
                format!(
                    "{workload} {}: template {template:?} needs a `workers` parameter",
                    variant.name()
                )
            })?;
            text = text.replace("{workers}", &workers.to_string());
        }
        Ok(text)
    };
    for (key, template) in &variant.params {
        let value = resolve(template)?;
        let value = value.parse().with_context(|| {
            format!(
                "{workload} {}: param {key} = {value:?} is not an integer",
                variant.name()
            )
        })?;
        params.insert(key.clone(), value);
    }
    let env = variant
        .env
        .iter()
        .map(|(k, t)| Ok((k.clone(), resolve(t)?)))
        .collect::<Result<BTreeMap<_, _>>>()?;
    let mut runtime_args = catalog
        .runtime_args
        .get(&variant.lang)
        .cloned()
        .unwrap_or_default();
    for arg in &variant.runtime_args {
        runtime_args.push(resolve(arg)?);
    }
    let case_params: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Ok(CaseSpec {
        case_id: format!("{workload}/{}/{}", variant.name(), case_params.join(",")),
        workload: workload.to_string(),
        language: variant.language(),
        model: variant.model.clone(),
        params,
        env,
        runtime_args,
        timeout,
        repetitions: None,
        size_param: None,
        server: load.map(|load| ServerSetup {
            load,
            placement: machine.placement.clone(),
        }),
    })
}

/// All combinations of the parameter lists, keys in sorted order.
fn cartesian(lists: &BTreeMap<String, ParamValues>, cores: u64) -> Result<Vec<BTreeMap<String, u64>>> {
    let mut combos = vec![BTreeMap::new()];
    for (key, values) in lists {
        let values = values.expand(cores).with_context(|| format!("parameter {key}"))?;
        combos = combos
            .into_iter()
            .flat_map(|combo| {
                values.iter().map(move |v| {
                    let mut next = combo.clone();
                    next.insert(key.clone(), *v);
                    next
                })
            })
            .collect();
    }
    Ok(combos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_cores() -> MachineFacts {
        MachineFacts {
            cores: 2,
            placement: Placement::plan(&[0, 1]),
        }
    }

    #[test]
    fn quick_plans_every_variant_with_explicit_knobs() {
        let catalog = Catalog::builtin();
        let suite = Suite::load("quick", &catalog).unwrap();
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
            .find(|c| c.workload == "cpu-scale" && c.language == Language::Go && c.params["workers"] == 4)
            .unwrap();
        assert_eq!(go.env["GOMAXPROCS"], "4");
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
        let catalog = Catalog::builtin();
        let suite = Suite::load("quick", &catalog).unwrap();
        let filters = Filters::parse(&catalog, &["cpu-scale".into()], &["rust".into()], &[]).unwrap();
        let cases = plan_suite(&catalog, &suite, &filters, &two_cores()).unwrap();
        assert!(cases
            .iter()
            .all(|c| c.workload == "cpu-scale" && c.language == Language::Rust));
        let none = Filters::parse(&catalog, &["cpu-scale".into()], &[], &["rust/tokio".into()]).unwrap();
        assert!(plan_suite(&catalog, &suite, &none, &two_cores()).is_err());
    }

    #[test]
    fn bad_filter_values_name_the_flag() {
        let catalog = Catalog::builtin();
        let err = Filters::parse(&catalog, &["nope".into()], &[], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--workload"), "{err}");
        let err = Filters::parse(&catalog, &[], &["cobol".into()], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--lang"), "{err}");
        let err = Filters::parse(&catalog, &[], &[], &["python".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--variant"), "{err}");
    }

    #[test]
    fn verify_plans_one_case_per_variant() {
        let catalog = Catalog::builtin();
        let cases = plan_verify(&catalog, &Filters::default(), &two_cores()).unwrap();
        let variants: usize = catalog.workloads.iter().map(|w| w.variants.len()).sum();
        assert_eq!(cases.len(), variants);
    }
}
