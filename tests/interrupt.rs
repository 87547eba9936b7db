//! Ctrl-C / SIGTERM mid-run: the running case is not blamed, the rest are skipped with a reason,
//! the run is marked incomplete, and everything measured before stays on disk.
//! Its own test binary: the interrupt flag is process-wide.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use arena_harness::executor::{Execution, Executor, Job, INTERRUPTED};
use arena_harness::progress::SilentProgress;
use arena_harness::protocol::parse_line;
use arena_harness::schedule::{self, Schedule};
use arena_results::{CaseStatus, RunStore};
use common::{empty_record, fixture_case};

/// Succeeds twice, then "receives" Ctrl-C while the third process runs.
struct InterruptOnThirdCall(AtomicUsize);

impl Executor for InterruptOnThirdCall {
    fn execute(&self, _job: &Job) -> Execution {
        if self.0.fetch_add(1, Ordering::SeqCst) == 2 {
            INTERRUPTED.store(true, Ordering::SeqCst);
            return Execution {
                interrupted: true,
                signal: Some(9),
                ..Default::default()
            };
        }
        let line = r#"{"event":"result","checksum":"84694791","ops":1,"workers":1}"#;
        Execution {
            exit_code: Some(0),
            wall_ns: 1_000_000,
            events: vec![parse_line(line, 1).unwrap()],
            ..Default::default()
        }
    }
}

#[test]
fn an_interrupted_run_keeps_what_it_measured() {
    let dir = tempfile::tempdir().unwrap();
    let store = RunStore::create(dir.path(), "interrupt").unwrap();
    let cases: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|n| fixture_case(n, Duration::from_secs(5), BTreeMap::new()))
        .collect();
    let mut record = empty_record("interrupt");
    let executor = InterruptOnThirdCall(AtomicUsize::new(0));
    schedule::execute(
        &mut record,
        &cases,
        &Schedule {
            repetitions: 2,
            seed: 9,
        },
        &executor,
        &store,
        &SilentProgress,
    )
    .unwrap();

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
