//! sleep-tasks' invariants, its slopes (RSS and live heap) and the memory-ratio claim's verdicts.

use super::*;
use crate::analyse::claims::Verdict;
use crate::measure::protocol::parse_line;

fn params() -> Params {
    [("tasks".to_string(), 10), ("hold_ms".to_string(), 1000)]
        .into_iter()
        .collect()
}

fn run(ready_done: u64, total_ms: u64) -> Execution {
    run_sampled(ready_done, total_ms, Some(50_000_000))
}

/// `run`, with the memory at ready read `sampled_at_ns` after spawn (None: not timed).
fn run_sampled(ready_done: u64, total_ms: u64, sampled_at_ns: Option<u64>) -> Execution {
    let lines = [
        format!(r#"{{"event":"ready","alive":10,"done":{ready_done},"spawn_ns":1000000}}"#),
        format!(
            r#"{{"event":"result","checksum":"45","ops":10,"done":10,"total_ns":{},"spawn_ns":1000000}}"#,
            total_ms * 1_000_000
        ),
    ];
    Execution {
        exit_code: Some(0),
        events: lines.iter().map(|l| parse_line(l, 0).unwrap()).collect(),
        ready_rss_bytes: Some(20 << 20),
        ready_sampled_at_ns: sampled_at_ns,
        ..Default::default()
    }
}

fn holds(exec: &Execution) -> bool {
    SleepTasks
        .invariants(&params(), exec)
        .unwrap()
        .iter()
        .all(|i| i.holds)
}

#[test]
fn checksum_is_the_sum_of_indices() {
    assert_eq!(checksum(1), 0);
    assert_eq!(checksum(100), 4950);
}

#[test]
fn bounds_on_the_total_time() {
    assert!(holds(&run(0, 1001)));
    assert!(holds(&run(0, 999)), "ms timers may fire up to 2 ms early");
    assert!(!holds(&run(0, 990)));
    assert!(!holds(&run(3, 1001)), "a task finished before all were alive");
    // 10 tasks: slack 250 ms + 100 ms + 20 ms; serialized (10 × hold) is far outside.
    assert!(holds(&run(0, 1360)));
    assert!(!holds(&run(0, 10_000)));
}

#[test]
fn memory_read_after_the_hold_could_have_released_tasks_is_invalid() {
    // hold_ms = 1000: no task can finish before 1000 ms after spawn.
    assert!(holds(&run_sampled(0, 1001, Some(999_000_000))));
    let late = run_sampled(0, 1001, Some(1_000_000_000));
    assert!(!holds(&late), "sampled exactly when the first task may finish");
    let broken: Vec<String> = SleepTasks
        .invariants(&params(), &run_sampled(0, 1001, Some(1_250_000_000)))
        .unwrap()
        .into_iter()
        .filter(|i| !i.holds)
        .map(|i| i.what)
        .collect();
    assert_eq!(
        broken,
        ["tree RSS at ready was sampled 1250 ms after spawn, after the 1000 ms hold could have released the first tasks: the memory figure may not hold all 10 tasks"]
    );
}

#[test]
fn an_untimed_ready_sample_is_not_judged_by_its_time() {
    assert!(holds(&run_sampled(0, 1001, None)));
}

fn memory(variant: &str, bytes: f64, half_width: f64, lack_of_fit_p: Option<f64>) -> TaskMemory {
    TaskMemory {
        variant: variant.into(),
        bytes_per_task: Some(bytes),
        bytes_per_task_from_tasks: Some(10000),
        bytes_per_task_to_tasks: Some(100000),
        bytes_per_task_ci_low: Some(bytes - half_width),
        bytes_per_task_ci_high: Some(bytes + half_width),
        bytes_per_task_ci_level: Some(0.95),
        bytes_per_task_ci_df: Some(2.0),
        bytes_per_task_processes: Some(6),
        lack_of_fit_p,
        live_heap_bytes_per_task: None,
        live_heap_bytes_per_task_ci_low: None,
        live_heap_bytes_per_task_ci_high: None,
        baseline_bytes: Some(1e6),
        tasks_reached: vec![1000, 10000, 100000],
        largest_tasks_reached: Some(100000),
        first_failed_tasks: None,
        first_failure: None,
        points: vec![],
    }
}

fn judge(dear: &TaskMemory, cheap: &TaskMemory) -> (Verdict, Vec<String>) {
    let all = [dear.clone(), cheap.clone()];
    let judged = memory_ratio(&all, &["a".into()], &["b".into()], 3.0);
    (judged.verdict, judged.evidence)
}

#[test]
fn memory_ratio_is_supported_contradicted_or_open_on_interval_bounds() {
    let cheap = memory("b", 1000.0, 100.0, Some(0.5));
    assert_eq!(
        judge(&memory("a", 9000.0, 500.0, Some(0.5)), &cheap).0,
        Verdict::Supported
    );
    assert_eq!(
        judge(&memory("a", 1500.0, 100.0, Some(0.5)), &cheap).0,
        Verdict::Contradicted
    );
    assert_eq!(
        judge(&memory("a", 3300.0, 500.0, Some(0.5)), &cheap).0,
        Verdict::NotEnoughEvidence
    );
}

/// At df = 2, t rises from 4.30 (95%) to 6.21 (97.5%, 5% / 2 intervals): a gap that 95%
/// intervals clear but the family's do not is no contradiction.
#[test]
fn a_contradiction_reads_its_bounds_at_the_familys_level() {
    let cheap = memory("b", 1000.0, 100.0, Some(0.5));
    // At 97.5% the cheap variant's lower bound is 1000 − 144 = 856, and 3 × 856 = 2567.
    // dear 2000 ± 200: its upper bound at 97.5% is 2288 < 2567, contradicted.
    let (verdict, evidence) = judge(&memory("a", 2000.0, 200.0, Some(0.5)), &cheap);
    assert_eq!(verdict, Verdict::Contradicted, "{evidence:?}");
    assert!(evidence.iter().any(|e| e.contains("97.50%")), "{evidence:?}");
    // dear 2500 ± 100: 2600 at 95%, below 3 × 900 = 2700, so 95% bounds would contradict;
    // at 97.5% it is 2644, above 2567: not contradicted.
    let (verdict, evidence) = judge(&memory("a", 2500.0, 100.0, Some(0.5)), &cheap);
    assert_eq!(verdict, Verdict::NotEnoughEvidence, "{evidence:?}");
    // Without degrees of freedom (an older run), nothing can be contradicted.
    let mut old = memory("a", 1500.0, 100.0, Some(0.5));
    old.bytes_per_task_ci_df = None;
    assert_eq!(judge(&old, &cheap).0, Verdict::NotEnoughEvidence);
}

/// The verdict is data: `arena claims` gets one interval per slope, at 95% and at the family's
/// level, with the family's size and which slope decided.
#[test]
fn the_judgement_stores_each_slope_with_its_family() {
    use arena_results::CheckOutcome;
    let all = [
        memory("a", 2000.0, 200.0, Some(0.5)),
        memory("b", 1000.0, 100.0, Some(0.5)),
    ];
    let judged = memory_ratio(&all, &["a".into()], &["b".into()], 3.0);
    assert_eq!(judged.verdict, Verdict::Contradicted);
    assert_eq!(judged.family.checks, 2);
    let outcomes: Vec<CheckOutcome> = judged.intervals.iter().map(|i| i.outcome).collect();
    assert_eq!(
        outcomes,
        [CheckOutcome::Fails, CheckOutcome::Fails],
        "{:?}",
        judged.intervals
    );
    let dear = &judged.intervals[0];
    assert_eq!(
        (dear.low, dear.high, dear.level, dear.n),
        (1800.0, 2200.0, 0.95, 6)
    );
    assert!(
        dear.wide_level == Some(0.975) && dear.wide_high.unwrap() > 2200.0,
        "{dear:?}"
    );
    let supported = memory_ratio(
        &[memory("a", 9000.0, 500.0, Some(0.5)), all[1].clone()],
        &["a".into()],
        &["b".into()],
        3.0,
    );
    assert!(supported
        .intervals
        .iter()
        .all(|i| i.outcome == CheckOutcome::Holds));
}

#[test]
fn a_lack_of_fit_is_said_beside_the_marginal_slope_and_stops_no_verdict() {
    let cheap = memory("b", 1000.0, 100.0, Some(0.5));
    let (verdict, evidence) = judge(&memory("a", 9000.0, 500.0, Some(0.001)), &cheap);
    assert_eq!(verdict, Verdict::Supported);
    assert!(
        evidence.iter().any(|e| e.contains("a: 9000 bytes/task")
            && e.contains("memory not linear over N = 1000–100000 (lack-of-fit p = 0.001)")),
        "{evidence:?}"
    );
}

fn sleep_case(tasks: u64, rss_and_heap: &[(u64, i64)]) -> CaseRecord {
    use crate::analyse::phases::fixtures::case;
    let reps = rss_and_heap
        .iter()
        .enumerate()
        .map(|(i, (rss, heap))| {
            let mut r = crate::analyse::phases::fixtures::repetition(i as u32, true, vec![]);
            r.ready_tree_rss_bytes = Some(*rss);
            r.self_reported.insert("heap_live_bytes".into(), *heap);
            r
        })
        .collect();
    let mut c = case(ID, "java/virtual", CaseStatus::Ok, reps);
    c.params = [("tasks".to_string(), tasks)].into_iter().collect();
    c
}

/// One java/virtual case at each of 1k, 10k and 100k tasks, three repetitions each:
/// `reading(n, e)` gives (RSS, live heap) of repetition e ∈ {−1, 0, 1} at n.
fn three_sizes(reading: impl Fn(u64, i64) -> (u64, i64)) -> Vec<CaseRecord> {
    [1000u64, 10000, 100000]
        .iter()
        .map(|n| sleep_case(*n, &[-1i64, 0, 1].map(|e| reading(*n, e))))
        .collect()
}

#[test]
fn the_live_heap_slope_stands_beside_the_rss_slope() {
    let cases = three_sizes(|n, e| {
        (
            (50_000_000 + 2000 * n as i64 + e * 100_000) as u64,
            10_000_000 + 1100 * n as i64 + e * 10_000,
        )
    });
    let refs: Vec<&CaseRecord> = cases.iter().collect();
    let m = &task_memory(&refs)[0];
    assert!((m.bytes_per_task.unwrap() - 2000.0).abs() < 1e-6, "{m:?}");
    assert!(
        (m.live_heap_bytes_per_task.unwrap() - 1100.0).abs() < 1e-6,
        "{m:?}"
    );
    assert!(m.live_heap_bytes_per_task_ci_low.unwrap() < 1100.0);
    assert_eq!(m.bytes_per_task_ci_level, Some(0.95));
    // One repetition at some N: no interval on the slope, hence no verdict.
    let single = sleep_case(100000, &[(250_000_000, 1)]);
    let m = &task_memory(&[&cases[0], &cases[1], &single])[0];
    assert!(m.bytes_per_task.is_some() && m.bytes_per_task_ci_low.is_none());
    assert_eq!(m.bytes_per_task_ci_level, None);
}

/// RSS that is not a line over 1k/10k/100k (a runtime's pools fill by 10k): the figure is the
/// marginal slope between 10k and 100k, 2,000 bytes, not the least-squares slope through all
/// three, and the lack of fit is reported beside it.
#[test]
fn memory_per_task_is_the_marginal_slope_between_the_two_largest_n() {
    let rss = |n: u64| 50_000_000 + 2000 * n + if n >= 10_000 { 30_000_000 } else { 0 };
    let cases = three_sizes(|n, e| (rss(n) + (e + 1) as u64 * 50_000, 0));
    let refs: Vec<&CaseRecord> = cases.iter().collect();
    let m = &task_memory(&refs)[0];
    assert!((m.bytes_per_task.unwrap() - 2000.0).abs() < 1e-6, "{m:?}");
    assert_eq!(
        (m.bytes_per_task_from_tasks, m.bytes_per_task_to_tasks),
        (Some(10000), Some(100000))
    );
    assert!(m.lack_of_fit_p.unwrap() < NOT_LINEAR_P, "{m:?}");
    assert!(linearity(m).contains("not linear over N = 1000–100000"));
}

#[test]
fn no_ready_event_is_a_protocol_error() {
    let mut exec = run(0, 1001);
    exec.events.remove(0);
    let err = SleepTasks.invariants(&params(), &exec).unwrap_err();
    assert_eq!(err.0, FailureKind::ProtocolError);
}
