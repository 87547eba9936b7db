//! The interface of a workload module: `WorkloadModule`, which each workload implements with
//! its own typed figures and claims, and `Workload`, the object-safe form the stages use (figures
//! as JSON), derived from it once here for every module. Must not know any workload.

use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use arena_results::{CaseRecord, FailureKind, RunRecord};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::analyse::claims::{ClaimContext, ClaimSpec, Judgement};
use crate::analyse::trend::Headline;
use crate::measure::executor::Execution;
use crate::measure::judge::{CaseRules, Invariant, Params};
use crate::measure::serve::Driver;
use crate::plan::ServerLoad;
use crate::present::cite::Citation;
use crate::present::{Chart, Table};

/// What one workload's module implements. Typed: the registry turns it into the object-safe
/// `Workload` that the stages use (figures travel as JSON in `RunRecord.derived`).
pub trait WorkloadModule: Send + Sync + 'static {
    /// Figures derived across this workload's cases (`derived.<id>` in results.json).
    type Figures: Serialize + DeserializeOwned + JsonSchema;
    /// The claim tests this workload's figures answer: a serde enum tagged by `kind`.
    type Claim: DeserializeOwned;

    /// The catalogue id.
    fn id(&self) -> &'static str;
    /// A server: started with port=0, driven once ready (the catalogue says the same).
    fn is_server(&self) -> bool {
        false
    }
    /// See `CaseRules::expected_checksum`.
    fn expected_checksum(&self, model: &str, params: &Params) -> Result<Option<String>, String>;
    /// See `CaseRules::invariants`.
    fn invariants(
        &self,
        _params: &Params,
        _exec: &Execution,
    ) -> Result<Vec<Invariant>, (FailureKind, String)> {
        Ok(Vec::new())
    }
    /// Checks a suite's `load` table (servers only).
    fn check_load(&self, table: Option<&toml::Value>) -> Result<()> {
        match table {
            None => Ok(()),
            Some(_) => bail!("{} is not a server workload; remove its `load` table", self.id()),
        }
    }
    /// The driver of a server case.
    fn driver(&self, _load: &ServerLoad) -> Result<Arc<dyn Driver>> {
        bail!("{} is not a server workload", self.id())
    }
    fn derive(&self, cases: &[&CaseRecord]) -> Self::Figures;
    fn tables(&self, figures: &Self::Figures) -> Vec<Table>;
    fn charts(&self, figures: &Self::Figures, record: &RunRecord) -> Vec<Chart>;
    /// The figures a reader would quote from this workload, one per variant (and size): the
    /// trend page follows each across runs (`arena trend`).
    fn headlines(&self, figures: &Self::Figures) -> Vec<Headline>;
    /// The figures a reader can quote from this workload, each with its method text and how to
    /// read it for one case: the one list that results.json's `methods`, `arena cite` and its
    /// help all read.
    fn metrics(&self) -> Vec<Metric<Self::Figures>>;
    /// The variants a claim names (checked against the catalogue).
    fn claim_variants(&self, claim: &Self::Claim) -> Vec<String>;
    fn judge_claim(&self, claim: &Self::Claim, figures: &Self::Figures, ctx: &ClaimContext) -> Judgement;
}

/// A workload as the stages see it (object-safe; figures as JSON).
pub trait Workload: CaseRules + Sync {
    fn id(&self) -> &'static str;
    fn is_server(&self) -> bool;
    fn check_load(&self, table: Option<&toml::Value>) -> Result<()>;
    fn derive(&self, cases: &[&CaseRecord]) -> Result<serde_json::Value>;
    fn section(&self, figures: &serde_json::Value, record: &RunRecord) -> Result<(Vec<Table>, Vec<Chart>)>;
    fn headlines(&self, figures: &serde_json::Value) -> Result<Vec<Headline>>;
    /// Method texts of the derived figures, keyed like `RunRecord.methods` (from `metrics`).
    fn methods(&self) -> Vec<(&'static str, &'static str)>;
    /// The METRIC names `arena cite` knows for this workload (from `metrics`).
    fn cite_metrics(&self) -> Vec<&'static str>;
    /// A derived figure of `case` with its method key; None when `metric` is not one of this
    /// workload's.
    fn cite(
        &self,
        figures: &serde_json::Value,
        case: &CaseRecord,
        metric: &str,
    ) -> Option<Result<(Citation, &'static str)>>;
    /// Parses a claim's test; returns the variants it names.
    fn check_claim(&self, claim: &ClaimSpec) -> Result<Vec<String>>;
    fn judge_claim(
        &self,
        claim: &ClaimSpec,
        figures: &serde_json::Value,
        ctx: &ClaimContext,
    ) -> Result<Judgement>;
    fn figures_schema(&self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema;
}

fn figures_of<T: WorkloadModule>(module: &T, value: &serde_json::Value) -> Result<T::Figures> {
    serde_json::from_value(value.clone())
        .with_context(|| format!("derived figures of {} do not parse", WorkloadModule::id(module)))
}

fn claim_of<T: WorkloadModule>(module: &T, claim: &ClaimSpec) -> Result<T::Claim> {
    claim.test_table().try_into().map_err(|e| {
        anyhow!(
            "claim {}: not a valid test of workload {}: {e}",
            claim.id,
            WorkloadModule::id(module)
        )
    })
}

impl<T: WorkloadModule> CaseRules for T {
    fn expected_checksum(&self, model: &str, params: &Params) -> Result<Option<String>, String> {
        WorkloadModule::expected_checksum(self, model, params)
    }
    fn invariants(&self, params: &Params, exec: &Execution) -> Result<Vec<Invariant>, (FailureKind, String)> {
        WorkloadModule::invariants(self, params, exec)
    }
    fn driver(&self, load: &ServerLoad) -> Result<Arc<dyn Driver>> {
        WorkloadModule::driver(self, load)
    }
}

impl<T: WorkloadModule> Workload for T {
    fn id(&self) -> &'static str {
        WorkloadModule::id(self)
    }
    fn is_server(&self) -> bool {
        WorkloadModule::is_server(self)
    }
    fn check_load(&self, table: Option<&toml::Value>) -> Result<()> {
        WorkloadModule::check_load(self, table)
    }
    fn derive(&self, cases: &[&CaseRecord]) -> Result<serde_json::Value> {
        Ok(serde_json::to_value(WorkloadModule::derive(self, cases))?)
    }
    fn section(&self, figures: &serde_json::Value, record: &RunRecord) -> Result<(Vec<Table>, Vec<Chart>)> {
        let figures = figures_of(self, figures)?;
        Ok((self.tables(&figures), self.charts(&figures, record)))
    }
    fn headlines(&self, figures: &serde_json::Value) -> Result<Vec<Headline>> {
        Ok(WorkloadModule::headlines(self, &figures_of(self, figures)?))
    }
    fn methods(&self) -> Vec<(&'static str, &'static str)> {
        self.metrics().iter().map(|m| (m.key(), m.method)).collect()
    }
    fn cite_metrics(&self) -> Vec<&'static str> {
        self.metrics().iter().map(|m| m.name).collect()
    }
    fn cite(
        &self,
        figures: &serde_json::Value,
        case: &CaseRecord,
        metric: &str,
    ) -> Option<Result<(Citation, &'static str)>> {
        let found = self.metrics().into_iter().find(|m| m.matches(metric))?;
        let Some(cite) = found.cite else {
            return Some(Err(anyhow!(
                "METRIC {metric} of {} compares variants and has no value per case: `arena claims RUN` and the report give it",
                WorkloadModule::id(self)
            )));
        };
        let figures = match figures_of(self, figures) {
            Ok(figures) => figures,
            Err(e) => return Some(Err(e)),
        };
        Some(
            cite(&figures, case, metric)
                .map(|c| (c, found.key()))
                .map_err(|e| anyhow!("METRIC {metric}: {e:#}")),
        )
    }
    fn check_claim(&self, claim: &ClaimSpec) -> Result<Vec<String>> {
        Ok(self.claim_variants(&claim_of(self, claim)?))
    }
    fn judge_claim(
        &self,
        claim: &ClaimSpec,
        figures: &serde_json::Value,
        ctx: &ClaimContext,
    ) -> Result<Judgement> {
        let test = claim_of(self, claim)?;
        Ok(WorkloadModule::judge_claim(
            self,
            &test,
            &figures_of(self, figures)?,
            ctx,
        ))
    }
    fn figures_schema(&self, generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<T::Figures>()
    }
}

/// How one figure is read for one case: the module's figures, the case, and the METRIC as
/// given (with its `@` argument, if any).
pub type CiteFn<F> = fn(&F, &CaseRecord, &str) -> Result<Citation>;

/// One figure of a workload that a reader can quote: `arena cite`'s METRIC, the method text
/// results.json stores under its key, and how to read it for one case.
pub struct Metric<F> {
    /// The METRIC; `key@<what>` takes an argument after `@` (loop-blocking's /cpu rate).
    pub name: &'static str,
    pub method: &'static str,
    /// None for a figure between variants, with a method but no value per case (a ratio that
    /// only the claims and tables read).
    pub cite: Option<CiteFn<F>>,
}

impl<F> Metric<F> {
    pub fn citable(name: &'static str, method: &'static str, cite: CiteFn<F>) -> Metric<F> {
        Metric {
            name,
            method,
            cite: Some(cite),
        }
    }

    pub fn method_only(name: &'static str, method: &'static str) -> Metric<F> {
        Metric {
            name,
            method,
            cite: None,
        }
    }

    /// The key of its method text in `RunRecord.methods`: the name without its `@` argument.
    pub fn key(&self) -> &'static str {
        self.name.split('@').next().unwrap_or(self.name)
    }

    /// `metric` names this figure: the name itself, its key, or `key@…` where the name takes
    /// an argument (the key alone then gets an error listing the arguments that exist).
    pub fn matches(&self, metric: &str) -> bool {
        metric == self.name
            || metric == self.key()
            || (self.name.contains('@')
                && metric
                    .strip_prefix(self.key())
                    .is_some_and(|rest| rest.starts_with('@')))
    }
}

/// A server's driver: its endpoint checks for `arena verify`, else the driver `suite` builds
/// from the suite's `load` table parsed into its settings type.
pub fn server_driver<S, D>(
    load: &ServerLoad,
    checks: impl FnOnce() -> Vec<crate::measure::verify::EndpointCheck>,
    suite: impl FnOnce(S) -> D,
) -> Result<Arc<dyn Driver>>
where
    S: DeserializeOwned + Default,
    D: Driver + 'static,
{
    Ok(match load {
        ServerLoad::Verify => Arc::new(crate::measure::verify::VerifyDriver::new(checks())),
        ServerLoad::Suite(table) => Arc::new(suite(load_settings(table.as_ref())?)),
    })
}

/// A server's suite `load` table as its settings type; absent: the workload's defaults.
pub fn load_settings<T: DeserializeOwned + Default>(table: Option<&toml::Value>) -> Result<T> {
    match table {
        Some(value) => Ok(value.clone().try_into()?),
        None => Ok(T::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(name: &'static str) -> Metric<()> {
        Metric::method_only(name, "")
    }

    #[test]
    fn a_metric_with_an_argument_matches_its_key_and_each_argument_only() {
        let ping = metric("ping_p99_ns@<cpu rate>");
        assert_eq!(ping.key(), "ping_p99_ns");
        assert!(ping.matches("ping_p99_ns@25") && ping.matches("ping_p99_ns"));
        assert!(!ping.matches("ping_p99_ns_max") && !ping.matches("ping_p99"));
        let plain = metric("speedup");
        assert!(plain.matches("speedup") && !plain.matches("speedup@2") && !plain.matches("speed"));
    }
}
