//! Per-language end-to-end tests through the `arena` binary: every implementation of every
//! workload passes `arena verify` (protocol, checksum, invariants), and a smoke run writes a
//! results.json that validates against the committed schema, with charts and a summary.
//! A missing toolchain skips its language here, except in CI (CI=true), where it fails.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use common::{check_in_chromium, in_ci};

use arena_harness::analyse::claims::{self, Verdict, NOT_YET};
use arena_harness::plan::catalog::Catalog;
use arena_harness::workloads::cpu_scale;
use arena_harness::workloads::http_io::figures::HttpIoFigures;
use arena_harness::workloads::http_io::present::{MEMORY_CHART, P50_CHART};
use arena_harness::workloads::loop_blocking::figures::LoopBlockingFigures;
use arena_harness::workloads::registry::REGISTRY;
use arena_harness::workloads::sleep_tasks::MEMORY_CHART as SLEEP_CHART;

/// One at a time: these tests time real processes on a small machine.
static SERIAL: Mutex<()> = Mutex::new(());

fn arena() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_arena"));
    cmd.arg("--root").arg(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Whether `arena doctor --json` finds the language; in CI a missing one fails the test.
fn toolchain_found(language: &str) -> bool {
    let entry = doctor_entry(language);
    let found = entry["found"].as_bool().unwrap();
    if !found {
        assert!(
            !in_ci(),
            "CI requires the {language} toolchain: {}",
            entry["problem"]
        );
        eprintln!("SKIPPED {language}: toolchain missing: {}", entry["problem"]);
    }
    found
}

/// The language's entry in `arena doctor --json`.
fn doctor_entry(language: &str) -> serde_json::Value {
    let out = arena().args(["doctor", "--json"]).output().unwrap();
    let doctor: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doctor["toolchains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["language"] == language)
        .unwrap()
        .clone()
}

/// The workloads' own unit tests, in each language's test runner, run from the language's
/// folder. Java's run under Maven on the JDK and Maven that `arena doctor` chose, into a build
/// folder of their own (the harness's build output stays as the runner left it).
fn own_tests(language: &str) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !toolchain_found(language) {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let java = (language == "java").then(|| doctor_entry("java")["details"].clone());
    let detail = |key: &str| {
        java.as_ref()
            .and_then(|d| d[key].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let (java_home, maven) = (detail("java_home"), detail("maven"));
    let (folder, program, args): (&str, &str, Vec<String>) = match language {
        "python" => (
            "workloads/python",
            "python3",
            vec![
                "-m".into(),
                "unittest".into(),
                "discover".into(),
                "-s".into(),
                "tests".into(),
            ],
        ),
        // The test files by name: Node >= 22 reads `--test test/` as a module path
        // (MODULE_NOT_FOUND), Node 20 expands no globs, and no shell runs here.
        "node" => (
            "workloads/node",
            "node",
            node_test_args(&root.join("workloads/node/test")),
        ),
        "go" => ("workloads/go", "go", vec!["test".into(), "./...".into()]),
        "rust" => (
            "workloads/rust",
            "cargo",
            vec![
                "test".into(),
                "--release".into(),
                "--target-dir".into(),
                root.join("target/workloads/rust").display().to_string(),
            ],
        ),
        "java" => {
            let build = root.join("target/workloads/java-tests");
            (
                "workloads/java",
                maven.as_str(),
                vec![
                    "-B".into(),
                    "-q".into(),
                    format!("-Darena.buildDirectory={}", build.display()),
                    "test".into(),
                ],
            )
        }
        other => panic!("no unit tests for {other}"),
    };
    let mut command = Command::new(program);
    if language == "java" {
        command.env("JAVA_HOME", &java_home);
    }
    let out = command
        .args(&args)
        .current_dir(root.join(folder))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{language} workload unit tests failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn node_test_args(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.ends_with(".test.js"))
        .map(|name| format!("test/{name}"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no Node test files in {}", dir.display());
    std::iter::once("--test".to_string()).chain(files).collect()
}

macro_rules! own_tests {
    ($($name:ident => $language:literal),* $(,)?) => {
        $(#[test] fn $name() { own_tests($language); })*
    };
}

own_tests! {
    unit_tests_python => "python",
    unit_tests_node => "node",
    unit_tests_go => "go",
    unit_tests_java => "java",
    unit_tests_rust => "rust",
}

/// Every workload the harness implements; each language implements all of them.
fn workloads() -> Vec<&'static str> {
    REGISTRY.all().iter().map(|w| w.id()).collect()
}

fn verify_language(language: &str) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !toolchain_found(language) {
        return;
    }
    let out = arena().args(["verify", "--lang", language]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "arena verify --lang {language} failed:\n{stdout}\n{stderr}"
    );
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| workloads().iter().any(|w| l.starts_with(w)))
        .collect();
    for workload in workloads() {
        assert!(
            lines.iter().any(|l| l.starts_with(workload)),
            "{language} has no {workload}:\n{stdout}"
        );
    }
    assert!(lines.iter().all(|l| l.ends_with(" ok")), "{language}:\n{stdout}");
}

macro_rules! verify_tests {
    ($($name:ident => $language:literal),* $(,)?) => {
        $(#[test] fn $name() { verify_language($language); })*
    };
}

verify_tests! {
    verify_python => "python",
    verify_node => "node",
    verify_go => "go",
    verify_java => "java",
    verify_rust => "rust",
}

#[test]
fn smoke_run_writes_valid_results_charts_and_summary() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let out_dir = tempfile::tempdir().unwrap();
    let out = arena()
        .args(["run", "--suite", "smoke", "--seed", "11", "--out"])
        .arg(out_dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "arena run --suite smoke failed:\n{stdout}\n{stderr}"
    );
    let run_dir: PathBuf = std::fs::read_dir(out_dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(common::schema_errors(&results), Vec::<String>::new());
    assert_eq!(results["complete"], true);

    let mut measured_languages = std::collections::BTreeSet::new();
    for case in results["cases"].as_array().unwrap() {
        let status = case["status"].as_str().unwrap();
        match status {
            "ok" => {
                measured_languages.insert(case["language"].as_str().unwrap().to_string());
                assert_eq!(
                    case["repetitions"].as_array().unwrap().len() as u64,
                    case["repetitions_planned"].as_u64().unwrap()
                );
                assert!(case["summary"]["wall_ns"]["median"].as_f64().unwrap() > 0.0);
            }
            "skipped" if !in_ci() => eprintln!("skipped: {}", case["reason"]),
            _ => panic!("case {} is {status}: {}", case["case_id"], case["reason"]),
        }
    }
    if in_ci() {
        assert_eq!(
            measured_languages.len(),
            5,
            "CI measures all five languages: {measured_languages:?}"
        );
    }
    let record: arena_results::RunRecord = serde_json::from_value(results.clone()).unwrap();
    // What ran is read from the results, not assumed: smoke names every workload.
    let ran: BTreeSet<&str> = record.cases.iter().map(|c| c.workload.as_str()).collect();
    assert_eq!(
        ran,
        workloads().into_iter().collect(),
        "smoke runs every workload"
    );
    let summary = std::fs::read_to_string(run_dir.join("summary.md")).unwrap();
    let report = run_dir.join("report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    // Every chart and table of every workload's section is written, whatever the workload:
    // charts as files and in the HTML, tables in both reports. Smoke's short steps have too few
    // samples for a p99, so the p50 chart stands for the latency charts in the fixed list.
    let catalog = Catalog::load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let claims = claims::load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let model = REGISTRY.report(&record, &catalog, &claims).unwrap();
    let charts: BTreeSet<&str> = model.charts().map(|c| c.id).collect();
    for chart in [cpu_scale::SPEEDUP_CHART, SLEEP_CHART, P50_CHART, MEMORY_CHART] {
        assert!(charts.contains(chart), "{chart} is not in the report: {charts:?}");
    }
    for chart in &charts {
        for ext in ["svg", "png"] {
            let path = run_dir.join("charts").join(format!("{chart}.{ext}"));
            assert!(
                path.metadata().map(|m| m.len() > 1000).unwrap_or(false),
                "{} missing or empty",
                path.display()
            );
        }
        assert!(
            html.contains(&format!("id=\"chart-{chart}\"")),
            "report.html lacks {chart}"
        );
    }
    for section in &model.sections {
        assert!(!section.tables.is_empty(), "{} has no table", section.workload);
        for table in &section.tables {
            assert!(
                summary.contains(&format!("## {}: {}", section.workload, table.title)),
                "{}",
                table.title
            );
        }
    }
    for workload in &ran {
        assert!(summary.contains(&format!("## {workload}")), "{summary}");
        assert!(
            html.contains(&format!("id=\"{workload}\"")),
            "report.html has no {workload}"
        );
        assert!(
            record.derived.contains_key(*workload),
            "no derived figures for {workload}"
        );
    }
    // Every module names its headline figures for the trend page from these figures; smoke's
    // sizes leave some optional ones (a capacity, a steady state) empty, never all of them.
    let headlines: usize = REGISTRY
        .all()
        .iter()
        .map(|w| w.headlines(&record.derived[w.id()]).unwrap().len())
        .sum();
    assert!(
        headlines >= ran.len(),
        "{headlines} headline figures for {} workloads",
        ran.len()
    );
    for section in ["claims", "provenance"] {
        assert!(
            html.contains(&format!("id=\"{section}\"")),
            "report.html has no {section}"
        );
    }
    // The server figures are derived from the recorded steps, with smoke's own knobs: one set
    // per variant that succeeded.
    let ok_variants = |workload: &str| {
        record
            .cases
            .iter()
            .filter(|c| c.workload == workload && c.status == arena_results::CaseStatus::Ok)
            .count()
    };
    let http: Vec<HttpIoFigures> = serde_json::from_value(record.derived["http-io"].clone()).unwrap();
    assert_eq!(http.len(), ok_variants("http-io"));
    assert!(!http.is_empty(), "no http-io variant succeeded");
    for figures in &http {
        assert_eq!(
            figures.sweep_delay_ms,
            Some(10.0),
            "{}: smoke's sweep_delay_ms",
            figures.variant
        );
        assert_eq!(
            figures.idle_points.len(),
            2,
            "{}: C = 10 and 100",
            figures.variant
        );
        assert!(figures.io_capacity_per_s.is_some(), "{}", figures.variant);
    }
    let blocking: Vec<LoopBlockingFigures> =
        serde_json::from_value(record.derived["loop-blocking"].clone()).unwrap();
    assert_eq!(blocking.len(), ok_variants("loop-blocking"));
    assert!(!blocking.is_empty(), "no loop-blocking variant succeeded");
    for figures in &blocking {
        assert!(figures.cpu_ms_median.is_some(), "{}: calibrated", figures.variant);
        assert_eq!(
            figures.points.len(),
            2,
            "{}: /cpu at 0 and 20 per s",
            figures.variant
        );
    }
    assert!(
        summary.contains("latency vs offered load on /io (10 ms wait)"),
        "{summary}"
    );
    // A claim is "not measured" exactly when its workload did not run or does not exist yet.
    let judged = REGISTRY.judge_claims(&claims, &record);
    assert_eq!(judged.len(), claims.len());
    for judged in judged {
        let expect_measured = judged.claim.kind != NOT_YET && ran.contains(judged.claim.workload.as_str());
        let measured = judged.verdict != Verdict::NotMeasured;
        assert_eq!(
            expect_measured, measured,
            "claim {}: {:?} {:?}",
            judged.claim.id, judged.verdict, judged.evidence
        );
    }
    open_in_chromium(&report, &run_dir.join("report.png"));
}

/// Opens the report in headless Chromium (`common::check_in_chromium`) and keeps a copy.
fn open_in_chromium(report: &Path, screenshot: &Path) {
    let Some(verdict) = check_in_chromium(report, screenshot) else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // cpu-scale, sleep-tasks, http-io p50 and memory (smoke has too few samples for p99 charts).
    assert!(verdict["charts"].as_array().unwrap().len() >= 4, "{verdict}");
    assert!(
        screenshot.metadata().map(|m| m.len() > 10_000).unwrap_or(false),
        "screenshot saved"
    );
    // Keep a copy where a person (or CI) can look at it.
    let keep = root.join("target/report-check");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::copy(screenshot, keep.join("report.png")).unwrap();
    std::fs::copy(report, keep.join("report.html")).unwrap();
}
