//! Judging one execution: did it finish, speak the protocol, compute the expected checksum and
//! hold the workload's invariants? Only then are its timings valid. Pure: no I/O.

use std::collections::BTreeMap;
use std::time::Duration;

use arena_results::FailureKind;

use crate::executor::Execution;
use crate::plan::CaseSpec;
use crate::reference;

/// Slack on the sleep-tasks upper bound, a sanity bound against gross errors. Concurrency itself
/// is proven by `alive == N, done == 0` at ready: a spawn loop that waits for each task fails
/// that. Timers fire late on a loaded 2-core box, and waking N tasks at once has a cost of its
/// own that is real runtime behaviour, not an error: 100k Java virtual threads finished 0.5–1.3 s
/// after the hold, 10k CPython threads ~12 s (a GIL convoy) on this machine. Hence 250 ms + 10%
/// of the hold + 2 ms per task.
fn sleep_slack_ns(hold_ns: u64, tasks: u64) -> u64 {
    250_000_000 + hold_ns / 10 + tasks * 2_000_000
}

/// Timers with millisecond resolution (libuv caches the loop time once per iteration) may fire up
/// to ~1 ms before the hold by a nanosecond clock; 2 ms of tolerance on the lower bound.
const TIMER_GRANULARITY_NS: u64 = 2_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub failure: Option<(FailureKind, String)>,
    pub checksum: Option<String>,
    pub self_reported: BTreeMap<String, i64>,
}

/// The checksum the case must print, computed by the harness (`reference`).
pub fn expected_checksum(case: &CaseSpec) -> Option<String> {
    let p = |k: &str| case.params.get(k).copied();
    match case.workload.as_str() {
        "cpu-scale" => Some(reference::cpu_scale_checksum(p("chunks")?, p("items")?).to_string()),
        "sleep-tasks" => Some(reference::sleep_tasks_checksum(p("tasks")?).to_string()),
        _ => None,
    }
}

pub fn judge(case: &CaseSpec, exec: &Execution, expected: Option<&str>) -> Verdict {
    let mut self_reported = BTreeMap::new();
    for kind in ["ready", "result"] {
        if let Some(event) = exec.first_event(kind) {
            self_reported.extend(event.integer_fields().map(|(k, v)| (k.clone(), v)));
        }
    }
    let checksum = exec
        .first_event("result")
        .and_then(|e| e.text("checksum"))
        .map(str::to_string);
    let failure = find_failure(case, exec, expected, checksum.as_deref());
    Verdict {
        failure,
        checksum,
        self_reported,
    }
}

/// A server is judged by its driver: it must have become ready, answered every request
/// correctly, and still been running when the harness terminated it.
fn server_failure(exec: &Execution) -> Option<(FailureKind, String)> {
    use FailureKind::*;
    let Some(drive) = &exec.drive else {
        let how = match (exec.exit_code, exec.signal) {
            (Some(code), _) => format!("exited with code {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            _ => "ended".into(),
        };
        return Some((
            Crashed,
            format!("the server {how} before printing `ready`{}", stderr_hint(exec)),
        ));
    };
    if let Some((kind, reason)) = &drive.failure {
        return Some((*kind, reason.clone()));
    }
    if !exec.terminated_by_harness {
        return Some((
            Crashed,
            format!("the server exited while under load{}", stderr_hint(exec)),
        ));
    }
    None
}

fn find_failure(
    case: &CaseSpec,
    exec: &Execution,
    expected: Option<&str>,
    checksum: Option<&str>,
) -> Option<(FailureKind, String)> {
    use FailureKind::*;
    if let Some(error) = &exec.spawn_error {
        return Some((SpawnFailed, error.clone()));
    }
    if exec.interrupted {
        return Some((
            Interrupted,
            "interrupted (Ctrl-C or SIGTERM); process group killed".into(),
        ));
    }
    if exec.timed_out {
        return Some((
            Timeout,
            format!("no exit within {:?}; process group killed", case.timeout),
        ));
    }
    if exec.protocol_error_count > 0 {
        return Some((
            ProtocolError,
            format!(
                "{} stdout line(s) break the protocol; first: {}",
                exec.protocol_error_count,
                exec.protocol_errors.join(" | ")
            ),
        ));
    }
    if case.server.is_some() {
        return server_failure(exec);
    }
    if let Some(error) = exec.first_event("error") {
        if error.text("kind") == Some("resource_limit") && exec.exit_code == Some(3) {
            return Some((
                ResourceLimit,
                format!(
                    "could not create more than {} tasks: {}",
                    error.int("alive").map_or("?".into(), |n| n.to_string()),
                    error.text("message").unwrap_or("no message")
                ),
            ));
        }
    }
    match (exec.exit_code, exec.signal) {
        (Some(0), _) => {}
        (Some(code), _) => return Some((Crashed, format!("exited with code {code}{}", stderr_hint(exec)))),
        (None, Some(signal)) => {
            return Some((Crashed, format!("killed by signal {signal}{}", stderr_hint(exec))))
        }
        (None, None) => return Some((Crashed, "exit status unknown (wait4 failed)".into())),
    }
    let Some(result) = exec.first_event("result") else {
        return Some((ProtocolError, "exited 0 without a `result` event".into()));
    };
    let Some(checksum) = checksum else {
        return Some((
            ProtocolError,
            "the `result` event has no string `checksum`".into(),
        ));
    };
    if let Some(expected) = expected {
        if checksum != expected {
            return Some((
                ChecksumMismatch,
                format!("checksum {checksum}, expected {expected}"),
            ));
        }
    }
    let param = |k: &str| case.params.get(k).copied().unwrap_or(0) as i64;
    let mut invariants: Vec<(bool, String)> = Vec::new();
    match case.workload.as_str() {
        "cpu-scale" => {
            invariants.push((
                result.int("workers") == Some(param("workers")),
                format!(
                    "result.workers {:?} == workers {}",
                    result.int("workers"),
                    param("workers")
                ),
            ));
            let ops = param("chunks") * param("items");
            invariants.push((
                result.int("ops") == Some(ops),
                format!("result.ops {:?} == chunks*items {ops}", result.int("ops")),
            ));
        }
        "sleep-tasks" => {
            let n = param("tasks");
            let Some(ready) = exec.first_event("ready") else {
                return Some((ProtocolError, "no `ready` event before `result`".into()));
            };
            invariants.push((
                ready.int("alive") == Some(n),
                format!("alive at ready {:?} == N {n}", ready.int("alive")),
            ));
            invariants.push((
                ready.int("done") == Some(0),
                format!("done at ready {:?} == 0 (a task finished before all were spawned: hold_ms shorter than the spawn time)", ready.int("done")),
            ));
            invariants.push((
                result.int("done") == Some(n),
                format!("done at exit {:?} == N {n}", result.int("done")),
            ));
            let hold_ns = param("hold_ms") as u64 * 1_000_000;
            let spawn_ns = result.int("spawn_ns").unwrap_or(0).max(0) as u64;
            let upper = hold_ns + spawn_ns + sleep_slack_ns(hold_ns, n as u64);
            let lower = hold_ns.saturating_sub(TIMER_GRANULARITY_NS);
            match result.int("total_ns") {
                Some(total) => invariants.push((
                    (lower..=upper).contains(&(total.max(0) as u64)),
                    format!(
                        "hold {} <= total {} <= hold + spawn + slack {}",
                        fmt_ms(hold_ns),
                        fmt_ms(total.max(0) as u64),
                        fmt_ms(upper)
                    ),
                )),
                None => invariants.push((false, "result has total_ns".into())),
            }
        }
        _ => {}
    }
    let broken: Vec<String> = invariants
        .into_iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, what)| what)
        .collect();
    if !broken.is_empty() {
        return Some((InvariantViolated, format!("violated: {}", broken.join("; "))));
    }
    None
}

fn stderr_hint(exec: &Execution) -> String {
    match exec.stderr_tail.lines().rev().find(|l| !l.trim().is_empty()) {
        Some(line) => format!("; stderr ends: {}", line.chars().take(200).collect::<String>()),
        None => String::new(),
    }
}

fn fmt_ms(ns: u64) -> String {
    format!("{:.0} ms", Duration::from_nanos(ns).as_secs_f64() * 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::parse_line;
    use arena_runners::Language;

    fn case(workload: &str, params: &[(&str, u64)]) -> CaseSpec {
        CaseSpec {
            case_id: "t".into(),
            workload: workload.into(),
            language: Language::Go,
            model: "m".into(),
            params: params.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            env: Default::default(),
            runtime_args: vec![],
            timeout: Duration::from_secs(1),
            repetitions: None,
            server: None,
            size_param: None,
        }
    }

    fn exec(exit: i32, lines: &[&str]) -> Execution {
        Execution {
            exit_code: Some(exit),
            events: lines.iter().map(|l| parse_line(l, 0).unwrap()).collect(),
            ..Default::default()
        }
    }

    fn sleep_run(ready_done: u64, total_ms: u64) -> Execution {
        exec(
            0,
            &[
                &format!(r#"{{"event":"ready","alive":10,"done":{ready_done},"spawn_ns":1000000}}"#),
                &format!(
                    r#"{{"event":"result","checksum":"45","ops":10,"done":10,"total_ns":{},"spawn_ns":1000000}}"#,
                    total_ms * 1_000_000
                ),
            ],
        )
    }

    fn failure(case: &CaseSpec, exec: &Execution) -> Option<FailureKind> {
        judge(case, exec, expected_checksum(case).as_deref())
            .failure
            .map(|f| f.0)
    }

    #[test]
    fn sleep_tasks_bounds() {
        let c = case("sleep-tasks", &[("tasks", 10), ("hold_ms", 1000)]);
        assert_eq!(failure(&c, &sleep_run(0, 1001)), None);
        assert_eq!(
            failure(&c, &sleep_run(0, 999)),
            None,
            "ms timers may fire up to 2 ms early"
        );
        assert_eq!(
            failure(&c, &sleep_run(0, 990)),
            Some(FailureKind::InvariantViolated)
        );
        assert_eq!(
            failure(&c, &sleep_run(3, 1001)),
            Some(FailureKind::InvariantViolated)
        );
        // 10 tasks: slack 250 ms + 100 ms + 20 ms; serialized (10 × hold) is far outside.
        assert_eq!(failure(&c, &sleep_run(0, 1360)), None);
        assert_eq!(
            failure(&c, &sleep_run(0, 10_000)),
            Some(FailureKind::InvariantViolated)
        );
    }

    #[test]
    fn resource_limit_needs_the_event_and_exit_code_3() {
        let c = case("sleep-tasks", &[("tasks", 10), ("hold_ms", 1000)]);
        let event = r#"{"event":"error","kind":"resource_limit","alive":4,"message":"no"}"#;
        assert_eq!(failure(&c, &exec(3, &[event])), Some(FailureKind::ResourceLimit));
        assert_eq!(failure(&c, &exec(1, &[event])), Some(FailureKind::Crashed));
    }

    #[test]
    fn cpu_scale_checks_checksum_and_echoed_workers() {
        let c = case("cpu-scale", &[("chunks", 1), ("items", 1), ("workers", 2)]);
        let ok = r#"{"event":"result","checksum":"84694791","ops":1,"workers":2}"#;
        assert_eq!(failure(&c, &exec(0, &[ok])), None);
        let wrong_workers = r#"{"event":"result","checksum":"84694791","ops":1,"workers":1}"#;
        assert_eq!(
            failure(&c, &exec(0, &[wrong_workers])),
            Some(FailureKind::InvariantViolated)
        );
        let wrong_sum = r#"{"event":"result","checksum":"84694792","ops":1,"workers":2}"#;
        assert_eq!(
            failure(&c, &exec(0, &[wrong_sum])),
            Some(FailureKind::ChecksumMismatch)
        );
        assert_eq!(failure(&c, &exec(0, &[])), Some(FailureKind::ProtocolError));
    }
}
