//! A suite's parameters are checked when it is read, against each workload's declared
//! parameters and ranges (workloads/catalog.toml), and the error names the file and the line:
//! an unknown parameter, a value out of range, a negative value, a `port`, a missing parameter
//! and a suite name that cannot be part of a folder name are refused before anything runs.

mod common;

use arena_harness::plan::catalog::Catalog;
use arena_harness::plan::suite::Suite;
use common::repo_root;

/// The error of reading a suite file whose `[workloads.cpu-scale]` entry ends with `entry`
/// (line 7 onwards), and the file's path.
fn error_of(name: &str, entry: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let text = format!(
        "name = \"{name}\"\ndescription = \"d\"\nrepetitions = 1\n\n[workloads.cpu-scale]\ntimeout_s = 10\n{entry}\n"
    );
    std::fs::write(&path, text).unwrap();
    let catalog = Catalog::load(&repo_root()).unwrap();
    let error = Suite::load(path.to_str().unwrap(), &repo_root(), &catalog)
        .map(|_| ())
        .expect_err(entry);
    (format!("{error:#}"), path.display().to_string())
}

#[test]
fn a_good_entry_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("good.toml");
    std::fs::write(
        &path,
        "name = \"good\"\ndescription = \"d\"\nrepetitions = 1\n[workloads.cpu-scale]\ntimeout_s = 10\nparams = { workers = \"pow2-to-2x-cores\", chunks = [4], items = [1000] }\n",
    )
    .unwrap();
    let catalog = Catalog::load(&repo_root()).unwrap();
    Suite::load(path.to_str().unwrap(), &repo_root(), &catalog).unwrap();
}

#[test]
fn an_unknown_parameter_is_named_with_its_file_and_line() {
    let (error, path) = error_of(
        "t",
        "params = { workers = [1], chunks = [1], items = [1], bogus = [1] }",
    );
    assert!(error.contains(&format!("{path}:7:")), "{error}");
    assert!(error.contains("unknown parameter \"bogus\""), "{error}");
    assert!(
        error.contains("chunks, items, workers"),
        "names what it takes: {error}"
    );
}

#[test]
fn a_value_out_of_range_is_refused_with_the_range() {
    let (error, path) = error_of("t", "params = { workers = [0], chunks = [1], items = [1] }");
    assert!(error.contains(&format!("{path}:7:")), "{error}");
    assert!(
        error.contains("workers = 0 is out of range: give 1 to 1024"),
        "{error}"
    );
    // In an override's points too, at the point's line.
    let (error, path) = error_of(
        "t",
        "params = { workers = [1], chunks = [1], items = [1] }\n[workloads.cpu-scale.override.python]\npoints = [\n  { workers = 1, chunks = 1, items = 1 },\n  { workers = 2000, chunks = 1, items = 1 },\n]",
    );
    assert!(error.contains(&format!("{path}:11:")), "{error}");
    assert!(error.contains("workers = 2000 is out of range"), "{error}");
}

#[test]
fn a_negative_value_is_named_not_an_untagged_enum() {
    let (error, path) = error_of("t", "params = { workers = [-3], chunks = [1], items = [1] }");
    assert!(error.contains(&path) && error.contains("line 7"), "{error}");
    assert!(error.contains("-3 is not a whole number ≥ 0"), "{error}");
    assert!(!error.contains("untagged"), "{error}");
}

#[test]
fn a_port_is_refused_because_the_harness_owns_ports() {
    let (error, path) = error_of(
        "t",
        "params = { workers = [1], chunks = [1], items = [1], port = [8080] }",
    );
    assert!(error.contains(&format!("{path}:7:")), "{error}");
    assert!(error.contains("`port` is the harness's"), "{error}");
}

#[test]
fn a_missing_parameter_is_named() {
    let (error, _) = error_of("t", "params = { workers = [1], chunks = [1] }");
    assert!(error.contains("gets no value for items"), "{error}");
}

#[test]
fn a_suite_name_with_a_slash_is_refused() {
    let (error, _) = error_of("a/b", "params = { workers = [1], chunks = [1], items = [1] }");
    assert!(
        error.contains("name \"a/b\"") && error.contains("run folder"),
        "{error}"
    );
}
