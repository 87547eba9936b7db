//! The description of one workload process: what the executor spawns. Plain data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// In a variant's runtime arguments, the language's build-artifacts folder (where build steps
/// put archives such as a CDS archive or a startup snapshot), replaced by the runner at launch.
pub const ARTIFACTS_PLACEHOLDER: &str = "{artifacts}";

/// What the harness asks a runner to launch.
#[derive(Debug, Clone)]
pub struct LaunchRequest {
    pub workload: String,
    pub model: String,
    /// Workload parameters, passed as `key=value` arguments.
    pub params: BTreeMap<String, u64>,
    /// Runtime knobs that are not parameters (e.g. `GOMAXPROCS`), set as environment variables.
    pub env: BTreeMap<String, String>,
    /// Flags for the runtime itself, placed before the entry point (JVM flags, `node --jitless`).
    pub runtime_args: Vec<String>,
}

impl LaunchRequest {
    /// The protocol's argument tail: `<workload> <model> k=v ...`.
    pub fn protocol_args(&self) -> Vec<String> {
        let mut args = vec![self.workload.clone(), self.model.clone()];
        args.extend(self.params.iter().map(|(k, v)| format!("{k}={v}")));
        args
    }

    /// The runtime arguments with `{artifacts}` resolved to `artifacts`, and the files they
    /// name under it (the archives this launch depends on). A log the runtime writes there
    /// (`-Xlog:...:file=`) is an output, not an archive.
    pub fn resolved_runtime_args(&self, artifacts: &Path) -> (Vec<String>, Vec<PathBuf>) {
        let dir = artifacts.display().to_string();
        let mut files = Vec::new();
        let args = self
            .runtime_args
            .iter()
            .map(|arg| {
                if arg.starts_with("-Xlog:") {
                    return arg.replace(ARTIFACTS_PLACEHOLDER, &dir);
                }
                if let Some(at) = arg.find(ARTIFACTS_PLACEHOLDER) {
                    let path = &arg[at..];
                    files.push(PathBuf::from(path.replacen(ARTIFACTS_PLACEHOLDER, &dir, 1)));
                }
                arg.replace(ARTIFACTS_PLACEHOLDER, &dir)
            })
            .collect();
        (args, files)
    }
}

/// A fully described process: program, arguments, environment additions, working directory.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LaunchSpec {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub cwd: PathBuf,
    /// What of the project this process runs (binary, jar and archives, or source folders):
    /// their size on disk is the case's artifact size. The runtime itself is not included.
    pub artifacts: Vec<PathBuf>,
}

/// Bytes on disk of `paths` (folders walked, build caches such as `__pycache__` skipped);
/// None when one of them is missing.
pub fn artifact_bytes(paths: &[PathBuf]) -> Option<u64> {
    fn walk(path: &Path) -> Option<u64> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_dir() {
            return Some(meta.len());
        }
        let mut total = 0;
        for entry in std::fs::read_dir(path).ok()? {
            let entry = entry.ok()?.path();
            let name = entry.file_name().unwrap_or_default().to_string_lossy();
            if matches!(name.as_ref(), "__pycache__" | "node_modules" | "test" | "tests") {
                continue;
            }
            total += walk(&entry)?;
        }
        Some(total)
    }
    paths.iter().map(|p| walk(p)).sum()
}
