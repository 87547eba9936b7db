//! Node.js runner: finds the real `node` binary (`process.execPath`); the workloads use no npm
//! packages, so nothing is installed. The one build step is the user-land startup snapshot of
//! the `startup` workloads (`node --build-snapshot`, Node >= 18.8), made from a single
//! self-contained script, as `--build-snapshot` requires.

use std::path::PathBuf;
use std::process::Command;

use crate::build::{source_hash, steps_once, BuildOutcome};
use crate::probe;
use crate::{Detection, Language, LaunchRequest, LaunchSpec, Runner, Toolchain, Workspace};

pub struct NodeRunner;

/// The snapshot's entry script (under workloads/node/src) and the blob made from it (under the
/// artifacts folder; the catalogue's `--snapshot-blob {artifacts}/startup.blob` names it).
const SNAPSHOT_SCRIPT: &str = "startup_snapshot.js";
const SNAPSHOT_BLOB: &str = "startup.blob";

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
        let out = match probe::run(
            &candidate,
            &["-p", "process.execPath + '\\n' + process.versions.node"],
        ) {
            Ok(out) => out,
            Err(broken) => return broken,
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

    fn build(&self, tc: &Toolchain, ws: &Workspace) -> anyhow::Result<BuildOutcome> {
        let script = ws.sources(Language::Node).join("src").join(SNAPSHOT_SCRIPT);
        let hash = source_hash(&ws.sources(Language::Node).join("src"), &tc.version)?;
        let blob = ws.artifacts(Language::Node).join(SNAPSHOT_BLOB);
        steps_once(&ws.artifacts(Language::Node), "snapshot", &hash, || {
            let mut cmd = Command::new(&tc.executable);
            cmd.arg("--snapshot-blob")
                .arg(&blob)
                .arg("--build-snapshot")
                .arg(&script)
                .current_dir(&ws.root);
            vec![cmd]
        })
    }

    fn launch(&self, tc: &Toolchain, ws: &Workspace, req: &LaunchRequest) -> LaunchSpec {
        let (mut args, archives) = req.resolved_runtime_args(&ws.artifacts(Language::Node));
        // Also from a snapshot: Node then runs the snapshot's main function instead of the
        // script, which answers `startup` itself and hands every other command to main.js.
        let main = ws.sources(Language::Node).join("main.js");
        args.push(main.display().to_string());
        let mut artifacts = vec![main, ws.sources(Language::Node).join("src")];
        artifacts.extend(archives);
        args.extend(req.protocol_args());
        LaunchSpec {
            program: tc.executable.clone(),
            args,
            env: req.env.clone(),
            cwd: ws.root.clone(),
            artifacts,
        }
    }
}

fn missing(problem: &str) -> Detection {
    Detection::Missing {
        problem: problem.into(),
        install_hint: INSTALL.into(),
    }
}
