//! `arena load`'s human output: one block per stream, latencies in ms, and the generator's own
//! CPU use. Formatting only.

use std::fmt::Write;

use arena_results::{LatencySummary, LoadMode, LoadRecord, LoadStream};

fn saturation_text(s: &LoadStream) -> String {
    match s.saturated {
        Some(true) => format!(
            " — SATURATED at a target of {} req/s ({})",
            s.target_rate_per_s.unwrap_or(0.0),
            if s.saturation_causes.is_empty() {
                "below 99% of it".to_string()
            } else {
                s.saturation_causes.join(", ")
            }
        ),
        Some(false) => " (target reached)".into(),
        None => String::new(),
    }
}

/// `arena load`'s human output: one block per stream, latencies in ms.
pub fn load_text(record: &LoadRecord) -> String {
    let ms = |ns: Option<u64>| ns.map_or("—".to_string(), |v| format!("{:.3}", v as f64 / 1e6));
    let mut out = String::new();
    for s in &record.streams {
        let errors = if s.errors.is_empty() {
            "none".to_string()
        } else {
            format!("{:?}", s.errors)
        };
        let _ = writeln!(
            out,
            "requests ok {} in {:.1} s = {:.1} req/s{}; errors: {errors}; unsent at end: {}",
            s.requests_ok,
            s.window_ns as f64 / 1e9,
            s.achieved_rate_per_s,
            saturation_text(s),
            s.unsent_at_end
        );
        let _ = writeln!(
            out,
            "latency ms                  count      p50      p90      p99    p99.9      max"
        );
        let mut row = |label: &str, l: &LatencySummary| {
            let _ = writeln!(
                out,
                "  {label:<24} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8}",
                l.count,
                ms(l.p50_ns),
                ms(l.p90_ns),
                ms(l.p99_ns),
                ms(l.p999_ns),
                ms(l.max_ns)
            );
        };
        match s.mode {
            LoadMode::Open => {
                row("corrected (from due)", &s.latency_corrected);
                row("uncorrected (from send)", &s.latency_uncorrected);
                row("send lag", &s.send_lag);
                if s.paced == Some(false) {
                    let _ = writeln!(
                        out,
                        "  PACING GATE FAILED: send-lag p99 above 1 ms, the corrected tail partly measures the generator"
                    );
                }
            }
            LoadMode::Closed => row("per request", &s.latency_uncorrected),
        }
    }
    // CPU and completed requests over the same measured window.
    let requests: u64 = record.streams.iter().map(|s| s.requests_ok).sum();
    let per_request = record
        .generator_cpu_window_ns
        .map(|cpu| format!("{:.2} µs", cpu as f64 / 1e3 / requests.max(1) as f64))
        .unwrap_or_else(|| "— (not recorded)".into());
    let _ = writeln!(
        out,
        "generator: {:.0}% of one core (busiest thread), {per_request} CPU per request over the measured window{}",
        record.generator_busiest_thread_fraction * 100.0,
        if record.generator_bound {
            " — GENERATOR-BOUND: the figures measure the generator, add --threads or CPUs"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "percentiles need ≥ 10 samples at or beyond them, p99.9 100,000 samples (— otherwise); corrected latency includes requests that timed out or were never sent, at their wait; requests are paced by a timerfd (send lag ≈ µs unless the generator is busy)"
    );
    out
}
