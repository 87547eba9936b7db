//! Planning: catalogue × suite × filters → the list of cases, each with every parameter and
//! knob resolved to a concrete value, and where a server and its load generator run. Pure data:
//! no processes; it reads only the catalogue and suite files. Nothing here may import
//! measurement (`crate::measure`) or a workload module (`crate::workloads`). A resolved plan
//! (`RunPlan`) is serialisable, so a run folder keeps the plan it was started with.

pub mod catalog;
pub mod placement;
pub mod shard;
pub mod suite;
pub mod suite_params;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use arena_runners::{Language, LaunchRequest};
use serde::{Deserialize, Serialize};

use catalog::{Catalog, VariantSpec};
use placement::Placement;
use suite::{ParamSets, ParamValues, Suite};

/// Everything a run measures, resolved: what `arena run` starts with and what `--resume` reads
/// back from the run folder (`plan.json`), never the suite file again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPlan {
    pub suite: String,
    /// The default process-level repetitions of a case (a case may set its own).
    pub repetitions: u32,
    /// The seed of the random order of every round.
    pub seed: u64,
    pub shard: Option<arena_results::ShardInfo>,
    /// The suite's `stop_early` (absent in plans written before it: no early stop).
    #[serde(default)]
    pub stop_early: bool,
    /// In plan order (the order the seed shuffles).
    pub cases: Vec<CaseSpec>,
}

impl RunPlan {
    /// `arena run --dry-run`: every case with its processes, and per workload and in total the
    /// processes and the estimated time: the suite's measured seconds per process where it
    /// states them (`expected_s_per_process`), else each process at its timeout (an upper bound).
    pub fn describe(&self) -> String {
        // workload → (cases, processes, estimated seconds, every case measured)
        let mut per_workload: BTreeMap<&str, (usize, u64, f64, bool)> = BTreeMap::new();
        let mut lines = Vec::new();
        for case in &self.cases {
            let processes = case.repetitions.unwrap_or(self.repetitions) as u64;
            let entry = per_workload
                .entry(case.workload.as_str())
                .or_insert((0, 0, 0.0, true));
            entry.0 += 1;
            entry.1 += processes;
            let per_process = case.expected_s_per_process.unwrap_or(case.timeout.as_secs_f64());
            entry.2 += processes as f64 * per_process;
            entry.3 &= case.expected_s_per_process.is_some();
            lines.push(format!("  {} ×{processes}", case.case_id));
        }
        let mut out = format!(
            "plan of suite {} (seed {}{}): {} cases\n{}\n\n{:<16} {:>5} {:>9}  estimated time\n",
            self.suite,
            self.seed,
            self.shard
                .map(|s| format!(", shard {}/{}", s.index, s.count))
                .unwrap_or_default(),
            self.cases.len(),
            lines.join("\n"),
            "workload",
            "cases",
            "processes"
        );
        let (mut cases, mut processes, mut seconds, mut measured) = (0, 0, 0.0, true);
        for (workload, (n, p, s, all_measured)) in &per_workload {
            let how = if *all_measured {
                format!("≈ {s:.0} s (the suite's measured seconds per process)")
            } else {
                format!("≤ {s:.0} s (upper bound: a process without a measured time at its timeout)")
            };
            out.push_str(&format!("{workload:<16} {n:>5} {p:>9}  {how}\n"));
            (cases, processes, seconds) = (cases + n, processes + p, seconds + s);
            measured &= all_measured;
        }
        let total = if measured {
            format!("≈ {seconds:.0} s, without builds")
        } else {
            format!("≤ {seconds:.0} s (upper bound), without builds")
        };
        out.push_str(&format!("{:<16} {cases:>5} {processes:>9}  {total}\n", "total"));
        if self.stop_early {
            out.push_str("every planned process counted: a case whose claims are decided at its look stops sooner (stop_early)\n");
        }
        out
    }
}

/// One case: a workload variant at one parameter set, repeated as whole processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSpec {
    pub case_id: String,
    pub workload: String,
    #[serde(with = "language_id")]
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
    /// The suite's measured seconds per process of this case (`expected_s_per_process`), for
    /// the dry run's estimate and the progress bar's time left; `None`: not stated.
    #[serde(default)]
    pub expected_s_per_process: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerSetup {
    pub load: ServerLoad,
    pub placement: Placement,
}

/// What to run against a ready server; its workload's module turns it into a driver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ServerLoad {
    /// `arena verify`: every endpoint once, bodies compared byte for byte.
    Verify,
    /// The suite's `load` table (None: the workload's defaults).
    Suite(Option<toml::Value>),
}

/// A language as its id (`python`, `go`...) in a serialised plan.
mod language_id {
    use arena_runners::Language;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(language: &Language, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_str(language.id())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Language, D::Error> {
        let id = String::deserialize(input)?;
        Language::parse(&id).ok_or_else(|| serde::de::Error::custom(format!("no such language {id:?}")))
    }
}

/// Which workloads, languages and variants to include; `None` means all. Built from the
/// validated flags by `crate::config`.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub workloads: Option<BTreeSet<String>>,
    pub languages: Option<BTreeSet<Language>>,
    pub variants: Option<BTreeSet<String>>,
}

impl Filters {
    pub fn admits(&self, workload: &str, language: Language, variant: &str) -> bool {
        self.workloads.as_ref().is_none_or(|s| s.contains(workload))
            && self.languages.as_ref().is_none_or(|s| s.contains(&language))
            && self.variants.as_ref().is_none_or(|s| s.contains(variant))
    }
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
            if !suite_workload.runs(variant)
                || !filters.admits(workload_id, variant.language(), &variant.name())
            {
                continue;
            }
            let sets = match suite_workload.params_for(variant) {
                ParamSets::Product(lists) => cartesian(&lists, machine.cores)
                    .with_context(|| format!("suite workload {workload_id}"))?,
                ParamSets::Points(points) => points,
            };
            let load = spec
                .server
                .then(|| ServerLoad::Suite(suite_workload.load.clone()));
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
                case.repetitions = suite_workload.repetitions_for(variant);
                case.expected_s_per_process = suite_workload.expected_s_for(variant);
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
                    spec.server.then_some(ServerLoad::Verify),
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
    load: Option<ServerLoad>,
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
        expected_s_per_process: None,
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

    #[test]
    fn cartesian_product_of_lists_and_rules() {
        let lists: BTreeMap<String, ParamValues> = [
            ("a".to_string(), ParamValues::List(vec![1, 2])),
            ("w".to_string(), ParamValues::Rule("pow2-to-2x-cores".into())),
        ]
        .into_iter()
        .collect();
        let combos = cartesian(&lists, 2).unwrap();
        assert_eq!(combos.len(), 6, "2 values × W in 1, 2, 4");
        assert!(combos.iter().all(|c| c.len() == 2));
    }
}
