//! The CI publish path run here, where GitHub is not: two smoke shards per "commit", twice,
//! through scripts/publish-site (the script the workflow runs): a merged latest run, a history
//! of two runs, a trend page drawn from it (with every claim's verdict per run) and opened in
//! headless Chromium like the report; the claims stored in results.json and printed by
//! `arena claims`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn arena() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_arena"));
    cmd.arg("--root").arg(repo());
    cmd
}

/// Two shards of smoke's Rust cpu-scale and sleep-tasks cases into `dir` (a shard keeps a whole
/// workload, so two shards need two workloads).
fn sharded_run(dir: &Path, seed: &str) {
    for shard in ["1/2", "2/2"] {
        let out = arena()
            .args([
                "run",
                "--suite",
                "smoke",
                "--workload",
                "cpu-scale,sleep-tasks",
                "--lang",
                "rust",
            ])
            .args(["--shard", shard, "--seed", seed, "--no-charts", "--out"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

fn publish(shards: &Path, site: &Path, history: &Path, name: &str) {
    let out = Command::new(repo().join("scripts/publish-site"))
        .args([shards, site, history])
        .arg(name)
        .env("ARENA", env!("CARGO_BIN_EXE_arena"))
        .env("ARENA_ROOT", repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn shards_merge_publish_and_draw_a_trend_of_two_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let (site, history) = (tmp.path().join("site"), tmp.path().join("history"));
    for (commit, seed) in [("commit-1", "1"), ("commit-2", "2")] {
        let shards: PathBuf = tmp.path().join(format!("shards-{commit}"));
        sharded_run(&shards, seed);
        publish(&shards, &site, &history, commit);
    }
    let latest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("latest/results.json")).unwrap()).unwrap();
    assert_eq!(latest["merged_from"].as_array().unwrap().len(), 2);
    assert!(latest["derived"]["cpu-scale"].is_array());
    for file in [
        "latest/report.html",
        "latest/summary.md",
        "index.html",
        "history/commit-1/results.json",
        "history/commit-2/results.json",
    ] {
        assert!(site.join(file).is_file(), "{file} published");
    }
    let trend = std::fs::read_to_string(site.join("trend.html")).unwrap();
    assert!(
        trend.contains("id=\"chart-trend-cpu-scale\""),
        "a cpu-scale trend chart"
    );
    assert!(
        trend.contains("id=\"chart-trend-cpu-scale-speedup-at-the-most-workers\""),
        "the headline speedup across runs"
    );
    assert!(trend.contains("#2: "), "two runs on the chart's lines");
    assert!(
        trend.contains("commit-1") && trend.contains("commit-2"),
        "each run named by its commit"
    );
    // Verdicts are data: stored in results.json, printed by `arena claims`, and one row per
    // claim on the trend page.
    let claims = latest["claims"].as_array().expect("results.json has the claims");
    let scale = claims
        .iter()
        .find(|c| c["claim_id"] == "compiled-scale")
        .expect("compiled-scale judged");
    assert!(
        scale["verdict"].is_string() && scale["family_level"] == 0.95,
        "{scale}"
    );
    assert!(trend.contains("Claims: the verdict in each run") && trend.contains("compiled-scale"));
    let out = arena()
        .args(["claims", "--json"])
        .arg(site.join("latest"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed.len(), claims.len(), "the same claims as results.json");
    let table = arena().arg("claims").arg(site.join("latest")).output().unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("| compiled-scale | cpu-scale |"), "{table}");
    // The same name twice is refused rather than overwritten.
    let again = Command::new(repo().join("scripts/publish-site"))
        .args([tmp.path().join("shards-commit-1"), site.clone(), history.clone()])
        .arg("commit-1")
        .env("ARENA", env!("CARGO_BIN_EXE_arena"))
        .output()
        .unwrap();
    assert!(!again.status.success());

    let screenshot = tmp.path().join("trend.png");
    if common::check_in_chromium(&site.join("trend.html"), &screenshot).is_none() {
        return;
    }
    let keep = repo().join("target/report-check");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::copy(&screenshot, keep.join("trend.png")).unwrap();
}
