//! The claim framework. `harness/claims/claims.toml` holds claims the field repeats, each naming
//! the workload whose figures test it and a `kind` of test that workload's module defines. This
//! module owns the file's shape, the verdicts and how bound checks combine into one; the tests
//! themselves, and the figures they read, belong to each workload. A verdict is decided on
//! interval bounds, never on a point estimate alone. Pure: reads files and figures, returns data.

use arena_results::Estimate;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Supported,
    Contradicted,
    NotEnoughEvidence,
    NotMeasured,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Contradicted => "contradicted",
            Verdict::NotEnoughEvidence => "not enough evidence",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// A claim with its verdict on one run and the figures behind it.
#[derive(Debug, Clone)]
pub struct Judged {
    pub claim: ClaimSpec,
    pub verdict: Verdict,
    pub evidence: Vec<String>,
}

/// What a claim test may know of the run besides its workload's figures.
#[derive(Debug, Clone, Copy)]
pub struct ClaimContext {
    pub logical_cores: u64,
}

/// The least coverage an interval needs before a verdict may rest on it.
pub const VERDICT_LEVEL: f64 = 0.95;

/// Bound checks of several figures, combined: supported when every figure passes on its
/// interval bounds and none is missing; contradicted when any fails on its bounds; otherwise
/// not enough evidence. An interval that covers less than `VERDICT_LEVEL` counts as missing:
/// it can neither support nor contradict.
#[derive(Debug, Default)]
pub struct BoundChecks {
    pub evidence: Vec<String>,
    passed_all: bool,
    failed_any: bool,
    missing: bool,
    checked: usize,
}

impl BoundChecks {
    pub fn new() -> BoundChecks {
        BoundChecks {
            passed_all: true,
            ..Default::default()
        }
    }

    /// One figure whose interval covers `level`: `pass` holds on the bounds that favour the
    /// claim, `fail` on those against it.
    pub fn check(&mut self, level: f64, pass: bool, fail: bool, evidence: String) {
        if level < VERDICT_LEVEL {
            self.missing(format!("{evidence} — {}", too_weak(level)));
            return;
        }
        self.passed_all &= pass;
        self.failed_any |= fail;
        self.checked += 1;
        self.evidence.push(evidence);
    }

    /// A figure the claim needs is absent.
    pub fn missing(&mut self, evidence: String) {
        self.missing = true;
        self.evidence.push(evidence);
    }

    pub fn verdict(self) -> (Verdict, Vec<String>) {
        let verdict = if self.failed_any {
            Verdict::Contradicted
        } else if self.passed_all && !self.missing && self.checked > 0 {
            Verdict::Supported
        } else {
            Verdict::NotEnoughEvidence
        };
        (verdict, self.evidence)
    }
}

/// One ratio that a claim needs to reach `factor` (`what` names it in the evidence): passes when
/// its interval's lower bound is at or above `factor`, fails when its upper bound is below.
pub fn ratio_at_least(checks: &mut BoundChecks, what: &str, ratio: Option<&Estimate>, factor: f64) {
    match ratio {
        None => checks.missing(format!(
            "{what}: no ratio (a variant has no valid repetition in a shared round)"
        )),
        Some(r) => checks.check(
            r.ci_level,
            r.ci_low >= factor,
            r.ci_high < factor,
            format!(
                "{what}: {:.2}× ({:.0}% interval {:.2}–{:.2}, {} rounds); needs ≥ {factor:.2}×",
                r.median,
                r.ci_level * 100.0,
                r.ci_low,
                r.ci_high,
                r.n
            ),
        ),
    }
}

/// For every (slower, faster) pair of variants, `figure` of the slower over the faster, paired by
/// round (`stats::ratio_by_round`), must reach `factor` (`ratio_at_least`). `rounds` gives a
/// variant's (round, value) pairs; None when it has no valid case.
pub fn round_ratios_at_least(
    checks: &mut BoundChecks,
    figure: &str,
    (slower, faster): (&[String], &[String]),
    factor: f64,
    rounds: impl Fn(&str) -> Option<Vec<(u32, f64)>>,
) {
    for s in slower {
        for f in faster {
            let ratio = match (rounds(s), rounds(f)) {
                (Some(a), Some(b)) => crate::analyse::stats::ratio_by_round(&a, &b),
                _ => None,
            };
            ratio_at_least(checks, &format!("{figure} {s} / {f}"), ratio.as_ref(), factor);
        }
    }
}

/// Why an interval cannot carry a verdict.
pub fn too_weak(level: f64) -> String {
    format!(
        "its interval covers only {:.0}%, below the {:.0}% a verdict needs (more repetitions)",
        level * 100.0,
        VERDICT_LEVEL * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_checks_combine() {
        let verdict = |checks: &[(bool, bool)], missing: bool| {
            let mut b = BoundChecks::new();
            for (pass, fail) in checks {
                b.check(0.97, *pass, *fail, String::new());
            }
            if missing {
                b.missing(String::new());
            }
            b.verdict().0
        };
        assert_eq!(
            verdict(&[(true, false), (true, false)], false),
            Verdict::Supported
        );
        assert_eq!(
            verdict(&[(true, false), (false, true)], false),
            Verdict::Contradicted
        );
        assert_eq!(
            verdict(&[(true, false), (false, false)], false),
            Verdict::NotEnoughEvidence
        );
        assert_eq!(verdict(&[(true, false)], true), Verdict::NotEnoughEvidence);
        assert_eq!(verdict(&[], false), Verdict::NotEnoughEvidence, "nothing checked");
        let mut weak = BoundChecks::new();
        weak.check(0.75, true, false, "x".into());
        let (verdict, evidence) = weak.verdict();
        assert_eq!(
            verdict,
            Verdict::NotEnoughEvidence,
            "a 75% interval carries no verdict"
        );
        assert!(evidence[0].contains("75%"), "{evidence:?}");
    }
}
