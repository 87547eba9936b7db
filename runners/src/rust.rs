//! Rust runner: builds the workloads crate (`workloads/rust`, its own lockfile and release
//! profile) with cargo, and launches the compiled binary directly.

use std::path::PathBuf;
use std::process::Command;

use crate::build::{build_once, source_hash, BuildOutcome};
use crate::probe;
use crate::{Detection, Language, LaunchRequest, LaunchSpec, Runner, Toolchain, Workspace};

pub struct RustRunner;

const BINARY: &str = "arena-rust";
const INSTALL: &str =
    "rustup (https://rustup.rs) or `apt-get install cargo`; or point ARENA_CARGO at a cargo binary";

impl Runner for RustRunner {
    fn language(&self) -> Language {
        Language::Rust
    }

    fn detect(&self, _ws: &Workspace) -> Detection {
        let cargo = probe::candidate("ARENA_CARGO", "cargo");
        let Some(cargo) = cargo else {
            return missing("no cargo on PATH");
        };
        let rustc = cargo.with_file_name("rustc");
        let rustc = if probe::is_executable(&rustc) {
            rustc
        } else {
            PathBuf::from("rustc")
        };
        let (rustc_version, sysroot) = match (
            probe::run(&rustc, &["--version"]),
            probe::run(&rustc, &["--print", "sysroot"]),
        ) {
            (Ok(version), Ok(sysroot)) => (version, sysroot),
            (Err(broken), _) | (_, Err(broken)) => return broken,
        };
        let version = rustc_version
            .split_whitespace()
            .nth(1)
            .unwrap_or("unknown")
            .to_string();
        // rustup's `cargo` is a proxy; the toolchain's own cargo sits beside its rustc.
        let toolchain_cargo = PathBuf::from(&sysroot).join("bin").join("cargo");
        let cargo = if probe::is_executable(&toolchain_cargo) {
            toolchain_cargo
        } else {
            cargo
        };
        Detection::Found(Toolchain {
            language: Language::Rust,
            executable: probe::real_path(&PathBuf::from(&sysroot).join("bin").join("rustc")),
            version,
            details: vec![
                ("rustc".into(), rustc_version),
                ("cargo".into(), cargo.display().to_string()),
            ],
        })
    }

    fn build(&self, tc: &Toolchain, ws: &Workspace) -> anyhow::Result<BuildOutcome> {
        let sources = ws.sources(Language::Rust);
        let hash = source_hash(&sources, &tc.version)?;
        let cargo = tc
            .details
            .iter()
            .find(|(k, _)| k == "cargo")
            .map(|(_, v)| PathBuf::from(v))
            .unwrap_or_else(|| PathBuf::from("cargo"));
        build_once(&ws.artifacts(Language::Rust), &hash, || {
            let mut cmd = Command::new(cargo);
            cmd.args(["build", "--release", "--locked", "--manifest-path"])
                .arg(sources.join("Cargo.toml"))
                .arg("--target-dir")
                .arg(ws.artifacts(Language::Rust));
            cmd
        })
    }

    fn launch(&self, _tc: &Toolchain, ws: &Workspace, req: &LaunchRequest) -> LaunchSpec {
        let binary = ws.artifacts(Language::Rust).join("release").join(BINARY);
        LaunchSpec {
            program: binary.clone(),
            args: req.protocol_args(),
            env: req.env.clone(),
            cwd: ws.root.clone(),
            artifacts: vec![binary],
        }
    }
}

fn missing(problem: &str) -> Detection {
    Detection::Missing {
        problem: problem.into(),
        install_hint: INSTALL.into(),
    }
}
