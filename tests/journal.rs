//! The run folder survives its harness: `arena run` killed with SIGKILL in the middle loses
//! nothing its journal holds, and `--resume` (from the folder's own plan, with the suite file
//! edited meanwhile) ends with the same cases, statuses, repetitions and order as an
//! uninterrupted run of the same seed. A second harness on a folder in use fails at once naming
//! the holder; a resume of a finished run leaves its provenance alone; a results.json of a newer
//! schema is refused by every command that reads a run, and left as it was.
//! The suite: Rust's cpu-scale at smoke size, 4 cases × 6 repetitions of a few ms each.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SUITE: &str = r#"
name = "journal-test"
description = "four fast Rust cases, six repetitions each"
repetitions = 6

[workloads.cpu-scale]
timeout_s = 30
params = { workers = [1, 2], chunks = [4], items = [2000] }
"#;

fn arena() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_arena"));
    cmd.arg("--root").arg(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn run_args(suite: &Path, out: &Path) -> Vec<String> {
    [
        "run",
        "--suite",
        &suite.display().to_string(),
        "--lang",
        "rust",
        "--seed",
        "11",
        "--no-charts",
        "--out",
        &out.display().to_string(),
    ]
    .map(str::to_string)
    .to_vec()
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn only_run_folder(out: &Path) -> PathBuf {
    let runs: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs[0].clone()
}

fn read(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A case's id, status and repetition indices.
type CaseShape = (String, String, Vec<u64>);

/// Every case's shape, and the execution order.
fn shape(record: &serde_json::Value) -> (Vec<CaseShape>, Vec<String>) {
    let mut cases: Vec<CaseShape> = record["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut reps: Vec<u64> = c["repetitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["index"].as_u64().unwrap())
                .collect();
            reps.sort_unstable();
            (
                c["case_id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                reps,
            )
        })
        .collect();
    cases.sort();
    let order = record["execution_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    (cases, order)
}

fn repetition_lines(journal: &Path) -> usize {
    std::fs::read_to_string(journal)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(r#""entry":"repetition""#))
        .count()
}

#[test]
fn a_run_killed_with_sigkill_resumes_to_what_an_uninterrupted_run_measures() {
    let dir = tempfile::tempdir().unwrap();
    let (suite, suite_copy) = (dir.path().join("suite.toml"), dir.path().join("same.toml"));
    std::fs::write(&suite, SUITE).unwrap();
    std::fs::write(&suite_copy, SUITE).unwrap();

    let whole_out = dir.path().join("whole");
    ok(arena().args(run_args(&suite_copy, &whole_out)).output().unwrap());
    let whole_dir = only_run_folder(&whole_out);
    assert!(
        !whole_dir.join("journal.jsonl").exists(),
        "a finished run keeps results.json only"
    );
    let whole = read(&whole_dir.join("results.json"));
    assert!(whole["harness_time_between_repetitions_max_ns"]
        .as_u64()
        .is_some());

    let killed_out = dir.path().join("killed");
    let mut child = arena()
        .args(run_args(&suite, &killed_out))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run has journaled some repetitions, then: a second harness on the folder
    // is refused at once, naming the holder; then SIGKILL.
    let deadline = Instant::now() + Duration::from_secs(120);
    let run_dir = loop {
        let found = std::fs::read_dir(&killed_out)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .map(|e| e.path());
        if let Some(run_dir) = found.filter(|d| repetition_lines(&d.join("journal.jsonl")) >= 5) {
            break run_dir;
        }
        assert!(Instant::now() < deadline, "the run journaled nothing");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    let second = arena().arg("run").arg("--resume").arg(&run_dir).output().unwrap();
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    child.wait().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success(), "{stderr}");
    assert!(
        stderr.contains("in use by another harness") && stderr.contains(&format!("pid {}", child.id())),
        "{stderr}"
    );
    let journaled = repetition_lines(&run_dir.join("journal.jsonl"));
    assert!((5..24).contains(&journaled), "{journaled}");
    assert!(
        !run_dir.join("results.json").exists(),
        "results.json is written when the run ends"
    );

    // A line torn by the kill is ignored with a warning; an edited suite file changes nothing.
    let mut journal = std::fs::OpenOptions::new()
        .append(true)
        .open(run_dir.join("journal.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut journal, br#"{"entry":"repetition","case_id":"cpu-sc"#).unwrap();
    std::fs::write(&suite, SUITE.replace("items = [2000]", "items = [3000]")).unwrap();
    let resumed = ok(arena().arg("run").arg("--resume").arg(&run_dir).output().unwrap());
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(stderr.contains("torn"), "{stderr}");
    let resumed = read(&run_dir.join("results.json"));
    assert_eq!(
        shape(&resumed),
        shape(&whole),
        "case for case, and in the same order"
    );
    assert_eq!(resumed["complete"], true);
    let kept = resumed["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["repetitions"].as_array().unwrap().len())
        .sum::<usize>();
    assert_eq!(kept, 24);
    assert!(!run_dir.join("journal.jsonl").exists());
    assert!(!run_dir.join("results.json.tmp").exists());

    // A resume of a finished run measures nothing and rewrites no provenance.
    let provenance = |record: &serde_json::Value| -> Vec<String> {
        let mut out = vec![record["finished_at"].to_string()];
        for case in record["cases"].as_array().unwrap() {
            out.push(format!("{} {}", case["launch"]["program"], case["launch"]["cwd"]));
        }
        out
    };
    let before = provenance(&whole);
    ok(arena()
        .arg("run")
        .arg("--resume")
        .arg(&whole_dir)
        .output()
        .unwrap());
    let after = read(&whole_dir.join("results.json"));
    assert_eq!(provenance(&after), before);
    assert_eq!(shape(&after), shape(&whole));

    newer_schema_is_refused_by_every_reader(&whole_dir, dir.path());
}

/// report, cite, hgrm, compare, merge and run --resume on a results.json of a newer schema:
/// each fails naming the version needed; the file is left as it was.
fn newer_schema_is_refused_by_every_reader(run: &Path, scratch: &Path) {
    let newer = scratch.join("newer");
    std::fs::create_dir_all(&newer).unwrap();
    let mut record = read(&run.join("results.json"));
    let version = record["schema_version"].as_u64().unwrap() + 1;
    record["schema_version"] = version.into();
    record["a_field_of_the_future"] = "kept".into();
    let text = serde_json::to_string(&record).unwrap();
    std::fs::write(newer.join("results.json"), &text).unwrap();
    let case = record["cases"][0]["case_id"].as_str().unwrap().to_string();
    let newer_s = newer.display().to_string();
    let run_s = run.display().to_string();
    let merged = scratch.join("merged").display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["report", &newer_s],
        vec!["cite", &newer_s, &case, "wall_ns"],
        vec!["hgrm", &newer_s, &case, "--phase", "peak"],
        vec!["compare", &run_s, &newer_s],
        vec!["merge", &newer_s, "--out", &merged],
        vec!["run", "--resume", &newer_s],
    ];
    for args in commands {
        let out = arena().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("schema_version {version} or newer")),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(std::fs::read_to_string(newer.join("results.json")).unwrap(), text);
}

/// `arena run --dry-run` prints every case, the processes per workload and in total, with the
/// time stated as an upper bound where the suite states no measured seconds per process, an
/// estimate from them where it does, and creates no run folder.
#[test]
fn a_dry_run_prints_the_plan_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite.toml");
    std::fs::write(&suite, SUITE).unwrap();
    let out = dir.path().join("runs");
    let mut args = run_args(&suite, &out);
    args.push("--dry-run".into());
    let text = String::from_utf8(ok(arena().args(&args).output().unwrap()).stdout).unwrap();
    assert!(
        text.contains("plan of suite journal-test (seed 11): 4 cases"),
        "{text}"
    );
    assert!(
        text.contains("cpu-scale/rust/rayon/chunks=4,items=2000,workers=2 ×6"),
        "{text}"
    );
    // 4 cases × 6 processes × 30 s timeout.
    assert!(
        text.contains("cpu-scale            4        24  ≤ 720 s (upper bound"),
        "{text}"
    );
    assert!(
        text.contains("total                4        24  ≤ 720 s (upper bound)"),
        "{text}"
    );
    assert!(!out.exists(), "a dry run creates no run folder");

    // The same suite stating its measured seconds: 24 processes × 0.5 s, the rayon ones 2 s.
    let measured = SUITE.replace(
        "timeout_s = 30\n",
        "timeout_s = 30\nexpected_s_per_process = 0.5\n",
    ) + "[workloads.cpu-scale.override.\"rust/rayon\"]\nexpected_s_per_process = 2.0\n";
    std::fs::write(&suite, measured).unwrap();
    let text = String::from_utf8(ok(arena().args(&args).output().unwrap()).stdout).unwrap();
    // 12 rayon processes at 2 s, 12 others at 0.5 s.
    assert!(
        text.contains("cpu-scale            4        24  ≈ 30 s (the suite's measured seconds per process)"),
        "{text}"
    );
    assert!(
        text.contains("total                4        24  ≈ 30 s, without builds"),
        "{text}"
    );

    // --repetitions wins over the suite's per-variant repetitions too.
    let overridden = std::fs::read_to_string(&suite).unwrap()
        + "repetitions = 9\n[workloads.cpu-scale.override.\"rust/threads\"]\nrepetitions = 7\n";
    std::fs::write(&suite, overridden).unwrap();
    let with_flag: Vec<String> = args
        .iter()
        .cloned()
        .chain(["--repetitions".into(), "2".into()])
        .collect();
    let text = String::from_utf8(ok(arena().args(&with_flag).output().unwrap()).stdout).unwrap();
    assert!(
        text.contains("total                4         8  ≈ 10 s, without builds"),
        "{text}"
    );
}
