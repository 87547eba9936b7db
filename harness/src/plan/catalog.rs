//! The workload catalogue (`workloads/catalog.toml` under the repository root): parsed into plain
//! data and validated, so later stages never see a malformed file. Read at run time from the
//! root the user chose (`--root`), never compiled in. It must not know what a workload does:
//! that is the workload's module (`crate::workloads`), checked against this file at start-up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use arena_runners::Language;
use serde::Deserialize;

/// Where the catalogue lives under the repository root.
pub const CATALOG_FILE: &str = "workloads/catalog.toml";

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
    /// apart from the load generator (its module in harness/src/workloads has the driver).
    #[serde(default)]
    pub server: bool,
    /// The parameter that sizes a case (e.g. `tasks`): once a variant hits a resource limit at
    /// some size, its larger sizes are recorded as not attempted instead of being run.
    #[serde(default)]
    pub size_param: Option<String>,
    /// The workload's parameters (every key a suite must give) and the smallest sizes, run by
    /// `arena verify`.
    pub verify: BTreeMap<String, u64>,
    /// `[least, most]` a suite may give each parameter (inclusive); a parameter without one takes
    /// any whole number. Checked when a suite is read, so a bad value fails there and not in
    /// every process of the run.
    #[serde(default)]
    pub ranges: BTreeMap<String, [u64; 2]>,
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
    /// Reads and validates `<root>/workloads/catalog.toml`.
    pub fn load(root: &Path) -> Result<Catalog> {
        let path = root.join(CATALOG_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}: pass the runtime-arena checkout with --root",
                path.display()
            )
        })?;
        let catalog: Catalog =
            toml::from_str(&text).with_context(|| format!("{}: invalid catalogue", path.display()))?;
        catalog
            .validate()
            .with_context(|| format!("{}: invalid catalogue", path.display()))?;
        Ok(catalog)
    }

    fn validate(&self) -> Result<()> {
        let mut ids = std::collections::BTreeSet::new();
        for w in &self.workloads {
            if !ids.insert(&w.id) {
                bail!("workload {} is listed twice", w.id);
            }
            let mut names = std::collections::BTreeSet::new();
            for v in &w.variants {
                if !names.insert(v.name()) {
                    bail!("workload {}: variant {} is listed twice", w.id, v.name());
                }
            }
            if let Some(size) = &w.size_param {
                if !w.verify.contains_key(size) {
                    bail!(
                        "workload {}: size_param {size:?} is not one of its parameters",
                        w.id
                    );
                }
            }
            for (key, [least, most]) in &w.ranges {
                let Some(smallest) = w.verify.get(key) else {
                    bail!("workload {}: ranges names {key:?}, which is not one of its parameters (the keys of verify)", w.id);
                };
                if least > most || !(least..=most).contains(&smallest) {
                    bail!(
                        "workload {}: range {key} = [{least}, {most}] must be [least, most] and hold its verify value {smallest}",
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

impl WorkloadSpec {
    /// Why `value` is no valid `key` of this workload, or None when it is.
    pub fn param_problem(&self, key: &str, value: u64) -> Option<String> {
        if key == "port" {
            return Some(
                "`port` is the harness's: it starts every server on a free port of its own; remove it".into(),
            );
        }
        if !self.verify.contains_key(key) {
            let known: Vec<&str> = self.verify.keys().map(String::as_str).collect();
            return Some(if known.is_empty() {
                format!(
                    "unknown parameter {key:?}: workload {} takes no parameters from a suite",
                    self.id
                )
            } else {
                format!(
                    "unknown parameter {key:?} (workload {} takes {})",
                    self.id,
                    known.join(", ")
                )
            });
        }
        let [least, most] = self.ranges.get(key)?;
        (!(least..=most).contains(&&value))
            .then(|| format!("{key} = {value} is out of range: give {least} to {most}"))
    }
}

/// The checkout this binary was built from: the default `--root`, and the root of unit tests.
pub fn build_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
