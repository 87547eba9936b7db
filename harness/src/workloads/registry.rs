//! The registry of every workload module, and everything done across them: checks of the
//! catalogue, suites and claims against the modules (at start-up, so nothing falls through),
//! derived figures, method texts, claim verdicts, the report model, citations and the JSON
//! Schema of results.json. It names no workload: the list is `super::ALL`.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use arena_results::{CaseRecord, Derived, RunRecord};

use super::module::Workload;
use super::ALL;
use crate::analyse::claims::{ClaimContext, ClaimSpec, Judged, Judgement, Verdict, NOT_YET};
use crate::measure::environment::generic_methods;
use crate::measure::judge::{CaseRules, Rulebook};
use crate::plan::catalog::Catalog;
use crate::plan::suite::Suite;
use crate::present::cite;
use crate::present::{About, Report, Section};

/// Every workload the harness implements.
pub struct Registry {
    all: &'static [&'static dyn Workload],
}

pub static REGISTRY: Registry = Registry { all: ALL };

impl Rulebook for Registry {
    fn rules(&self, workload: &str) -> Option<&dyn CaseRules> {
        self.get(workload).map(|w| w as &dyn CaseRules)
    }
}

impl Registry {
    pub fn all(&self) -> &'static [&'static dyn Workload] {
        self.all
    }

    pub fn get(&self, id: &str) -> Option<&'static dyn Workload> {
        self.all.iter().copied().find(|w| w.id() == id)
    }

    fn ids(&self) -> String {
        self.all.iter().map(|w| w.id()).collect::<Vec<_>>().join(", ")
    }

    /// The catalogue and the registry name the same workloads, servers alike.
    pub fn check_catalog(&self, catalog: &Catalog) -> Result<()> {
        for spec in &catalog.workloads {
            let Some(module) = self.get(&spec.id) else {
                bail!(
                    "workloads/catalog.toml lists workload {:?}, which has no module in harness/src/workloads (implemented: {}); see workloads/ADDING.md",
                    spec.id,
                    self.ids()
                );
            };
            if module.is_server() != spec.server {
                bail!(
                    "workload {}: the catalogue says server = {}, its module says {}",
                    spec.id,
                    spec.server,
                    module.is_server()
                );
            }
        }
        for module in self.all {
            if catalog.workload(module.id()).is_none() {
                bail!(
                    "workload {} has a module but no entry in workloads/catalog.toml; see workloads/ADDING.md",
                    module.id()
                );
            }
        }
        Ok(())
    }

    /// Every server workload's `load` table parses; a batch workload has none.
    pub fn check_suite(&self, suite: &Suite) -> Result<()> {
        for (id, workload) in &suite.workloads {
            let module = self
                .get(id)
                .with_context(|| format!("suite {}: workload {id:?} has no module", suite.name))?;
            module
                .check_load(workload.load.as_ref())
                .with_context(|| format!("suite {}: workload {id}: invalid `load` table", suite.name))?;
        }
        Ok(())
    }

    /// Every claim names a workload with a module and a test of its kinds, over variants the
    /// catalogue has; a `not_yet` claim names a workload that does not exist yet.
    pub fn check_claims(&self, claims: &[ClaimSpec], catalog: &Catalog) -> Result<()> {
        for claim in claims {
            let module = self.get(&claim.workload);
            match (claim.kind.as_str(), module) {
                (NOT_YET, None) => continue,
                (NOT_YET, Some(_)) => bail!(
                    "claim {}: workload {} exists now; give the claim a real test instead of kind = \"not_yet\"",
                    claim.id,
                    claim.workload
                ),
                (_, None) => bail!(
                    "claim {}: workload {:?} has no module (implemented: {})",
                    claim.id,
                    claim.workload,
                    self.ids()
                ),
                (_, Some(module)) => {
                    let spec = catalog
                        .workload(&claim.workload)
                        .with_context(|| format!("claim {}: workload {} is not in the catalogue", claim.id, claim.workload))?;
                    for variant in module.check_claim(claim)? {
                        if !spec.variants.iter().any(|v| v.name() == variant) {
                            bail!("claim {}: workload {} has no variant {variant:?}", claim.id, claim.workload);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The derived figures of every workload that has cases in the run.
    pub fn derive(&self, cases: &[CaseRecord]) -> Result<Derived> {
        let mut derived = Derived::new();
        for module in self.all {
            let mine: Vec<&CaseRecord> = cases.iter().filter(|c| c.workload == module.id()).collect();
            if !mine.is_empty() {
                derived.insert(module.id().to_string(), module.derive(&mine)?);
            }
        }
        Ok(derived)
    }

    /// Method texts of every figure: the generic ones and every workload's.
    pub fn methods(&self) -> BTreeMap<String, String> {
        let mut methods = generic_methods();
        for module in self.all {
            for (key, text) in module.methods() {
                methods.insert(key.to_string(), text.to_string());
            }
        }
        methods
    }

    pub fn judge_claims(&self, claims: &[ClaimSpec], record: &RunRecord) -> Vec<Judged> {
        let ctx = ClaimContext {
            logical_cores: u64::from(record.environment.logical_cores),
        };
        claims
            .iter()
            .map(|claim| Judged::new(claim, self.judge_claim(claim, record, &ctx)))
            .collect()
    }

    fn judge_claim(&self, claim: &ClaimSpec, record: &RunRecord, ctx: &ClaimContext) -> Judgement {
        let not_measured = |why: String| Judgement::without_checks(Verdict::NotMeasured, vec![why]);
        let Some(module) = self.get(&claim.workload).filter(|_| claim.kind != NOT_YET) else {
            return not_measured(format!("workload `{}` is not implemented yet", claim.workload));
        };
        // A merge across machines (`--allow-cross-machine`) judges nothing on a split workload.
        if crate::analyse::merge::workloads_across_machines(record).contains(&claim.workload) {
            return Judgement::without_checks(
                Verdict::NotEnoughEvidence,
                vec![format!(
                    "not comparable: different machines ({} was measured by more than one shard of this merged run, so nothing is judged on it)",
                    claim.workload
                )],
            );
        }
        let Some(figures) = record.derived.get(module.id()) else {
            return not_measured(format!("workload `{}` did not run in this run", claim.workload));
        };
        module
            .judge_claim(claim, figures, ctx)
            .unwrap_or_else(|e| Judgement::without_checks(Verdict::NotEnoughEvidence, vec![format!("{e:#}")]))
    }

    /// The report model: a section per workload that ran, in catalogue order, the machine's
    /// sections (interference, noise floor) and the claims.
    pub fn report<'a>(
        &self,
        record: &'a RunRecord,
        catalog: &Catalog,
        claims: &[ClaimSpec],
    ) -> Result<Report<'a>> {
        let mut sections = Vec::new();
        for spec in &catalog.workloads {
            let (Some(module), Some(figures)) = (self.get(&spec.id), record.derived.get(&spec.id)) else {
                continue;
            };
            let (tables, charts) = module.section(figures, record)?;
            sections.push(Section {
                workload: spec.id.clone(),
                about: Some(About {
                    class: spec.class.clone(),
                    summary: spec.summary.clone(),
                    claim: spec.claim.clone(),
                }),
                notes: Vec::new(),
                tables,
                charts,
            });
        }
        Ok(Report {
            record,
            sections,
            machine: crate::present::noise::sections(record)
                .into_iter()
                .chain(crate::present::shards::sections(record))
                .collect(),
            claims: self.judge_claims(claims, record),
        })
    }

    /// The METRIC help of `arena cite`: every per-case summary field, the self-reported ones, and
    /// each workload module's own figures (never a hand-kept list).
    pub fn cite_metric_help(&self) -> String {
        let modules: Vec<String> = self
            .all
            .iter()
            .filter(|m| !m.cite_metrics().is_empty())
            .map(|m| format!("{} ({})", m.cite_metrics().join(", "), m.id()))
            .collect();
        format!(
            "A per-case figure ({}), a self-reported one (work_ns, spawn_ns, ...), or a workload's own: {}",
            cite::SUMMARY_METRICS.join(", "),
            modules.join("; ")
        )
    }

    /// `arena cite RUN CASE METRIC` as text.
    pub fn cite(&self, record: &RunRecord, case_query: &str, metric: &str) -> Result<String> {
        let case = cite::find_case(record, case_query)?;
        let module = self.get(&case.workload);
        let derived = || {
            let (module, figures) = module.zip(record.derived.get(&case.workload))?;
            module.cite(figures, case, metric)
        };
        let Some(figure) = cite::summary_citation(case, metric).or_else(derived) else {
            let mut known: Vec<String> = cite::SUMMARY_METRICS.iter().map(|s| s.to_string()).collect();
            if let Some(summary) = &case.summary {
                known.extend(summary.self_reported.keys().cloned());
            }
            known.extend(
                module
                    .into_iter()
                    .flat_map(|m| m.cite_metrics())
                    .map(str::to_string),
            );
            bail!(
                "METRIC {metric:?} is not recorded for {}; known: {}",
                case.case_id,
                known.join(", ")
            );
        };
        let (figure, method_key) = figure?;
        Ok(cite::text(record, case, &figure, method_key))
    }

    /// The JSON Schema of results.json: the result types, with `derived` spelled out per
    /// workload from each module's figure types. Committed as results/schema/results.schema.json.
    pub fn results_schema(&self) -> serde_json::Value {
        let mut generator = schemars::generate::SchemaSettings::default().into_generator();
        let mut properties = serde_json::Map::new();
        for module in self.all {
            properties.insert(
                module.id().to_string(),
                module.figures_schema(&mut generator).to_value(),
            );
        }
        let mut root = generator.into_root_schema_for::<RunRecord>().to_value();
        let derived = &mut root["properties"]["derived"];
        let description = derived.get("description").cloned().unwrap_or_default();
        *derived = serde_json::json!({
            "description": description,
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        });
        root
    }
}
