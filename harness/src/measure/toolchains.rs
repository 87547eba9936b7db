//! Toolchain preparation for a run or a verify: detect every language, build the ones a plan
//! needs, and decide per case whether it can run. In CI a missing toolchain is an error; on a
//! user's machine its cases are skipped with the install hint (`arena doctor`).

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use arena_results::{FailureKind, ToolchainRecord};
use arena_runners::{runner, BuildOutcome, Detection, Language, Toolchain, Workspace};

use super::schedule::{PlannedCase, Readiness};
use crate::plan::CaseSpec;

pub struct Detected {
    pub detections: BTreeMap<Language, Detection>,
}

impl Detected {
    pub fn all(ws: &Workspace) -> Detected {
        Detected {
            detections: Language::ALL
                .iter()
                .map(|l| (*l, runner(*l).detect(ws)))
                .collect(),
        }
    }

    pub fn records(&self) -> Vec<ToolchainRecord> {
        self.detections.iter().map(|(l, d)| d.record(*l)).collect()
    }
}

/// Builds what the cases need and resolves each case to a launch, a skip or a failure.
/// `log` receives one line per language (build status, skips).
pub fn prepare(
    cases: Vec<CaseSpec>,
    detected: &Detected,
    ws: &Workspace,
    require_all: bool,
    log: &dyn Fn(&str),
) -> Result<Vec<PlannedCase>> {
    let needed: std::collections::BTreeSet<Language> = cases.iter().map(|c| c.language).collect();
    let mut found = Vec::new();
    for language in &needed {
        match &detected.detections[language] {
            Detection::Missing {
                problem,
                install_hint,
            } => {
                // A tool that is there but failed to run needs no installing: say why instead.
                let advice = if install_hint == arena_runners::NOT_AN_INSTALL_PROBLEM {
                    install_hint.clone()
                } else {
                    format!("To install: {install_hint}")
                };
                if require_all {
                    bail!("{language}: {problem}. CI requires all five toolchains. {advice}");
                }
                log(&format!(
                    "{language}: skipped — {problem}. {advice} (see `arena doctor`)"
                ));
            }
            Detection::Found(tc) => found.push((*language, tc)),
        }
    }
    let outcomes = build_at_once(&found, ws);
    let mut builds: BTreeMap<Language, Result<(), String>> = BTreeMap::new();
    for (language, tc, outcome) in outcomes {
        match &outcome {
            Ok(BuildOutcome::Built { .. }) => log(&format!(
                "{language}: built with {} {}",
                tc.executable.display(),
                tc.version
            )),
            Ok(_) => {}
            Err(e) => log(&format!("{language}: BUILD FAILED — {e:#}")),
        }
        builds.insert(language, outcome.map(|_| ()).map_err(|e| format!("{e:#}")));
    }
    Ok(cases
        .into_iter()
        .map(|spec| {
            let readiness = match (&detected.detections[&spec.language], builds.get(&spec.language)) {
                (Detection::Missing { problem, .. }, _) => Readiness::Skipped(format!(
                    "{} toolchain missing: {problem} (see `arena doctor`)",
                    spec.language
                )),
                (_, Some(Err(e))) => Readiness::Failed(FailureKind::BuildFailed, e.clone()),
                (Detection::Found(tc), _) => {
                    Readiness::Ready(runner(spec.language).launch(tc, ws, &spec.launch_request()))
                }
            };
            PlannedCase { spec, readiness }
        })
        .collect())
}

/// Builds the found languages at once: a compiler (go, cargo) and a package manager waiting on
/// its registry (npm, Maven) overlap, so a fresh clone's builds take about as long as the slowest.
fn build_at_once<'a>(
    found: &[(Language, &'a Toolchain)],
    ws: &Workspace,
) -> Vec<(Language, &'a Toolchain, Result<BuildOutcome>)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = found
            .iter()
            .map(|(language, tc)| {
                (
                    *language,
                    *tc,
                    scope.spawn(move || runner(*language).build(tc, ws)),
                )
            })
            .collect();
        handles
            .into_iter()
            .map(|(language, tc, handle)| {
                let outcome = handle
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("the build of {language} panicked")));
                (language, tc, outcome)
            })
            .collect()
    })
}
