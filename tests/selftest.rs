//! `arena selftest`: first an undisturbed open loop whose median send lag must stay under
//! 200 µs, a fifth of the gap between sends (the pacing), then a real server process stopped with SIGSTOP for 1 s during an
//! open-loop run: the corrected histogram must show the stall, the uncorrected one mostly not
//! (docs/methodology.md, "Latency under load").

use std::process::Command;

#[test]
fn sigstop_stall_is_seen_by_the_corrected_histogram_only() {
    let output = Command::new(env!("CARGO_BIN_EXE_arena"))
        .args(["selftest", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let outcome: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(outcome["passed"], true, "{text}");
    let stream = &outcome["load"]["streams"][0];
    let corrected_max = stream["latency_corrected"]["max_ns"].as_u64().unwrap();
    let uncorrected_p99 = stream["latency_uncorrected"]["p99_ns"].as_u64().unwrap();
    assert!(corrected_max >= 900_000_000, "{corrected_max}");
    assert!(uncorrected_p99 < 100_000_000, "{uncorrected_p99}");
    let paced = &outcome["pacing"]["streams"][0];
    let lag_p50 = paced["send_lag"]["p50_ns"]
        .as_u64()
        .expect("send lag is reported");
    assert!(lag_p50 < 200_000, "send lag p50 {lag_p50} ns at 1000 req/s");
    assert!(output.status.success());
}
