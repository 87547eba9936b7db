//! The commands behind the CLI, each a short sequence of the harness's stages. They print for
//! people (stdout) and return an exit code; they never parse flags.

use std::path::Path;

use anyhow::{Context, Result};
use arena_results::{CaseStatus, RunLock, RunRecord, RunStore, SCHEMA_VERSION};
use arena_runners::Workspace;

use crate::config::{LoadConfig, Project, RunConfig, RunOptions};
use crate::measure::environment;
use crate::measure::executor::ProcessExecutor;
use crate::measure::progress::TerminalProgress;
use crate::measure::schedule::{self, PlannedCase, Schedule, Session};
use crate::measure::toolchains::{self, Detected};
use crate::measure::Cancel;
use crate::plan::catalog::Catalog;
use crate::plan::{self, Filters, MachineFacts, RunPlan};
use crate::present::{self, load_text};
use crate::workloads::registry::REGISTRY;

mod recorded;
mod stopping;
use recorded::open_run;
pub(crate) use recorded::write_reports;
pub use recorded::{cite, claims, compare, hgrm, merge, report, trend};

pub(crate) fn machine() -> MachineFacts {
    MachineFacts::this_machine(environment::logical_cores() as u64)
}

pub fn doctor(ws: &Workspace, json: bool) -> Result<i32> {
    let detected = Detected::all(ws);
    let records = detected.records();
    let all_found = records.iter().all(|r| r.found);
    if json {
        let out = serde_json::json!({ "all_found": all_found, "toolchains": records });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for r in &records {
            match (&r.executable, &r.version) {
                (Some(exe), Some(version)) => {
                    println!("{:<7} found    {:<10} {exe}", r.language, version);
                    for (k, v) in &r.details {
                        println!("{:<7}          {k}: {v}", "");
                    }
                }
                _ => println!(
                    "{:<7} MISSING  {}",
                    r.language,
                    r.problem.as_deref().unwrap_or("")
                ),
            }
        }
        if !all_found {
            println!("\nMissing toolchains are skipped by `arena run` on this machine (CI=true makes them an error).");
        }
    }
    Ok(if all_found { 0 } else { 1 })
}

pub fn list(catalog: &Catalog, json: bool) -> Result<i32> {
    if json {
        let workloads: Vec<_> = catalog
            .workloads
            .iter()
            .map(|w| {
                serde_json::json!({
                    "id": w.id, "class": w.class, "summary": w.summary, "claim": w.claim, "verify_params": w.verify,
                    "variants": w.variants.iter().map(|v| serde_json::json!({
                        "variant": v.name(), "language": v.lang, "model": v.model, "tests": v.tests, "env": v.env, "params": v.params
                    })).collect::<Vec<_>>()
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&workloads)?);
        return Ok(0);
    }
    for w in &catalog.workloads {
        println!("{} ({})\n  {}\n  claim: {}", w.id, w.class, w.summary, w.claim);
        for v in &w.variants {
            println!("    {:<22} {}", v.name(), v.tests);
        }
        println!();
    }
    Ok(0)
}

pub fn verify(project: &Project, filters: &Filters, require_all: bool, cancel: &Cancel) -> Result<i32> {
    let ws = &project.workspace;
    let cases = plan::plan_verify(&project.catalog, filters, &machine())?;
    let detected = Detected::all(ws);
    let planned = toolchains::prepare(cases, &detected, ws, require_all, &|line| eprintln!("{line}"))?;
    let mut record = new_record("verify", &detected, ws, std::env::args().collect());
    let (store, run_id) = RunStore::create(&ws.target.join("arena-verify"), &record.run_id)?;
    record.run_id = run_id;
    let schedule = Schedule {
        repetitions: 1,
        seed: 0,
    };
    measure(&mut record, &planned, &schedule, &store, cancel, None, None)?;
    let mut problems = 0;
    for case in &record.cases {
        let line = match case.status {
            CaseStatus::Ok => "ok".to_string(),
            CaseStatus::Skipped => format!("skipped: {}", case.reason.as_deref().unwrap_or("")),
            _ => {
                problems += 1;
                format!(
                    "FAILED {:?}: {}",
                    case.failure_kind.unwrap_or(arena_results::FailureKind::Crashed),
                    case.reason.as_deref().unwrap_or("")
                )
            }
        };
        println!("{:<12} {:<22} {line}", case.workload, case.variant);
    }
    let count = |status| record.cases.iter().filter(|c| c.status == status).count();
    println!(
        "\n{} implementations: {} ok, {problems} with problems, {} skipped; logs in {}",
        record.cases.len(),
        count(CaseStatus::Ok),
        count(CaseStatus::Skipped),
        store.dir().display()
    );
    Ok(if problems == 0 && !cancel.is_cancelled() {
        0
    } else {
        1
    })
}

/// Runs the planned cases on this machine with the workloads' rules, a progress bar, and
/// results written to `store` after every repetition.
pub(crate) fn measure(
    record: &mut RunRecord,
    planned: &[PlannedCase],
    schedule: &Schedule,
    store: &RunStore,
    cancel: &Cancel,
    previous: Option<&RunRecord>,
    stop: Option<&dyn schedule::StopRule>,
) -> Result<()> {
    let session = Session {
        executor: &ProcessExecutor::new(cancel.clone()),
        rules: &REGISTRY,
        store,
        progress: &TerminalProgress::new(),
        cancel,
        stop,
    };
    match previous {
        Some(previous) => schedule::resume(record, planned, schedule, &session, previous),
        None => schedule::execute(record, planned, schedule, &session),
    }
}

pub(crate) fn new_record(
    suite: &str,
    detected: &Detected,
    ws: &Workspace,
    command_line: Vec<String>,
) -> RunRecord {
    let now = chrono::Utc::now();
    RunRecord {
        schema_version: SCHEMA_VERSION,
        run_id: format!("{}-{suite}", now.format("%Y%m%dT%H%M%SZ")),
        suite: suite.into(),
        started_at: now.to_rfc3339(),
        finished_at: None,
        complete: false,
        harness: environment::harness_info(&ws.root, command_line),
        environment: environment::capture(detected.records()),
        methods: REGISTRY.methods(),
        order_seed: 0,
        execution_order: Vec::new(),
        cases: Vec::new(),
        derived: Default::default(),
        shard: None,
        merged_from: Vec::new(),
        harness_time_between_repetitions_median_ns: None,
        harness_time_between_repetitions_max_ns: None,
        harness_time_between_repetitions_count: None,
        claims: Vec::new(),
    }
}

pub fn run(project: &Project, config: &RunConfig, cancel: &Cancel) -> Result<i32> {
    let plan = plan_run(project, config)?;
    if config.dry_run {
        print!("{}", plan.describe());
        return Ok(0);
    }
    run_planned(project, &plan, &config.options(), cancel, None).map(|(code, _)| code)
}

/// `arena noise`: the noise suite as a normal run, then its noise floor on the terminal.
pub fn noise(project: &Project, config: &RunConfig, cancel: &Cancel) -> Result<i32> {
    let plan = plan_run(project, config)?;
    let (code, record) = run_planned(project, &plan, &config.options(), cancel, None)?;
    println!("\n{}", present::noise::noise_floor_text(&record));
    Ok(code)
}

/// The resolved plan of a run: the suite's cases admitted by the filters, this shard's part.
pub fn plan_run(project: &Project, config: &RunConfig) -> Result<RunPlan> {
    let mut cases = plan::plan_suite(&project.catalog, &config.suite, &config.filters, &machine())?;
    if let Some(shard) = config.shard {
        cases = plan::shard::select(cases, shard)?;
    }
    Ok(RunPlan {
        suite: config.suite.name.clone(),
        repetitions: config.repetitions,
        seed: config.seed,
        shard: config.shard,
        stop_early: config.suite.stop_early,
        cases,
    })
}

/// Where a run folder keeps the plan it was started with.
const PLAN_FILE: &str = "plan.json";

/// A run folder taken by `arena run --resume`: locked, its record rebuilt (from the journal
/// when the run was killed), and the plan it was started with (None for folders written
/// before run folders kept one).
pub struct Previous {
    pub store: RunStore,
    pub record: RunRecord,
    pub plan: Option<RunPlan>,
    _lock: RunLock,
}

/// Opens the run folder `arena run --resume` continues; fails at once when another harness
/// holds it.
pub fn open_for_resume(dir: &Path) -> Result<Previous> {
    let store = open_run(dir).with_context(|| format!("--resume {}", dir.display()))?;
    let lock = store
        .lock()
        .with_context(|| format!("--resume {}", dir.display()))?;
    let record = store.read()?;
    let plan_path = store.dir().join(PLAN_FILE);
    let plan =
        match std::fs::read(&plan_path) {
            Ok(bytes) => Some(serde_json::from_slice(&bytes).with_context(|| {
                format!("--resume: {} is not a plan of this harness", plan_path.display())
            })?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", plan_path.display())),
        };
    Ok(Previous {
        store,
        record,
        plan,
        _lock: lock,
    })
}

/// `arena run --resume`: refuses another harness commit or machine unless `anyway`, then runs
/// what `plan` (the run folder's own) still lacks into the same folder.
pub fn resume(
    project: &Project,
    plan: &RunPlan,
    options: &RunOptions,
    previous: Previous,
    anyway: bool,
    cancel: &Cancel,
) -> Result<i32> {
    let (store, record) = (&previous.store, &previous.record);
    let here = environment::harness_info(&project.workspace.root, Vec::new());
    let machine = environment::capture(Vec::new());
    let then = &record.environment;
    let mut differences = Vec::new();
    if here.git_commit != record.harness.git_commit {
        differences.push(format!(
            "it was measured by harness commit {}, this is {}",
            record.harness.git_commit.as_deref().unwrap_or("unknown"),
            here.git_commit.as_deref().unwrap_or("unknown")
        ));
    }
    if (
        machine.cpu_model.as_str(),
        machine.logical_cores,
        machine.memory_total_bytes,
    ) != (
        then.cpu_model.as_str(),
        then.logical_cores,
        then.memory_total_bytes,
    ) {
        differences.push(format!(
            "it was measured on {} ({} cores), this is {} ({} cores)",
            then.cpu_model, then.logical_cores, machine.cpu_model, machine.logical_cores
        ));
    }
    if !differences.is_empty() && !anyway {
        anyhow::bail!(
            "--resume {}: {}; its figures would mix the two. Pass --resume-anyway to continue all the same",
            store.dir().display(),
            differences.join("; ")
        );
    }
    run_planned(project, plan, options, cancel, Some(previous)).map(|(code, _)| code)
}

/// Runs the plan (or what a resumed run still lacks), writes every report; returns the exit
/// code and the record.
fn run_planned(
    project: &Project,
    run_plan: &RunPlan,
    options: &RunOptions,
    cancel: &Cancel,
    previous: Option<Previous>,
) -> Result<(i32, RunRecord)> {
    let started = std::time::Instant::now();
    let ws = &project.workspace;
    let detected = Detected::all(ws);
    let planned = toolchains::prepare(
        run_plan.cases.clone(),
        &detected,
        ws,
        options.require_all_toolchains,
        &|line| eprintln!("{line}"),
    )?;
    let mut record = new_record(&run_plan.suite, &detected, ws, options.command_line.clone());
    record.shard = run_plan.shard;
    let (store, previous, _lock) = match previous {
        Some(previous) => {
            // The run keeps the identity and provenance of the session that started it.
            record.run_id = previous.record.run_id.clone();
            record.started_at = previous.record.started_at.clone();
            record.harness = previous.record.harness.clone();
            record.environment = previous.record.environment.clone();
            (previous.store, Some(previous.record), previous._lock)
        }
        None => {
            let (store, run_id) = RunStore::create(&options.runs_dir, &record.run_id)?;
            let lock = store.lock()?;
            record.run_id = run_id;
            store.write_json(PLAN_FILE, run_plan)?;
            (store, None, lock)
        }
    };
    announce(&record, run_plan, &planned, previous.is_some(), &store);
    let schedule = Schedule {
        repetitions: run_plan.repetitions,
        seed: run_plan.seed,
    };
    let stop_rule = stopping::ClaimsDecided {
        claims: &project.claims,
    };
    measure(
        &mut record,
        &planned,
        &schedule,
        &store,
        cancel,
        previous.as_ref(),
        run_plan
            .stop_early
            .then_some(&stop_rule as &dyn schedule::StopRule),
    )?;
    // Derived figures are written whether the run finished or was interrupted.
    record.derived = REGISTRY.derive(&record.cases)?;
    let summary = write_reports(project, &record, &store, options.charts)?;
    println!("{summary}");
    println!(
        "wall time of the run: {:.1} s; results: {}{}",
        started.elapsed().as_secs_f64(),
        store.dir().display(),
        crate::measure::progress::harness_time_text(&record)
    );
    if cancel.is_cancelled() {
        eprintln!(
            "interrupted: the results measured so far are in {}; `arena run --resume {}` continues it",
            store.results_path().display(),
            store.dir().display()
        );
        return Ok((130, record));
    }
    Ok((0, record))
}

/// The line a run starts with: its id, suite, cases and processes, and where results go.
fn announce(
    record: &RunRecord,
    run_plan: &RunPlan,
    planned: &[PlannedCase],
    resumed: bool,
    store: &RunStore,
) {
    let jobs: u32 = (planned.iter())
        .map(|c| c.spec.repetitions.unwrap_or(run_plan.repetitions))
        .sum();
    eprintln!(
        "run {}: suite {} ({} cases, {jobs} processes: {} repetitions unless a workload sets its own){}, results in {}",
        record.run_id,
        run_plan.suite,
        planned.len(),
        run_plan.repetitions,
        if resumed { "; resumed from the run folder's plan: finished repetitions are kept" } else { "" },
        store.results_path().display()
    );
}

pub fn load(config: &LoadConfig, cancel: &Cancel) -> Result<i32> {
    let plan = &config.plan;
    let stream = &plan.streams[0];
    eprintln!(
        "{} {}: {}, {} connection(s), {:.1} s + {:.1} s warm-up, {} generator thread(s){}",
        if config.json { "loading" } else { "load" },
        config.url,
        stream
            .rate_per_s
            .map_or("closed loop".to_string(), |r| format!("open loop at {r} req/s")),
        stream.connections,
        plan.duration.as_secs_f64(),
        plan.warmup.as_secs_f64(),
        plan.threads,
        if plan.cpus.is_empty() {
            String::new()
        } else {
            format!(" on CPUs {:?}", plan.cpus)
        }
    );
    let load = crate::measure::load::run_cancellable(plan, cancel)?;
    let record = load.record;
    if load.interrupted {
        eprintln!(
            "interrupted (Ctrl-C or SIGTERM) after {:.1} s of the {:.1} s window: the figures below cover only that part",
            record.streams[0].window_ns as f64 / 1e9,
            plan.duration.as_secs_f64()
        );
    }
    if config.json {
        println!("{}", serde_json::to_string_pretty(&record)?);
    } else {
        print!("{}", load_text::load_text(&record));
    }
    let failed = record.streams.iter().any(|s| s.requests_ok == 0);
    Ok(if load.interrupted {
        130
    } else if failed {
        1
    } else {
        0
    })
}

pub fn selftest(json: bool, cancel: &Cancel) -> Result<i32> {
    let outcome = crate::measure::selftest::stall_selftest(cancel)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
    } else {
        print!("{}", outcome.text());
    }
    Ok(if outcome.passed { 0 } else { 1 })
}

pub fn test_server(threads: usize, cancel: &Cancel) -> Result<i32> {
    let server = crate::measure::load::testserver::TestServer::start(threads)?;
    println!(
        "{}",
        serde_json::json!({"event": "ready", "port": server.addr.port()})
    );
    // SIGTERM, SIGINT or SIGHUP (the handler sets the token) ends it.
    while !cancel.sleep(std::time::Duration::from_secs(3600)) {}
    Ok(130)
}
