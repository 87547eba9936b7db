//! The scheduler, driven through a mock executor: rounds interleave cases, failures stop a case
//! but not the run, resource limits skip larger N, every repetition is in the run's journal
//! before the next process starts (checked from inside the executor, i.e. while the run is
//! still going) and results.json is written when it ends, and a
//! cancelled run (Ctrl-C, SIGTERM) keeps what it measured without blaming the running case; a
//! resumed run keeps every finished repetition and measures none twice.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use arena_harness::measure::executor::{Execution, Executor, Job};
use arena_harness::measure::progress::SilentProgress;
use arena_harness::measure::protocol::parse_line;
use arena_harness::measure::schedule::{self, PlannedCase, Readiness, Schedule, Session};
use arena_harness::measure::Cancel;
use arena_harness::plan::CaseSpec;
use arena_harness::workloads::registry::REGISTRY;
use arena_harness::workloads::sleep_tasks::TaskMemory;
use arena_results::{CaseStatus, FailureKind, RunRecord, RunStore};
use arena_runners::{Language, LaunchSpec};
use common::{derived, empty_record, execute, fixture_case};

/// Behaves according to the program name; checks the results file before every call.
struct MockExecutor {
    results_path: PathBuf,
    calls: Mutex<Vec<String>>,
}

impl MockExecutor {
    fn lines(&self, job: &Job) -> Vec<String> {
        let arg = |k: &str| -> u64 {
            job.spec
                .args
                .iter()
                .find_map(|a| a.strip_prefix(&format!("{k}=")))
                .map_or(0, |v| v.parse().unwrap())
        };
        let n = arg("tasks");
        match job.spec.program.to_str().unwrap() {
            "sleep-ok" => vec![
                format!(r#"{{"event":"ready","alive":{n},"done":0,"spawn_ns":1000}}"#),
                format!(
                    r#"{{"event":"result","checksum":"{}","ops":{n},"done":{n},"total_ns":{},"spawn_ns":1000}}"#,
                    n * (n - 1) / 2,
                    arg("hold_ms") * 1_000_000 + 5000
                ),
            ],
            "sleep-limited" if n > 500 => vec![format!(
                r#"{{"event":"error","kind":"resource_limit","alive":500,"message":"can't start new thread"}}"#
            )],
            "sleep-limited" => self.lines(&Job {
                spec: LaunchSpec {
                    program: "sleep-ok".into(),
                    ..job.spec.clone()
                },
                ..job.clone()
            }),
            "sleep-early" => vec![
                format!(r#"{{"event":"ready","alive":{n},"done":3,"spawn_ns":1000}}"#),
                format!(
                    r#"{{"event":"result","checksum":"{}","ops":{n},"done":{n},"total_ns":{},"spawn_ns":1000}}"#,
                    n * (n - 1) / 2,
                    arg("hold_ms") * 1_000_000
                ),
            ],
            other => panic!("unknown mock program {other}"),
        }
    }
}

impl Executor for MockExecutor {
    fn execute(&self, job: &Job) -> Execution {
        let mut calls = self.calls.lock().unwrap();
        // Everything measured before this call is already on disk.
        let on_disk = RunStore::at(self.results_path.parent().unwrap()).read().unwrap();
        assert!(
            !self.results_path.exists(),
            "results.json is written when the run ends"
        );
        let recorded: usize = on_disk.cases.iter().map(|c| c.repetitions.len()).sum();
        assert_eq!(
            recorded,
            calls.len(),
            "the journal lags behind the executed repetitions"
        );
        calls.push(job.spec.args.join(" "));

        let lines = self.lines(job);
        let events = lines
            .iter()
            .map(|l| parse_line(l, 1_000).unwrap())
            .collect::<Vec<_>>();
        let limited = events.iter().any(|e| e.kind == "error");
        Execution {
            exit_code: Some(if limited { 3 } else { 0 }),
            wall_ns: 2_000_000_000 + calls.len() as u64,
            user_cpu_ns: 10_000_000,
            sys_cpu_ns: 1_000_000,
            ru_maxrss_bytes: Some(10 << 20),
            ready_rss_bytes: Some(20 << 20),
            ready_pss_bytes: Some(15 << 20),
            peak_pss_bytes: Some(16 << 20),
            // Within every mock case's 100 ms hold.
            ready_sampled_at_ns: Some(2_000_000),
            events,
            ..Default::default()
        }
    }
}

fn sleep_case(program: &str, tasks: u64) -> PlannedCase {
    let params: BTreeMap<String, u64> = [("tasks".to_string(), tasks), ("hold_ms".to_string(), 100)].into();
    let spec = CaseSpec {
        case_id: format!("sleep-tasks/{program}/tasks={tasks}"),
        workload: "sleep-tasks".into(),
        language: Language::Go,
        model: program.into(),
        params: params.clone(),
        env: BTreeMap::new(),
        runtime_args: vec![],
        timeout: Duration::from_secs(5),
        repetitions: None,
        server: None,
        size_param: Some("tasks".into()),
        expected_s_per_process: None,
    };
    let args = ["sleep-tasks".to_string(), program.to_string()]
        .into_iter()
        .chain(params.iter().map(|(k, v)| format!("{k}={v}")))
        .collect();
    let launch = LaunchSpec {
        program: program.into(),
        args,
        env: BTreeMap::new(),
        cwd: ".".into(),
        artifacts: Vec::new(),
    };
    PlannedCase {
        spec,
        readiness: Readiness::Ready(launch),
    }
}

/// Runs `cases` through the mock executor: the record, what is on disk, and how many processes ran.
fn run_mock(cases: &[PlannedCase], repetitions: u32, seed: u64) -> (RunRecord, RunRecord, usize) {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = RunStore::create(dir.path(), "mock").unwrap();
    let executor = MockExecutor {
        results_path: store.results_path(),
        calls: Mutex::new(vec![]),
    };
    let mut record = empty_record("mock");
    let schedule = Schedule { repetitions, seed };
    execute(&mut record, cases, &schedule, &executor, &store, &Cancel::new());
    let calls = executor.calls.lock().unwrap().len();
    (record, store.read().unwrap(), calls)
}

#[test]
fn rounds_failures_limits_and_incremental_writes() {
    let mut cases = vec![
        sleep_case("sleep-ok", 100),
        sleep_case("sleep-ok", 1000),
        sleep_case("sleep-limited", 100),
        sleep_case("sleep-limited", 1000),
        sleep_case("sleep-limited", 10000),
        sleep_case("sleep-early", 100),
    ];
    let mut skipped = sleep_case("sleep-ok", 5);
    skipped.readiness = Readiness::Skipped("go toolchain missing".into());
    cases.push(skipped);
    let (record, on_disk, calls) = run_mock(&cases, 3, 42);

    let by_id = |id: &str| record.cases.iter().find(|c| c.case_id == id).unwrap();
    let ok = by_id("sleep-tasks/sleep-ok/tasks=1000");
    assert_eq!(ok.status, CaseStatus::Ok);
    assert_eq!(ok.repetitions.len(), 3);
    assert_eq!(
        ok.summary
            .as_ref()
            .unwrap()
            .ready_tree_rss_bytes
            .as_ref()
            .unwrap()
            .median,
        (20 << 20) as f64
    );

    let early = by_id("sleep-tasks/sleep-early/tasks=100");
    assert_eq!(early.failure_kind, Some(FailureKind::InvariantViolated));
    assert!(
        early.reason.as_deref().unwrap().contains("done at ready"),
        "{:?}",
        early.reason
    );

    let limited_small = by_id("sleep-tasks/sleep-limited/tasks=100");
    assert_eq!(limited_small.status, CaseStatus::Ok);
    // 1000 and 10000 exceed the mock's limit: one hits it, the other is either hit or skipped
    // as "not attempted", depending on the shuffled order; neither is a crash.
    for tasks in [1000, 10000] {
        let c = by_id(&format!("sleep-tasks/sleep-limited/tasks={tasks}"));
        assert_eq!(
            c.failure_kind,
            Some(FailureKind::ResourceLimit),
            "{tasks}: {:?}",
            c.reason
        );
        assert!(c.repetitions.len() <= 1);
    }
    let memory: Vec<TaskMemory> = derived(&record, "sleep-tasks");
    let memory = memory.iter().find(|t| t.variant == "go/sleep-limited").unwrap();
    assert_eq!(memory.largest_tasks_reached, Some(100));
    assert_eq!(memory.first_failed_tasks, Some(1000));

    let skipped = by_id("sleep-tasks/sleep-ok/tasks=5");
    assert_eq!(skipped.status, CaseStatus::Skipped);
    assert!(skipped.repetitions.is_empty());

    // Rounds: every pending case runs its repetition k before any case runs k + 1.
    let rounds: Vec<u32> = record
        .execution_order
        .iter()
        .map(|e| e.rsplit('#').next().unwrap().parse().unwrap())
        .collect();
    assert!(rounds.windows(2).all(|w| w[0] <= w[1]), "{rounds:?}");
    assert_eq!(record.execution_order.len(), calls);
    assert!(record.complete);
    assert_eq!(on_disk, record);
}

#[test]
fn the_order_is_shuffled_by_the_recorded_seed() {
    let order = |seed| {
        let cases: Vec<_> = (1..=8).map(|n| sleep_case("sleep-ok", n * 10)).collect();
        let (record, _, _) = run_mock(&cases, 1, seed);
        assert_eq!(record.order_seed, seed);
        record.execution_order
    };
    assert_eq!(order(7), order(7), "same seed, same order");
    assert_ne!(order(7), order(8), "another seed, another order");
}

#[test]
fn a_round_runs_each_workload_as_one_shuffled_block() {
    use rand::SeedableRng;
    let workloads = [
        "kernels",
        "startup",
        "kernels",
        "cpu-scale",
        "startup",
        "kernels",
        "cpu-scale",
        "kernels",
    ];
    let order_for = |seed| schedule::round_order(&workloads, &mut rand::rngs::StdRng::seed_from_u64(seed));
    let mut block_orders = std::collections::BTreeSet::new();
    let mut within_kernels = std::collections::BTreeSet::new();
    for seed in 0..40 {
        let order = order_for(seed);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (0..workloads.len()).collect::<Vec<_>>(),
            "every case once"
        );
        let names: Vec<&str> = order.iter().map(|&i| workloads[i]).collect();
        let mut blocks = names.clone();
        blocks.dedup();
        assert_eq!(blocks.len(), 3, "each workload's cases back to back: {names:?}");
        block_orders.insert(blocks.join(","));
        within_kernels.insert(format!(
            "{:?}",
            order
                .iter()
                .filter(|&&i| workloads[i] == "kernels")
                .collect::<Vec<_>>()
        ));
    }
    assert_eq!(order_for(3), order_for(3), "same seed, same order");
    assert!(
        block_orders.len() > 3,
        "the workloads' order is shuffled: {block_orders:?}"
    );
    assert!(
        within_kernels.len() > 3,
        "the cases' order within a block is shuffled: {within_kernels:?}"
    );
}

#[test]
fn sizes_beyond_a_hit_resource_limit_are_not_attempted() {
    let cases = vec![
        sleep_case("sleep-limited", 1000),
        sleep_case("sleep-limited", 10000),
    ];
    let mut skipped = 0;
    for seed in 0..8 {
        let (record, _, calls) = run_mock(&cases, 1, seed);
        let larger = record.cases.iter().find(|c| c.params["tasks"] == 10000).unwrap();
        assert_eq!(larger.failure_kind, Some(FailureKind::ResourceLimit));
        // Skipped exactly when the smaller size ran (and hit the limit) first.
        let smaller_first = record.execution_order[0].ends_with("tasks=1000#1");
        if smaller_first {
            skipped += 1;
            assert_eq!(calls, 1, "seed {seed}: the larger size must not run");
            assert!(larger.repetitions.is_empty());
            let reason = larger.reason.as_deref().unwrap();
            assert!(reason.contains("not attempted: tasks=1000"), "{reason}");
        } else {
            assert_eq!(calls, 2, "seed {seed}: a larger size never stops a smaller one");
        }
    }
    assert!(skipped > 0, "some seed orders the smaller size first");
}

#[test]
fn an_interrupted_run_keeps_what_it_measured() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = RunStore::create(dir.path(), "interrupt").unwrap();
    let cases: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|n| fixture_case(n, Duration::from_secs(5), BTreeMap::new()))
        .collect();
    let mut record = empty_record("interrupt");
    let cancel = Cancel::new();
    // Succeeds twice, then "receives" Ctrl-C while the third process runs.
    let executor = recording(Some(2), &cancel, 1_000_000);
    let schedule = Schedule {
        repetitions: 2,
        seed: 9,
    };
    execute(&mut record, &cases, &schedule, &executor, &store, &cancel);

    assert!(!record.complete);
    assert!(
        record.cases.iter().all(|c| c.status == CaseStatus::Skipped),
        "{:?}",
        record.cases
    );
    assert!(record
        .cases
        .iter()
        .all(|c| c.reason.as_deref().unwrap().contains("interrupted")));
    let valid: usize = record
        .cases
        .iter()
        .map(|c| c.repetitions.iter().filter(|r| r.valid).count())
        .sum();
    assert_eq!(
        valid, 2,
        "the two repetitions measured before the interrupt are kept"
    );
    assert_eq!(store.read().unwrap(), record);
}

/// Measures every job it is given, naming it by its stderr log (`<case>.rep<N>...`), with a
/// wall time that tells its calls apart; cancels and reports an interrupt on call `stop_at`.
struct Recording {
    calls: AtomicUsize,
    stop_at: Option<usize>,
    cancel: Cancel,
    measured: Mutex<Vec<String>>,
    base_ns: u64,
}

fn recording(stop_at: Option<usize>, cancel: &Cancel, base_ns: u64) -> Recording {
    Recording {
        calls: AtomicUsize::new(0),
        stop_at,
        cancel: cancel.clone(),
        measured: Default::default(),
        base_ns,
    }
}

impl Executor for Recording {
    fn execute(&self, job: &Job) -> Execution {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if Some(call) == self.stop_at {
            self.cancel.cancel();
            return Execution {
                interrupted: true,
                signal: Some(9),
                ..Default::default()
            };
        }
        let name = job.stderr_log.file_name().unwrap().to_string_lossy().into_owned();
        self.measured.lock().unwrap().push(name);
        let line = r#"{"event":"result","checksum":"84694791","ops":1,"workers":1}"#;
        Execution {
            exit_code: Some(0),
            wall_ns: self.base_ns + call as u64,
            events: vec![parse_line(line, 1).unwrap()],
            ..Default::default()
        }
    }
}

#[test]
fn a_resumed_run_keeps_every_finished_repetition_and_measures_none_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = RunStore::create(dir.path(), "resume").unwrap();
    let cases: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|n| fixture_case(n, Duration::from_secs(5), BTreeMap::new()))
        .collect();
    let schedule = Schedule {
        repetitions: 2,
        seed: 9,
    };
    let first_cancel = Cancel::new();
    let first = recording(Some(3), &first_cancel, 1_000_000);
    let mut interrupted = empty_record("resume");
    execute(&mut interrupted, &cases, &schedule, &first, &store, &first_cancel);
    assert!(!interrupted.complete);

    let cancel = Cancel::new();
    let second = recording(None, &cancel, 5_000_000);
    let session = silent_session(&second, &store, &cancel, None);
    let mut resumed = empty_record("resume");
    schedule::resume(&mut resumed, &cases, &schedule, &session, &interrupted).unwrap();

    assert!(resumed.complete);
    assert!(
        resumed.cases.iter().all(|c| c.status == CaseStatus::Ok),
        "{:?}",
        resumed.cases
    );
    let before: Vec<String> = first.measured.lock().unwrap().clone();
    let after: Vec<String> = second.measured.lock().unwrap().clone();
    assert_eq!(before.len(), 3, "three repetitions finished before the interrupt");
    assert!(
        before.iter().all(|b| !after.contains(b)),
        "measured twice: {before:?} {after:?}"
    );
    let mut all: Vec<String> = before.iter().chain(&after).cloned().collect();
    all.sort();
    all.dedup();
    assert_eq!(
        all.len(),
        6,
        "every case × repetition measured once: {before:?} then {after:?}"
    );
    // What was measured before the interrupt is kept exactly.
    for case in &interrupted.cases {
        let kept = resumed.cases.iter().find(|c| c.case_id == case.case_id).unwrap();
        for rep in case.repetitions.iter().filter(|r| r.valid) {
            let same = kept.repetitions.iter().find(|r| r.index == rep.index).unwrap();
            assert_eq!(same, rep);
        }
        let mut indices: Vec<u32> = kept.repetitions.iter().map(|r| r.index).collect();
        indices.sort_unstable();
        assert_eq!(indices, vec![1, 2]);
    }
    let mut order = resumed.execution_order.clone();
    order.sort();
    order.dedup();
    assert_eq!(order.len(), 6);
    assert_eq!(store.read().unwrap(), resumed);
}

/// A session with the workloads' rules and no progress output.
fn silent_session<'a>(
    executor: &'a dyn Executor,
    store: &'a RunStore,
    cancel: &'a Cancel,
    stop: Option<&'a dyn schedule::StopRule>,
) -> Session<'a> {
    Session {
        executor,
        rules: &REGISTRY,
        store,
        progress: &SilentProgress,
        cancel,
        stop,
    }
}

/// Stops the named case at the named round.
struct StopAt {
    case_id: String,
    round: u32,
    looked: Mutex<Vec<u32>>,
}

impl schedule::StopRule for StopAt {
    fn decided(&self, _record: &RunRecord, round: u32) -> Vec<(String, String)> {
        self.looked.lock().unwrap().push(round);
        if round == self.round {
            vec![(
                self.case_id.clone(),
                "every claim it feeds is decided (test)".into(),
            )]
        } else {
            Vec::new()
        }
    }
}

/// A stopping rule ends the case it names after the round it names: the case is ok with the
/// repetitions it had, its reason says where it stopped and why, and the journal keeps that
/// (results.json says the same); the other cases run every repetition.
#[test]
fn a_stopping_rule_ends_a_decided_case_at_its_look() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = RunStore::create(dir.path(), "stop").unwrap();
    let cases: Vec<_> = ["a", "b"]
        .iter()
        .map(|n| fixture_case(n, Duration::from_secs(5), BTreeMap::new()))
        .collect();
    let schedule = Schedule {
        repetitions: 8,
        seed: 3,
    };
    let cancel = Cancel::new();
    let executor = recording(None, &cancel, 1_000_000);
    let rule = StopAt {
        case_id: "cpu-scale/fixture/a".into(),
        round: 6,
        looked: Mutex::new(Vec::new()),
    };
    let session = silent_session(&executor, &store, &cancel, Some(&rule));
    let mut record = empty_record("stop");
    schedule::execute(&mut record, &cases, &schedule, &session).unwrap();
    let a = &record.cases[0];
    assert_eq!((a.status, a.repetitions.len()), (CaseStatus::Ok, 6));
    assert_eq!(
        a.reason.as_deref(),
        Some("stopped after 6 of 8 planned repetitions: every claim it feeds is decided (test)")
    );
    assert!(a.summary.is_some());
    let b = &record.cases[1];
    assert_eq!(
        (b.status, b.repetitions.len(), b.reason.as_deref()),
        (CaseStatus::Ok, 8, None)
    );
    assert_eq!(executor.measured.lock().unwrap().len(), 14);
    assert_eq!(*rule.looked.lock().unwrap(), (1..8).collect::<Vec<u32>>());
    let written = store.read().unwrap();
    let a = written
        .cases
        .iter()
        .find(|c| c.case_id == "cpu-scale/fixture/a")
        .unwrap();
    assert_eq!((a.status, a.repetitions.len()), (CaseStatus::Ok, 6));
    assert!(a.reason.as_deref().unwrap().starts_with("stopped after 6 of 8"));
}
