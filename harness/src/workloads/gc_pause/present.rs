//! gc-pause tables and charts: the hiccup meter and the runtime's own pauses side by side, the
//! paired comparisons, HdrHistogram-style percentile plots of the pooled hiccups (latency
//! against 1 / (1 − p), log axes) at the smallest and the largest live set, and max pause
//! against live-set size. Must not derive figures (that is `figures`).

use std::collections::BTreeMap;

use arena_results::Estimate;

use super::figures::{GcPauseFigures, PauseCase};
use super::ms_estimate;
use crate::present::chart_model::{Chart, Line};
use crate::present::table::{estimate_with_level, mib};
use crate::present::Table;

pub const PERCENTILES_SMALL_CHART: &str = "gc-pause-hiccups-smallest-live-set";
pub const PERCENTILES_LARGE_CHART: &str = "gc-pause-hiccups-largest-live-set";
pub const MAX_CHART: &str = "gc-pause-max-hiccup-vs-live-set";
pub const RUNTIME_MAX_CHART: &str = "gc-pause-runtime-max-vs-live-set";

pub const HICCUP_METHOD: &str = "gc-pause hiccup meter (jHiccup's method): inside the process, a thread that does nothing else (Go: a goroutine; Node: a timer on the same event loop) sleeps 1 ms again and again from just before the paced load starts to its end, and records each overshoot (elapsed − 1 ms) with the monotonic clock; self-reported, stored as an HdrHistogram per process. p50/p99/p99.9/max are each process's own percentiles, medianed over processes with the order-statistic interval and its coverage; at 1,000–2,000 samples a process's p99.9 rests on its 1–2 largest samples. Share = the sum of the overshoots / the paced run's work_ns. The meter sees every stall of its thread, GC or not: CPython's GIL hand-off (5 ms switch interval) and Node's millisecond timers raise their floor. Percentile plots pool every process's samples (docs/methodology.md, \"GC pauses and hand-offs\")";
pub const RUNTIME_METHOD: &str = "gc-pause runtime-reported pauses, over the same interval as the hiccup meter: Java the HotSpot safepoint log (-Xlog:safepoint to a file, each GC safepoint's Total = time to reach it + at it + (JDK 25) leaving it; safepoints of other operations, such as clean-ups and handshakes, are left out); Go runtime/metrics /sched/pauses/total/gc:seconds (the difference of two cumulative histograms, each pause at its bucket's upper bound); Node PerformanceObserver 'gc' entries (duration); Python gc.callbacks start→stop (the cycle collector only: reference-count frees are not reported); Rust none. Per process: count, p99, max and their sum / work_ns; medians over processes with their intervals";
pub const THROUGHPUT_METHOD: &str = "gc-pause throughput: ops / work_ns per process (ops = rate × duration_ms, paced in 1 ms ticks; a process whose work_ns exceeds 1.1 × duration_ms could not keep the pace and is counted as behind), median over processes; peak RSS of the process tree sampled every 10 ms from outside";

pub fn ms(ns: f64) -> String {
    if !ns.is_finite() {
        return "–".into();
    }
    let v = ns / 1e6;
    if v >= 10.0 {
        format!("{v:.0}")
    } else if v >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn ratio(e: Option<&Estimate>) -> String {
    e.map_or("–".into(), |e| estimate_with_level(e, 1.0, 2, "×"))
}

fn percent(e: &Estimate) -> String {
    format!(
        "{:.2}% [{:.2}–{:.2}]",
        e.median * 100.0,
        e.ci_low * 100.0,
        e.ci_high * 100.0
    )
}

pub fn tables(figures: &GcPauseFigures) -> Vec<Table> {
    let meter = figures
        .cases
        .iter()
        .map(|r| {
            vec![
                r.variant.clone(),
                r.records.to_string(),
                ms_estimate(&r.hiccup_p50_ns),
                ms_estimate(&r.hiccup_p99_ns),
                ms_estimate(&r.hiccup_p999_ns),
                ms_estimate(&r.hiccup_max_ns),
                percent(&r.hiccup_share),
                format!("{:.0}", r.hiccup_samples.median),
            ]
        })
        .collect();
    let runtime = figures.cases.iter().map(runtime_row).collect();
    let comparisons = figures
        .comparisons
        .iter()
        .map(|c| {
            vec![
                format!("{} / {}", c.variant, c.versus),
                c.records.to_string(),
                ratio(c.hiccup_max_ratio.as_ref()),
                ratio(c.hiccup_p999_ratio.as_ref()),
                ratio(c.runtime_max_ratio.as_ref()),
            ]
        })
        .collect();
    vec![
        Table::new(
            "the hiccup meter per process, in ms (median [interval] (coverage) over processes)",
            &[
                "variant",
                "records",
                "p50",
                "p99",
                "p99.9",
                "max",
                "hiccups / run time",
                "samples",
            ],
            meter,
            HICCUP_METHOD,
        ),
        Table::new(
            "what the runtime reported, beside the meter, and the load it carried (p99 and max over the processes that reported a pause)",
            &[
                "variant",
                "records",
                "runtime pauses (per process)",
                "runtime p99 [ms]",
                "runtime max [ms]",
                "runtime pauses / run time",
                "meter max / runtime max",
                "ops/s",
                "peak RSS",
                "behind pace",
            ],
            runtime,
            RUNTIME_METHOD,
        ),
        Table::new(
            "one knob at a time, paired by round (ratio of medians' rounds [interval] (coverage))",
            &[
                "variant / versus",
                "records",
                "hiccup max",
                "hiccup p99.9",
                "runtime max",
            ],
            comparisons,
            RUNTIME_METHOD,
        ),
    ]
}

fn runtime_row(r: &PauseCase) -> Vec<String> {
    let reports = r.runtime_source.is_some();
    let none = || "– (the runtime reports none)".to_string();
    let quiet = || "– (no pause in the window)".to_string();
    vec![
        r.variant.clone(),
        r.records.to_string(),
        r.runtime_count.as_ref().map_or_else(none, |e| {
            format!("{:.0} [{:.0}–{:.0}]", e.median, e.ci_low, e.ci_high)
        }),
        if reports {
            r.runtime_p99_ns.as_ref().map_or_else(quiet, ms_estimate)
        } else {
            none()
        },
        if reports {
            r.runtime_max_ns.as_ref().map_or_else(quiet, ms_estimate)
        } else {
            none()
        },
        r.runtime_share.as_ref().map_or_else(none, percent),
        ratio(r.meter_over_runtime_max.as_ref()),
        format!("{:.2} M", r.ops_per_s.median / 1e6),
        r.peak_rss_bytes.as_ref().map_or("–".into(), |e| mib(e.median)),
        r.behind_pace.to_string(),
    ]
}

pub fn charts(figures: &GcPauseFigures) -> Vec<Chart> {
    let mut charts = Vec::new();
    let mut smallest: BTreeMap<&str, &PauseCase> = BTreeMap::new();
    let mut largest: BTreeMap<&str, &PauseCase> = BTreeMap::new();
    for r in &figures.cases {
        let s = smallest.entry(&r.variant).or_insert(r);
        if r.records < s.records {
            *s = r;
        }
        let l = largest.entry(&r.variant).or_insert(r);
        if r.records > l.records {
            *l = r;
        }
    }
    for (id, picked, which) in [
        (PERCENTILES_SMALL_CHART, &smallest, "smallest"),
        (PERCENTILES_LARGE_CHART, &largest, "largest"),
    ] {
        let lines: Vec<Line> = picked
            .values()
            .filter(|r| !r.hiccup_curve.is_empty())
            .map(|r| {
                let points = r
                    .hiccup_curve
                    .iter()
                    .map(|(x, ns)| (*x, (ns / 1e6).max(0.001), f64::NAN, f64::NAN))
                    .collect();
                Line::new(
                    &r.variant,
                    format!("{} ({} records)", r.variant, r.records),
                    points,
                )
            })
            .collect();
        if !lines.is_empty() {
            charts.push(Chart::new(
                id,
                format!("gc-pause: hiccups at each variant's {which} live set (processes pooled)"),
                "1 / (1 − percentile): 10 = p90, 100 = p99, 1000 = p99.9".into(),
                "overshoot of a 1 ms sleep [ms]".into(),
                true,
                lines,
            ));
        }
    }
    charts.extend(max_chart(figures, MAX_CHART, "worst hiccup", |r| {
        Some(&r.hiccup_max_ns)
    }));
    charts.extend(max_chart(
        figures,
        RUNTIME_MAX_CHART,
        "longest runtime-reported pause",
        |r| r.runtime_max_ns.as_ref(),
    ));
    charts
}

fn max_chart(
    figures: &GcPauseFigures,
    id: &'static str,
    what: &str,
    figure: impl Fn(&PauseCase) -> Option<&Estimate>,
) -> Option<Chart> {
    let mut by_variant: BTreeMap<&str, Vec<(f64, f64, f64, f64)>> = BTreeMap::new();
    let mut levels = Vec::new();
    for r in &figures.cases {
        if let Some(e) = figure(r) {
            levels.push(e.ci_level);
            let floor = |v: f64| (v / 1e6).max(0.001);
            by_variant.entry(&r.variant).or_default().push((
                r.records as f64,
                floor(e.median),
                floor(e.ci_low),
                floor(e.ci_high),
            ));
        }
    }
    let lines: Vec<Line> = by_variant
        .into_iter()
        .map(|(variant, mut points)| {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Line::new(variant, variant.to_string(), points)
        })
        .collect();
    (!lines.is_empty()).then(|| {
        Chart::new(
            id,
            format!("gc-pause: {what} against the live set"),
            "live set [records]".into(),
            format!(
                "pause [ms] (median over processes, {})",
                crate::present::table::interval_level_text(levels)
            ),
            true,
            lines,
        )
    })
}
