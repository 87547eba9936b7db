//! The load generator against an in-process test server: closed and open loop, interval
//! records, saturation and its causes, timeouts and the unsent backlog in the corrected histogram,
//! response validation and a stall that only the corrected histogram sees.
//! Behaviour and invariants only; speed is measured by benches/generator_vs_wrk.rs.

use std::sync::Arc;
use std::time::Duration;

use arena_harness::measure::load::testserver::{io_body, TestServer, JSON_BODY};
use arena_harness::measure::load::{self, Expectation, LoadPlan, PreparedRequest, RequestSet, StreamPlan};
use arena_results::LoadMode;

fn json(server: &TestServer, body: &str) -> Arc<RequestSet> {
    Arc::new(RequestSet::single(PreparedRequest::get(
        server.addr,
        "/json",
        Expectation {
            status: 200,
            body: Some(body.as_bytes().to_vec()),
        },
    )))
}

fn plan(
    server: &TestServer,
    connections: u32,
    rate: Option<f64>,
    requests: Arc<RequestSet>,
    seconds: f64,
) -> LoadPlan {
    LoadPlan {
        target: server.addr,
        streams: vec![StreamPlan {
            name: "s".into(),
            connections,
            rate_per_s: rate,
            requests,
        }],
        warmup: Duration::from_millis(200),
        duration: Duration::from_secs_f64(seconds),
        request_timeout: Duration::from_secs(5),
        threads: 1,
        cpus: vec![],
        interval: Duration::from_millis(250),
        target_cpu: None,
    }
}

#[test]
fn closed_loop_counts_every_validated_response() {
    let server = TestServer::start(1).unwrap();
    let record = load::run(&plan(&server, 4, None, json(&server, JSON_BODY), 0.6)).unwrap();
    let s = &record.streams[0];
    assert_eq!(s.mode, LoadMode::Closed);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert!(s.requests_ok > 100, "{}", s.requests_ok);
    assert_eq!(s.saturated, None);
    // Intervals cover warm-up and window: together at least every response counted in the window.
    let in_intervals: u64 = s.intervals.iter().map(|i| i.requests_ok).sum();
    assert!(in_intervals >= s.requests_ok);
    assert!(
        server.requests() >= in_intervals,
        "the server answered every recorded request"
    );
    assert_eq!(
        s.latency_corrected, s.latency_uncorrected,
        "closed loop: due time = send time"
    );
    assert!(record.generator_cpu_ns > 0);
}

#[test]
fn open_loop_sends_at_the_target_rate_and_is_not_saturated() {
    let server = TestServer::start(1).unwrap();
    let record = load::run(&plan(&server, 8, Some(400.0), json(&server, JSON_BODY), 1.0)).unwrap();
    let s = &record.streams[0];
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.saturated, Some(false), "achieved {}", s.achieved_rate_per_s);
    assert!(
        (390.0..=410.0).contains(&s.achieved_rate_per_s),
        "{}",
        s.achieved_rate_per_s
    );
    // 400/s over the 1 s window: ~400 requests due in the window, each recorded once.
    let due = s.latency_corrected.count;
    assert!((395..=405).contains(&due), "{due}");
    assert!(s.latency_corrected.p50_ns >= s.latency_uncorrected.p50_ns);
    assert_eq!(s.unsent_at_end, 0);
}

#[test]
fn a_pool_smaller_than_rate_times_latency_saturates() {
    // 5 connections × (1 / 50 ms) = 100 req/s at most: an open loop at 400/s must report saturation.
    let server = TestServer::start(1).unwrap();
    let requests: Vec<PreparedRequest> = (0..16u64)
        .map(|id| {
            PreparedRequest::get(
                server.addr,
                &format!("/io?id={id}&delay_ms=50"),
                Expectation {
                    status: 200,
                    body: Some(io_body(id).into_bytes()),
                },
            )
        })
        .collect();
    let record = load::run(&plan(
        &server,
        5,
        Some(400.0),
        Arc::new(RequestSet::new(requests)),
        1.0,
    ))
    .unwrap();
    let s = &record.streams[0];
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.saturated, Some(true));
    assert!(
        (80.0..=105.0).contains(&s.achieved_rate_per_s),
        "{}",
        s.achieved_rate_per_s
    );
    assert!(s.unsent_at_end > 0, "the backlog is reported");
    assert!(
        s.saturation_causes.iter().any(|c| c == "rate") && s.saturation_causes.iter().any(|c| c == "unsent"),
        "{:?}",
        s.saturation_causes
    );
    // The backlog never sent is in the corrected histogram at its wait, as wrk2 records it.
    assert!(s.latency_corrected_incomplete > 0);
    assert!(s.latency_corrected.count > s.latency_uncorrected.count);
    // Latency from due time grows with the backlog; from send time it stays near 50 ms.
    assert!(s.latency_corrected.max_ns.unwrap() > 500_000_000);
    assert!(s.latency_uncorrected.p50_ns.unwrap() < 80_000_000);
}

#[test]
fn timed_out_requests_count_at_their_wait_and_saturate_the_step() {
    // Every /io request waits 400 ms against a 100 ms timeout: none completes.
    let server = TestServer::start(1).unwrap();
    let slow = Arc::new(RequestSet::single(PreparedRequest::get(
        server.addr,
        "/io?id=1&delay_ms=400",
        Expectation {
            status: 200,
            body: Some(io_body(1).into_bytes()),
        },
    )));
    let mut p = plan(&server, 20, Some(50.0), slow, 0.5);
    p.request_timeout = Duration::from_millis(100);
    let record = load::run(&p).unwrap();
    let s = &record.streams[0];
    assert_eq!(s.requests_ok, 0);
    assert!(
        s.errors.get("timeout").copied().unwrap_or(0) > 10,
        "{:?}",
        s.errors
    );
    assert_eq!(s.saturated, Some(true));
    assert!(
        s.saturation_causes.iter().any(|c| c == "errors"),
        "{:?}",
        s.saturation_causes
    );
    assert_eq!(s.latency_corrected.count, s.latency_corrected_incomplete);
    assert!(
        s.latency_corrected.p50_ns.unwrap() >= 100_000_000,
        "at least the timeout"
    );
    // The stored histogram decodes to the same distribution.
    let stored =
        arena_harness::analyse::histogram::decode(s.latency_corrected_hdr.as_deref().unwrap()).unwrap();
    assert_eq!(stored.len(), s.latency_corrected.count);
    assert!(record.generator_cpu_window_ns.is_some());
}

#[test]
fn wrong_bodies_are_counted_as_wrong_output() {
    let server = TestServer::start(1).unwrap();
    let record = load::run(&plan(&server, 2, Some(100.0), json(&server, "{}"), 0.3)).unwrap();
    let s = &record.streams[0];
    assert!(s.errors.get("body").copied().unwrap_or(0) > 10, "{:?}", s.errors);
    assert!(load::wrong_output_errors(s) > 0);
    assert_eq!(
        s.latency_corrected.count, 0,
        "no latency is recorded for a wrong response"
    );
}

#[test]
fn an_in_process_stall_shows_in_the_corrected_histogram_only() {
    let server = TestServer::start(1).unwrap();
    let mut p = plan(&server, 10, Some(1000.0), json(&server, JSON_BODY), 3.0);
    p.warmup = Duration::ZERO;
    let generator = std::thread::spawn(move || load::run(&p));
    std::thread::sleep(Duration::from_millis(1000));
    // Every response from now on waits until 500 ms from now: the server "stops".
    server.stall_for(Duration::from_millis(500));
    let record = generator.join().unwrap().unwrap();
    let outcome = arena_harness::measure::selftest::judge(record, 500);
    assert!(outcome.passed, "{}", outcome.text());
}

#[test]
fn the_pacing_check_judges_send_lag_against_the_gap_between_sends() {
    let server = TestServer::start(1).unwrap();
    let mut record = load::run(&plan(&server, 4, Some(1000.0), json(&server, JSON_BODY), 0.5)).unwrap();
    let mut with_lag = |lag_ns: u64| {
        record.streams[0].send_lag.p50_ns = Some(lag_ns);
        arena_harness::measure::selftest::judge_pacing(&record)
    };
    // 40 µs: the timerfd pacer's median lag in CI's stall run; 600 µs: a median within the
    // up-to-1 ms wait of tokio's timer wheel.
    let (what, ok) = with_lag(40_000);
    assert!(ok, "{what}");
    let (what, ok) = with_lag(600_000);
    assert!(!ok, "{what}");
    record.streams[0].send_lag.p50_ns = None;
    assert!(
        !arena_harness::measure::selftest::judge_pacing(&record).1,
        "no lag measured is no pass"
    );
}

#[test]
fn arena_load_reports_json_and_refuses_remote_targets() {
    let server = TestServer::start(1).unwrap();
    let url = format!("http://{}/json", server.addr);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_arena"))
        .args([
            "load", &url, "-c", "2", "-R", "200", "-d", "500ms", "--warmup", "0s", "--json",
        ])
        .args(["--expect-body", JSON_BODY])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let record: arena_results::LoadRecord = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record.streams[0].mode, LoadMode::Open);
    assert!(record.streams[0].requests_ok >= 90, "{:?}", record.streams[0]);

    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_arena"))
        .args(["load", "http://192.0.2.1:80/", "-d", "1s"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--allow-non-loopback"));
    let bad_duration = std::process::Command::new(env!("CARGO_BIN_EXE_arena"))
        .args(["load", &url, "-d", "soon"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad_duration.stderr).contains("--duration"));
}
