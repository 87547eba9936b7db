//! How http-io's figures are shown: the two tables (idle memory, peak and capacity; the latency
//! sweep), the charts (p99 and p50 latency vs offered load, memory vs idle connections), the
//! citations and their method texts. Formatting only.

use anyhow::{anyhow, Result};
use arena_results::{CaseRecord, Estimate};

use super::figures::{common_sweep_delay_ms, HttpIoFigures, SweepPoint};
use crate::present::chart_model::{Chart, Line};
use crate::present::cite::{interval, scaled, Citation};
use crate::present::table::{ms, optional_estimate_text};
use crate::present::Table;
use crate::workloads::module::Metric;

/// p99 latency vs offered /io load, one line per variant, cut at the first saturated rate.
pub const P99_CHART: &str = "http-io-latency-p99";
/// The same for p50 (smoke's short steps have too few samples for a p99).
pub const P50_CHART: &str = "http-io-latency-p50";
/// Server RSS vs idle connections held.
pub const MEMORY_CHART: &str = "http-io-memory";
const MIB: f64 = 1024.0 * 1024.0;

const IDLE_METHOD: &str = "http-io: least-squares slope of the server's tree RSS, read once it settles after C idle HTTP/1.1 keep-alive connections were opened (each made one request), over the suite's C values; one slope per repetition, median over repetitions";
const PEAK_METHOD: &str = "http-io: responses per second of a closed loop on GET /json (each connection sends its next request when the answer arrives), by the harness's load generator pinned to other CPUs than the server, every response checked byte for byte; a lower bound when the generator's thread used > 85% of its core";
const CAPACITY_METHOD: &str = "http-io: highest achieved response rate of an open-loop sweep on GET /io?delay_ms=D (D from the suite, 50 in quick and full; request i due at start + i/rate); a step below 99% of its target rate is saturated, and the sweep stops the suite's steps_after_saturation steps later";

/// The figures `arena cite` quotes, with their methods.
pub fn metrics() -> Vec<Metric<Vec<HttpIoFigures>>> {
    vec![
        Metric::citable("bytes_per_idle_connection", IDLE_METHOD, |figures, case, _| {
            idle_citation(figures_of(figures, case)?, case)
        }),
        Metric::citable("peak_json_rate_per_s", PEAK_METHOD, |figures, case, _| {
            peak_citation(figures_of(figures, case)?, case)
        }),
        Metric::citable("io_capacity_per_s", CAPACITY_METHOD, |figures, case, _| {
            capacity_citation(figures_of(figures, case)?, case)
        }),
    ]
}

pub fn tables(http: &[HttpIoFigures]) -> Vec<Table> {
    if http.is_empty() {
        return Vec::new();
    }
    vec![summary_table(http), sweep_table(http)]
}

fn summary_table(http: &[HttpIoFigures]) -> Table {
    Table::new(
        "idle connections, peak throughput, /io capacity",
        &[
            "variant",
            "KiB per idle connection",
            "peak /json [req/s]",
            "server CPU per /json [µs]",
            "/io capacity [req/s]",
            "first saturated target [req/s]",
        ],
        http.iter()
            .map(|f| {
                vec![
                    f.variant.clone(),
                    optional_estimate_text(f.bytes_per_idle_connection.as_ref(), 1024.0, 1),
                    format!(
                        "{}{}",
                        optional_estimate_text(f.peak_json_rate_per_s.as_ref(), 1.0, 0),
                        if f.peak_generator_bound_repetitions > 0 {
                            " (generator-bound: a lower bound)"
                        } else {
                            ""
                        }
                    ),
                    f.peak_server_cpu_ns_per_request
                        .map_or("–".into(), |ns| format!("{:.1}", ns / 1e3)),
                    optional_estimate_text(f.io_capacity_per_s.as_ref(), 1.0, 0),
                    f.first_saturated_target_per_s
                        .map_or("never".into(), |t| format!("{t:.0}")),
                ]
            })
            .collect(),
        "Median [range] over repetitions. Memory: slope of the server's settled tree RSS over idle keep-alive connections held (each made one request). Peak: closed loop on /json; where the generator's thread used > 85% of its core, the peak is a lower bound for the server. Capacity: highest achieved rate in the open-loop /io sweep; a step is saturated when it achieves < 99% of its target, leaves requests unsent, has failed requests, or a send-lag p99 above 10 ms. Server and load generator pinned to different CPUs.",
    )
}

fn sweep_table(http: &[HttpIoFigures]) -> Table {
    let mut sweep_rows = Vec::new();
    for f in http {
        for p in &f.sweep {
            sweep_rows.push(vec![
                f.variant.clone(),
                format!("{:.0}", p.target_rate_per_s),
                format!("{:.0}", p.achieved_rate_per_s_median),
                ms(p.p50_ns_median),
                ms(p.p99_ns_median),
                ms(p.p999_ns_median),
                ms(p.uncorrected_p99_ns_median),
                ms(p.pooled_p99_ns.map(|v| v as f64)),
                format!(
                    "{}/{}{}",
                    p.saturated_repetitions,
                    p.repetitions,
                    if p.generator_bound_repetitions > 0 {
                        " (generator-bound!)"
                    } else {
                        ""
                    }
                ),
            ]);
        }
    }
    let title = match common_sweep_delay_ms(http) {
        Some(delay) => format!("latency vs offered load on /io ({delay} ms wait)"),
        None => "latency vs offered load on /io".into(),
    };
    Table::new(
        title,
        &[
            "variant",
            "target [req/s]",
            "achieved [req/s]",
            "p50 [ms]",
            "p99 [ms]",
            "p99.9 [ms]",
            "uncorrected p99 [ms]",
            "pooled p99 [ms]",
            "saturated reps",
        ],
        sweep_rows,
        "Open loop: request i is due at start + i/rate and its latency counts from that due time (corrected for coordinated omission); 'uncorrected' counts from the actual send, as a closed-loop tool would. Requests that timed out or were never sent count at the time they had waited. Medians over repetitions; 'pooled' is the p99 of every repetition's requests together (merged histograms). A percentile needs ≥ 10 samples at or beyond it, p99.9 100,000 samples (– otherwise). Saturated: achieved < 99% of the target, requests never sent, failed requests, or a send-lag p99 above 10 ms. Requests are paced by a timerfd (send lag of microseconds); a step whose send-lag p99 exceeds 1 ms fails the pacing gate.",
    )
}

pub fn charts(http: &[HttpIoFigures]) -> Vec<Chart> {
    let mut charts = Vec::new();
    let wait = common_sweep_delay_ms(http).map_or(String::new(), |d| format!("{d} ms wait, "));
    for (id, percentile, pick) in [
        (
            P99_CHART,
            "p99",
            (|p: &SweepPoint| p.p99_ns_median) as fn(&SweepPoint) -> Option<f64>,
        ),
        (P50_CHART, "p50", |p: &SweepPoint| p.p50_ns_median),
    ] {
        let title = format!("http-io: {percentile} latency vs offered /io load ({wait}from due time)");
        let lines: Vec<Line> = http
            .iter()
            .filter(|f| f.sweep.iter().any(|p| pick(p).is_some()))
            .map(|f| {
                // Up to and including the first saturated rate: beyond it latency only measures the backlog.
                let cut = f
                    .sweep
                    .iter()
                    .position(|p| p.saturated_repetitions * 2 > p.repetitions)
                    .map_or(f.sweep.len(), |i| i + 1);
                let saturation = match (f.first_saturated_target_per_s, &f.io_capacity_per_s) {
                    (Some(t), Some(cap)) => format!(" (saturated at {t:.0}/s, capacity {:.0}/s)", cap.median),
                    _ => " (never saturated)".into(),
                };
                let points = f.sweep[..cut]
                    .iter()
                    .filter_map(|p| Some((p.target_rate_per_s, pick(p)? / 1e6, f64::NAN, f64::NAN)))
                    .collect();
                Line::new(&f.variant, format!("{}{saturation}", f.variant), points)
            })
            .collect();
        if !lines.is_empty() {
            charts.push(Chart::new(
                id,
                title,
                "offered /io rate [requests/s] (log)".into(),
                "latency [ms] (log)".into(),
                true,
                lines,
            ));
        }
    }
    let memory: Vec<Line> = http
        .iter()
        .filter(|f| f.idle_points.len() >= 2)
        .map(|f| {
            let points = f
                .idle_points
                .iter()
                .map(|p| {
                    (
                        p.connections as f64,
                        p.tree_rss_bytes_median / MIB,
                        f64::NAN,
                        f64::NAN,
                    )
                })
                .collect();
            let per_connection = f
                .bytes_per_idle_connection
                .as_ref()
                .map(|b| format!(" ({:.1} KiB/conn)", b.median / 1024.0))
                .unwrap_or_default();
            Line::new(&f.variant, format!("{}{per_connection}", f.variant), points)
        })
        .collect();
    if !memory.is_empty() {
        charts.push(Chart::new(
            MEMORY_CHART,
            "http-io: server RSS with C idle keep-alive connections".into(),
            "open connections C (log)".into(),
            "server tree RSS [MiB] (log)".into(),
            true,
            memory,
        ));
    }
    charts
}

fn figures_of<'a>(figures: &'a [HttpIoFigures], case: &CaseRecord) -> Result<&'a HttpIoFigures> {
    figures
        .iter()
        .find(|f| f.variant == case.variant)
        .ok_or_else(|| anyhow!("{} has no figures (its case failed)", case.case_id))
}

fn missing(case: &CaseRecord) -> anyhow::Error {
    anyhow!(
        "{} has no such figure (its phase failed or was not run)",
        case.case_id
    )
}

fn repetitions(e: &Estimate) -> String {
    format!("median of {} process-level repetitions", e.n)
}

fn idle_citation(f: &HttpIoFigures, case: &CaseRecord) -> Result<Citation> {
    let e = f
        .bytes_per_idle_connection
        .as_ref()
        .ok_or_else(|| missing(case))?;
    let held: Vec<String> = f.idle_points.iter().map(|p| p.connections.to_string()).collect();
    Ok(Citation {
        name: "server memory per idle keep-alive connection".into(),
        value: scaled(e.median, 1024.0, 1, "KiB"),
        interval: interval(e, 1024.0, 1, "KiB"),
        basis: format!("{}; slope over C = {}", repetitions(e), held.join(", ")),
    })
}

fn peak_citation(f: &HttpIoFigures, case: &CaseRecord) -> Result<Citation> {
    let e = f.peak_json_rate_per_s.as_ref().ok_or_else(|| missing(case))?;
    let bound = if f.peak_generator_bound_repetitions > 0 {
        format!(
            "; a lower bound: the load generator was the bottleneck in {} of them",
            f.peak_generator_bound_repetitions
        )
    } else {
        String::new()
    };
    Ok(Citation {
        name: "peak /json throughput".into(),
        value: scaled(e.median, 1.0, 0, "req/s"),
        interval: interval(e, 1.0, 0, "req/s"),
        basis: format!("{}{bound}", repetitions(e)),
    })
}

fn capacity_citation(f: &HttpIoFigures, case: &CaseRecord) -> Result<Citation> {
    let e = f.io_capacity_per_s.as_ref().ok_or_else(|| missing(case))?;
    let top = f.sweep.last().map_or(0.0, |p| p.target_rate_per_s);
    let outcome = match f.first_saturated_target_per_s {
        Some(rate) => format!("saturated at a target of {rate:.0}/s"),
        None => format!("never saturated up to the top target of {top:.0}/s, so a lower bound"),
    };
    Ok(Citation {
        name: f
            .sweep_delay_ms
            .map_or("/io capacity".into(), |d| format!("/io capacity (delay {d} ms)")),
        value: scaled(e.median, 1.0, 0, "req/s"),
        interval: interval(e, 1.0, 0, "req/s"),
        basis: format!("{}; {outcome}", repetitions(e)),
    })
}
