//! How loop-blocking's figures are shown: the /ping latency table, the /ping p99 chart, the
//! `ping_p99_ns@R` citation and its method text. Formatting only.

use anyhow::{bail, Result};
use arena_results::CaseRecord;

use super::figures::{median_cpu_ms, LoopBlockingFigures};
use crate::present::chart_model::{Chart, Line};
use crate::present::cite::{scaled, Citation};
use crate::present::table::ms;
use crate::present::Table;

/// /ping p99 vs /cpu rate, one line per variant, bars: range over repetitions.
pub const PING_CHART: &str = "loop-blocking-ping";

/// The method text of the /ping figures.
pub const PING_METHOD: &str = "loop-blocking: p99 of /ping latency counted from each request's due time (open loop, corrected for coordinated omission; HdrHistogram, 3 significant digits; paced by a timerfd to within microseconds; a step whose send-lag p99 exceeds 1 ms fails the pacing gate and is counted in the table) while /cpu requests calibrated to the suite's CPU time arrive open loop at the given rate";

pub fn tables(lb: &[LoopBlockingFigures]) -> Vec<Table> {
    let mut tables = Vec::new();
    if !lb.is_empty() {
        let mut rows = Vec::new();
        for f in lb {
            for p in &f.points {
                rows.push(vec![
                    f.variant.clone(),
                    f.cpu_ms_median.map_or("–".into(), |v| format!("{v:.1}")),
                    format!("{:.0}", p.cpu_rate_per_s),
                    p.cpu_achieved_rate_per_s_median
                        .map_or("–".into(), |v| format!("{v:.1}")),
                    ms(p.ping_p50_ns_median),
                    ms(p.ping_p99_ns_median),
                    match (p.ping_p99_ns_min, p.ping_p99_ns_max) {
                        (Some(lo), Some(hi)) => format!("{:.2}–{:.2}", lo / 1e6, hi / 1e6),
                        _ => "–".into(),
                    },
                    ms(p.ping_max_ns_median),
                    ms(p.ping_p99_ns_pooled.map(|v| v as f64)),
                    format!("{}/{}", p.repetitions - p.unpaced_repetitions, p.repetitions),
                ]);
            }
        }
        tables.push(Table::new(
            "/ping latency while /cpu requests run",
            &[
                "variant",
                "one /cpu [ms]",
                "/cpu target [req/s]",
                "/cpu achieved [req/s]",
                "/ping p50 [ms]",
                "/ping p99 [ms]",
                "p99 range over reps",
                "/ping max [ms]",
                "pooled /ping p99 [ms]",
                "paced reps (send-lag p99 ≤ 1 ms)",
            ],
            rows,
            "/ping open loop at a constant rate beside an open-loop stream of /cpu requests, each calibrated to the same CPU time on its runtime (sequential requests on the idle server). Latency from the due time. Medians over repetitions; 'pooled' is the p99 of every repetition's /ping requests together (merged histograms). The claim decides on the median p99 of the paced repetitions only (send-lag p99 ≤ 1 ms), with its order-statistic intervals: an unpaced repetition's tail partly measures the generator.",
        ));
    }
    tables
}

pub fn charts(figures: &[LoopBlockingFigures]) -> Vec<Chart> {
    let ping: Vec<Line> = figures
        .iter()
        .filter(|f| f.points.iter().any(|p| p.ping_p99_ns_median.is_some()))
        .map(|f| {
            let points = f
                .points
                .iter()
                .filter_map(|p| {
                    Some((
                        p.cpu_rate_per_s,
                        p.ping_p99_ns_median? / 1e6,
                        p.ping_p99_ns_min.unwrap_or(f64::NAN) / 1e6,
                        p.ping_p99_ns_max.unwrap_or(f64::NAN) / 1e6,
                    ))
                })
                .collect();
            Line::new(&f.variant, f.variant.clone(), points)
        })
        .collect();
    if ping.is_empty() {
        return Vec::new();
    }
    {
        let x_label = median_cpu_ms(figures).map_or("/cpu requests per second".to_string(), |ms| {
            format!("/cpu requests per second (each ≈ {ms:.0} ms of CPU)")
        });
        vec![Chart::new(
            PING_CHART,
            "loop-blocking: /ping p99 under /cpu load (bars: range over reps)".into(),
            x_label,
            "/ping p99 latency [ms]".into(),
            false,
            ping,
        )]
    }
}

/// `ping_p99_ns@R`: R is a measured /cpu rate per second.
pub fn ping_citation(
    figures: &[LoopBlockingFigures],
    case: &CaseRecord,
    rate: Option<&str>,
) -> Result<Citation> {
    let Some(f) = figures.iter().find(|f| f.variant == case.variant) else {
        bail!("{} has no figures (its case failed)", case.case_id);
    };
    let rates: Vec<String> = f
        .points
        .iter()
        .map(|p| format!("ping_p99_ns@{}", p.cpu_rate_per_s))
        .collect();
    let point = rate
        .and_then(|r| r.parse::<f64>().ok())
        .and_then(|r| f.points.iter().find(|p| p.cpu_rate_per_s == r));
    let Some(point) = point else {
        bail!(
            "needs a measured /cpu rate per second; one of: {}",
            rates.join(", ")
        );
    };
    let (Some(p99), Some(lo), Some(hi)) = (
        point.ping_p99_ns_median,
        point.ping_p99_ns_min,
        point.ping_p99_ns_max,
    ) else {
        bail!(
            "too few /ping samples at {} /cpu per s for a p99",
            point.cpu_rate_per_s
        );
    };
    let cpu_ms = f
        .cpu_ms_median
        .map_or(String::new(), |ms| format!(", each /cpu ≈ {ms:.1} ms of CPU"));
    Ok(Citation {
        name: format!(
            "/ping p99 latency at {} /cpu requests per s",
            point.cpu_rate_per_s
        ),
        value: scaled(p99, 1e6, 1, "ms"),
        interval: format!(
            "range {}–{} over repetitions",
            scaled(lo, 1e6, 1, ""),
            scaled(hi, 1e6, 1, "ms")
        ),
        basis: format!(
            "median of {} process-level repetitions{cpu_ms}",
            point.repetitions
        ),
    })
}
