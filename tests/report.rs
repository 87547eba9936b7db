//! The HTML report escapes every string that comes from a workload, an error or the
//! environment; `arena cite` gives a figure with its interval and provenance, or an error that
//! lists what exists.

mod common;

use arena_harness::catalog::Catalog;
use arena_harness::{cite, report_html};
use arena_results::RunRecord;
use common::*;

const HOSTILE: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>";

fn measured_record() -> RunRecord {
    let dir = tempfile::tempdir().unwrap();
    measured_fixture_run(dir.path()).1
}

#[test]
fn hostile_strings_are_escaped_in_the_html() {
    let mut record = measured_record();
    record.environment.cpu_model = HOSTILE.into();
    record.environment.kernel = HOSTILE.into();
    record.harness.command_line = vec![HOSTILE.into()];
    let crash = record.cases.iter_mut().find(|c| c.model == "crash").unwrap();
    crash.reason = Some(HOSTILE.into());
    crash.launch.env.insert("X".into(), HOSTILE.into());
    let html =
        report_html::render(&record, &Catalog::builtin(), std::path::Path::new("/nonexistent")).into_string();
    assert!(!html.contains("<script"), "no script element may appear");
    assert!(!html.contains("<img src=x"), "no injected element may appear");
    assert!(html.contains("&lt;script&gt;"), "the text is shown, escaped");
    assert!(html.contains("id=\"claims\"") && html.contains("id=\"provenance\""));
}

#[test]
fn cite_gives_value_interval_and_provenance() {
    let record = measured_record();
    let text = cite::cite(&record, "fixture/ok", "wall_ns").unwrap();
    for part in ["wall_ns", "interval", "median of 3", "run fixtures", "Method:"] {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
    let err = cite::cite(&record, "fixture/ok", "speed")
        .unwrap_err()
        .to_string();
    assert!(err.contains("METRIC") && err.contains("wall_ns"), "{err}");
    let err = cite::cite(&record, "fixture", "wall_ns").unwrap_err().to_string();
    assert!(err.contains("matches 2 cases"), "{err}");
    let err = cite::cite(&record, "fixture/crash", "wall_ns")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no figures"), "{err}");
}
