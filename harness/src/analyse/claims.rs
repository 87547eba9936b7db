//! The claim framework. `harness/claims/claims.toml` holds claims the field repeats, each naming
//! the workload whose figures test it and a `kind` of test that workload's module defines. This
//! module owns the file's shape and the judged record (how bound checks combine: `bound_checks`); the tests
//! themselves, and the figures they read, belong to each workload. A verdict is decided on
//! interval bounds, never on a point estimate alone. Pure: reads files and figures, returns data.

use arena_results::{ClaimInterval, ClaimRecord};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// Where the claims live under the repository root.
pub const CLAIMS_FILE: &str = "harness/claims/claims.toml";
/// The kind of a claim whose workload does not exist yet: always "not measured".
pub const NOT_YET: &str = "not_yet";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimsFile {
    claim: Vec<ClaimSpec>,
}

/// The fields of every "these variants reach `factor` × those" test (start-up, first response,
/// memory per task): one shape, parsed inside each workload's tagged claim enum.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatioAtLeast {
    /// The variants claimed slower, dearer or larger.
    pub variants: Vec<String>,
    /// The variants they are compared with.
    pub versus: Vec<String>,
    pub factor: f64,
}

impl RatioAtLeast {
    /// Every variant the claim names, for the catalogue check.
    pub fn named(&self) -> Vec<String> {
        self.variants.iter().chain(&self.versus).cloned().collect()
    }

    /// (variants, versus) as slices, as `round_ratios_at_least` takes them.
    pub fn pairs(&self) -> (&[String], &[String]) {
        (&self.variants, &self.versus)
    }
}

/// One claim as written; `params` (with `kind`) is parsed by the workload's module.
#[derive(Debug, Clone, Deserialize)]
pub struct ClaimSpec {
    pub id: String,
    pub statement: String,
    pub workload: String,
    pub kind: String,
    #[serde(flatten)]
    pub params: toml::Table,
}

impl ClaimSpec {
    /// The test's own fields with its `kind`, as a workload's tagged claim enum expects them.
    pub fn test_table(&self) -> toml::Value {
        let mut table = self.params.clone();
        table.insert("kind".into(), toml::Value::String(self.kind.clone()));
        toml::Value::Table(table)
    }
}

/// Reads `<root>/harness/claims/claims.toml`; ids must be unique.
pub fn load(root: &Path) -> Result<Vec<ClaimSpec>> {
    let path = root.join(CLAIMS_FILE);
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: ClaimsFile =
        toml::from_str(&text).with_context(|| format!("{}: invalid claims file", path.display()))?;
    let mut ids = std::collections::BTreeSet::new();
    for claim in &file.claim {
        if !ids.insert(&claim.id) {
            bail!("{}: claim id {:?} is used twice", path.display(), claim.id);
        }
    }
    Ok(file.claim)
}

/// A claim with its verdict on one run, the checks behind it and how the family was judged.
#[derive(Debug, Clone)]
pub struct Judged {
    pub claim: ClaimSpec,
    pub verdict: Verdict,
    pub evidence: Vec<String>,
    pub family: Family,
    pub intervals: Vec<ClaimInterval>,
}

impl Judged {
    pub fn new(claim: &ClaimSpec, judgement: Judgement) -> Judged {
        Judged {
            claim: claim.clone(),
            verdict: judgement.verdict,
            evidence: judgement.evidence,
            family: judgement.family,
            intervals: judgement.intervals,
        }
    }

    /// As results.json stores it.
    pub fn record(&self) -> ClaimRecord {
        ClaimRecord {
            claim_id: self.claim.id.clone(),
            workload: self.claim.workload.clone(),
            statement: self.claim.statement.clone(),
            verdict: self.verdict,
            evidence: self.evidence.clone(),
            family_checks: self.family.checks,
            family_level: self.family.level,
            support_level: self.family.support_level,
            contradict_level: self.family.contradict_level,
            intervals: self.intervals.clone(),
        }
    }
}

/// What a claim test may know of the run besides its workload's figures.
#[derive(Debug, Clone, Copy)]
pub struct ClaimContext {
    pub logical_cores: u64,
}

pub use super::bound_checks::*;
