//! Judging one execution: did it finish, speak the protocol, compute the expected checksum and
//! hold its workload's invariants? Only then are its timings valid. The generic part (exit
//! status, protocol, checksum, resource limits, server outcomes) lives here; what is specific
//! to a workload comes from its `CaseRules`. Pure: no I/O.

use std::collections::BTreeMap;
use std::sync::Arc;

use arena_results::FailureKind;

use super::executor::Execution;
use super::serve::Driver;
use crate::plan::{CaseSpec, ServerLoad};

pub type Params = BTreeMap<String, u64>;

/// One invariant of a finished run: whether it holds, and what it says (shown when broken).
#[derive(Debug, Clone, PartialEq)]
pub struct Invariant {
    pub holds: bool,
    pub what: String,
}

impl Invariant {
    pub fn new(holds: bool, what: impl Into<String>) -> Invariant {
        Invariant {
            holds,
            what: what.into(),
        }
    }
}

/// What measurement needs to know of one workload. Each workload module supplies it (through
/// `crate::workloads`); nothing here falls back to a default for a workload it does not know.
pub trait CaseRules: Sync {
    /// The checksum a case must print, computed by the harness for its parameters. `Ok(None)`
    /// only for servers, whose every response is validated instead; `Err` names what is missing.
    fn expected_checksum(&self, model: &str, params: &Params) -> Result<Option<String>, String>;
    /// The invariants of a run that exited 0 with the right checksum (`Err`: a protocol-level
    /// failure found on the way, e.g. a missing event).
    fn invariants(&self, params: &Params, exec: &Execution) -> Result<Vec<Invariant>, (FailureKind, String)>;
    /// The driver of a server case (an error for a batch workload).
    fn driver(&self, load: &ServerLoad) -> anyhow::Result<Arc<dyn Driver>>;
}

/// Finds the rules of a workload by id; the registry of workload modules implements it.
pub trait Rulebook: Sync {
    fn rules(&self, workload: &str) -> Option<&dyn CaseRules>;
}

/// What judging one process found: its failure (kind and reason), if any, its checksum and its
/// self-reported figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    pub failure: Option<(FailureKind, String)>,
    pub checksum: Option<String>,
    pub self_reported: BTreeMap<String, i64>,
}

/// Judges one execution of `case`; `expected` is the case's reference checksum (None only for
/// servers, which are judged by their driver).
pub fn judge(case: &CaseSpec, exec: &Execution, expected: Option<&str>, rules: &dyn CaseRules) -> Findings {
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
    // A reason quotes the workload's own output: no terminal control sequence may reach the
    // progress line or a log through it.
    let failure = find_failure(case, exec, expected, checksum.as_deref(), rules)
        .map(|(kind, reason)| (kind, printable(&reason)));
    Findings {
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
        if let Some(why) = out_of_memory(exec) {
            return Some((
                OutOfMemory,
                format!("the server ran out of memory before printing `ready`: {why}"),
            ));
        }
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
    if !exec.terminated_by_harness {
        if let Some(why) = out_of_memory(exec) {
            return Some((OutOfMemory, format!("the server ran out of memory: {why}")));
        }
    }
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

/// Failures every process can have, before its output is looked at.
fn process_failure(case: &CaseSpec, exec: &Execution) -> Option<(FailureKind, String)> {
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
    None
}

/// A batch process must report a resource limit as such, or exit 0.
fn exit_failure(exec: &Execution) -> Option<(FailureKind, String)> {
    use FailureKind::*;
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
    if exec.exit_code != Some(0) {
        if let Some(why) = out_of_memory(exec) {
            return Some((OutOfMemory, format!("out of memory: {why}")));
        }
    }
    match (exec.exit_code, exec.signal) {
        (Some(0), _) => None,
        (Some(code), _) => Some((Crashed, format!("exited with code {code}{}", stderr_hint(exec)))),
        (None, Some(signal)) => Some((Crashed, format!("killed by signal {signal}{}", stderr_hint(exec)))),
        (None, None) => Some((Crashed, "exit status unknown (wait4 failed)".into())),
    }
}

fn find_failure(
    case: &CaseSpec,
    exec: &Execution,
    expected: Option<&str>,
    checksum: Option<&str>,
    rules: &dyn CaseRules,
) -> Option<(FailureKind, String)> {
    use FailureKind::*;
    if let Some(failure) = process_failure(case, exec) {
        return Some(failure);
    }
    if case.server.is_some() {
        return server_failure(exec);
    }
    if let Some(failure) = exit_failure(exec) {
        return Some(failure);
    }
    if exec.first_event("result").is_none() {
        return Some((ProtocolError, "exited 0 without a `result` event".into()));
    }
    let Some(checksum) = checksum else {
        return Some((
            ProtocolError,
            "the `result` event has no string `checksum`".into(),
        ));
    };
    let Some(expected) = expected else {
        return Some((
            HarnessError,
            "the harness has no reference checksum for this case, so its timings cannot be trusted".into(),
        ));
    };
    if checksum != expected {
        return Some((
            ChecksumMismatch,
            format!("checksum {checksum}, expected {expected}"),
        ));
    }
    let broken: Vec<String> = match rules.invariants(&case.params, exec) {
        Err(failure) => return Some(failure),
        Ok(invariants) => invariants
            .into_iter()
            .filter(|i| !i.holds)
            .map(|i| i.what)
            .collect(),
    };
    if !broken.is_empty() {
        return Some((InvariantViolated, format!("violated: {}", broken.join("; "))));
    }
    None
}

/// `text` with every control character but newline and tab replaced by U+FFFD, so an escape
/// sequence from a workload's output (`ESC [ 2 J`, a title change) is shown, not obeyed.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// How each runtime says it ran out of memory, as its stderr words it: Java, Go (the runtime's
/// line above its stack dump), Node (V8's fatal error), CPython and Rust's default allocation
/// error handler. A line is telling when it contains one of these. (A mention of memory in an
/// ordinary message is not enough: only these runtimes' fatal words count.)
const OUT_OF_MEMORY_MARKERS: [&str; 8] = [
    "java.lang.OutOfMemoryError",
    "runtime: out of memory",
    "fatal error: out of memory",
    "JavaScript heap out of memory",
    // V8 when it cannot reserve its address space (under `ulimit -v`).
    "Fatal process OOM",
    "Fatal process out of memory",
    "MemoryError",
    "bytes failed",
];

/// The line that says the process ran out of memory (its runtime's own words, from the head or
/// the tail of stderr), or the OOM killer's signal; None when nothing says so.
pub fn out_of_memory(exec: &Execution) -> Option<String> {
    let telling = |line: &&str| {
        let line = line.trim();
        OUT_OF_MEMORY_MARKERS.iter().any(|marker| match *marker {
            // CPython's traceback ends in `MemoryError` (or `MemoryError: ...`); Java's class
            // name also contains the word and is matched above.
            "MemoryError" => line.starts_with("MemoryError"),
            "bytes failed" => line.starts_with("memory allocation of ") && line.ends_with("bytes failed"),
            marker => line.contains(marker),
        })
    };
    let mut lines = exec.stderr_head.lines().chain(exec.stderr_tail.lines());
    if let Some(line) = lines.find(telling) {
        return Some(line.trim().chars().take(200).collect());
    }
    exec.oom_killed.then(|| {
        "killed by SIGKILL while the kernel's OOM killer fired (oom_kill in the cgroup's memory.events)"
            .into()
    })
}

fn stderr_hint(exec: &Execution) -> String {
    match exec.stderr_tail.lines().rev().find(|l| !l.trim().is_empty()) {
        Some(line) => format!("; stderr ends: {}", line.chars().take(200).collect::<String>()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::protocol::parse_line;
    use arena_runners::Language;
    use std::time::Duration;

    /// Rules of a made-up workload: checksum "42", and `result.ops` must equal param `n`.
    struct Rules;

    impl CaseRules for Rules {
        fn expected_checksum(&self, _: &str, _: &Params) -> Result<Option<String>, String> {
            Ok(Some("42".into()))
        }
        fn invariants(
            &self,
            params: &Params,
            exec: &Execution,
        ) -> Result<Vec<Invariant>, (FailureKind, String)> {
            let ops = exec.first_event("result").and_then(|e| e.int("ops"));
            Ok(vec![Invariant::new(ops == Some(params["n"] as i64), "ops == n")])
        }
        fn driver(&self, _: &ServerLoad) -> anyhow::Result<Arc<dyn Driver>> {
            anyhow::bail!("not a server")
        }
    }

    fn case() -> CaseSpec {
        CaseSpec {
            case_id: "t".into(),
            workload: "w".into(),
            language: Language::Go,
            model: "m".into(),
            params: [("n".to_string(), 3)].into_iter().collect(),
            env: Default::default(),
            runtime_args: vec![],
            timeout: Duration::from_secs(1),
            repetitions: None,
            server: None,
            size_param: None,
            expected_s_per_process: None,
        }
    }

    fn exec(exit: i32, lines: &[&str]) -> Execution {
        Execution {
            exit_code: Some(exit),
            events: lines.iter().map(|l| parse_line(l, 0).unwrap()).collect(),
            ..Default::default()
        }
    }

    fn failure(exec: &Execution, expected: Option<&str>) -> Option<FailureKind> {
        judge(&case(), exec, expected, &Rules).failure.map(|f| f.0)
    }

    #[test]
    fn checksum_then_invariants() {
        let ok = r#"{"event":"result","checksum":"42","ops":3}"#;
        assert_eq!(failure(&exec(0, &[ok]), Some("42")), None);
        let wrong_ops = r#"{"event":"result","checksum":"42","ops":4}"#;
        assert_eq!(
            failure(&exec(0, &[wrong_ops]), Some("42")),
            Some(FailureKind::InvariantViolated)
        );
        let wrong_sum = r#"{"event":"result","checksum":"41","ops":3}"#;
        assert_eq!(
            failure(&exec(0, &[wrong_sum]), Some("42")),
            Some(FailureKind::ChecksumMismatch)
        );
        assert_eq!(
            failure(&exec(0, &[]), Some("42")),
            Some(FailureKind::ProtocolError)
        );
    }

    #[test]
    fn a_batch_case_without_a_reference_checksum_never_passes() {
        let ok = r#"{"event":"result","checksum":"42","ops":3}"#;
        assert_eq!(failure(&exec(0, &[ok]), None), Some(FailureKind::HarnessError));
    }

    #[test]
    fn resource_limit_needs_the_event_and_exit_code_3() {
        let event = r#"{"event":"error","kind":"resource_limit","alive":4,"message":"no"}"#;
        assert_eq!(
            failure(&exec(3, &[event]), Some("42")),
            Some(FailureKind::ResourceLimit)
        );
        assert_eq!(
            failure(&exec(1, &[event]), Some("42")),
            Some(FailureKind::Crashed)
        );
    }

    /// A crashed process whose stderr log is `log` (head and tail as the executor reads them).
    fn crashed_with(exit: Option<i32>, signal: Option<i32>, log: &str) -> Execution {
        let lines: Vec<&str> = log.lines().collect();
        Execution {
            exit_code: exit,
            signal,
            stderr_head: lines[..lines.len().min(20)].join("\n"),
            stderr_tail: lines[lines.len().saturating_sub(20)..].join("\n"),
            ..Default::default()
        }
    }

    #[test]
    fn each_runtime_out_of_memory_message_is_its_own_failure_with_the_telling_line() {
        let go_frames: String = (0..40)
            .map(|i| format!("runtime.frame{i}(...)\n\t/usr/local/go/src/runtime/mcleanup.go:672 +0xa5\n"))
            .collect();
        let go = format!(
            "runtime: out of memory: cannot allocate 4194304-byte block (3980394496 in use)\nfatal error: out of memory\n\ngoroutine 1 [running]:\n{go_frames}"
        );
        let node_frames: String = (1..30).map(|i| format!(" {i}: 0x7f00{i:02x} [node]\n")).collect();
        let node = format!(
            "<--- Last few GCs --->\n\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n----- Native stack trace -----\n\n{node_frames}"
        );
        let cases = [
            (
                "java",
                Some(1),
                None,
                "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n\tat Main.grow(Main.java:9)\n\tat Main.main(Main.java:3)\n".to_string(),
                "java.lang.OutOfMemoryError: Java heap space",
            ),
            ("go", Some(2), None, go, "runtime: out of memory: cannot allocate 4194304-byte block"),
            ("node", None, Some(6), node, "JavaScript heap out of memory"),
            (
                "python",
                Some(1),
                None,
                "Traceback (most recent call last):\n  File \"main.py\", line 3, in <module>\n    data = bytearray(1 << 40)\nMemoryError\n".to_string(),
                "MemoryError",
            ),
            (
                "rust",
                None,
                Some(6),
                "memory allocation of 1099511627776 bytes failed\n".to_string(),
                "memory allocation of 1099511627776 bytes failed",
            ),
        ];
        for (runtime, exit, signal, log, telling) in cases {
            let verdict = judge(&case(), &crashed_with(exit, signal, &log), Some("42"), &Rules);
            let (kind, reason) = verdict.failure.expect(runtime);
            assert_eq!(kind, FailureKind::OutOfMemory, "{runtime}: {reason}");
            assert!(reason.contains(telling), "{runtime}: {reason}");
        }
        // The OOM killer's SIGKILL, with nothing on stderr.
        let killed = Execution {
            oom_killed: true,
            ..crashed_with(None, Some(9), "")
        };
        assert_eq!(failure(&killed, Some("42")), Some(FailureKind::OutOfMemory));
    }

    #[test]
    fn other_crashes_are_not_out_of_memory() {
        let panic = "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n";
        assert_eq!(
            failure(&crashed_with(Some(2), None, panic), Some("42")),
            Some(FailureKind::Crashed)
        );
        assert_eq!(
            failure(&crashed_with(None, Some(9), ""), Some("42")),
            Some(FailureKind::Crashed),
            "a SIGKILL without the OOM killer firing is a crash"
        );
        // A process that exited 0 is judged by its output, whatever its stderr says.
        let ok = exec(0, &[r#"{"event":"result","checksum":"42","ops":3}"#]);
        let ok = Execution {
            stderr_tail: "MemoryError".into(),
            ..ok
        };
        assert_eq!(failure(&ok, Some("42")), None);
    }

    #[test]
    fn escape_sequences_in_a_workloads_output_do_not_reach_the_reason() {
        let log = "panic: \u{1b}[2J\u{1b}]0;owned\u{7}gone \u{9b}31m\n";
        let verdict = judge(&case(), &crashed_with(Some(2), None, log), Some("42"), &Rules);
        let reason = verdict.failure.unwrap().1;
        assert!(reason.contains("gone"), "{reason}");
        assert!(!reason.chars().any(|c| c.is_control()), "{reason:?}");
        assert_eq!(printable("a\tb\nc\u{1b}"), "a\tb\nc\u{fffd}");
    }
}
