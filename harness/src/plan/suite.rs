//! Suites (`harness/suites/<name>.toml` under the repository root, or any TOML file the user
//! names): which workloads run with which parameter sets, repetitions and timeouts. Parsed and
//! validated against the catalogue into plain data. Server `load` tables are kept as TOML here
//! and checked by their workload's module (`crate::workloads::check_suite`): planning must not
//! know how a server is driven.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use super::catalog::{Catalog, VariantSpec};
pub use super::suite_params::ParamValues;
use super::suite_params::{self as params, Problem, Segment};

/// Where named suites live under the repository root.
pub const SUITES_DIR: &str = "harness/suites";

/// Where a workload's entry was read: the file and its text, to name the line of a bad value.
#[derive(Debug, Clone)]
struct Source {
    path: PathBuf,
    text: Arc<str>,
}

impl ParamValues {
    pub fn expand(&self, cores: u64) -> Result<Vec<u64>> {
        match self {
            ParamValues::List(values) if !values.is_empty() => Ok(values.clone()),
            ParamValues::List(_) => bail!("an empty list of values"),
            // Powers of two up to twice the cores, and the cores themselves where they are not a
            // power of two: the scaling claims are judged at W = cores.
            ParamValues::Rule(rule) if rule == "pow2-to-2x-cores" => {
                let cores = cores.max(1);
                let mut values: Vec<u64> = std::iter::successors(Some(1u64), |w| Some(w * 2))
                    .take_while(|w| *w <= 2 * cores)
                    .chain(std::iter::once(cores))
                    .collect();
                values.sort_unstable();
                values.dedup();
                Ok(values)
            }
            // One worker and the cores: the least a scaling claim (speedup at W = cores over
            // W = 1) needs; quick's budget has no room for the oversubscribed points.
            ParamValues::Rule(rule) if rule == "1-and-cores" => {
                let mut values = vec![1, cores.max(1)];
                values.dedup();
                Ok(values)
            }
            ParamValues::Rule(rule) => {
                bail!("unknown rule {rule:?} (known: \"pow2-to-2x-cores\", \"1-and-cores\")")
            }
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    pub name: String,
    pub description: String,
    pub repetitions: u32,
    /// Stop a case early, at the one round `analyse::stopping::look_round` allows, once every
    /// claim it feeds is decided (docs/methodology.md, "Stopping early"). Off unless the suite
    /// says so: `arena compare` pairs rounds, and `full` keeps every repetition.
    #[serde(default)]
    pub stop_early: bool,
    /// A named suite whose workloads this one runs too, unless it gives its own entry for them
    /// (`full` runs quick's entry of a workload it does not size itself, with its own
    /// repetitions), so a new workload needs no entry in every suite.
    #[serde(default)]
    pub base: Option<String>,
    pub workloads: BTreeMap<String, SuiteWorkload>,
    /// The file each workload's entry came from (the suite's or its base's).
    #[serde(skip)]
    sources: BTreeMap<String, Source>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteWorkload {
    pub timeout_s: u64,
    /// Process-level repetitions of this workload's cases (default: the suite's).
    #[serde(default)]
    pub repetitions: Option<u32>,
    /// Seconds one process of this workload took, measured in a named run (say which in a
    /// comment): the dry run's estimate and the prior of the progress bar's time left.
    #[serde(default)]
    pub expected_s_per_process: Option<f64>,
    /// Expanded as a cartesian product ...
    #[serde(default)]
    pub params: BTreeMap<String, ParamValues>,
    /// ... or listed as explicit parameter sets (when values must go together, e.g. a longer
    /// hold for a larger N).
    #[serde(default)]
    pub points: Vec<BTreeMap<String, u64>>,
    /// Keyed by `*/model`, `language` or `language/model`; replaces parameter lists or the points.
    #[serde(default)]
    pub r#override: BTreeMap<String, Override>,
    /// Server workloads: the load phases, parsed by the workload's module (e.g. `HttpIoSettings`).
    #[serde(default)]
    pub load: Option<toml::Value>,
    /// Only these variants (`language/model`) of the workload; empty: every variant. (The
    /// noise suite runs one cheap case per runtime kind, not every implementation.)
    #[serde(default)]
    pub variants: Vec<String>,
}

impl SuiteWorkload {
    /// Checks every parameter list, point and override against the workload's declared
    /// parameters and ranges (`suite_params`), and that each variant gets every parameter.
    fn check_parameters(&self, spec: &super::catalog::WorkloadSpec) -> Result<(), Problem> {
        let key = |k: &str| Segment::Key(k.to_string());
        params::check_lists(spec, &self.params, vec![key("params")])?;
        params::check_points(spec, &self.points, vec![key("points")])?;
        for (name, replacement) in &self.r#override {
            let at = vec![key("override"), key(name)];
            params::check_lists(spec, &replacement.params, at.clone())?;
            params::check_points(spec, &replacement.points, [at, vec![key("points")]].concat())?;
        }
        for variant in spec.variants.iter().filter(|v| self.runs(v)) {
            let sets = match self.params_for(variant) {
                ParamSets::Product(lists) => vec![(lists.keys().cloned().collect(), vec![key("params")])],
                ParamSets::Points(points) => points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        (
                            p.keys().cloned().collect(),
                            vec![key("points"), Segment::Index(i)],
                        )
                    })
                    .collect(),
            };
            params::check_complete(spec, variant, sets)?;
        }
        Ok(())
    }

    /// Whether the suite runs `variant` of this workload.
    pub fn runs(&self, variant: &VariantSpec) -> bool {
        self.variants.is_empty() || self.variants.contains(&variant.name())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Override {
    #[serde(default)]
    pub points: Vec<BTreeMap<String, u64>>,
    /// Process-level repetitions of these variants' cases, instead of the workload's: variants
    /// that no claim judges may run fewer in `quick` (their intervals state the lower level).
    #[serde(default)]
    pub repetitions: Option<u32>,
    /// Seconds one process of these variants took, instead of the workload's.
    #[serde(default)]
    pub expected_s_per_process: Option<f64>,
    #[serde(flatten)]
    pub params: BTreeMap<String, ParamValues>,
}

/// The parameter sets of one variant: a product of lists, or explicit points.
#[derive(Debug, Clone)]
pub enum ParamSets {
    Product(BTreeMap<String, ParamValues>),
    Points(Vec<BTreeMap<String, u64>>),
}

/// The override keys that apply to `variant`, least specific first: `*/model` (that model in
/// every language), then the language, then language/model.
fn override_keys(variant: &VariantSpec) -> [String; 3] {
    [
        format!("*/{}", variant.model),
        variant.lang.clone(),
        variant.name(),
    ]
}

impl SuiteWorkload {
    /// The parameter sets for one variant, overrides applied (`override_keys`: the most specific
    /// wins).
    pub fn params_for(&self, variant: &VariantSpec) -> ParamSets {
        let mut params = self.params.clone();
        let mut points = self.points.clone();
        for key in override_keys(variant) {
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

    /// One setting of one variant: the most specific override that sets it, else None.
    fn most_specific<T>(&self, variant: &VariantSpec, field: impl Fn(&Override) -> Option<T>) -> Option<T> {
        override_keys(variant)
            .iter()
            .rev()
            .find_map(|key| field(self.r#override.get(key)?))
    }

    /// The repetitions of one variant's cases: the most specific override that sets them, else
    /// the workload's, else `None` (the suite's).
    pub fn repetitions_for(&self, variant: &VariantSpec) -> Option<u32> {
        self.most_specific(variant, |o| o.repetitions)
            .or(self.repetitions)
    }

    /// The measured seconds per process of one variant, found as `repetitions_for` finds its
    /// repetitions.
    pub fn expected_s_for(&self, variant: &VariantSpec) -> Option<f64> {
        self.most_specific(variant, |o| o.expected_s_per_process)
            .or(self.expected_s_per_process)
    }
}

impl Suite {
    /// A named suite of `<root>/harness/suites/`, or a TOML file by path.
    pub fn load(name_or_path: &str, root: &Path, catalog: &Catalog) -> Result<Suite> {
        let named = root.join(SUITES_DIR).join(format!("{name_or_path}.toml"));
        let path = if !name_or_path.contains('/') && named.is_file() {
            named
        } else if Path::new(name_or_path).is_file() {
            Path::new(name_or_path).to_path_buf()
        } else {
            bail!(
                "--suite {name_or_path:?}: no suite of that name in {} ({}) and no such file",
                root.join(SUITES_DIR).display(),
                Self::names(root).join(", ")
            );
        };
        let mut suite = Self::read(&path)?;
        if let Some(base) = suite.base.clone() {
            let named = root.join(SUITES_DIR).join(format!("{base}.toml"));
            if base.contains('/') || !named.is_file() {
                bail!(
                    "suite {name_or_path}: base {base:?} is not a suite of {} ({})",
                    root.join(SUITES_DIR).display(),
                    Self::names(root).join(", ")
                );
            }
            let inherited = Self::read(&named)?;
            if inherited.base.is_some() {
                bail!("suite {name_or_path}: its base {base} has a base of its own; one level only");
            }
            for (id, workload) in inherited.workloads {
                if !suite.workloads.contains_key(&id) {
                    suite.sources.insert(id.clone(), inherited.sources[&id].clone());
                    suite.workloads.insert(id, workload);
                }
            }
        }
        suite
            .validate(catalog)
            .with_context(|| format!("suite {name_or_path}"))?;
        Ok(suite)
    }

    /// One suite file, parsed, each workload's entry remembering the file.
    fn read(path: &Path) -> Result<Suite> {
        let text: Arc<str> = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read suite file {}", path.display()))?
            .into();
        let mut suite: Suite =
            toml::from_str(&text).with_context(|| format!("{}: invalid suite", path.display()))?;
        let source = Source {
            path: path.to_path_buf(),
            text,
        };
        suite.sources = suite
            .workloads
            .keys()
            .map(|id| (id.clone(), source.clone()))
            .collect();
        Ok(suite)
    }

    /// The named suites of a repository root.
    pub fn names(root: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(root.join(SUITES_DIR))
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| e.file_name().to_str()?.strip_suffix(".toml").map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn validate(&self, catalog: &Catalog) -> Result<()> {
        if self.repetitions == 0 {
            bail!("repetitions must be at least 1");
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
        if self.name.is_empty() || !self.name.chars().all(allowed) || self.name.starts_with('.') {
            bail!(
                "name {:?}: use letters, digits, '-', '_' and '.' only (it becomes part of the run folder's name)",
                self.name
            );
        }
        for (id, workload) in &self.workloads {
            let spec = catalog
                .workload(id)
                .with_context(|| format!("unknown workload {id:?} (see `arena list`)"))?;
            for key in workload.r#override.keys() {
                let any_language = |v: &VariantSpec| key.strip_prefix("*/") == Some(v.model.as_str());
                if !spec
                    .variants
                    .iter()
                    .any(|v| &v.lang == key || &v.name() == key || any_language(v))
                {
                    bail!("workload {id}: override {key:?} names no variant of it");
                }
            }
            for name in &workload.variants {
                if !spec.variants.iter().any(|v| &v.name() == name) {
                    bail!("workload {id}: `variants` names {name:?}, which is no variant of it (language/model, see `arena list`)");
                }
            }
            if !spec.server && workload.load.is_some() {
                bail!("workload {id} is not a server workload; remove its `load` table");
            }
            if !spec.server && workload.params.is_empty() == workload.points.is_empty() {
                bail!("workload {id}: give either `params` (lists) or `points` (parameter sets)");
            }
            if workload.repetitions == Some(0)
                || workload.r#override.values().any(|o| o.repetitions == Some(0))
            {
                bail!("workload {id}: repetitions must be at least 1");
            }
            if workload.timeout_s == 0 {
                bail!("workload {id}: timeout_s must be positive");
            }
            if let Err(problem) = workload.check_parameters(spec) {
                let at = self
                    .sources
                    .get(id)
                    .map(|source| params::locate(&source.path, &source.text, id, &problem.at))
                    .unwrap_or_default();
                bail!("{at}workload {id}: {}", problem.message);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::catalog::build_root;

    fn catalog() -> Catalog {
        Catalog::load(&build_root()).unwrap()
    }

    #[test]
    fn builtin_catalog_and_suites_load() {
        let catalog = catalog();
        assert!(!catalog.workloads.is_empty());
        assert!(Suite::names(&build_root()).len() >= 3, "quick, full, smoke");
        for name in Suite::names(&build_root()) {
            let suite = Suite::load(&name, &build_root(), &catalog).unwrap();
            assert!(suite.repetitions >= 1, "{name}");
        }
    }

    #[test]
    fn quick_has_at_least_three_repetitions() {
        assert!(
            Suite::load("quick", &build_root(), &catalog())
                .unwrap()
                .repetitions
                >= 3
        );
    }

    #[test]
    fn full_runs_every_workload_of_quick() {
        let catalog = catalog();
        let quick = Suite::load("quick", &build_root(), &catalog).unwrap();
        let full = Suite::load("full", &build_root(), &catalog).unwrap();
        assert_eq!(full.base.as_deref(), Some("quick"));
        for id in quick.workloads.keys() {
            assert!(full.workloads.contains_key(id), "{id}");
        }
    }

    #[test]
    fn workers_rule_goes_to_twice_the_cores() {
        let rule = ParamValues::Rule("pow2-to-2x-cores".into());
        assert_eq!(rule.expand(2).unwrap(), vec![1, 2, 4]);
        assert_eq!(rule.expand(8).unwrap(), vec![1, 2, 4, 8, 16]);
        assert_eq!(
            rule.expand(6).unwrap(),
            vec![1, 2, 4, 6, 8],
            "W = cores is always planned"
        );
        assert_eq!(rule.expand(3).unwrap(), vec![1, 2, 3, 4]);
        let least = ParamValues::Rule("1-and-cores".into());
        assert_eq!(least.expand(2).unwrap(), vec![1, 2]);
        assert_eq!(least.expand(1).unwrap(), vec![1]);
        assert!(ParamValues::Rule("many".into()).expand(2).is_err());
    }

    #[test]
    fn a_suite_may_run_only_some_variants_of_a_workload() {
        let catalog = catalog();
        let noise = Suite::load("noise", &build_root(), &catalog).unwrap();
        let machine = crate::plan::MachineFacts::this_machine(2);
        let cases =
            crate::plan::plan_suite(&catalog, &noise, &crate::plan::Filters::default(), &machine).unwrap();
        let variants: Vec<String> = cases.iter().map(|c| c.variant()).collect();
        assert_eq!(variants, ["python/threads", "rust/threads"]);
        assert!(noise.repetitions >= 10, "the A/A ratio needs 10");

        let mut bad = noise.clone();
        for w in bad.workloads.values_mut() {
            w.variants = vec!["rust/nope".into()];
        }
        let err = bad.validate(&catalog).unwrap_err().to_string();
        assert!(err.contains("rust/nope") && err.contains("no variant"), "{err}");
    }

    #[test]
    fn unknown_suite_is_a_clear_error() {
        let err = Suite::load("nope", &build_root(), &catalog())
            .unwrap_err()
            .to_string();
        assert!(err.contains("--suite") && err.contains("quick"), "{err}");
    }

    #[test]
    fn override_by_language_then_variant() {
        let catalog: Catalog = toml::from_str(
            r#"
            [[workload]]
            id = "w"
            class = "c"
            summary = "s"
            claim = "c"
            verify = { n = 1 }
            [[workload.variant]]
            lang = "python"
            model = "a"
            tests = "t"
            [[workload.variant]]
            lang = "python"
            model = "b"
            tests = "t"
            "#,
        )
        .unwrap();
        let suite: Suite = toml::from_str(
            r#"
            name = "t"
            description = "t"
            repetitions = 1
            [workloads.w]
            timeout_s = 1
            params = { n = [1] }
            [workloads.w.override.python]
            n = [2]
            [workloads.w.override."python/b"]
            n = [3]
            repetitions = 6
            "#,
        )
        .unwrap();
        suite.validate(&catalog).unwrap();
        let variant = |model: &str| {
            catalog.workloads[0]
                .variants
                .iter()
                .find(|v| v.model == model)
                .unwrap()
        };
        assert_eq!(suite.workloads["w"].repetitions_for(variant("a")), None);
        assert_eq!(suite.workloads["w"].repetitions_for(variant("b")), Some(6));
        let values = |model: &str| {
            let variant = catalog.workloads[0]
                .variants
                .iter()
                .find(|v| v.model == model)
                .unwrap();
            match suite.workloads["w"].params_for(variant) {
                ParamSets::Product(lists) => lists["n"].expand(2).unwrap(),
                ParamSets::Points(_) => unreachable!(),
            }
        };
        assert_eq!((values("a"), values("b")), (vec![2], vec![3]));
    }
}
