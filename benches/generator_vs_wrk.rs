//! The load generator beside wrk (issue: "at least 0.95× wrk's throughput, no more CPU per
//! request"). Same server (`arena test-server`, one tokio worker), same pinning (server on the
//! last allowed CPU, load tool on the first), same connections and duration, runs alternating
//! arena, wrk, arena, wrk... Throughput is each tool's own count over its duration; CPU per
//! request is the tool process's user + system time from wait4 over its request count.
//!
//!     cargo bench --bench generator_vs_wrk            # 5 pairs of 5 s, 50 connections
//!     ARENA_VS_WRK_PAIRS=9 ARENA_VS_WRK_SECONDS=10 cargo bench --bench generator_vs_wrk
//!
//! Needs `wrk` on PATH (Debian: apt-get install wrk; scripts/install-test-deps installs it).

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

const ARENA: &str = env!("CARGO_BIN_EXE_arena");

fn env_or(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// (requests, CPU seconds of the tool process)
struct Sample {
    requests: f64,
    seconds: f64,
    cpu_s: f64,
}

fn rusage_children_cpu() -> f64 {
    // SAFETY: rusage is plain data filled by getrusage.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs `command` to completion; its CPU time is the growth of RUSAGE_CHILDREN (the server
/// child is still running and not reaped, so it does not count).
fn timed(mut command: Command) -> (String, f64) {
    let before = rusage_children_cpu();
    let output = command.output().expect("load tool runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        rusage_children_cpu() - before,
    )
}

fn pinned(program: &str, cpu: usize) -> Command {
    let mut command = Command::new(program);
    // SAFETY: sched_setaffinity is async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    command
}

fn arena_once(url: &str, connections: u64, seconds: u64, cpu: usize) -> Sample {
    let mut command = pinned(ARENA, cpu);
    command.args([
        "load",
        url,
        "--connections",
        &connections.to_string(),
        "--duration",
        &format!("{seconds}s"),
        "--warmup",
        "0s",
        "--json",
    ]);
    let (stdout, cpu_s) = timed(command);
    let record: serde_json::Value = serde_json::from_str(&stdout).expect("arena load --json");
    let stream = &record["streams"][0];
    assert!(
        stream["errors"].as_object().is_none_or(|e| e.is_empty()),
        "arena saw errors: {stream}"
    );
    Sample {
        requests: stream["requests_ok"].as_f64().unwrap(),
        seconds: seconds as f64,
        cpu_s,
    }
}

fn wrk_once(url: &str, connections: u64, seconds: u64, cpu: usize) -> Sample {
    let mut command = pinned("wrk", cpu);
    command.args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s"), url]);
    let (stdout, cpu_s) = timed(command);
    // wrk's summary line: "  123456 requests in 5.00s, 12.34MB read"
    let line = stdout
        .lines()
        .find(|l| l.contains(" requests in "))
        .unwrap_or_else(|| panic!("unexpected wrk output:\n{stdout}"));
    assert!(
        !stdout.contains("Non-2xx") && !stdout.contains("Socket errors"),
        "wrk saw errors:\n{stdout}"
    );
    let mut words = line.split_whitespace();
    let requests: f64 = words.next().unwrap().parse().unwrap();
    let seconds: f64 = words
        .nth(2)
        .unwrap()
        .trim_end_matches(['s', ','])
        .parse()
        .unwrap();
    Sample {
        requests,
        seconds,
        cpu_s,
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing: only measure when asked.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("generator_vs_wrk: wrk not found (apt-get install wrk); skipped");
        return;
    }
    let pairs = env_or("ARENA_VS_WRK_PAIRS", 5);
    let seconds = env_or("ARENA_VS_WRK_SECONDS", 5);
    let connections = env_or("ARENA_VS_WRK_CONNECTIONS", 50);
    let cpus: Vec<usize> = (0..std::thread::available_parallelism().map_or(1, |n| n.get())).collect();
    let (tool_cpu, server_cpu) = (cpus[0], *cpus.last().unwrap());

    let mut server = pinned(ARENA, server_cpu);
    server
        .args(["test-server", "--threads", "1"])
        .stdout(Stdio::piped())
        .process_group(0);
    let mut server = server.spawn().expect("arena test-server starts");
    let mut ready = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    let port = serde_json::from_str::<serde_json::Value>(&ready).unwrap()["port"]
        .as_u64()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/json");
    println!(
        "server: arena test-server on CPU {server_cpu}; load tools on CPU {tool_cpu}; {connections} connections, {seconds} s per run, {pairs} alternating pairs"
    );

    let (mut arena, mut wrk) = (Vec::new(), Vec::new());
    for pair in 0..pairs {
        let a = arena_once(&url, connections, seconds, tool_cpu);
        let w = wrk_once(&url, connections, seconds, tool_cpu);
        println!(
            "pair {}: arena {:>9.0} req/s {:>6.2} µs CPU/req | wrk {:>9.0} req/s {:>6.2} µs CPU/req",
            pair + 1,
            a.requests / a.seconds,
            a.cpu_s * 1e6 / a.requests,
            w.requests / w.seconds,
            w.cpu_s * 1e6 / w.requests
        );
        arena.push(a);
        wrk.push(w);
        std::thread::sleep(Duration::from_millis(200));
    }
    // SAFETY: kill our own child's group.
    unsafe { libc::kill(-(server.id() as i32), libc::SIGKILL) };
    let _ = server.wait();

    let throughput_ratio = median(
        arena
            .iter()
            .zip(&wrk)
            .map(|(a, w)| (a.requests / a.seconds) / (w.requests / w.seconds))
            .collect(),
    );
    let cpu_ratio = median(
        arena
            .iter()
            .zip(&wrk)
            .map(|(a, w)| (a.cpu_s / a.requests) / (w.cpu_s / w.requests))
            .collect(),
    );
    println!(
        "median of pair ratios: throughput arena/wrk = {throughput_ratio:.3} (want ≥ 0.95); CPU per request arena/wrk = {cpu_ratio:.3} (want ≤ 1.00)"
    );
}
