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
