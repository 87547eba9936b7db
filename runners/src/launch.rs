//! The description of one workload process: what the executor spawns. Plain data.

use std::collections::BTreeMap;
use std::path::PathBuf;

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
}

/// A fully described process: program, arguments, environment additions, working directory.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchSpec {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub cwd: PathBuf,
}
