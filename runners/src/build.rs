//! Build-once bookkeeping: a stamp file holds a hash of the sources and the toolchain, and a
//! build runs again only when that hash changes. Compilers run here, never on the measured path.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// What `Runner::build` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildOutcome {
    /// Nothing to build for an interpreted language.
    NotNeeded,
    /// The stamp matched: the previous build is reused.
    UpToDate,
    Built {
        log: PathBuf,
    },
}

/// Hash of every file under `dir` (skipping build output folders) plus `toolchain_version`.
pub fn source_hash(dir: &Path, toolchain_version: &str) -> Result<String> {
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    files.sort();
    let mut hasher = blake3::Hasher::new();
    hasher.update(toolchain_version.as_bytes());
    for file in files {
        hasher.update(
            file.strip_prefix(dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update(&fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?);
    }
    Ok(hasher.finalize().to_hex().to_string())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if matches!(name.as_ref(), "target" | "node_modules" | "__pycache__" | ".git") {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Runs the command made by `build` unless `<artifacts>/build.stamp` holds `hash`; keeps the log
/// in `artifacts`. An exclusive file lock serialises concurrent builds of one language (parallel
/// tests, two runs at once); `build` runs under the lock, so it may also clean its output.
pub fn build_once(artifacts: &Path, hash: &str, build: impl FnOnce() -> Command) -> Result<BuildOutcome> {
    steps_once(artifacts, "build", hash, || vec![build()])
}

/// Like `build_once` for a named step (`<artifacts>/<name>.stamp`, `<name>.log`) made of several
/// commands run in order, stopping at the first that fails (e.g. a training run, then the
/// archive made from it).
pub fn steps_once(
    artifacts: &Path,
    name: &str,
    hash: &str,
    steps: impl FnOnce() -> Vec<Command>,
) -> Result<BuildOutcome> {
    fs::create_dir_all(artifacts).with_context(|| format!("cannot create {}", artifacts.display()))?;
    let lock = fs::File::create(artifacts.join(format!("{name}.lock")))
        .with_context(|| format!("cannot create a lock in {}", artifacts.display()))?;
    lock.lock()
        .with_context(|| format!("cannot lock {}", artifacts.display()))?;
    let stamp = artifacts.join(format!("{name}.stamp"));
    if fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == hash) {
        return Ok(BuildOutcome::UpToDate);
    }
    let _ = fs::remove_file(&stamp);
    let log = artifacts.join(format!("{name}.log"));
    let mut text = String::new();
    for mut step in steps() {
        let output = step
            .output()
            .with_context(|| format!("cannot start build command {step:?}"))?;
        text.push_str(&format!("$ {step:?}\n"));
        text.push_str(&String::from_utf8_lossy(&output.stdout));
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        fs::write(&log, &text).with_context(|| format!("cannot write {}", log.display()))?;
        if !output.status.success() {
            let tail: Vec<&str> = text.lines().rev().take(15).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            bail!(
                "build failed ({}); full log: {}\n{}",
                output.status,
                log.display(),
                tail.join("\n")
            );
        }
    }
    fs::write(&stamp, hash).with_context(|| format!("cannot write {}", stamp.display()))?;
    Ok(BuildOutcome::Built { log })
}
