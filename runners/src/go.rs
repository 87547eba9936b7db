//! Go runner: finds the Go toolchain (`$GOROOT/bin/go`), builds one static binary with
//! `go build`, and launches that binary directly — the go command is never on the measured path.

use std::path::PathBuf;
use std::process::Command;

use crate::build::{build_once, source_hash, BuildOutcome};
use crate::probe;
use crate::{Detection, Language, LaunchRequest, LaunchSpec, Runner, Toolchain, Workspace};

pub struct GoRunner;

const BINARY: &str = "arena-go";
const INSTALL: &str =
    "`apt-get install golang-go` (Debian/Ubuntu) or a Go >= 1.22 release; or point ARENA_GO at a go binary";

impl Runner for GoRunner {
    fn language(&self) -> Language {
        Language::Go
    }

    fn detect(&self, _ws: &Workspace) -> Detection {
        let candidate = probe::candidate("ARENA_GO", "go");
        let Some(candidate) = candidate else {
            return missing("no go on PATH");
        };
        let out = match probe::run(&candidate, &["env", "GOROOT", "GOVERSION"]) {
            Ok(out) => out,
            Err(broken) => return broken,
        };
        let mut lines = out.lines();
        let (Some(goroot), Some(version)) = (lines.next(), lines.next()) else {
            return missing(&format!("{} gave no version", candidate.display()));
        };
        let go = PathBuf::from(goroot).join("bin").join("go");
        Detection::Found(Toolchain {
            language: Language::Go,
            executable: probe::real_path(&go),
            version: version.trim_start_matches("go").into(),
            details: vec![("goroot".into(), goroot.into())],
        })
    }

    fn build(&self, tc: &Toolchain, ws: &Workspace) -> anyhow::Result<BuildOutcome> {
        let sources = ws.sources(Language::Go);
        let hash = source_hash(&sources, &tc.version)?;
        build_once(&ws.artifacts(Language::Go), &hash, || {
            let mut cmd = Command::new(&tc.executable);
            cmd.args(["build", "-trimpath", "-o"])
                .arg(ws.artifacts(Language::Go).join(BINARY))
                .arg(".")
                .current_dir(&sources);
            cmd
        })
    }

    fn launch(&self, _tc: &Toolchain, ws: &Workspace, req: &LaunchRequest) -> LaunchSpec {
        let binary = ws.artifacts(Language::Go).join(BINARY);
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
