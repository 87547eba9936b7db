//! The command line reads the repository it is pointed at: `--root` changes the catalogue, the
//! suites and the claims that are read (nothing is compiled in), and a bad root or suite is a
//! clear error naming the flag.

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

/// `arena noise` end to end on its Rust case (about 7 s here): a normal run folder whose
/// reports show the noise floor and the interference of every repetition. Skipped when the
/// Rust workloads are not built (building them is the languages tests' job, and slow).
#[test]
fn noise_writes_a_run_folder_with_its_noise_floor() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = repo.join("target/workloads/rust/release/arena-rust");
    if !binary.is_file() {
        assert!(std::env::var("CI").is_err(), "CI builds the Rust workloads first");
        eprintln!(
            "SKIPPED: {} is not built (run `arena verify --lang rust` once)",
            binary.display()
        );
        return;
    }
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
