//! A deliberately injected stall is caught by gc-pause's hiccup meter, in every language: the
//! test launches the language's first gc-pause variant as the runner describes it, stops the
//! whole process with SIGSTOP for 200 ms in the middle of its paced load, and checks that the
//! meter's worst overshoot shows the stall while the checksum stays right. A missing toolchain
//! skips its language here, except in CI (CI=true), where it fails.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use arena_harness::plan::catalog::{build_root, Catalog};
use arena_harness::plan::{plan_verify, Filters, MachineFacts};
use arena_harness::workloads::gc_pause;
use arena_runners::{runner, Detection, Language, Workspace};

/// One at a time: each test stops a process on a small machine.
static SERIAL: Mutex<()> = Mutex::new(());

const STALL: Duration = Duration::from_millis(200);
/// The load runs 4 s; the stall starts 1.5 s after spawn, past every runtime's start-up here
/// (a JVM's is 0.1–0.3 s) and well before the end.
const TICKS_MS: u64 = 4000;
const STALL_AFTER: Duration = Duration::from_millis(1500);

/// Kills the child if the test fails before it is reaped: no process is left behind.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn stall_is_caught(language: Language) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let root = build_root();
    let ws = Workspace {
        root: root.clone(),
        target: root.join("target"),
        jdk_override: None,
    };
    let runner = runner(language);
    let toolchain = match runner.detect(&ws) {
        Detection::Found(tc) => tc,
        Detection::Missing { problem, .. } => {
            assert!(
                !common::in_ci(),
                "CI requires the {language} toolchain: {problem}"
            );
            eprintln!("SKIPPED {language}: {problem}");
            return;
        }
    };
    runner.build(&toolchain, &ws).unwrap();
    let catalog = Catalog::load(&root).unwrap();
    let filters = Filters {
        workloads: Some(BTreeSet::from([gc_pause::ID.to_string()])),
        languages: Some(BTreeSet::from([language])),
        variants: None,
    };
    let mut case = plan_verify(&catalog, &filters, &MachineFacts::this_machine(2))
        .unwrap()
        .remove(0);
    case.params.insert("duration_ms".into(), TICKS_MS);
    let spec = runner.launch(&toolchain, &ws, &case.launch_request());
    let mut child = Reaped(
        Command::new(&spec.program)
            .args(&spec.args)
            .envs(&spec.env)
            .current_dir(&spec.cwd)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id() as i32;
    std::thread::sleep(STALL_AFTER);
    // SAFETY: kill(2) on our own child, which has not been reaped yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0);
    std::thread::sleep(STALL);
    assert_eq!(unsafe { libc::kill(pid, libc::SIGCONT) }, 0);
    let events: Vec<serde_json::Value> = BufReader::new(child.0.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(child.0.wait().unwrap().success(), "{} failed", case.label());
    let event = |kind: &str| events.iter().find(|e| e["event"] == kind).cloned();
    let hiccups = event("hiccups").expect("a hiccups event");
    let max_ns = hiccups["ns"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_u64())
        .max()
        .unwrap();
    let expected = gc_pause::reference::checksum(1000, 10 * TICKS_MS).unwrap();
    assert_eq!(event("result").unwrap()["checksum"], expected.as_str());
    assert!(
        max_ns >= (STALL.as_nanos() as u64) * 9 / 10,
        "{}: the meter's worst overshoot is {:.1} ms, but the process was stopped for {} ms",
        case.label(),
        max_ns as f64 / 1e6,
        STALL.as_millis()
    );
    eprintln!(
        "{}: stopped {} ms, the meter's max {:.1} ms",
        case.label(),
        STALL.as_millis(),
        max_ns as f64 / 1e6
    );
}

macro_rules! stall_tests {
    ($($name:ident => $language:expr),* $(,)?) => {
        $(#[test] fn $name() { stall_is_caught($language); })*
    };
}

stall_tests! {
    stall_python => Language::Python,
    stall_node => Language::Node,
    stall_go => Language::Go,
    stall_java => Language::Java,
    stall_rust => Language::Rust,
}
