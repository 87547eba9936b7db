//! Scheduling: runs the planned cases as whole-process repetitions in rounds; a round runs the
//! workloads in a shuffled order and each workload's cases back to back in a shuffled order, with a
//! recorded seed, so languages interleave, slow drift of this noisy machine spreads over every
//! variant, and the two processes of a paired ratio run seconds apart (docs/methodology.md,
//! "Repetitions"). Every finished
//! repetition and every change of a case's status is appended to the run's journal (fsynced)
//! before the next process starts, so nothing measured is lost even to SIGKILL; results.json is
//! written once, when the session ends. A failing case stops repeating; the run goes on. It must not know how processes are spawned (that is `Executor`).

use anyhow::Result;
use arena_results::{
    journal, CaseRecord, CaseStatus, FailureKind, Journal, JournalEntry, LaunchRecord, Repetition, RunRecord,
    RunStore,
};
use arena_runners::LaunchSpec;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::executor::{Execution, Executor, Job};
use super::judge::{self, CaseRules, Rulebook};
use super::recording;
use super::Cancel;
use crate::analyse::summary;
use crate::plan::CaseSpec;

/// Whether a case can run: launchable, or skipped/failed before it starts (missing toolchain,
/// failed build).
#[derive(Debug, Clone)]
pub enum Readiness {
    Ready(LaunchSpec),
    Skipped(String),
    Failed(FailureKind, String),
}

#[derive(Debug, Clone)]
pub struct PlannedCase {
    pub spec: CaseSpec,
    pub readiness: Readiness,
}

/// Reports progress to the user; the CLI shows a bar, tests stay silent.
pub trait Progress {
    fn start(&self, total_jobs: u64);
    /// Every planned job's workload and the suite's measured seconds per process of its case,
    /// for the time left (`progress::TimeLeft`).
    fn expect(&self, _jobs: &[(String, Option<f64>)]) {}
    fn begin(&self, what: &str);
    fn end(&self, what: &str, outcome: &str);
    /// A job of `workload` took `seconds` on the harness's clock, spawn to the next job.
    fn took(&self, _workload: &str, _seconds: f64) {}
    /// `jobs` planned jobs of `workload` will not run (a stopping rule ended their case).
    fn dropped(&self, _workload: &str, _jobs: u64) {}
    fn finish(&self);
}

pub struct Schedule {
    pub repetitions: u32,
    pub seed: u64,
}

/// A sequential stopping rule (docs/methodology.md, "Stopping early"): after each round it may
/// name pending cases that already have what their claims need; they run no more repetitions.
/// The rule decides at which round each case may be looked at (once), so the level a look costs
/// is known in advance (`analyse::stopping`).
pub trait StopRule {
    /// (case id, why) of every pending case that may stop now that `round` rounds have run,
    /// judged on `record` as it stands (pending cases without a summary).
    fn decided(&self, record: &RunRecord, round: u32) -> Vec<(String, String)>;
}

/// What a run is measured with: how processes run, the workloads' rules, where results go, who
/// hears of progress, and the token that stops it all.
pub struct Session<'a> {
    pub executor: &'a dyn Executor,
    pub rules: &'a dyn Rulebook,
    pub store: &'a RunStore,
    pub progress: &'a dyn Progress,
    pub cancel: &'a Cancel,
    /// None: every case runs the repetitions it planned.
    pub stop: Option<&'a dyn StopRule>,
}

/// The reference checksum of a case, or why the case cannot be judged at all.
fn expected_checksum(spec: &CaseSpec, rules: Option<&dyn CaseRules>) -> Result<Option<String>, String> {
    let rules = rules.ok_or_else(|| {
        format!(
            "workload {} has no module in the harness (harness/src/workloads)",
            spec.workload
        )
    })?;
    match rules.expected_checksum(&spec.model, &spec.params)? {
        None if spec.server.is_none() => Err(format!(
            "workload {} gives no reference checksum for a batch case",
            spec.workload
        )),
        expected => Ok(expected),
    }
}

/// Builds the record's case list from the plan (no process runs here).
pub fn initial_cases(cases: &[PlannedCase], repetitions: u32, rules: &dyn Rulebook) -> Vec<CaseRecord> {
    cases
        .iter()
        .map(|planned| {
            let spec = &planned.spec;
            let repetitions = spec.repetitions.unwrap_or(repetitions);
            let expected = expected_checksum(spec, rules.rules(&spec.workload));
            let (status, failure_kind, reason, launch) = match (&planned.readiness, &expected) {
                (Readiness::Skipped(why), _) => (CaseStatus::Skipped, None, Some(why.clone()), None),
                (Readiness::Failed(kind, why), _) => {
                    (CaseStatus::Failed, Some(*kind), Some(why.clone()), None)
                }
                (Readiness::Ready(launch), Err(why)) => (
                    CaseStatus::Failed,
                    Some(FailureKind::HarnessError),
                    Some(why.clone()),
                    Some(launch),
                ),
                (Readiness::Ready(launch), Ok(_)) => (CaseStatus::Pending, None, None, Some(launch)),
            };
            CaseRecord {
                case_id: spec.case_id.clone(),
                workload: spec.workload.clone(),
                language: spec.language.id().into(),
                variant: spec.variant(),
                model: spec.model.clone(),
                params: spec.params.clone(),
                launch: launch_record(launch, spec),
                status,
                failure_kind,
                reason,
                expected_checksum: expected.ok().flatten(),
                repetitions_planned: repetitions,
                server_cpus: spec
                    .server
                    .as_ref()
                    .map(|s| s.placement.server_cpus.clone())
                    .unwrap_or_default(),
                generator_cpus: spec
                    .server
                    .as_ref()
                    .map(|s| s.placement.generator_cpus.clone())
                    .unwrap_or_default(),
                artifact_bytes: launch.and_then(|l| arena_runners::artifact_bytes(&l.artifacts)),
                artifact_paths: launch
                    .map(|l| l.artifacts.iter().map(|p| p.display().to_string()).collect())
                    .unwrap_or_default(),
                repetitions: Vec::new(),
                summary: None,
            }
        })
        .collect()
}

fn launch_record(launch: Option<&LaunchSpec>, spec: &CaseSpec) -> LaunchRecord {
    LaunchRecord {
        program: launch
            .map(|l| l.program.display().to_string())
            .unwrap_or_default(),
        args: launch.map(|l| l.args.clone()).unwrap_or_default(),
        env: launch.map(|l| l.env.clone()).unwrap_or_else(|| spec.env.clone()),
        cwd: launch.map(|l| l.cwd.display().to_string()).unwrap_or_default(),
        timeout_ms: spec.timeout.as_millis() as u64,
    }
}

/// Runs every ready case `schedule.repetitions` times, writing `record` after each repetition.
pub fn execute(
    record: &mut RunRecord,
    cases: &[PlannedCase],
    schedule: &Schedule,
    session: &Session,
) -> Result<()> {
    execute_from(record, cases, schedule, session, None)
}

/// `arena run --resume`: the same plan and seed, so the same order of repetitions, but every
/// repetition `previous` finished is kept as it was and not run again. An interrupted
/// repetition (Ctrl-C, a killed job) measured nothing and runs again.
pub fn resume(
    record: &mut RunRecord,
    cases: &[PlannedCase],
    schedule: &Schedule,
    session: &Session,
    previous: &RunRecord,
) -> Result<()> {
    execute_from(record, cases, schedule, session, Some(previous))
}

/// Carries the finished repetitions (and finished or failed cases) of `previous` over.
fn carry_over(record: &mut RunRecord, previous: &RunRecord) {
    let done = |rep: &arena_results::Repetition| rep.failure_kind != Some(FailureKind::Interrupted);
    for case in record
        .cases
        .iter_mut()
        .filter(|c| c.status == CaseStatus::Pending)
    {
        let Some(before) = previous.cases.iter().find(|p| p.case_id == case.case_id) else {
            continue;
        };
        case.repetitions = before.repetitions.iter().filter(|r| done(r)).cloned().collect();
        // Provenance stays that of the process that measured the kept repetitions.
        if !case.repetitions.is_empty() || matches!(before.status, CaseStatus::Ok | CaseStatus::Failed) {
            case.launch = before.launch.clone();
            case.artifact_bytes = before.artifact_bytes;
            case.artifact_paths = before.artifact_paths.clone();
        }
        if matches!(before.status, CaseStatus::Ok | CaseStatus::Failed) {
            case.status = before.status;
            case.failure_kind = before.failure_kind;
            case.reason = before.reason.clone();
            case.summary = before.summary.clone();
        }
    }
    let kept: std::collections::BTreeSet<String> = record
        .cases
        .iter()
        .flat_map(|c| {
            c.repetitions
                .iter()
                .map(move |r| format!("{}#{}", c.case_id, r.index))
        })
        .collect();
    record.finished_at = previous.finished_at.clone();
    record.execution_order = previous
        .execution_order
        .iter()
        .filter(|e| kept.contains(*e))
        .cloned()
        .collect();
}

fn execute_from(
    record: &mut RunRecord,
    cases: &[PlannedCase],
    schedule: &Schedule,
    session: &Session,
    previous: Option<&RunRecord>,
) -> Result<()> {
    record.cases = initial_cases(cases, schedule.repetitions, session.rules);
    record.order_seed = schedule.seed;
    if let Some(previous) = previous {
        carry_over(record, previous);
    }
    let journal = Journal::begin(session.store.dir(), record)?;
    let mut books = Books {
        journal,
        between: Between::default(),
    };
    let planned_jobs: u64 = cases
        .iter()
        .zip(&record.cases)
        .filter(|(c, r)| matches!(c.readiness, Readiness::Ready(_)) && r.status == CaseStatus::Pending)
        .map(|(_, r)| r.repetitions_planned.saturating_sub(r.repetitions.len() as u32) as u64)
        .sum();
    session.progress.start(planned_jobs);
    let expected: Vec<(String, Option<f64>)> = cases
        .iter()
        .zip(&record.cases)
        .filter(|(c, r)| matches!(c.readiness, Readiness::Ready(_)) && r.status == CaseStatus::Pending)
        .flat_map(|(c, r)| {
            let left = r.repetitions_planned.saturating_sub(r.repetitions.len() as u32) as usize;
            std::iter::repeat_n((c.spec.workload.clone(), c.spec.expected_s_per_process), left)
        })
        .collect();
    session.progress.expect(&expected);
    let mut rng = StdRng::seed_from_u64(schedule.seed);
    let rounds = record
        .cases
        .iter()
        .map(|c| c.repetitions_planned)
        .max()
        .unwrap_or(0);

    'rounds: for round in 0..rounds {
        if let Some(rule) = session.stop.filter(|_| round > 0) {
            stop_decided_cases(record, rule, round, session, &mut books)?;
        }
        let workloads: Vec<&str> = cases.iter().map(|c| c.spec.workload.as_str()).collect();
        for index in round_order(&workloads, &mut rng) {
            let case = &record.cases[index];
            let already = case.repetitions.iter().any(|r| r.index == round + 1);
            if case.status != CaseStatus::Pending || round >= case.repetitions_planned || already {
                continue;
            }
            if session.cancel.is_cancelled() {
                break 'rounds;
            }
            run_repetition(record, index, &cases[index], round, session, &mut books)?;
        }
    }
    finish(record, session, books)
}

/// The order of one round, as indexes into `workloads` (each case's workload): the workloads in a
/// shuffled order, and each workload's cases back to back in a shuffled order of their own.
///
/// Why blocks: every ratio a claim or a figure reads pairs two cases of one workload in one round
/// (Go and Rust on a kernel, W = 1 and W = cores). Shuffled over the whole suite, the two processes
/// of a pair ran up to a round apart, minutes on this host, whose speed drifts over minutes; in a
/// block they run seconds apart (docs/methodology.md, "Rounds in workload blocks").
pub fn round_order(workloads: &[&str], rng: &mut StdRng) -> Vec<usize> {
    let mut blocks: Vec<&str> = workloads.to_vec();
    blocks.sort_unstable();
    blocks.dedup();
    blocks.shuffle(rng);
    let mut order: Vec<usize> = (0..workloads.len()).collect();
    order.shuffle(rng);
    // A stable sort keeps the shuffled order within each block.
    order.sort_by_key(|&i| blocks.iter().position(|b| *b == workloads[i]));
    order
}

/// Ends the pending cases the rule finds decided after `round` rounds: each must have run every
/// one of those rounds without a failure, and plan more. It becomes `ok` with the repetitions
/// it has, and its reason says where it stopped and why.
fn stop_decided_cases(
    record: &mut RunRecord,
    rule: &dyn StopRule,
    round: u32,
    session: &Session,
    books: &mut Books,
) -> Result<()> {
    for (case_id, why) in rule.decided(record, round) {
        let Some(case) = record.cases.iter_mut().find(|c| c.case_id == case_id) else {
            continue;
        };
        let finished = case.repetitions.iter().filter(|r| r.valid).count() as u32;
        if case.status != CaseStatus::Pending || finished != round || case.repetitions_planned <= round {
            continue;
        }
        summary::complete(case);
        case.reason = Some(format!(
            "stopped after {round} of {} planned repetitions: {why}",
            case.repetitions_planned
        ));
        books.case_status(case)?;
        session
            .progress
            .dropped(&case.workload, u64::from(case.repetitions_planned - round));
    }
    Ok(())
}

/// What a session keeps besides the record: its journal and its own time between processes.
struct Books {
    journal: Journal,
    between: Between,
}

impl Books {
    fn case_status(&mut self, case: &CaseRecord) -> Result<()> {
        self.journal.append(&JournalEntry::CaseStatus {
            case_id: case.case_id.clone(),
            status: case.status,
            failure_kind: case.failure_kind,
            reason: case.reason.clone(),
            summary: case.summary.clone().map(Box::new),
        })
    }
}

/// The harness's own time between processes: from the return of one execution to the start of
/// the next (or to the end of the run, its last write included).
#[derive(Default)]
struct Between {
    last_return: Option<std::time::Instant>,
    gaps_ns: Vec<u64>,
}

impl Between {
    fn process_starts(&mut self) {
        if let Some(returned) = self.last_return.take() {
            self.gaps_ns.push(returned.elapsed().as_nanos() as u64);
        }
    }

    fn process_returned(&mut self) {
        self.last_return = Some(std::time::Instant::now());
    }

    /// Median (the lower middle one for an even count) and maximum, into the record.
    fn record_into(mut self, record: &mut RunRecord) {
        self.process_starts();
        if self.gaps_ns.is_empty() {
            return;
        }
        self.gaps_ns.sort_unstable();
        let n = self.gaps_ns.len();
        record.harness_time_between_repetitions_median_ns = Some(self.gaps_ns[(n - 1) / 2]);
        record.harness_time_between_repetitions_max_ns = self.gaps_ns.last().copied();
        record.harness_time_between_repetitions_count = Some(n as u32);
    }
}

/// One repetition of one case: not attempted beyond a known resource limit; otherwise run,
/// judged, added to the case and written.
fn run_repetition(
    record: &mut RunRecord,
    index: usize,
    planned_case: &PlannedCase,
    round: u32,
    session: &Session,
    books: &mut Books,
) -> Result<()> {
    let Readiness::Ready(launch) = &planned_case.readiness else {
        return Ok(());
    };
    let spec = &planned_case.spec;
    let Some(rules) = session.rules.rules(&spec.workload) else {
        return Ok(()); // failed in initial_cases: no module for this workload
    };
    if let Some(reason) = beyond_known_limit(&record.cases, spec) {
        let case = &mut record.cases[index];
        case.status = CaseStatus::Failed;
        case.failure_kind = Some(FailureKind::ResourceLimit);
        case.reason = Some(reason);
        return books.case_status(case);
    }
    let planned = record.cases[index].repetitions_planned;
    let label = format!("{} (rep {}/{planned})", spec.label(), round + 1);
    session.progress.begin(&label);
    let job_started = std::time::Instant::now();
    let log_name = format!("{}.rep{}.stderr.log", sanitize(&spec.case_id), round + 1);
    let (execution, findings) = match job_for(spec, launch, session.store.logs_dir().join(&log_name), rules) {
        Ok(job) => {
            books.between.process_starts();
            let execution = session.executor.execute(&job);
            books.between.process_returned();
            let expected = record.cases[index].expected_checksum.clone();
            let findings = judge::judge(spec, &execution, expected.as_deref(), rules);
            (execution, findings)
        }
        Err(e) => not_started(format!("{e:#}")),
    };
    let repetition = recording::to_repetition(round, &execution, findings, format!("logs/{log_name}"));
    let outcome = outcome_text(&repetition);
    record
        .execution_order
        .push(format!("{}#{}", spec.case_id, round + 1));
    books.journal.append(&JournalEntry::Repetition {
        case_id: spec.case_id.clone(),
        repetition: Box::new(repetition.clone()),
    })?;
    let case = &mut record.cases[index];
    let status_before = case.status;
    // An interrupted repetition is kept for the record but is not the workload's fault:
    // the case stays pending and becomes `skipped` when the run stops.
    let interrupted = repetition.failure_kind == Some(FailureKind::Interrupted);
    if let (Some(kind), Some(reason), false) =
        (repetition.failure_kind, repetition.reason.clone(), interrupted)
    {
        case.status = CaseStatus::Failed;
        case.failure_kind = Some(kind);
        case.reason = Some(format!("repetition {}: {reason}", round + 1));
    }
    case.repetitions.push(repetition);
    // An interrupted last repetition does not complete the case: it stays pending (skipped
    // when the run stops, run again by `--resume`).
    let finished = case
        .repetitions
        .iter()
        .filter(|r| r.failure_kind != Some(FailureKind::Interrupted))
        .count() as u32;
    if case.status == CaseStatus::Pending && finished == planned {
        summary::complete(case);
    }
    if case.status != status_before {
        books.case_status(case)?;
    }
    session
        .progress
        .took(&spec.workload, job_started.elapsed().as_secs_f64());
    session.progress.end(&label, &outcome);
    Ok(())
}

/// The progress line's word on a repetition: "ok 1.234 s" or "FAILED <kind>: <reason>".
fn outcome_text(repetition: &Repetition) -> String {
    match &repetition.failure_kind {
        None => format!("ok {:.3} s", repetition.wall_ns as f64 / 1e9),
        Some(kind) => format!("FAILED {kind:?}: {}", repetition.reason.as_deref().unwrap_or("")),
    }
}

/// Cases still pending were cut by an interrupt: skipped, with how far they got. The record
/// is then written whole to results.json and the journal, no longer needed, removed.
fn finish(record: &mut RunRecord, session: &Session, mut books: Books) -> Result<()> {
    let was_interrupted = session.cancel.is_cancelled();
    let measured_now = !books.between.gaps_ns.is_empty() || books.between.last_return.is_some();
    for index in 0..record.cases.len() {
        let case = &mut record.cases[index];
        if case.status != CaseStatus::Pending {
            continue;
        }
        case.status = CaseStatus::Skipped;
        let completed = case.repetitions.iter().filter(|r| r.valid).count();
        case.reason = Some(format!(
            "run interrupted (Ctrl-C or SIGTERM) after {completed} of {} repetitions",
            case.repetitions_planned
        ));
        books.case_status(case)?;
    }
    record.complete = !was_interrupted;
    // A resume that ran nothing keeps the end of the session that measured the run.
    if measured_now || record.finished_at.is_none() {
        record.finished_at = Some(chrono::Utc::now().to_rfc3339());
    }
    books.journal.append(&JournalEntry::End {
        finished_at: record.finished_at.clone(),
        complete: record.complete,
    })?;
    books.between.record_into(record);
    session.store.write(record)?;
    journal::retire(session.store.dir())?;
    session.progress.finish();
    Ok(())
}

/// A repetition that never started because the harness could not prepare it.
fn not_started(reason: String) -> (Execution, judge::Findings) {
    let findings = judge::Findings {
        failure: Some((FailureKind::HarnessError, reason)),
        checksum: None,
        self_reported: Default::default(),
    };
    (Execution::default(), findings)
}

/// The process to run for one repetition; a server gets its driver and CPU placement.
fn job_for(
    spec: &CaseSpec,
    launch: &LaunchSpec,
    stderr_log: std::path::PathBuf,
    rules: &dyn CaseRules,
) -> Result<Job> {
    let (driver, cpus, generator_cpus) = match &spec.server {
        Some(server) => (
            Some(rules.driver(&server.load)?),
            server.placement.server_cpus.clone(),
            server.placement.generator_cpus.clone(),
        ),
        None => (None, Vec::new(), Vec::new()),
    };
    Ok(Job {
        spec: launch.clone(),
        timeout: spec.timeout,
        stderr_log,
        driver,
        cpus,
        generator_cpus,
    })
}

/// A case larger (in its workload's `size_param`) than a size at which its variant already hit
/// a resource limit is not attempted.
fn beyond_known_limit(cases: &[CaseRecord], spec: &CaseSpec) -> Option<String> {
    let size_param = spec.size_param.as_deref()?;
    let size = *spec.params.get(size_param)?;
    let limited = cases.iter().find(|c| {
        c.variant == spec.variant()
            && c.workload == spec.workload
            && c.failure_kind == Some(FailureKind::ResourceLimit)
            && c.params.get(size_param).is_some_and(|n| *n <= size)
    })?;
    Some(format!(
        "not attempted: {size_param}={} already hit a resource limit ({})",
        limited.params[size_param],
        limited.reason.as_deref().unwrap_or("")
    ))
}

/// A case id as a file name.
fn sanitize(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '=' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
