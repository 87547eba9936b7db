//! Node.js runner: finds the real `node` binary (`process.execPath`); the workloads use no npm
//! packages, so there is nothing to build or install.

use std::path::PathBuf;

use crate::build::BuildOutcome;
use crate::probe;
use crate::{Detection, Language, LaunchRequest, LaunchSpec, Runner, Toolchain, Workspace};

pub struct NodeRunner;

const MIN_MAJOR: u32 = 18;
const INSTALL: &str = "`apt-get install nodejs npm` (Debian/Ubuntu) or a Node.js >= 18 release; or point ARENA_NODE at a node binary";

impl Runner for NodeRunner {
    fn language(&self) -> Language {
        Language::Node
    }

    fn detect(&self, _ws: &Workspace) -> Detection {
        let candidate = probe::candidate("ARENA_NODE", "node");
        let Some(candidate) = candidate else {
            return missing("no node on PATH");
        };
        let Some(out) = probe::output(
            &candidate,
            &["-p", "process.execPath + '\\n' + process.versions.node"],
        ) else {
            return missing(&format!("{} does not run", candidate.display()));
        };
        let mut lines = out.lines();
        let (Some(exe), Some(version)) = (lines.next(), lines.next()) else {
            return missing(&format!("{} gave no version", candidate.display()));
        };
        let major: u32 = version
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if major < MIN_MAJOR {
            return missing(&format!("Node.js {version} is older than {MIN_MAJOR}"));
        }
        Detection::Found(Toolchain {
            language: Language::Node,
            executable: probe::real_path(&PathBuf::from(exe)),
            version: version.into(),
            details: vec![],
        })
    }

    fn build(&self, _tc: &Toolchain, _ws: &Workspace) -> anyhow::Result<BuildOutcome> {
        Ok(BuildOutcome::NotNeeded)
    }

    fn launch(&self, tc: &Toolchain, ws: &Workspace, req: &LaunchRequest) -> LaunchSpec {
        let mut args = req.runtime_args.clone();
        args.push(ws.sources(Language::Node).join("main.js").display().to_string());
        args.extend(req.protocol_args());
        LaunchSpec {
            program: tc.executable.clone(),
            args,
            env: req.env.clone(),
            cwd: ws.root.clone(),
        }
    }
}

fn missing(problem: &str) -> Detection {
    Detection::Missing {
        problem: problem.into(),
        install_hint: INSTALL.into(),
    }
}
