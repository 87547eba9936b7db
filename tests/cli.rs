//! The command line reads the repository it is pointed at: `--root` changes the catalogue, the
//! suites and the claims that are read (nothing is compiled in), and a bad root or suite is a
//! clear error naming the flag; `arena noise` and `arena run --shard` with `arena merge` work
//! end to end.

mod common;

use std::path::Path;
use std::process::Command;

fn arena(root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_arena"));
    cmd.arg("--root").arg(root);
    cmd
}

/// A copy of the files `arena` reads from a root, with `edit` applied to the catalogue.
fn root_copy(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for folder in ["workloads", "harness/suites", "harness/claims"] {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
    }
    let catalog = std::fs::read_to_string(repo.join("workloads/catalog.toml")).unwrap();
    std::fs::write(dir.path().join("workloads/catalog.toml"), edit(catalog)).unwrap();
    std::fs::copy(
        repo.join("harness/claims/claims.toml"),
        dir.path().join("harness/claims/claims.toml"),
    )
    .unwrap();
    std::fs::copy(
        repo.join("harness/suites/smoke.toml"),
        dir.path().join("harness/suites/only-here.toml"),
    )
    .unwrap();
    dir
}

#[test]
fn root_changes_the_catalogue_and_suites_that_are_read() {
    let root = root_copy(|c| c.replacen("summary = \"", "summary = \"READ FROM THE ROOT: ", 1));
    let out = arena(root.path()).arg("list").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("READ FROM THE ROOT: "), "{stdout}");

    let out = arena(root.path())
        .args(["run", "--suite", "quick"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("--suite") && stderr.contains("only-here"),
        "suites come from the root: {stderr}"
    );
}

#[test]
fn a_catalogue_the_modules_do_not_know_is_refused_at_start_up() {
    let root = root_copy(|c| c.replacen("id = \"", "id = \"renamed-", 1));
    let out = arena(root.path()).arg("list").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("renamed-") && stderr.contains("no module"),
        "{stderr}"
    );

    let out = arena(Path::new("/nonexistent")).arg("list").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--root"), "{stderr}");
}

#[test]
fn noise_has_help_and_refuses_too_few_repetitions() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = arena(repo).args(["noise", "--help"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("--repetitions") && stdout.contains("A/A"),
        "{stdout}"
    );

    for bad in ["0", "9"] {
        let out = arena(repo)
            .args(["noise", "--repetitions", bad, "--out"])
            .arg(std::env::temp_dir())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{stderr}");
        assert!(
            stderr.contains(&format!("--repetitions {bad}")) && stderr.contains("at least 10"),
            "{stderr}"
        );
    }
}

/// `arena noise` end to end on its Rust case (about 7 s here once the Rust workloads are
/// built; the run builds them first on a fresh clone): a normal run folder whose reports show
/// the noise floor and the interference of every repetition.
#[test]
fn noise_writes_a_run_folder_with_its_noise_floor() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = tempfile::tempdir().unwrap();
    let out = arena(repo)
        .args([
            "noise",
            "--lang",
            "rust",
            "--repetitions",
            "10",
            "--seed",
            "1",
            "--out",
        ])
        .arg(out_dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("noise floor (A/A"), "{stdout}");
    assert!(stdout.contains("resolvable ±"), "{stdout}");
    let run = std::fs::read_dir(out_dir.path())
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let summary = std::fs::read_to_string(run.join("summary.md")).unwrap();
    assert!(
        summary.contains("## Noise floor") && summary.contains("## Interference"),
        "{summary}"
    );
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.contains("id=\"noise-floor\"") && html.contains("id=\"interference\""));
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("results.json")).unwrap()).unwrap();
    let reps = record["cases"][0]["repetitions"].as_array().unwrap();
    assert_eq!(reps.len(), 10);
    for rep in reps {
        let i = &rep["interference"];
        assert!(i["hiccup_count"].as_u64().unwrap() > 10, "{i}");
        assert!(i["steal_fraction"].as_f64().unwrap() >= 0.0, "{i}");
    }
}

/// `arena run --shard K/N` then `arena merge`: the merged run holds exactly the cases of the
/// unsharded selection, each shard's machine, figures derived again, and a report that says
/// which shard measured what. A case measured twice is refused. Then `arena compare` on copies
/// of a shard: a doubled wall time is a regression (exit 1), a run against itself is not.
#[test]
fn shards_run_apart_and_merge_into_the_whole_selection() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runs = tempfile::tempdir().unwrap();
    let selection = [
        "--suite",
        "smoke",
        "--workload",
        "cpu-scale,sleep-tasks",
        "--lang",
        "rust",
    ];
    let mut shard_dirs = Vec::new();
    for shard in ["1/2", "2/2"] {
        let out_dir = runs.path().join(shard.replace('/', "-of-"));
        let out = arena(repo)
            .arg("run")
            .args(selection)
            .args(["--shard", shard, "--seed", "3", "--no-charts", "--out"])
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let run = std::fs::read_dir(&out_dir)
            .unwrap()
            .flatten()
            .next()
            .unwrap()
            .path();
        shard_dirs.push(run);
    }
    let merged_dir = runs.path().join("merged");
    let out = arena(repo)
        .arg("merge")
        .args(&shard_dirs)
        .args(["--no-charts", "--out"])
        .arg(&merged_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read = |dir: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap()
    };
    let merged = read(&merged_dir);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        let mut ids: Vec<String> = v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["case_id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let mut union: Vec<String> = shard_dirs.iter().flat_map(|d| ids(&read(d))).collect();
    union.sort();
    assert_eq!(ids(&merged), union);
    // Every variant of the selection is there (the plan-level test proves the split on quick).
    let variants: usize = ids(&merged)
        .iter()
        .map(|id| id.split('/').take(3).collect::<Vec<_>>().join("/"))
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert_eq!(
        variants, 4,
        "cpu-scale and sleep-tasks have two Rust variants each"
    );
    assert_eq!(merged["merged_from"].as_array().unwrap().len(), 2);
    assert!(merged["derived"]["cpu-scale"].is_array() && merged["derived"]["sleep-tasks"].is_array());
    assert!(
        common::schema_errors(&merged).is_empty(),
        "{:?}",
        common::schema_errors(&merged)
    );
    let summary = std::fs::read_to_string(merged_dir.join("summary.md")).unwrap();
    assert!(summary.contains("Shards"), "{summary}");

    let twice = arena(repo)
        .arg("merge")
        .args([&shard_dirs[0], &shard_dirs[0]])
        .arg("--out")
        .arg(runs.path().join("twice"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&twice.stderr);
    assert!(
        !twice.status.success() && stderr.contains("measured by one shard only"),
        "{stderr}"
    );

    // `arena compare`: each case's repetitions doubled to 6 (smoke's 3 are too few for a test),
    // then the first case of NEW ten times as slow in wall and CPU time (the primary figure):
    // exactly that one regressed, exit code 1; BASE against itself: nothing, exit code 0.
    let six = |scale: u64| -> serde_json::Value {
        let mut record = read(&shard_dirs[0]);
        for (c, case) in record["cases"].as_array_mut().unwrap().iter_mut().enumerate() {
            let reps = case["repetitions"].as_array_mut().unwrap();
            let copies: Vec<serde_json::Value> = reps.clone();
            reps.extend(copies);
            for (i, rep) in reps.iter_mut().enumerate() {
                let wall = rep["wall_ns"].as_u64().unwrap();
                let factor = if c == 0 { scale } else { 1 };
                // Distinct values, so that the ranks are not all ties.
                rep["wall_ns"] = (wall * factor + i as u64 * 1000).into();
                for field in ["user_cpu_ns", "sys_cpu_ns"] {
                    let cpu = rep[field].as_u64().unwrap();
                    rep[field] = (cpu * factor + i as u64 * 1000).into();
                }
            }
        }
        record
    };
    let slowed = read(&shard_dirs[0])["cases"][0]["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    let write = |name: &str, record: &serde_json::Value| {
        let dir = runs.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("results.json"), serde_json::to_vec(record).unwrap()).unwrap();
        dir
    };
    let (base, slow) = (write("base", &six(1)), write("slow", &six(10)));
    let compare = |new: &Path| arena(repo).arg("compare").arg(&base).arg(new).output().unwrap();
    let regressed = compare(&slow);
    let text = String::from_utf8_lossy(&regressed.stdout);
    assert_eq!(regressed.status.code(), Some(1), "{text}");
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("**regressed**")).collect();
    assert_eq!(rows.len(), 1, "{text}");
    assert!(rows[0].starts_with(&format!("| {slowed} |")), "{text}");
    let same = compare(&base);
    let text = String::from_utf8_lossy(&same.stdout);
    assert_eq!(same.status.code(), Some(0), "{text}");
    assert!(text.contains("0 regressed"), "{text}");
}
