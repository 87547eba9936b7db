//! Java runner: finds every JDK present (ARENA_JAVA_HOME / --jdk, JAVA_HOME, /usr/lib/jvm, the
//! `java` on PATH), uses the newest one with virtual threads by default (Java >= 21) unless the
//! user chose another, builds `workloads/java` (a Maven project) with Maven running on that very
//! JDK (`JAVA_HOME` = the chosen home) and launches the JDK's real `bin/java` on the built jar.
//! Maven rather than plain `javac` because the frameworks workload needs third-party
//! dependencies, and resolving those (and their transitive closure) is Maven's job. Maven
//! resolves online once per pom.xml; later builds run offline (`mvn -o`), and Maven is never on
//! the measured path.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

use crate::build::{build_once, source_hash, steps_once, BuildOutcome};
use crate::probe;
use crate::{Detection, Language, LaunchRequest, LaunchSpec, Runner, Toolchain, Workspace};

pub struct JavaRunner;

/// Virtual threads are final (no preview flag) from Java 21 (JEP 444).
const MIN_MAJOR: u32 = 21;
const SYSTEM_JDK_DIR: &str = "/usr/lib/jvm";
const MAIN_CLASS: &str = "arena.Main";
const INSTALL: &str = "a JDK >= 21 (e.g. `apt-get install openjdk-21-jdk` where your distribution has it, or a Temurin 21/25 build unpacked under /usr/lib/jvm); choose one with --jdk PATH or ARENA_JAVA_HOME";
const MAVEN_INSTALL: &str =
    "`apt-get install maven` (Debian/Ubuntu) or an Apache Maven >= 3.6.3 release; or point ARENA_MVN at an mvn";
/// The plugins pinned in pom.xml (maven-compiler-plugin, maven-jar-plugin, ...) need Maven 3.6.3.
const MIN_MAVEN: [u32; 3] = [3, 6, 3];
/// Maven's `<build><directory>`, under the artifacts folder (`-Darena.buildDirectory`).
const MAVEN_OUTPUT: &str = "maven";
/// `<build><finalName>` in pom.xml, plus `.jar`.
const JAR: &str = "arena-workloads.jar";
/// Written after an online build succeeds; holds the hash of the pom.xml whose dependencies and
/// plugins that build put into the local repository. While it matches, builds run offline.
const RESOLVED_MARKER: &str = "maven-resolved";
/// The start-up archives under the artifacts folder (the catalogue's `{artifacts}/startup.jsa`
/// and `{artifacts}/startup.aot` name them).
const CDS_ARCHIVE: &str = "startup.jsa";
const AOT_CONFIG: &str = "startup.aotconf";
const AOT_CACHE: &str = "startup.aot";
/// JEP 483 (ahead-of-time class loading and linking, `-XX:AOTCache`) shipped in JDK 24.
const AOT_CACHE_MIN_MAJOR: u32 = 24;

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
        let maven = match find_maven(&chosen.home) {
            Ok(maven) => maven,
            Err(problem) => {
                return Detection::Missing {
                    problem,
                    install_hint: MAVEN_INSTALL.into(),
                }
            }
        };
        details.push(("maven".into(), maven.path.display().to_string()));
        details.push(("maven_version".into(), maven.version));
        Detection::Found(Toolchain {
            language: Language::Java,
            executable: probe::real_path(&chosen.home.join("bin").join("java")),
            version: chosen.version,
            details,
        })
    }

    fn build(&self, tc: &Toolchain, ws: &Workspace) -> anyhow::Result<BuildOutcome> {
        let project = ws.sources(Language::Java);
        let pom = project.join("pom.xml");
        let pom_hash =
            blake3::hash(&fs::read(&pom).with_context(|| format!("cannot read {}", pom.display()))?)
                .to_hex()
                .to_string();
        let maven = detail(tc, "maven").context("the Java toolchain has no Maven (see `arena doctor`)")?;
        let java_home = java_home(tc);
        let toolchain = format!(
            "{} {} maven {} {} pom {pom_hash}",
            tc.version,
            tc.executable.display(),
            detail(tc, "maven_version").unwrap_or_default(),
            maven,
        );
        let hash = source_hash(&project.join("src"), &toolchain)?;
        let artifacts = ws.artifacts(Language::Java);
        let output = artifacts.join(MAVEN_OUTPUT);
        let marker = artifacts.join(RESOLVED_MARKER);
        let mvn = |offline: bool| {
            // A clean output folder: classes of a deleted source must not linger.
            let _ = fs::remove_dir_all(&output);
            let mut cmd = Command::new(maven);
            cmd.env("JAVA_HOME", &java_home).arg("-B").arg("-q");
            if offline {
                cmd.arg("-o");
            }
            // -q hides javac's warnings, which are logged at WARN; show the compiler plugin's so a
            // build failed by failOnWarning says which warning.
            cmd.arg("-Dorg.slf4j.simpleLogger.log.org.apache.maven.plugin.compiler=warn")
                .arg("-f")
                .arg(&pom)
                .arg(format!("-Darena.buildDirectory={}", output.display()))
                .args(["-DskipTests", "package"])
                .current_dir(&project);
            cmd
        };

        // Offline while the marker says this pom.xml was resolved; online otherwise.
        let resolved = fs::read_to_string(&marker).is_ok_and(|m| m.trim() == pom_hash);
        let ran_offline = Cell::new(false);
        let first = build_once(&artifacts, &hash, || {
            ran_offline.set(resolved);
            mvn(resolved)
        });
        let outcome = match first {
            Err(_) if ran_offline.get() => {
                // Something is missing from the local repository (or the sources do not compile):
                // one online attempt, which resolves whatever is missing. The marker stays: a
                // compile error says nothing about what is resolved.
                build_once(&artifacts, &hash, || {
                    ran_offline.set(false);
                    mvn(false)
                })
                .context("the offline build (mvn -o) failed, and so did the online retry")?
            }
            other => other?,
        };
        if matches!(outcome, BuildOutcome::Built { .. }) && !ran_offline.get() {
            fs::write(&marker, &pom_hash).with_context(|| format!("cannot write {}", marker.display()))?;
        }
        let jar = output.join(JAR);
        if !jar.is_file() {
            bail!(
                "Maven did not produce {} (pom.xml's <finalName> must stay arena-workloads; \
                 `rm -rf {}` forces a rebuild)",
                jar.display(),
                artifacts.display()
            );
        }
        startup_archives(
            tc,
            &jar,
            &ws.sources(Language::Java).join(TRAINING_ARGS),
            &artifacts,
        )?;
        Ok(outcome)
    }

    fn launch(&self, tc: &Toolchain, ws: &Workspace, req: &LaunchRequest) -> LaunchSpec {
        let (mut args, archives) = req.resolved_runtime_args(&ws.artifacts(Language::Java));
        let jar = ws.artifacts(Language::Java).join(MAVEN_OUTPUT).join(JAR);
        args.push("-cp".into());
        args.push(jar.display().to_string());
        args.push(MAIN_CLASS.into());
        args.extend(req.protocol_args());
        let mut artifacts = vec![jar];
        artifacts.extend(archives);
        LaunchSpec {
            program: tc.executable.clone(),
            args,
            env: req.env.clone(),
            cwd: ws.root.clone(),
            artifacts,
        }
    }
}

/// The arguments of the start-up archives' training run, one a line, in the Java workloads'
/// folder: which workload trains is the workloads' knowledge, not the runner's.
const TRAINING_ARGS: &str = "startup-training.args";

/// The start-up archives of the java/cds and java/aot variants, made from one training run of
/// the jar with the arguments of `startup-training.args` (today the first-response server, which
/// answers itself once and then runs the startup path; workloads/README.md): a dynamic AppCDS archive
/// (`-XX:ArchiveClassesAtExit`, JDK 13+) and, on a JDK with JEP 483 (24+), an AOT cache
/// (`-XX:AOTMode=record`, then `create`). Training runs with the G1 flag of the catalogue's
/// JVM flags, since a cache made under another collector is refused. Remade whenever the jar
/// or the JDK changes; a JDK without JEP 483 gets no AOT cache, and the java/aot cases fail
/// with the JVM's own message.
fn startup_archives(
    tc: &Toolchain,
    jar: &Path,
    training_args: &Path,
    artifacts: &Path,
) -> anyhow::Result<()> {
    let jar_hash = blake3::hash(&fs::read(jar).with_context(|| format!("cannot read {}", jar.display()))?);
    let args_text = fs::read_to_string(training_args).with_context(|| {
        format!(
            "cannot read {} (the training run's arguments, one a line)",
            training_args.display()
        )
    })?;
    let args: Vec<&str> = args_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // CDS checks the jar's modification time too, so a rebuilt jar with the same bytes still
    // needs new archives.
    let modified = fs::metadata(jar).and_then(|m| m.modified()).ok();
    let hash = format!(
        "{} {} {} {modified:?} {args:?}",
        tc.version,
        tc.executable.display(),
        jar_hash.to_hex()
    );
    let major = version_parts(&tc.version).first().copied().unwrap_or(0);
    let training = |flags: &[String]| {
        let mut cmd = Command::new(&tc.executable);
        cmd.arg("-XX:+UseG1GC")
            .args(flags)
            .arg("-cp")
            .arg(jar)
            .arg(MAIN_CLASS)
            .args(&args);
        cmd
    };
    let path = |name: &str| artifacts.join(name).display().to_string();
    steps_once(artifacts, "startup-archives", &hash, || {
        let _ = fs::remove_file(artifacts.join(CDS_ARCHIVE));
        let _ = fs::remove_file(artifacts.join(AOT_CACHE));
        let mut steps = vec![training(&[format!(
            "-XX:ArchiveClassesAtExit={}",
            path(CDS_ARCHIVE)
        )])];
        if major >= AOT_CACHE_MIN_MAJOR {
            let config = format!("-XX:AOTConfiguration={}", path(AOT_CONFIG));
            steps.push(training(&["-XX:AOTMode=record".into(), config.clone()]));
            steps.push(training(&[
                "-XX:AOTMode=create".into(),
                config,
                format!("-XX:AOTCache={}", path(AOT_CACHE)),
            ]));
        }
        steps
    })?;
    Ok(())
}

fn detail<'a>(tc: &'a Toolchain, key: &str) -> Option<&'a str> {
    tc.details.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The chosen JDK's home: recorded at detection, else `<home>/bin/java` from the executable.
fn java_home(tc: &Toolchain) -> PathBuf {
    detail(tc, "java_home").map(PathBuf::from).unwrap_or_else(|| {
        tc.executable
            .parent()
            .and_then(Path::parent)
            .unwrap_or(Path::new("/"))
            .to_path_buf()
    })
}

/// Maven as found for a JDK: the real script and its version.
struct Maven {
    path: PathBuf,
    version: String,
}

/// Finds Maven (ARENA_MVN, else `mvn` on PATH) and asks it, running on the JDK at `java_home`,
/// for its version (`mvn -v`: one JVM start, about half a second). The Java it reports must be
/// that JDK: a mavenrc that sets JAVA_HOME would otherwise build with another one.
fn find_maven(java_home: &Path) -> Result<Maven, String> {
    let Some(candidate) = probe::candidate("ARENA_MVN", "mvn") else {
        return Err("Maven (mvn) not found: the Java workloads are a Maven project".into());
    };
    let path = probe::real_path(&candidate);
    let out = Command::new(&path)
        .arg("-v")
        .env("JAVA_HOME", java_home)
        .output()
        .map_err(|e| format!("Maven {} does not run: {e}", path.display()))?;
    let text = strip_ansi(&String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr
            .lines()
            .chain(text.lines())
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(format!(
            "Maven {} fails with JAVA_HOME={} ({}): {why}",
            path.display(),
            java_home.display(),
            out.status
        ));
    }
    let Some(version) = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Apache Maven "))
        .and_then(|v| v.split_whitespace().next())
    else {
        return Err(format!("Maven {} gave no version (`mvn -v`)", path.display()));
    };
    if version_parts(version) < MIN_MAVEN.to_vec() {
        return Err(format!(
            "Maven {version} ({}) is older than {}: the plugins pinned in workloads/java/pom.xml need it",
            path.display(),
            MIN_MAVEN.map(|p| p.to_string()).join(".")
        ));
    }
    let runtime = text
        .lines()
        .find_map(|l| l.split_once(", runtime: ").map(|(_, r)| r.trim()))
        .map(|r| probe::real_path(Path::new(r)));
    if runtime.as_deref() != Some(java_home) {
        return Err(format!(
            "Maven {} runs on {} instead of the chosen JDK {} (does /etc/mavenrc or ~/.mavenrc set \
             JAVA_HOME? MAVEN_SKIP_RC=1 skips them)",
            path.display(),
            runtime.map_or("an unknown JDK".into(), |r| r.display().to_string()),
            java_home.display()
        ));
    }
    Ok(Maven {
        path,
        version: version.into(),
    })
}

/// Removes ANSI escape sequences: Maven colours `mvn -v` even in batch mode and into a pipe.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// "3.9.6" -> [3, 9, 6]; "4.0.0-rc-4" -> [4, 0, 0].
fn version_parts(version: &str) -> Vec<u32> {
    version
        .split('.')
        .map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        })
        .collect()
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
