//! The command line: clap definitions and their translation into validated config. Clap types
//! never leave this module; bad flags become errors that name the flag and what to do.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use arena_runners::Workspace;
use clap::{Args, Parser, Subcommand};

use crate::analyse::claims;
use crate::analyse::compare::{CompareOptions, DEFAULT_MARGIN};
use crate::commands;
use crate::config::{in_ci, parse_filters, parse_target, LoadConfig, Project, RunConfig, RunOptions};
use crate::measure::load::{Expectation, LoadPlan, PreparedRequest, RequestSet, StreamPlan};
use crate::measure::Cancel;
use crate::plan::catalog::{build_root, Catalog};
use crate::plan::suite::Suite;
use crate::present::hgrm::StepSelector;
use crate::run_both::RunBoth;
use crate::workloads::registry::REGISTRY;

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
    /// A/A noise floor: one cheap case run many times (suite noise) into a normal run folder;
    /// prints how far wall and CPU-time ratios of the same case spread on this machine.
    Noise(NoiseArgs),
    /// Join the run folders of `arena run --shard K/N` into one run: one results.json, report
    /// and summary, figures derived again over all cases, every shard's machine kept.
    Merge(MergeArgs),
    /// A trend page (one HTML file) across runs, e.g. the merged runs of successive commits,
    /// ordered by their start time: each claim's verdict per run (judged again on each run's
    /// re-derived figures, a verdict that moved marked), each workload's headline figures with
    /// their intervals, and each variant's CPU time against its first run.
    Trend {
        /// Run folders (or their results.json), at least one.
        #[arg(required = true, num_args = 1..)]
        runs: Vec<PathBuf>,
        /// The HTML file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Did NEW get slower than BASE? Per case, CPU time NEW/BASE with its interval corrected over
    /// the cases: regressed, improved, equivalent (within --margin) or not detected, and the
    /// smallest change it could detect; exit code 1 when a case regressed.
    Compare(CompareArgs),
    /// Every claim's verdict on a run, judged again on its re-derived figures: a table, or with
    /// --json the records results.json stores (verdict, evidence, intervals and their levels,
    /// the family's size and level).
    Claims {
        /// A run folder (results/runs/<id>) or its results.json.
        run: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
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
        /// What to cite: the list is made from the registry of workload modules
        /// (`Registry::cite_metric_help`), so it names every workload's figures.
        #[arg(help = crate::workloads::registry::REGISTRY.cite_metric_help())]
        metric: String,
    },
    /// A load step's corrected latency histogram as .hgrm text (HdrHistogram's percentile
    /// distribution) on stdout, merged over the valid repetitions unless --repetition is given.
    Hgrm(HgrmArgs),
    /// Load an HTTP/1.1 server: closed loop (--connections, as fast as possible) or open loop
    /// (--rate, latency from each request's due time, as wrk2). Loopback targets only by default.
    Load(LoadArgs),
    /// Check the load generator on this machine: a test server is stopped for 1 s (SIGSTOP)
    /// during an open-loop run; the corrected latency must show the stall, the uncorrected not.
    Selftest {
        #[arg(long)]
        json: bool,
    },
    /// A small HTTP test server for `selftest` (prints its port as a ready event).
    #[command(hide = true)]
    TestServer {
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
}

#[derive(Args, Debug)]
struct LoadArgs {
    /// http://127.0.0.1:PORT/path (loopback unless --allow-non-loopback).
    url: String,
    /// Keep-alive connections.
    #[arg(long, short = 'c', default_value_t = 50)]
    connections: u32,
    /// Open loop at this many requests per second (default: closed loop).
    #[arg(long, short = 'R')]
    rate: Option<f64>,
    /// Measured duration after the warm-up, e.g. 10s, 500ms, 1m.
    #[arg(long, short = 'd', default_value = "10s")]
    duration: String,
    /// Warm-up before the measured window (its requests are not in the summary).
    #[arg(long, default_value = "1s")]
    warmup: String,
    /// A request without a full response after this counts as a `timeout` error.
    #[arg(long, default_value = "5s")]
    timeout: String,
    /// Generator threads, each with its own runtime and connections.
    #[arg(long, short = 't', default_value_t = 1)]
    threads: usize,
    /// Pin generator threads to these CPUs (comma-separated), e.g. 0.
    #[arg(long, value_delimiter = ',')]
    cpus: Vec<usize>,
    /// Expected status of every response.
    #[arg(long, default_value_t = 200)]
    expect_status: u16,
    /// Expected exact body of every response (default: any body).
    #[arg(long)]
    expect_body: Option<String>,
    /// Allow a target that is not on this machine.
    #[arg(long)]
    allow_non_loopback: bool,
    /// Print the full record as JSON (the results schema's `LoadRecord`).
    #[arg(long)]
    json: bool,
}

fn duration_flag(flag: &str, text: &str) -> Result<std::time::Duration> {
    humantime::parse_duration(text).map_err(|e| anyhow::anyhow!("{flag} {text:?}: {e} (e.g. 10s, 500ms, 1m)"))
}

fn load_config(args: LoadArgs) -> Result<LoadConfig> {
    let (target, path) = parse_target(&args.url, args.allow_non_loopback)?;
    crate::plan::placement::check_allowed(&args.cpus, "--cpus")?;
    let request = PreparedRequest::get(
        target,
        &path,
        Expectation {
            status: args.expect_status,
            body: args.expect_body.map(String::into_bytes),
        },
    );
    let plan = LoadPlan {
        target,
        streams: vec![StreamPlan {
            name: "load".into(),
            connections: args.connections,
            rate_per_s: args.rate,
            requests: std::sync::Arc::new(RequestSet::single(request)),
        }],
        warmup: duration_flag("--warmup", &args.warmup)?,
        duration: duration_flag("--duration", &args.duration)?,
        request_timeout: duration_flag("--timeout", &args.timeout)?,
        threads: args.threads,
        cpus: args.cpus,
        interval: std::time::Duration::from_secs(1),
        target_cpu: None,
    };
    plan.validate()?;
    Ok(LoadConfig {
        url: args.url,
        plan,
        json: args.json,
    })
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
struct HgrmArgs {
    /// A run folder (results/runs/<id>) or its results.json.
    run: PathBuf,
    /// A case id or a part of it that matches one case.
    case: String,
    /// The phase, e.g. io-sweep, peak, ping-under-cpu.
    #[arg(long)]
    phase: String,
    /// The step's index within its phase.
    #[arg(long, default_value_t = 0)]
    step: u32,
    /// The stream (e.g. io, ping), when the step ran several.
    #[arg(long)]
    stream: Option<String>,
    /// One repetition's histogram (its index) instead of the merge of every valid one.
    #[arg(long)]
    repetition: Option<u32>,
    /// The unit of the values: ns, us or ms.
    #[arg(long, default_value = "us")]
    unit: String,
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    selection: Selection,
    /// A suite of harness/suites (quick, full, smoke) or a suite TOML file.
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
    /// Run only part K of N of the planned cases (K/N, e.g. 2/4), for N machines or CI jobs:
    /// a whole workload × variant group stays in one part. `arena merge` joins the parts.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Continue an interrupted run in its folder: the same cases and seed (from its recorded
    /// command line), every finished repetition kept, only what is missing run. Other flags
    /// are ignored.
    #[arg(long, value_name = "RUN_DIR")]
    resume: Option<PathBuf>,
    /// With --resume: continue even if the run was measured by another harness commit or on
    /// another machine.
    #[arg(long, requires = "resume")]
    resume_anyway: bool,
    /// Print the plan (cases, processes, time per workload) and run nothing.
    #[arg(long, conflicts_with = "resume")]
    dry_run: bool,
}

#[derive(Args, Debug)]
struct MergeArgs {
    /// The run folders (or their results.json) of the shards, e.g. one per CI job.
    #[arg(required = true, num_args = 1..)]
    runs: Vec<PathBuf>,
    /// The folder of the merged run (created; it must not hold a results.json yet).
    #[arg(long)]
    out: PathBuf,
    /// The merged run's id (default: the name of the --out folder), e.g. the commit.
    #[arg(long)]
    run_id: Option<String>,
    /// Merge even when a workload × variant group was measured on several machines (its
    /// derived figures then mix machines; the report says which run measured what).
    #[arg(long)]
    allow_cross_machine: bool,
    /// Do not draw charts.
    #[arg(long)]
    no_charts: bool,
}

#[derive(Args, Debug)]
struct CompareArgs {
    /// The baseline run folder (or its results.json); with --run-both, a checkout.
    base: PathBuf,
    /// The run to judge against it; with --run-both, a checkout.
    new: PathBuf,
    /// BASE and NEW are two checkouts: build both, run --suite on both in one session with
    /// their repetitions interleaved (the same machine at the same time), then compare.
    #[arg(long)]
    run_both: bool,
    /// With --run-both: the suite both checkouts run (from each checkout's harness/suites).
    #[arg(long, default_value = "pr", requires = "run_both")]
    suite: String,
    /// With --run-both: where the joint run folder goes (it holds base/ and new/).
    #[arg(long, default_value = "results/runs", requires = "run_both")]
    out: PathBuf,
    /// With --run-both: the seed of the random order (default: from the clock; recorded).
    #[arg(long, requires = "run_both")]
    seed: Option<u64>,
    /// Equivalence margin: a case is "equivalent" when its corrected interval of NEW/BASE lies
    /// within ±PERCENT (default 5). Regressions are decided by the test, not by this margin.
    #[arg(long, value_name = "PERCENT", alias = "threshold")]
    margin: Option<f64>,
    /// Compare runs from different machines (otherwise their figures are not comparable).
    #[arg(long)]
    allow_cross_machine: bool,
    /// JSON instead of Markdown.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct NoiseArgs {
    #[command(flatten)]
    selection: Selection,
    /// Process-level repetitions of each case (at least 10: the A/A ratio pairs them).
    #[arg(long, default_value_t = 20)]
    repetitions: u32,
    /// Where run folders go.
    #[arg(long, default_value = "results/runs")]
    out: PathBuf,
    /// Seed of the random case order (default: from the clock; recorded either way).
    #[arg(long)]
    seed: Option<u64>,
}

/// `arena noise` is `arena run --suite noise` with its own defaults.
fn noise_run_args(args: NoiseArgs) -> Result<RunArgs> {
    let minimum = crate::analyse::noise::MIN_REPETITIONS as u32;
    if args.repetitions < minimum {
        bail!(
            "--repetitions {}: the noise floor needs at least {minimum} repetitions (A/A pairs of neighbouring repetitions); the default is 20",
            args.repetitions
        );
    }
    Ok(RunArgs {
        selection: args.selection,
        suite: NOISE_SUITE.into(),
        repetitions: Some(args.repetitions),
        out: args.out,
        seed: args.seed,
        no_charts: false,
        shard: None,
        resume: None,
        resume_anyway: false,
        dry_run: false,
    })
}

/// The suite of harness/suites that `arena noise` runs.
const NOISE_SUITE: &str = "noise";

/// Parses the command line and runs the command; returns the process exit code. `cancel` is
/// set by Ctrl-C or SIGTERM.
pub fn main(cancel: Cancel) -> Result<i32> {
    let command_line: Vec<String> = std::env::args().collect();
    let cli = Cli::parse();
    crate::measure::load::raise_fd_limit();
    // Commands that need no workspace come first, so they work from any folder.
    match cli.command {
        Command::Load(args) => return commands::load(&load_config(args)?, &cancel),
        Command::Selftest { json } => return commands::selftest(json, &cancel),
        Command::TestServer { threads } => return commands::test_server(threads, &cancel),
        Command::Hgrm(args) => return commands::hgrm(&args.run, &args.case, &hgrm_selector(&args)?),
        Command::Compare(args) if !args.run_both => {
            return commands::compare(&args.base, &args.new, compare_options(&args)?, args.json)
        }
        _ => {}
    }
    let project = project(cli.root, cli.jdk)?;
    match cli.command {
        Command::Load(_) | Command::Selftest { .. } | Command::TestServer { .. } | Command::Hgrm(_) => {
            unreachable!("handled above")
        }
        Command::Trend { runs, out } => commands::trend(&project, &runs, &out),
        Command::Claims { run, json } => commands::claims(&project, &run, json),
        Command::Doctor { json } => commands::doctor(&project.workspace, json),
        Command::List { json } => commands::list(&project.catalog, json),
        Command::Verify(sel) => {
            let filters = parse_filters(&project.catalog, &sel.workload, &sel.lang, &sel.variant)?;
            commands::verify(&project, &filters, in_ci(), &cancel)
        }
        Command::Run(args) => match args.resume.clone() {
            Some(dir) => resume(&project, &dir, args.resume_anyway, &cancel),
            None => {
                let config = run_config(args, &project, command_line)?;
                commands::run(&project, &config, &cancel)
            }
        },
        Command::Noise(args) => {
            let config = run_config(noise_run_args(args)?, &project, command_line)?;
            commands::noise(&project, &config, &cancel)
        }
        Command::Merge(args) => commands::merge(
            &project,
            &args.runs,
            &args.out,
            args.run_id.as_deref(),
            args.allow_cross_machine,
            !args.no_charts,
        ),
        Command::Compare(args) => {
            let runs_dir = if args.out.is_absolute() {
                args.out.clone()
            } else {
                project.workspace.root.join(&args.out)
            };
            let config = RunBoth {
                options: compare_options(&args)?,
                base: args.base,
                new: args.new,
                suite: args.suite,
                runs_dir,
                seed: args
                    .seed
                    .unwrap_or_else(|| chrono::Utc::now().timestamp_micros() as u64),
                json: args.json,
            };
            crate::run_both::run_both(&project, &config, &cancel)
        }
        Command::Report { run } => commands::report(&project, &run),
        Command::Cite { run, case, metric } => commands::cite(&run, &case, &metric),
    }
}

/// `arena run --resume DIR`: the run folder's own plan (cases, parameters, load settings, seed),
/// never the suite file again; its recorded command line gives the output options. A folder
/// written before run folders kept their plan is planned again from that command line.
fn resume(project: &Project, dir: &std::path::Path, anyway: bool, cancel: &Cancel) -> Result<i32> {
    let previous = commands::open_for_resume(dir)?;
    let recorded = previous.record.harness.command_line.clone();
    let parsed = Cli::try_parse_from(&recorded).map_err(|e| {
        anyhow::anyhow!(
            "--resume {}: its recorded command line {recorded:?} does not parse with this harness: {e}",
            dir.display()
        )
    })?;
    let Command::Run(args) = parsed.command else {
        bail!(
            "--resume {}: it was not made by `arena run` (recorded command line {recorded:?})",
            dir.display()
        );
    };
    let options = RunOptions {
        runs_dir: dir.parent().map(Path::to_path_buf).unwrap_or_default(),
        charts: !args.no_charts,
        require_all_toolchains: in_ci(),
        command_line: recorded.clone(),
    };
    let plan = match previous.plan.clone() {
        Some(plan) => plan,
        None => {
            let mut config = run_config(args, project, recorded)?;
            config.seed = previous.record.order_seed;
            commands::plan_run(project, &config)?
        }
    };
    commands::resume(project, &plan, &options, previous, anyway, cancel)
}

fn compare_options(args: &CompareArgs) -> Result<CompareOptions> {
    let margin = args.margin.unwrap_or(DEFAULT_MARGIN * 100.0);
    if !(margin.is_finite() && margin > 0.0 && margin < 1000.0) {
        bail!("--margin {margin}: give a percentage above 0 and below 1000, e.g. --margin 5");
    }
    Ok(CompareOptions {
        margin: margin / 100.0,
        allow_cross_machine: args.allow_cross_machine,
        paired_rounds: args.run_both,
    })
}

fn hgrm_selector(args: &HgrmArgs) -> Result<StepSelector> {
    let unit_ns = match args.unit.as_str() {
        "ns" => 1.0,
        "us" => 1e3,
        "ms" => 1e6,
        other => bail!("--unit {other:?}: use ns, us or ms"),
    };
    Ok(StepSelector {
        phase: args.phase.clone(),
        step: args.step,
        stream: args.stream.clone(),
        repetition: args.repetition,
        unit_ns,
    })
}

fn run_config(args: RunArgs, project: &Project, command_line: Vec<String>) -> Result<RunConfig> {
    let selection = &args.selection;
    let filters = parse_filters(
        &project.catalog,
        &selection.workload,
        &selection.lang,
        &selection.variant,
    )?;
    let mut suite = Suite::load(&args.suite, &project.workspace.root, &project.catalog)?;
    REGISTRY.check_suite(&suite)?;
    if args.repetitions == Some(0) {
        bail!("--repetitions must be at least 1");
    }
    if args.repetitions.is_some() {
        // The flag applies to every case, overriding the suite's per-workload and per-variant
        // counts.
        for workload in suite.workloads.values_mut() {
            workload.repetitions = None;
            workload
                .r#override
                .values_mut()
                .for_each(|o| o.repetitions = None);
        }
    }
    let runs_dir = if args.out.is_absolute() {
        args.out
    } else {
        project.workspace.root.join(args.out)
    };
    let shard = args.shard.as_deref().map(crate::plan::shard::parse).transpose()?;
    Ok(RunConfig {
        shard,
        repetitions: args.repetitions.unwrap_or(suite.repetitions),
        suite,
        filters,
        runs_dir,
        seed: args
            .seed
            .unwrap_or_else(|| chrono::Utc::now().timestamp_micros() as u64),
        charts: !args.no_charts,
        require_all_toolchains: in_ci(),
        command_line,
        dry_run: args.dry_run,
    })
}

/// The repository the commands read: its workloads, catalogue and claims, checked against the
/// workload modules so that nothing falls through later.
fn project(root: Option<PathBuf>, jdk: Option<PathBuf>) -> Result<Project> {
    let root = root.unwrap_or_else(build_root);
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
    let catalog = Catalog::load(&root)?;
    REGISTRY.check_catalog(&catalog)?;
    let claims = claims::load(&root)?;
    REGISTRY.check_claims(&claims, &catalog)?;
    Ok(Project {
        workspace: Workspace {
            target: root.join("target"),
            root,
            jdk_override: jdk,
        },
        catalog,
        claims,
    })
}
