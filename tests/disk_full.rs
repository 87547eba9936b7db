//! A report that cannot be written (a full disk) names the file, does not stop the other
//! reports, and says where the measurements are and how to write the reports again. /dev/full
//! stands in for the full disk: every write to it fails with ENOSPC.

mod common;

use std::process::Command;

use common::*;

#[test]
fn a_full_disk_names_the_file_keeps_the_other_reports_and_says_arena_report() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("SKIPPED: no /dev/full");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = measured_fixture_run(dir.path());
    let run = store.dir().to_path_buf();
    let summary = run.join("summary.md");
    let _ = std::fs::remove_file(&summary);
    std::os::unix::fs::symlink("/dev/full", &summary).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_arena"))
        .arg("--root")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .arg("report")
        .arg(&run)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&summary.display().to_string()),
        "names the file: {stderr}"
    );
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(
        stderr.contains(&format!("arena report {}", run.display())),
        "says what to do: {stderr}"
    );
    assert!(
        run.join("report.html").is_file(),
        "the HTML report is still written: {stderr}"
    );
}
