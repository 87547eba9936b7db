//! A suite's parameters checked against the workload's declared ones when the suite is read:
//! every key is one the workload declares (the keys of its catalogue `verify`), every value lies
//! in its declared range, every variant gets every parameter, and no suite sets `port` (the
//! harness's). A problem names the TOML key it is at, and `locate` turns that into `file:line`.
//! Before this, `workers = [0]` or `bogus = [1]` crashed every process of a run that still exited
//! 0. It must not know what a parameter means: the catalogue declares them.

use std::collections::BTreeSet;
use std::path::Path;

use super::catalog::WorkloadSpec;
use super::suite::{ParamSets, ParamValues, SuiteWorkload};

/// One step of a TOML key path below `workloads.<id>`.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// What is wrong, and where in the workload's entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub at: Vec<Segment>,
    pub message: String,
}

fn key(k: &str) -> Segment {
    Segment::Key(k.to_string())
}

/// Checks every parameter list, point and override of one workload's entry.
pub fn check(spec: &WorkloadSpec, workload: &SuiteWorkload) -> Result<(), Problem> {
    check_lists(spec, &workload.params, vec![key("params")])?;
    check_points(spec, &workload.points, vec![key("points")])?;
    for (name, replacement) in &workload.r#override {
        let at = vec![key("override"), key(name)];
        check_lists(spec, &replacement.params, at.clone())?;
        check_points(spec, &replacement.points, [at, vec![key("points")]].concat())?;
    }
    check_complete(spec, workload)
}

fn check_value(spec: &WorkloadSpec, name: &str, value: u64, at: &[Segment]) -> Result<(), Problem> {
    match spec.param_problem(name, value) {
        Some(message) => Err(Problem {
            at: at.to_vec(),
            message,
        }),
        None => Ok(()),
    }
}

fn check_lists<'a>(
    spec: &WorkloadSpec,
    lists: impl IntoIterator<Item = (&'a String, &'a ParamValues)>,
    at: Vec<Segment>,
) -> Result<(), Problem> {
    for (name, values) in lists {
        let at = [at.clone(), vec![key(name)]].concat();
        // Any value, to name an unknown key or `port` before its values.
        check_value(spec, name, spec.verify.get(name).copied().unwrap_or(0), &at)?;
        let expanded = values.expand(1).map_err(|e| Problem {
            at: at.clone(),
            message: format!("parameter {name}: {e}"),
        })?;
        if let ParamValues::List(_) = values {
            for value in expanded {
                check_value(spec, name, value, &at)?;
            }
        }
    }
    Ok(())
}

fn check_points(
    spec: &WorkloadSpec,
    points: &[std::collections::BTreeMap<String, u64>],
    at: Vec<Segment>,
) -> Result<(), Problem> {
    for (index, point) in points.iter().enumerate() {
        for (name, value) in point {
            let at = [at.clone(), vec![Segment::Index(index), key(name)]].concat();
            check_value(spec, name, *value, &at)?;
        }
    }
    Ok(())
}

/// Every variant the suite runs gets every declared parameter (from the suite, or from its
/// variant's own `params` in the catalogue).
fn check_complete(spec: &WorkloadSpec, workload: &SuiteWorkload) -> Result<(), Problem> {
    for variant in spec.variants.iter().filter(|v| workload.runs(v)) {
        let sets: Vec<(BTreeSet<String>, Vec<Segment>)> = match workload.params_for(variant) {
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
        for (given, at) in sets {
            let missing: Vec<&str> = spec
                .verify
                .keys()
                .filter(|k| !given.contains(*k) && !variant.params.contains_key(*k))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                return Err(Problem {
                    at,
                    message: format!(
                        "{} gets no value for {} (a suite gives every one of {})",
                        variant.name(),
                        missing.join(", "),
                        spec.verify.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
    }
    Ok(())
}

/// `file:line: ` of the deepest key of `at` found under `workloads.<id>` in `text` (the file
/// alone when even the workload's entry cannot be found).
pub fn locate(path: &Path, text: &str, id: &str, at: &[Segment]) -> String {
    let line = toml_edit::ImDocument::parse(text).ok().and_then(|document| {
        let mut item = document.as_item().get("workloads")?.get(id)?;
        let mut span = item.span();
        for segment in at {
            let next = match segment {
                Segment::Key(k) => item.get(k.as_str()),
                Segment::Index(i) => item.get(*i),
            };
            match next {
                Some(found) => {
                    item = found;
                    span = found.span().or(span);
                }
                None => break,
            }
        }
        span.map(|span| text[..span.start].matches('\n').count() + 1)
    });
    match line {
        Some(line) => format!("{}:{line}: ", path.display()),
        None => format!("{}: ", path.display()),
    }
}
