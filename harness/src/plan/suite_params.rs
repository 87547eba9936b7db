//! A suite's parameters checked against the workload's declared ones when the suite is read:
//! every key is one the workload declares (the keys of its catalogue `verify`), every value lies
//! in its declared range, every variant gets every parameter, and no suite sets `port` (the
//! harness's). A problem names the TOML key it is at, and `locate` turns that into `file:line`.
//! Before this, `workers = [0]` or `bogus = [1]` crashed every process of a run that still exited
//! 0. It must not know what a parameter means: the catalogue declares them.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use super::catalog::{VariantSpec, WorkloadSpec};

/// A list of values for one parameter, or a rule expanded on this machine.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "toml::Value")]
pub enum ParamValues {
    List(Vec<u64>),
    Rule(String),
}

/// Read from any TOML value, so a wrong one is named (`-3 is not a whole number ≥ 0`) instead
/// of serde's "did not match any variant".
impl TryFrom<toml::Value> for ParamValues {
    type Error = String;

    fn try_from(value: toml::Value) -> Result<ParamValues, String> {
        match value {
            toml::Value::String(rule) => Ok(ParamValues::Rule(rule)),
            toml::Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    toml::Value::Integer(n) if n >= 0 => Ok(n as u64),
                    other => Err(format!("{other} is not a whole number ≥ 0")),
                })
                .collect::<Result<_, _>>()
                .map(ParamValues::List),
            other => Err(format!(
                "expected a list of whole numbers such as [1, 2] or a rule such as \"pow2-to-2x-cores\", found {other}"
            )),
        }
    }
}

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

fn check_value(spec: &WorkloadSpec, name: &str, value: u64, at: &[Segment]) -> Result<(), Problem> {
    match spec.param_problem(name, value) {
        Some(message) => Err(Problem {
            at: at.to_vec(),
            message,
        }),
        None => Ok(()),
    }
}

pub fn check_lists<'a>(
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

pub fn check_points(
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

/// A variant gets every declared parameter: `sets` holds the keys of each parameter set the
/// suite gives it, with where that set is; the variant's own catalogue `params` count as given.
pub fn check_complete(
    spec: &WorkloadSpec,
    variant: &VariantSpec,
    sets: Vec<(BTreeSet<String>, Vec<Segment>)>,
) -> Result<(), Problem> {
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
