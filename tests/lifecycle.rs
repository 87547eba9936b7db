//! A harness that is killed leaves nothing behind, and one that is asked to stop does within a
//! second: SIGKILL of a harness running a process tree, of `arena run` in the middle of a real
//! http-io server case and of `arena selftest` leaves no process of theirs alive (read from
//! /proc, as `ps` does); SIGTERM, SIGINT and SIGHUP end `arena test-server`, `arena load` and
//! `arena selftest` within a second.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use arena_harness::measure::executor::{Executor, Job, ProcessExecutor};
use arena_runners::LaunchSpec;
use common::in_ci;

/// One at a time: these tests start and kill real process trees on a small machine.
static SERIAL: Mutex<()> = Mutex::new(());

/// A process as /proc knows it: pid and start time (so a reused pid is not mistaken for it).
type ProcessId = (i32, u64);

/// (parent pid, start time, state) of a live process.
fn stat(pid: i32) -> Option<(i32, u64, char)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    let fields: Vec<&str> = text[text.rfind(')')? + 2..].split(' ').collect();
    let state = fields[0].chars().next()?;
    Some((fields[1].parse().ok()?, fields[19].parse().ok()?, state))
}

/// Every process descending from `root`, `root` included.
fn tree(root: i32) -> BTreeSet<ProcessId> {
    let mut children: BTreeMap<i32, Vec<(i32, u64)>> = BTreeMap::new();
    let mut root_start = None;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        if let Some((parent, start, _)) = stat(pid) {
            children.entry(parent).or_default().push((pid, start));
            if pid == root {
                root_start = Some(start);
            }
        }
    }
    let mut found = BTreeSet::new();
    let mut stack = vec![(root, root_start.unwrap_or(0))];
    while let Some(process) = stack.pop() {
        if found.insert(process) {
            stack.extend(children.get(&process.0).into_iter().flatten().copied());
        }
    }
    found
}

/// Alive: present, same start time, not a zombie (a dead process whose parent, here PID 1 of a
/// container, may never reap it).
fn alive((pid, start): ProcessId) -> bool {
    stat(pid).is_some_and(|(_, s, state)| s == start && state != 'Z')
}

/// SIGKILLs `harness` once `ready(tree)` holds, then asserts that within 2 s no process of its
/// tree (as it was just before the kill) is alive.
fn kill_and_check(mut harness: Child, what: &str, limit: Duration, ready: impl Fn(&[String]) -> bool) {
    let pid = harness.id() as i32;
    let begun = Instant::now();
    let mut processes;
    loop {
        processes = tree(pid);
        let commands: Vec<String> = processes
            .iter()
            .filter_map(|(p, _)| std::fs::read_to_string(format!("/proc/{p}/cmdline")).ok())
            .map(|c| c.replace('\0', " "))
            .collect();
        if ready(&commands) {
            break;
        }
        if begun.elapsed() > limit || harness.try_wait().unwrap().is_some() {
            let _ = harness.kill();
            let out = harness.wait_with_output().unwrap();
            panic!(
                "{what}: the moment to kill never came within {limit:?}; saw {commands:?}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        processes.len() >= 2,
        "{what}: the harness has children to leave behind"
    );
    harness.kill().unwrap(); // SIGKILL
    harness.wait().unwrap();
    let killed = Instant::now();
    let mut left: Vec<ProcessId> = processes.iter().copied().filter(|p| alive(*p)).collect();
    while !left.is_empty() && killed.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(50));
        left.retain(|p| alive(*p));
    }
    for (pid, _) in &left {
        // SAFETY: cleaning up after a failed check; the pid was alive with its start time.
        unsafe { libc::kill(*pid, libc::SIGKILL) };
    }
    assert!(
        left.is_empty(),
        "{what}: processes alive 2 s after the harness was killed: {left:?}"
    );
}

/// Set in the copy of this test binary that plays the harness in
/// `a_killed_harness_takes_the_workloads_children_with_it`.
const PLAY_HARNESS: &str = "ARENA_TEST_PLAY_HARNESS";

/// A workload whose shell starts two children and waits: the children are the harness's
/// grandchildren, which PR_SET_PDEATHSIG on the shell does not reach; the guard must.
#[test]
fn a_killed_harness_takes_the_workloads_children_with_it() {
    if std::env::var_os(PLAY_HARNESS).is_some() {
        let job = Job {
            spec: LaunchSpec {
                program: PathBuf::from("/bin/sh"),
                args: vec!["-c".into(), "sleep 300 & sleep 300 & wait".into()],
                env: BTreeMap::new(),
                cwd: std::env::temp_dir(),
                artifacts: Vec::new(),
            },
            timeout: Duration::from_secs(120),
            stderr_log: std::env::temp_dir().join(format!("arena-lifecycle-{}.log", std::process::id())),
            driver: None,
            cpus: Vec::new(),
            generator_cpus: Vec::new(),
        };
        ProcessExecutor::default().execute(&job);
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let harness = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_killed_harness_takes_the_workloads_children_with_it",
            "--nocapture",
        ])
        .env(PLAY_HARNESS, "1")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // The killed harness cannot remove its stderr log: its parent does.
    let log = std::env::temp_dir().join(format!("arena-lifecycle-{}.log", harness.id()));
    kill_and_check(harness, "executor", Duration::from_secs(30), |commands| {
        commands.iter().filter(|c| c.starts_with("sleep 300")).count() == 2
    });
    let _ = std::fs::remove_file(log);
}

fn arena() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_arena"));
    cmd.arg("--root").arg(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Whether `arena doctor` finds Go; in CI a missing toolchain fails the test.
fn go_found() -> bool {
    let out = arena().args(["doctor", "--json"]).output().unwrap();
    let doctor: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let go = doctor["toolchains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["language"] == "go")
        .cloned()
        .unwrap_or_default();
    let found = go["found"].as_bool() == Some(true);
    assert!(
        found || !in_ci(),
        "CI requires the go toolchain: {}",
        go["problem"]
    );
    found
}

#[test]
fn sigkill_of_arena_run_in_a_server_case_leaves_no_process() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !go_found() {
        eprintln!("SKIPPED: no go toolchain");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let harness = arena()
        .args([
            "run",
            "--suite",
            "smoke",
            "--workload",
            "http-io",
            "--variant",
            "go/net-http",
        ])
        .arg("--out")
        .arg(out.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The build may come first; the kill comes once the server has run a moment.
    let seen = Mutex::new(None::<Instant>);
    kill_and_check(
        harness,
        "arena run (go http-io)",
        Duration::from_secs(600),
        |commands| {
            let server = commands.iter().any(|c| c.contains("arena-go http-io"));
            let mut seen = seen.lock().unwrap();
            match (server, *seen) {
                (false, _) => false,
                (true, None) => {
                    *seen = Some(Instant::now());
                    false
                }
                (true, Some(at)) => at.elapsed() > Duration::from_millis(700),
            }
        },
    );
}

#[test]
fn sigkill_of_selftest_leaves_no_test_server() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let harness = arena().arg("selftest").stdout(Stdio::null()).spawn().unwrap();
    kill_and_check(harness, "arena selftest", Duration::from_secs(30), |commands| {
        commands.iter().any(|c| c.contains("test-server"))
    });
}

/// Sends `signal` to `child` and asserts it exits within a second; returns its output.
fn ends_within_a_second(mut child: Child, signal: i32, what: &str) -> std::process::Output {
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, signal) };
    let sent = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if sent.elapsed() > Duration::from_secs(1) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running 1 s after signal {signal}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// Starts `arena test-server` and reads its port from the ready line.
fn test_server() -> (Child, u16) {
    use std::io::BufRead;
    let mut server = arena().arg("test-server").stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    (server, ready["port"].as_u64().unwrap() as u16)
}

#[test]
fn test_server_ends_on_sigterm_sigint_and_sighup() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        let (server, _) = test_server();
        ends_within_a_second(server, signal, "arena test-server");
    }
}

#[test]
fn a_60_s_load_ends_on_sigint_and_sigterm_with_what_it_measured() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (mut server, port) = test_server();
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let load = arena()
            .args([
                "load",
                &format!("http://127.0.0.1:{port}/json"),
                "-d",
                "60s",
                "-c",
                "2",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Past the 1 s warm-up, into the measured window.
        std::thread::sleep(Duration::from_millis(1800));
        let out = ends_within_a_second(load, signal, "arena load -d 60s");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("interrupted"), "{stderr}");
        assert!(
            stdout.contains("requests ok"),
            "what it measured is printed: {stdout}"
        );
        assert_eq!(out.status.code(), Some(130), "{stderr}");
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn selftest_ends_on_sigterm() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let selftest = arena()
        .arg("selftest")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let out = ends_within_a_second(selftest, libc::SIGTERM, "arena selftest");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("interrupted"), "{stderr}");
}

/// A real process out of memory (CPython under `ulimit -v`) is recognised from its own message.
#[test]
fn a_real_out_of_memory_is_recognised_from_the_runtimes_message() {
    if !Command::new("python3")
        .args(["-c", "0"])
        .status()
        .is_ok_and(|s| s.success())
    {
        assert!(!in_ci(), "CI requires python3");
        eprintln!("SKIPPED: no python3");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let job = Job {
        spec: LaunchSpec {
            program: PathBuf::from("/bin/sh"),
            args: vec![
                "-c".into(),
                "ulimit -v 200000; exec python3 -c 'bytearray(1 << 34)'".into(),
            ],
            env: BTreeMap::new(),
            cwd: dir.path().to_path_buf(),
            artifacts: Vec::new(),
        },
        timeout: Duration::from_secs(30),
        stderr_log: dir.path().join("oom.log"),
        driver: None,
        cpus: Vec::new(),
        generator_cpus: Vec::new(),
    };
    let exec = ProcessExecutor::default().execute(&job);
    assert_eq!(exec.exit_code, Some(1), "{}", exec.stderr_tail);
    assert_eq!(
        arena_harness::measure::judge::out_of_memory(&exec).as_deref(),
        Some("MemoryError")
    );
}
