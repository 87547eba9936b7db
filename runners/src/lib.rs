//! Runners: one per language. A runner detects its toolchain (the real executable, never a
//! shim, with its exact version), builds that language's workloads once (again only when the
//! sources or the toolchain change) and *describes* how to launch a variant as a `LaunchSpec`.
//! Runners never spawn or measure workloads: the harness's executor does that, the same way
//! for every language.

mod build;
mod go;
mod java;
mod launch;
mod node;
mod probe;
pub use probe::NOT_AN_INSTALL_PROBLEM;
mod python;
mod rust;

use std::path::PathBuf;

pub use build::BuildOutcome;
pub use launch::{artifact_bytes, LaunchRequest, LaunchSpec, ARTIFACTS_PLACEHOLDER};

use arena_results::ToolchainRecord;

/// The five languages, in the order they are listed everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Python,
    Node,
    Go,
    Java,
    Rust,
}

impl Language {
    pub const ALL: [Language; 5] = [
        Language::Python,
        Language::Node,
        Language::Go,
        Language::Java,
        Language::Rust,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Node => "node",
            Language::Go => "go",
            Language::Java => "java",
            Language::Rust => "rust",
        }
    }

    pub fn parse(text: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.id() == text)
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Where the project lives and where build artifacts go; chosen by the harness config.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The repository root (holds `workloads/`).
    pub root: PathBuf,
    /// Build artifacts: `<target>/workloads/<language>/`.
    pub target: PathBuf,
    /// A JDK chosen by the user (`--jdk` / `ARENA_JAVA_HOME`), overriding the newest found.
    pub jdk_override: Option<PathBuf>,
}

impl Workspace {
    pub fn sources(&self, language: Language) -> PathBuf {
        self.root.join("workloads").join(language.id())
    }

    pub fn artifacts(&self, language: Language) -> PathBuf {
        self.target.join("workloads").join(language.id())
    }
}

/// A toolchain that was found and can run this language's workloads.
#[derive(Debug, Clone)]
pub struct Toolchain {
    pub language: Language,
    /// The real executable on the measured path (interpreter or JVM) or the compiler.
    pub executable: PathBuf,
    pub version: String,
    pub details: Vec<(String, String)>,
}

/// The outcome of detection: found, or missing with how to install it.
#[derive(Debug, Clone)]
pub enum Detection {
    Found(Toolchain),
    Missing { problem: String, install_hint: String },
}

impl Detection {
    pub fn record(&self, language: Language) -> ToolchainRecord {
        match self {
            Detection::Found(tc) => ToolchainRecord {
                language: language.id().into(),
                found: true,
                executable: Some(tc.executable.display().to_string()),
                version: Some(tc.version.clone()),
                details: tc.details.iter().cloned().collect(),
                problem: None,
            },
            Detection::Missing {
                problem,
                install_hint,
            } => ToolchainRecord {
                language: language.id().into(),
                found: false,
                executable: None,
                version: None,
                details: Default::default(),
                problem: Some(format!("{problem}. To install: {install_hint}")),
            },
        }
    }
}

/// What every language runner provides.
pub trait Runner: Send + Sync {
    fn language(&self) -> Language;
    /// Finds the toolchain; never builds or runs workloads.
    fn detect(&self, ws: &Workspace) -> Detection;
    /// Builds the workloads if their sources or the toolchain changed since the last build.
    fn build(&self, tc: &Toolchain, ws: &Workspace) -> anyhow::Result<BuildOutcome>;
    /// Describes the process that runs one variant; every knob is explicit in the result.
    fn launch(&self, tc: &Toolchain, ws: &Workspace, req: &LaunchRequest) -> LaunchSpec;
}

/// The runner of a language.
pub fn runner(language: Language) -> Box<dyn Runner> {
    match language {
        Language::Python => Box::new(python::PythonRunner),
        Language::Node => Box::new(node::NodeRunner),
        Language::Go => Box::new(go::GoRunner),
        Language::Java => Box::new(java::JavaRunner),
        Language::Rust => Box::new(rust::RustRunner),
    }
}
