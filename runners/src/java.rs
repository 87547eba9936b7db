//! Java runner: finds every JDK present (ARENA_JAVA_HOME / --jdk, JAVA_HOME, /usr/lib/jvm, the
//! `java` on PATH), uses the newest one with virtual threads by default (Java >= 21) unless the
//! user chose another, compiles with that JDK's own `javac` (no Maven on the build path: the
//! workloads need no dependencies) and launches its real `bin/java`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::build::{build_once, source_hash, BuildOutcome};
use crate::probe;
use crate::{Detection, Language, LaunchRequest, LaunchSpec, Runner, Toolchain, Workspace};

pub struct JavaRunner;

/// Virtual threads are final (no preview flag) from Java 21 (JEP 444).
const MIN_MAJOR: u32 = 21;
const SYSTEM_JDK_DIR: &str = "/usr/lib/jvm";
const MAIN_CLASS: &str = "arena.Main";
const INSTALL: &str = "a JDK >= 21 (e.g. `apt-get install openjdk-21-jdk` where your distribution has it, or a Temurin 21/25 build unpacked under /usr/lib/jvm); choose one with --jdk PATH or ARENA_JAVA_HOME";

/// A JDK found on the machine.
#[derive(Debug, Clone)]
pub struct Jdk {
    pub home: PathBuf,
    pub version: String,
    pub major: u32,
}

impl Runner for JavaRunner {
    fn language(&self) -> Language {
        Language::Java
    }

    fn detect(&self, ws: &Workspace) -> Detection {
        let jdks = find_jdks();
        let chosen = match &ws.jdk_override {
            Some(home) => match read_jdk(home) {
                Some(jdk) => jdk,
                None => {
                    return missing(&format!(
                        "the chosen JDK {} has no bin/java, bin/javac and release file",
                        home.display()
                    ))
                }
            },
            None => match jdks
                .iter()
                .filter(|j| j.major >= MIN_MAJOR)
                .max_by_key(|j| j.major)
            {
                Some(jdk) => jdk.clone(),
                None => {
                    let seen: Vec<String> = jdks
                        .iter()
                        .map(|j| format!("{} ({})", j.version, j.home.display()))
                        .collect();
                    return missing(&format!(
                        "no JDK >= {MIN_MAJOR} found (seen: {})",
                        if seen.is_empty() {
                            "none".to_string()
                        } else {
                            seen.join(", ")
                        }
                    ));
                }
            },
        };
        if chosen.major < MIN_MAJOR {
            return missing(&format!(
                "the chosen JDK {} is Java {}: virtual threads need Java >= {MIN_MAJOR}",
                chosen.home.display(),
                chosen.version
            ));
        }
        let others: Vec<String> = jdks
            .iter()
            .filter(|j| j.home != chosen.home)
            .map(|j| format!("{} {}", j.version, j.home.display()))
            .collect();
        let mut details = vec![
            ("java_home".into(), chosen.home.display().to_string()),
            (
                "chosen_because".into(),
                if ws.jdk_override.is_some() {
                    "chosen by the user"
                } else {
                    "newest JDK with virtual threads"
                }
                .into(),
            ),
        ];
        if !others.is_empty() {
            details.push(("other_jdks".into(), others.join("; ")));
        }
        Detection::Found(Toolchain {
            language: Language::Java,
            executable: probe::real_path(&chosen.home.join("bin").join("java")),
            version: chosen.version,
            details,
        })
    }

    fn build(&self, tc: &Toolchain, ws: &Workspace) -> anyhow::Result<BuildOutcome> {
        let sources = ws.sources(Language::Java).join("src").join("main").join("java");
        let hash = source_hash(&sources, &format!("{} {}", tc.version, tc.executable.display()))?;
        let classes = ws.artifacts(Language::Java).join("classes");
        let mut java_files = Vec::new();
        collect_java(&sources, &mut java_files)?;
        java_files.sort();
        build_once(&ws.artifacts(Language::Java), &hash, || {
            // A clean output folder: classes of a deleted source must not linger.
            let _ = fs::remove_dir_all(&classes);
            let mut cmd = Command::new(tc.executable.with_file_name("javac"));
            cmd.args(["--release", &MIN_MAJOR.to_string(), "-Xlint:all", "-d"])
                .arg(&classes)
                .args(&java_files);
            cmd
        })
    }

    fn launch(&self, tc: &Toolchain, ws: &Workspace, req: &LaunchRequest) -> LaunchSpec {
        let mut args = req.runtime_args.clone();
        args.push("-cp".into());
        args.push(ws.artifacts(Language::Java).join("classes").display().to_string());
        args.push(MAIN_CLASS.into());
        args.extend(req.protocol_args());
        LaunchSpec {
            program: tc.executable.clone(),
            args,
            env: req.env.clone(),
            cwd: ws.root.clone(),
        }
    }
}

fn collect_java(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_java(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "java") {
            out.push(path);
        }
    }
    Ok(())
}

/// Every JDK visible on this machine, deduplicated by canonical home.
pub fn find_jdks() -> Vec<Jdk> {
    let mut homes: Vec<PathBuf> = Vec::new();
    for var in ["ARENA_JAVA_HOME", "JAVA_HOME"] {
        if let Some(home) = std::env::var_os(var) {
            homes.push(PathBuf::from(home));
        }
    }
    if let Ok(entries) = fs::read_dir(SYSTEM_JDK_DIR) {
        homes.extend(entries.flatten().map(|e| e.path()));
    }
    if let Some(java) = probe::which("java") {
        // <home>/bin/java, after resolving /usr/bin/java -> /etc/alternatives -> the JDK.
        if let Some(home) = probe::real_path(&java).parent().and_then(Path::parent) {
            homes.push(home.to_path_buf());
        }
    }
    let mut by_home = BTreeMap::new();
    for home in homes {
        if let Some(jdk) = read_jdk(&home) {
            by_home.entry(jdk.home.clone()).or_insert(jdk);
        }
    }
    by_home.into_values().collect()
}

/// Reads `<home>/release` (JAVA_VERSION="25.0.3") of a JDK that has both java and javac.
fn read_jdk(home: &Path) -> Option<Jdk> {
    let home = probe::real_path(home);
    if !probe::is_executable(&home.join("bin/java")) || !probe::is_executable(&home.join("bin/javac")) {
        return None;
    }
    let release = fs::read_to_string(home.join("release")).ok()?;
    let version = release
        .lines()
        .find_map(|l| l.strip_prefix("JAVA_VERSION="))?
        .trim_matches('"')
        .to_string();
    let major = version.split(['.', '-', '+']).next()?.parse().ok()?;
    Some(Jdk { home, version, major })
}

fn missing(problem: &str) -> Detection {
    Detection::Missing {
        problem: problem.into(),
        install_hint: INSTALL.into(),
    }
}
