//! Small helpers to ask a tool about itself (path, version) without a shell. A tool that is
//! there but fails to run (under `ulimit -v`, a JVM cannot reserve its heap) is told apart from
//! one that is not there: it gets no install advice, but why it failed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Detection;

/// What a found tool that failed to run is told instead of an install command.
pub const NOT_AN_INSTALL_PROBLEM: &str =
    "nothing to install: it is there but failed to run; see why (a memory limit such as `ulimit -v`?)";

/// Runs `program args`: trimmed stdout when it exits 0, else a `Detection::Missing` that says
/// the tool was found but failed to run, and why (the OS error, or its exit status and last
/// line of stderr).
pub fn run(program: &Path, args: &[&str]) -> Result<String, Detection> {
    let broken = |why: String| Detection::Missing {
        problem: format!("{} found but failed to run: {why}", program.display()),
        install_hint: NOT_AN_INSTALL_PROBLEM.into(),
    };
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| broken(e.to_string()))?;
    if !out.status.success() {
        return Err(broken(format!("{}: {}", out.status, telling_line(&out.stderr))));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The line of a failed tool's stderr that says why: the first that mentions an error, a fatal
/// condition or memory (Go and Node print it above a stack trace), else the first non-blank one.
fn telling_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines = || {
        text.lines()
            .map(|l| l.trim_matches(|c: char| c == '#' || c.is_whitespace()))
    };
    let telling = ["error", "fatal", "memory", "oom"];
    lines()
        .find(|l| telling.iter().any(|t| l.to_lowercase().contains(t)))
        .or_else(|| lines().find(|l| !l.is_empty()))
        .unwrap_or("no stderr")
        .to_string()
}

/// The tool the user named in `env_var`, else `name` found on PATH.
pub fn candidate(env_var: &str, name: &str) -> Option<PathBuf> {
    std::env::var_os(env_var)
        .map(PathBuf::from)
        .or_else(|| which(name))
}

/// Finds `name` on PATH (first match), like `command -v`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Resolves symlinks so the record names the file that really runs.
pub fn real_path(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tool_that_is_there_but_fails_is_not_missing_and_says_why() {
        let Err(Detection::Missing {
            problem,
            install_hint,
        }) = run(
            Path::new("/bin/sh"),
            &[
                "-c",
                "echo 'runtime stack:' >&2; echo 'fatal error: out of memory' >&2; echo '+0xa5' >&2; exit 2",
            ],
        )
        else {
            panic!("a failing tool is not found");
        };
        assert!(
            problem.contains("/bin/sh found but failed to run: exit status: 2: fatal error: out of memory"),
            "{problem}"
        );
        assert_eq!(install_hint, NOT_AN_INSTALL_PROBLEM);
        assert!(!install_hint.contains("apt-get"));
        assert_eq!(
            run(Path::new("/bin/sh"), &["-c", "echo ok"]).ok().as_deref(),
            Some("ok")
        );
    }
}
