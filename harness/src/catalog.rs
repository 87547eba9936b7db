//! The workload catalogue (workloads/catalog.toml) and the suites (harness/suites/*.toml):
//! parsed into plain data and validated, so later stages never see a malformed file.
//! Both are embedded at compile time; a suite file path may also be given by the user.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use arena_runners::Language;
use serde::Deserialize;

const CATALOG_TOML: &str = include_str!("../../workloads/catalog.toml");
const BUILTIN_SUITES: [(&str, &str); 3] = [
    ("quick", include_str!("../suites/quick.toml")),
    ("full", include_str!("../suites/full.toml")),
    ("smoke", include_str!("../suites/smoke.toml")),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    #[serde(default)]
    pub runtime_args: BTreeMap<String, Vec<String>>,
    #[serde(rename = "workload")]
    pub workloads: Vec<WorkloadSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    pub id: String,
    pub class: String,
    pub summary: String,
    pub claim: String,
    /// A server workload: started with `port=0`, driven by a load phase once ready, pinned
    /// apart from the load generator (harness/src/serve).
    #[serde(default)]
    pub server: bool,
    /// The parameter that sizes a case (e.g. `tasks`): once a variant hits a resource limit at
    /// some size, its larger sizes are recorded as not attempted instead of being run.
    #[serde(default)]
    pub size_param: Option<String>,
    pub verify: BTreeMap<String, u64>,
    #[serde(rename = "variant")]
    pub variants: Vec<VariantSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantSpec {
    pub lang: String,
    pub model: String,
    pub tests: String,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Extra runtime flags of this variant (templates allowed), after the language's own.
    #[serde(default)]
    pub runtime_args: Vec<String>,
}

impl VariantSpec {
    /// `language/model`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.lang, self.model)
    }

    pub fn language(&self) -> Language {
        Language::parse(&self.lang).expect("validated when the catalog was loaded")
    }
}

impl Catalog {
    pub fn builtin() -> Catalog {
        let catalog: Catalog = toml::from_str(CATALOG_TOML).expect("workloads/catalog.toml parses");
        catalog.validate().expect("workloads/catalog.toml is valid");
        catalog
    }

    fn validate(&self) -> Result<()> {
        for w in &self.workloads {
            if let Some(size) = &w.size_param {
                if !w.verify.contains_key(size) {
                    bail!(
                        "workload {}: size_param {size:?} is not one of its parameters",
                        w.id
                    );
                }
            }
            for v in &w.variants {
                if Language::parse(&v.lang).is_none() {
                    bail!("workload {}: unknown language {:?}", w.id, v.lang);
                }
            }
        }
        Ok(())
    }

    pub fn workload(&self, id: &str) -> Option<&WorkloadSpec> {
        self.workloads.iter().find(|w| w.id == id)
    }
}

/// A list of values for one parameter, or a rule expanded on this machine.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ParamValues {
    List(Vec<u64>),
    Rule(String),
}

impl ParamValues {
    pub fn expand(&self, cores: u64) -> Result<Vec<u64>> {
        match self {
            ParamValues::List(values) if !values.is_empty() => Ok(values.clone()),
            ParamValues::List(_) => bail!("an empty list of values"),
            ParamValues::Rule(rule) if rule == "pow2-to-2x-cores" => {
                Ok(std::iter::successors(Some(1u64), |w| Some(w * 2))
                    .take_while(|w| *w <= 2 * cores.max(1))
                    .collect())
            }
            ParamValues::Rule(rule) => bail!("unknown rule {rule:?} (known: \"pow2-to-2x-cores\")"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    pub name: String,
    pub description: String,
    pub repetitions: u32,
    pub workloads: BTreeMap<String, SuiteWorkload>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteWorkload {
    pub timeout_s: u64,
    /// Process-level repetitions of this workload's cases (default: the suite's).
    #[serde(default)]
    pub repetitions: Option<u32>,
    /// Expanded as a cartesian product ...
    #[serde(default)]
    pub params: BTreeMap<String, ParamValues>,
    /// ... or listed as explicit parameter sets (when values must go together, e.g. a longer
    /// hold for a larger N).
    #[serde(default)]
    pub points: Vec<BTreeMap<String, u64>>,
    /// Keyed by `language` or `language/model`; replaces parameter lists or the points.
    #[serde(default)]
    pub r#override: BTreeMap<String, Override>,
    /// Server workloads: the load phases (harness/src/serve, e.g. `HttpIoSettings`).
    #[serde(default)]
    pub load: Option<toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Override {
    #[serde(default)]
    pub points: Vec<BTreeMap<String, u64>>,
    #[serde(flatten)]
    pub params: BTreeMap<String, ParamValues>,
}

/// The parameter sets of one variant: a product of lists, or explicit points.
#[derive(Debug, Clone)]
pub enum ParamSets {
    Product(BTreeMap<String, ParamValues>),
    Points(Vec<BTreeMap<String, u64>>),
}

impl SuiteWorkload {
    /// The parameter sets for one variant, overrides applied (language, then language/model).
    pub fn params_for(&self, variant: &VariantSpec) -> ParamSets {
        let mut params = self.params.clone();
        let mut points = self.points.clone();
        for key in [variant.lang.clone(), variant.name()] {
            if let Some(replacement) = self.r#override.get(&key) {
                params.extend(replacement.params.clone());
                if !replacement.points.is_empty() {
                    points = replacement.points.clone();
                }
            }
        }
        if points.is_empty() {
            ParamSets::Product(params)
        } else {
            ParamSets::Points(points)
        }
    }
}

impl Suite {
    /// A built-in suite by name, or a TOML file by path.
    pub fn load(name_or_path: &str, catalog: &Catalog) -> Result<Suite> {
        let text = match BUILTIN_SUITES.iter().find(|(name, _)| *name == name_or_path) {
            Some((_, text)) => text.to_string(),
            None if Path::new(name_or_path).is_file() => std::fs::read_to_string(name_or_path)
                .with_context(|| format!("cannot read suite file {name_or_path}"))?,
            None => bail!(
                "--suite {name_or_path:?}: no built-in suite of that name ({}) and no such file",
                Self::builtin_names().join(", ")
            ),
        };
        let suite: Suite =
            toml::from_str(&text).with_context(|| format!("suite {name_or_path}: invalid TOML"))?;
        suite
            .validate(catalog)
            .with_context(|| format!("suite {name_or_path}"))?;
        Ok(suite)
    }

    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN_SUITES.iter().map(|(name, _)| *name).collect()
    }

    fn validate(&self, catalog: &Catalog) -> Result<()> {
        if self.repetitions == 0 {
            bail!("repetitions must be at least 1");
        }
        for (id, workload) in &self.workloads {
            let spec = catalog
                .workload(id)
                .with_context(|| format!("unknown workload {id:?} (see `arena list`)"))?;
            for key in workload.r#override.keys() {
                if !spec.variants.iter().any(|v| &v.lang == key || &v.name() == key) {
                    bail!("workload {id}: override {key:?} names no variant of it");
                }
            }
            if spec.server {
                crate::serve::LoadSettings::parse(id, workload.load.as_ref())
                    .with_context(|| format!("workload {id}: invalid `load` table"))?;
            } else if workload.load.is_some() {
                bail!("workload {id} is not a server workload; remove its `load` table");
            }
            if !spec.server && workload.params.is_empty() == workload.points.is_empty() {
                bail!("workload {id}: give either `params` (lists) or `points` (parameter sets)");
            }
            if workload.repetitions == Some(0) {
                bail!("workload {id}: repetitions must be at least 1");
            }
            if workload.timeout_s == 0 {
                bail!("workload {id}: timeout_s must be positive");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_and_suites_load() {
        let catalog = Catalog::builtin();
        assert!(catalog.workload("cpu-scale").is_some());
        for name in Suite::builtin_names() {
            let suite = Suite::load(name, &catalog).unwrap();
            assert!(suite.repetitions >= 1, "{name}");
        }
    }

    #[test]
    fn quick_has_at_least_three_repetitions() {
        assert!(Suite::load("quick", &Catalog::builtin()).unwrap().repetitions >= 3);
    }

    #[test]
    fn workers_rule_goes_to_twice_the_cores() {
        let rule = ParamValues::Rule("pow2-to-2x-cores".into());
        assert_eq!(rule.expand(2).unwrap(), vec![1, 2, 4]);
        assert_eq!(rule.expand(8).unwrap(), vec![1, 2, 4, 8, 16]);
        assert!(ParamValues::Rule("many".into()).expand(2).is_err());
    }

    #[test]
    fn unknown_suite_is_a_clear_error() {
        let err = Suite::load("nope", &Catalog::builtin()).unwrap_err().to_string();
        assert!(err.contains("--suite") && err.contains("quick"), "{err}");
    }

    #[test]
    fn override_by_language_then_variant() {
        let catalog = Catalog::builtin();
        let suite = Suite::load("quick", &catalog).unwrap();
        let sleep = &suite.workloads["sleep-tasks"];
        let spec = catalog.workload("sleep-tasks").unwrap();
        let threads = spec
            .variants
            .iter()
            .find(|v| v.name() == "python/threads")
            .unwrap();
        let asyncio = spec
            .variants
            .iter()
            .find(|v| v.name() == "python/asyncio")
            .unwrap();
        let holds = |v| match sleep.params_for(v) {
            ParamSets::Points(points) => points.iter().map(|p| p["hold_ms"]).collect::<Vec<_>>(),
            ParamSets::Product(lists) => lists["hold_ms"].expand(2).unwrap(),
        };
        assert_ne!(holds(threads), holds(asyncio));
    }
}
