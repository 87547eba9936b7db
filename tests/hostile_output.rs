//! A workload's output is shown, never obeyed: summary.md (which CI appends to the job summary,
//! where HTML renders) carries no raw HTML or terminal control sequence from a reason, the
//! environment or a toolchain's version.

mod common;

use arena_harness::plan::catalog::Catalog;
use arena_harness::present::markdown;
use arena_harness::workloads::registry::REGISTRY;
use common::*;

const HOSTILE: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>\u{1b}[2J";

#[test]
fn summary_md_escapes_html_and_control_characters_from_workloads() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut record) = measured_fixture_run(dir.path());
    record.environment.cpu_model = HOSTILE.into();
    record.environment.kernel = HOSTILE.into();
    for toolchain in &mut record.environment.toolchains {
        toolchain.version = Some(HOSTILE.into());
    }
    let crash = record.cases.iter_mut().find(|c| c.model == "crash").unwrap();
    crash.reason = Some(format!("exited with code 1; stderr ends: {HOSTILE}"));
    let catalog = Catalog::load(&repo_root()).unwrap();
    let report = REGISTRY.report(&record, &catalog, &[]).unwrap();
    let md = markdown::summary(&report);
    assert!(!md.contains("<script") && !md.contains("<img"), "{md}");
    assert!(!md.contains('\u{1b}'), "no escape character: {md:?}");
    assert!(
        md.contains("&lt;script&gt;alert('x')&lt;/script&gt;"),
        "shown as text: {md}"
    );
}
