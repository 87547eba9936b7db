//! The command line: clap definitions and their translation into validated config. Clap types
//! never leave this module; bad flags become errors that name the flag and what to do.

use std::path::PathBuf;

use anyhow::{bail, Result};
use arena_runners::Workspace;
use clap::{Args, Parser, Subcommand};

use crate::catalog::{Catalog, Suite};
use crate::commands;
use crate::config::{in_ci, Filters, RunConfig};

#[derive(Parser, Debug)]
#[command(
    name = "arena",
    version,
    about = "Runs equivalent workloads in Python, Node.js, Go, Java and Rust and measures them the same way from outside"
)]
struct Cli {
    /// Repository root holding workloads/ (default: the checkout this binary was built from).
    #[arg(long, global = true, env = "ARENA_ROOT")]
    root: Option<PathBuf>,
    /// JDK to use instead of the newest one with virtual threads (a JDK home folder).
    #[arg(long, global = true, env = "ARENA_JAVA_HOME")]
    jdk: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Which toolchains are found, exact versions, real executable paths, how to install the rest.
    Doctor {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Workloads × languages × variants, and what each one tests.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Run every implementation once at its smallest size and check protocol, checksum and
    /// invariants (no timing).
    Verify(Selection),
    /// Run a suite and write results (after every case), charts and a summary.
    Run(RunArgs),
    /// Re-render the charts, the HTML report and the Markdown summary of a run folder.
    Report {
        /// A run folder (results/runs/<id>) or its results.json.
        run: PathBuf,
    },
    /// One figure of a run with its interval, machine, versions and run id, ready to paste.
    Cite {
        /// A run folder (results/runs/<id>) or its results.json.
        run: PathBuf,
        /// A case id (see results.json `case_id`) or a part of it that matches one case.
        case: String,
        /// wall_ns, cpu_ns, peak_tree_rss_bytes, ready_tree_rss_bytes, time_to_ready_ns,
        /// ru_maxrss_bytes, a self-reported figure (work_ns, spawn_ns), speedup or bytes_per_task.
        metric: String,
    },
}

#[derive(Args, Debug)]
struct Selection {
    /// Only these workloads (comma-separated), e.g. cpu-scale,sleep-tasks.
    #[arg(long, value_delimiter = ',')]
    workload: Vec<String>,
    /// Only these languages (comma-separated): python, node, go, java, rust.
    #[arg(long, value_delimiter = ',')]
    lang: Vec<String>,
    /// Only these variants (comma-separated language/model), e.g. python/threads.
    #[arg(long, value_delimiter = ',')]
    variant: Vec<String>,
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    selection: Selection,
    /// Built-in suite (quick, full, smoke) or a suite TOML file.
    #[arg(long, default_value = "quick")]
    suite: String,
    /// Process-level repetitions per case (default: the suite's).
    #[arg(long)]
    repetitions: Option<u32>,
    /// Where run folders go.
    #[arg(long, default_value = "results/runs")]
    out: PathBuf,
    /// Seed of the random case order (default: from the clock; recorded either way).
    #[arg(long)]
    seed: Option<u64>,
    /// Do not draw charts at the end.
    #[arg(long)]
    no_charts: bool,
}

/// Parses the command line and runs the command; returns the process exit code.
pub fn main() -> Result<i32> {
    let command_line: Vec<String> = std::env::args().collect();
    let cli = Cli::parse();
    let workspace = workspace(cli.root, cli.jdk)?;
    let catalog = Catalog::builtin();
    match cli.command {
        Command::Doctor { json } => commands::doctor(&workspace, json),
        Command::List { json } => commands::list(&catalog, json),
        Command::Verify(sel) => {
            let filters = Filters::parse(&catalog, &sel.workload, &sel.lang, &sel.variant)?;
            commands::verify(&catalog, &filters, &workspace, in_ci())
        }
        Command::Run(args) => {
            let filters = Filters::parse(
                &catalog,
                &args.selection.workload,
                &args.selection.lang,
                &args.selection.variant,
            )?;
            let suite = Suite::load(&args.suite, &catalog)?;
            if args.repetitions == Some(0) {
                bail!("--repetitions must be at least 1");
            }
            let runs_dir = if args.out.is_absolute() {
                args.out
            } else {
                workspace.root.join(args.out)
            };
            let config = RunConfig {
                repetitions: args.repetitions.unwrap_or(suite.repetitions),
                suite,
                filters,
                runs_dir,
                seed: args
                    .seed
                    .unwrap_or_else(|| chrono::Utc::now().timestamp_micros() as u64),
                charts: !args.no_charts,
                workspace,
                require_all_toolchains: in_ci(),
                command_line,
            };
            commands::run(&catalog, &config)
        }
        Command::Report { run } => commands::report(&catalog, &run),
        Command::Cite { run, case, metric } => commands::cite(&run, &case, &metric),
    }
}

fn workspace(root: Option<PathBuf>, jdk: Option<PathBuf>) -> Result<Workspace> {
    let root = root.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    if !root.join("workloads").join("catalog.toml").is_file() {
        bail!(
            "--root {}: no workloads/catalog.toml there; pass the runtime-arena checkout with --root or ARENA_ROOT",
            root.display()
        );
    }
    if let Some(jdk) = &jdk {
        if !jdk.join("bin").join("java").is_file() {
            bail!("--jdk {}: no bin/java in that folder; pass a JDK home such as /usr/lib/jvm/temurin-25-jdk-amd64", jdk.display());
        }
    }
    Ok(Workspace {
        target: root.join("target"),
        root,
        jdk_override: jdk,
    })
}
