//! Python runner: finds the real CPython interpreter behind any shim (pyenv's `python3` is a
//! bash script) by asking the interpreter for `sys.executable`; nothing to build. Workloads run
//! as the package: `python -m arena_workloads <workload> <model> k=v ...`.

use std::path::{Path, PathBuf};

use crate::build::BuildOutcome;
use crate::probe;
use crate::{Detection, Language, LaunchRequest, LaunchSpec, Runner, Toolchain, Workspace};

pub struct PythonRunner;

const MIN_MINOR: u32 = 9;
const INSTALL: &str =
    "`apt-get install python3` (Debian/Ubuntu) or pyenv; or point ARENA_PYTHON at an interpreter";

impl Runner for PythonRunner {
    fn language(&self) -> Language {
        Language::Python
    }

    fn detect(&self, _ws: &Workspace) -> Detection {
        let candidate = probe::candidate("ARENA_PYTHON", "python3");
        let Some(candidate) = candidate else {
            return missing("no python3 on PATH");
        };
        let script = "import sys, platform; print(sys.executable); print(platform.python_version()); print(platform.python_implementation())";
        let out = match probe::run(&candidate, &["-c", script]) {
            Ok(out) => out,
            Err(broken) => return broken,
        };
        let mut lines = out.lines();
        let (Some(exe), Some(version), Some(implementation)) = (lines.next(), lines.next(), lines.next())
        else {
            return missing(&format!("{} gave no version", candidate.display()));
        };
        let minor: u32 = version
            .split('.')
            .nth(1)
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if !version.starts_with("3.") || minor < MIN_MINOR {
            return missing(&format!("Python {version} is older than 3.{MIN_MINOR}"));
        }
        let mut details = vec![("implementation".into(), implementation.into())];
        if candidate != Path::new(exe) {
            details.push(("resolved_from".into(), candidate.display().to_string()));
        }
        Detection::Found(Toolchain {
            language: Language::Python,
            executable: probe::real_path(&PathBuf::from(exe)),
            version: version.into(),
            details,
        })
    }

    fn build(&self, _tc: &Toolchain, _ws: &Workspace) -> anyhow::Result<BuildOutcome> {
        Ok(BuildOutcome::NotNeeded)
    }

    fn launch(&self, tc: &Toolchain, ws: &Workspace, req: &LaunchRequest) -> LaunchSpec {
        let sources = ws.sources(Language::Python);
        let mut args = req.runtime_args.clone();
        if isolated(&req.runtime_args) {
            // `-I` (and `-P`) leave the current directory out of sys.path, so `-m` cannot find
            // the package in workloads/python. Put that one folder on sys.path explicitly and
            // run the package as `-m` does (runpy's `_run_module_as_main` is what `-m` calls),
            // so isolation keeps everything else it promises: no environment, no user site.
            // `-I` ignores PYTHONDONTWRITEBYTECODE (below); `-B` is the same switch as a flag.
            args.extend([
                "-B".into(),
                "-c".into(),
                format!(
                    "import sys; sys.path.insert(0, {:?}); import runpy; \
                     runpy._run_module_as_main('arena_workloads')",
                    sources.display().to_string()
                ),
            ]);
        } else {
            args.extend(["-m".into(), "arena_workloads".into()]);
        }
        args.extend(req.protocol_args());
        let mut env = req.env.clone();
        // No __pycache__ in the source tree. Not PYTHONPYCACHEPREFIX: it makes CPython ignore the
        // standard library's own caches and recompile it at every start (0.17 s vs 0.05 s here).
        // Only the workload's few modules are compiled per launch (milliseconds).
        env.insert("PYTHONDONTWRITEBYTECODE".into(), "1".into());
        LaunchSpec {
            program: tc.executable.clone(),
            args,
            env,
            // `python -m arena_workloads` from workloads/python: `-m` puts the current directory
            // first on sys.path, the documented way to run a package from source (nothing is
            // installed, the workload does not edit sys.path).
            cwd: sources.clone(),
            artifacts: vec![sources.join("arena_workloads")],
        }
    }
}

/// `-I` (isolated) or `-P` (safe path) among the interpreter flags, alone or combined (`-IS`).
fn isolated(runtime_args: &[String]) -> bool {
    runtime_args
        .iter()
        .any(|a| a.starts_with('-') && !a.starts_with("--") && (a.contains('I') || a.contains('P')))
}

fn missing(problem: &str) -> Detection {
    Detection::Missing {
        problem: problem.into(),
        install_hint: INSTALL.into(),
    }
}
