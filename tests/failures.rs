//! Real processes that misbehave — crash, hang, print garbage, compute the wrong checksum, die by
//! a signal, leave a child behind — each become a recorded failure with a reason, the run goes
//! on, and no process outlives its case.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use arena_harness::measure::executor::ProcessExecutor;
use arena_harness::measure::schedule::Schedule;
use arena_harness::measure::Cancel;
use arena_results::{CaseStatus, FailureKind, RunStore};
use common::*;

#[test]
fn misbehaving_workloads_are_recorded_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let hang_pidfile = dir.path().join("hang.pid");
    let orphan_pidfile = dir.path().join("orphan.pid");
    let env = |file: &std::path::Path| -> BTreeMap<String, String> {
        [("ARENA_FIXTURE_PIDFILE".to_string(), file.display().to_string())]
            .into_iter()
            .collect()
    };
    let quick = Duration::from_secs(20);
    let cases = vec![
        fixture_case("ok", quick, BTreeMap::new()),
        fixture_case("crash", quick, BTreeMap::new()),
        fixture_case("hang", Duration::from_millis(1500), env(&hang_pidfile)),
        fixture_case("garbage", quick, BTreeMap::new()),
        fixture_case("wrong_checksum", quick, BTreeMap::new()),
        fixture_case("orphan", quick, env(&orphan_pidfile)),
        fixture_case("signal", quick, BTreeMap::new()),
    ];
    let (store, _) = RunStore::create(dir.path(), "fixtures").unwrap();
    let mut record = empty_record("fixtures");
    let started = Instant::now();
    let schedule = Schedule {
        repetitions: 3,
        seed: 1,
    };
    execute(
        &mut record,
        &cases,
        &schedule,
        &ProcessExecutor::default(),
        &store,
        &Cancel::new(),
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the hang was cut by its timeout"
    );

    let case = |name: &str| record.cases.iter().find(|c| c.model == name).unwrap();
    let expect_failure = |name: &str, kind: FailureKind, words: &str| {
        let c = case(name);
        assert_eq!(c.status, CaseStatus::Failed, "{name}");
        assert_eq!(c.failure_kind, Some(kind), "{name}: {:?}", c.reason);
        let reason = c.reason.as_deref().unwrap();
        assert!(
            reason.contains(words),
            "{name}: reason {reason:?} should mention {words:?}"
        );
        assert_eq!(c.repetitions.len(), 1, "{name}: a failing case stops repeating");
        assert!(c.summary.is_none(), "{name}: no timings for a failed case");
        assert!(!c.repetitions[0].valid);
    };
    expect_failure("crash", FailureKind::Crashed, "something broke");
    expect_failure("hang", FailureKind::Timeout, "killed");
    expect_failure("garbage", FailureKind::ProtocolError, "Starting benchmark");
    expect_failure(
        "wrong_checksum",
        FailureKind::ChecksumMismatch,
        "expected 84694791",
    );
    expect_failure("signal", FailureKind::Crashed, "signal 11");

    for ok in ["ok", "orphan"] {
        let c = case(ok);
        assert_eq!(c.status, CaseStatus::Ok, "{ok}: {:?}", c.reason);
        assert_eq!(c.repetitions.len(), 3);
        let summary = c.summary.as_ref().unwrap();
        assert!(summary.wall_ns.median > 0.0 && summary.wall_ns.n == 3);
    }
    assert!(
        case("orphan")
            .repetitions
            .iter()
            .all(|r| r.leftover_processes_killed),
        "the orphaned child is recorded as killed"
    );
    assert!(!case("ok").repetitions.iter().any(|r| r.leftover_processes_killed));
    // The full stderr is kept in the run folder; the tail is inline for failures.
    let crash = &case("crash").repetitions[0];
    assert!(crash.stderr_tail.as_deref().unwrap().contains("something broke"));
    assert!(store.dir().join(crash.stderr_log.as_ref().unwrap()).is_file());

    // No process left behind: the hang's child and the orphan were killed with their group.
    std::thread::sleep(Duration::from_millis(200));
    for pidfile in [&hang_pidfile, &orphan_pidfile] {
        let pid = read_pid(pidfile);
        assert!(
            !process_running(pid),
            "child {pid} from {} is still running",
            pidfile.display()
        );
    }
    // What is on disk is what was measured.
    assert_eq!(store.read().unwrap(), record);
    assert!(record.complete);
}
