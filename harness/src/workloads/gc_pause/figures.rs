//! gc-pause figures: per case (variant × live set), each process's hiccup percentiles, pause
//! share, runtime-reported pauses, throughput and peak RSS, as medians over processes with
//! their order-statistic intervals; the hiccups of every process pooled into one percentile
//! curve for the chart; and the paired comparisons the issue asks for (G1's default heap
//! against a fixed one, G1 against ZGC, ...). Pure: it must not render.

use arena_results::{CaseRecord, DurationList, Estimate, Repetition};
use hdrhistogram::Histogram;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analyse::histogram;
use crate::analyse::stats::{estimate, ratio_by_round};
use crate::analyse::summary::{valid_rounds, valid_values};

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct GcPauseFigures {
    pub cases: Vec<PauseCase>,
    pub comparisons: Vec<Comparison>,
}

/// One variant at one live set.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PauseCase {
    pub variant: String,
    pub case_id: String,
    pub records: u64,
    /// Per process: its hiccup samples' median, p99, p99.9 and maximum overshoot (ns).
    pub hiccup_p50_ns: Estimate,
    pub hiccup_p99_ns: Estimate,
    pub hiccup_p999_ns: Estimate,
    pub hiccup_max_ns: Estimate,
    /// Per process: the sum of its hiccups / its work_ns (a share, 0–1).
    pub hiccup_share: Estimate,
    /// Hiccup samples per process (median): fewer than duration_ms means long stalls.
    pub hiccup_samples: Estimate,
    /// What the runtime reported, where it reports (None for Rust); the p99 and max over the
    /// processes that reported at least one pause (None when none did).
    pub runtime_source: Option<String>,
    pub runtime_count: Option<Estimate>,
    pub runtime_p99_ns: Option<Estimate>,
    pub runtime_max_ns: Option<Estimate>,
    pub runtime_share: Option<Estimate>,
    /// Hiccup max / runtime max, per process: how far the two ways disagree.
    pub meter_over_runtime_max: Option<Estimate>,
    /// ops / work_ns × 10^9.
    pub ops_per_s: Estimate,
    /// None when no RSS was sampled (a mock executor).
    pub peak_rss_bytes: Option<Estimate>,
    /// Processes whose ticks ran late overall (work_ns > 1.1 × duration_ms): it could not
    /// keep the pace, so its allocation rate was lower than asked.
    pub behind_pace: u32,
    /// Pooled over processes: (1 / (1 − p), hiccup ns) at HdrHistogram's percentile ticks.
    pub hiccup_curve: Vec<(f64, f64)>,
    /// Per round: hiccup p99.9, hiccup max and runtime max (ns), for paired comparisons.
    pub p999_rounds: Vec<(u32, f64)>,
    /// Per round: the hiccup median (ns), the floor of the process's own timer, so that a
    /// claim can take each process's worst hiccup above its floor. (Added later: empty in
    /// older files.)
    #[serde(default)]
    pub p50_rounds: Vec<(u32, f64)>,
    pub max_rounds: Vec<(u32, f64)>,
    pub runtime_max_rounds: Vec<(u32, f64)>,
}

/// A figure a claim or a comparison reads, per process.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PauseFigure {
    HiccupP999,
    HiccupMax,
    RuntimeMax,
}

impl PauseFigure {
    pub fn label(self) -> &'static str {
        match self {
            PauseFigure::HiccupP999 => "hiccup p99.9",
            PauseFigure::HiccupMax => "hiccup max",
            PauseFigure::RuntimeMax => "runtime-reported max pause",
        }
    }

    /// The statistic a claim judges on this figure, said in full.
    pub fn statistic(self) -> &'static str {
        match self {
            PauseFigure::HiccupP999 => "median over processes of each process's hiccup p99.9",
            PauseFigure::HiccupMax => "median over processes of each process's worst hiccup",
            PauseFigure::RuntimeMax => {
                "median over processes of each process's longest GC pause as its runtime logs it (a per-process maximum)"
            }
        }
    }

    pub fn of(self, row: &PauseCase) -> Option<&Estimate> {
        match self {
            PauseFigure::HiccupP999 => Some(&row.hiccup_p999_ns),
            PauseFigure::HiccupMax => Some(&row.hiccup_max_ns),
            PauseFigure::RuntimeMax => row.runtime_max_ns.as_ref(),
        }
    }

    pub fn rounds(self, row: &PauseCase) -> Vec<(u32, f64)> {
        match self {
            PauseFigure::HiccupP999 => row.p999_rounds.clone(),
            PauseFigure::HiccupMax => row.max_rounds.clone(),
            PauseFigure::RuntimeMax => row.runtime_max_rounds.clone(),
        }
    }
}

/// `variant` / `versus` at the same live set, paired by round.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Comparison {
    pub variant: String,
    pub versus: String,
    pub records: u64,
    pub hiccup_max_ratio: Option<Estimate>,
    pub hiccup_p999_ratio: Option<Estimate>,
    pub runtime_max_ratio: Option<Estimate>,
}

/// The pairs the report compares: what one knob changes, each at every shared live set.
pub const COMPARED: [(&str, &str); 6] = [
    ("java/g1-default", "java/g1-fixed"),
    ("java/g1-fixed", "java/zgc"),
    ("java/parallel", "java/g1-fixed"),
    ("go/gogc-100", "go/gogc-400"),
    ("node/default", "node/semi-space"),
    ("python/default", "python/freeze"),
];

pub fn derive(cases: &[&CaseRecord]) -> GcPauseFigures {
    let rows: Vec<PauseCase> = cases.iter().filter_map(|c| case_of(c)).collect();
    let mut comparisons = Vec::new();
    for (variant, versus) in COMPARED {
        for a in rows.iter().filter(|r| r.variant == variant) {
            let Some(b) = rows
                .iter()
                .find(|r| r.variant == versus && r.records == a.records)
            else {
                continue;
            };
            comparisons.push(Comparison {
                variant: variant.into(),
                versus: versus.into(),
                records: a.records,
                hiccup_max_ratio: ratio_by_round(&a.max_rounds, &b.max_rounds),
                hiccup_p999_ratio: ratio_by_round(&a.p999_rounds, &b.p999_rounds),
                runtime_max_ratio: ratio_by_round(&a.runtime_max_rounds, &b.runtime_max_rounds),
            });
        }
    }
    GcPauseFigures {
        cases: rows,
        comparisons,
    }
}

fn decoded(list: &DurationList) -> Option<Histogram<u64>> {
    histogram::decode(&list.histogram).ok()
}

fn quantile(list: &DurationList, q: f64) -> Option<f64> {
    decoded(list).map(|h| h.value_at_quantile(q) as f64)
}

fn case_of(case: &CaseRecord) -> Option<PauseCase> {
    let hiccup = |f: fn(&DurationList) -> Option<f64>| move |r: &Repetition| r.hiccups.as_ref().and_then(f);
    let runtime =
        |f: fn(&DurationList) -> Option<f64>| move |r: &Repetition| r.runtime_pauses.as_ref().and_then(f);
    let work = |r: &Repetition| {
        r.self_reported
            .get("work_ns")
            .map(|w| *w as f64)
            .filter(|w| *w > 0.0)
    };
    let max = |l: &DurationList| Some(l.max_ns as f64);
    // A process whose runtime reported no pause has no pause figure (not a pause of 0 ns).
    let paused_max = |l: &DurationList| (l.count > 0).then_some(l.max_ns as f64);
    let paused_p99 = |l: &DurationList| if l.count > 0 { quantile(l, 0.99) } else { None };
    let p999 = |l: &DurationList| quantile(l, 0.999);
    let samples = valid_values(case, hiccup(|l| Some(l.count as f64)));
    if samples.is_empty() {
        return None;
    }
    let optional = |values: Vec<f64>| (!values.is_empty()).then(|| estimate(&values));
    let share =
        |total: fn(&Repetition) -> Option<f64>| valid_values(case, move |r| Some(total(r)? / work(r)?));
    let ticks = case.params.get("duration_ms").copied().unwrap_or(0) as f64 * 1e6;
    Some(PauseCase {
        variant: case.variant.clone(),
        case_id: case.case_id.clone(),
        records: case.params.get("records").copied().unwrap_or(0),
        hiccup_p50_ns: estimate(&valid_values(case, hiccup(|l| quantile(l, 0.5)))),
        hiccup_p99_ns: estimate(&valid_values(case, hiccup(|l| quantile(l, 0.99)))),
        hiccup_p999_ns: estimate(&valid_values(case, hiccup(p999))),
        hiccup_max_ns: estimate(&valid_values(case, hiccup(max))),
        hiccup_share: estimate(&share(|r| r.hiccups.as_ref().map(|l| l.total_ns as f64))),
        hiccup_samples: estimate(&samples),
        runtime_source: case
            .repetitions
            .iter()
            .find_map(|r| r.runtime_pauses.as_ref().and_then(|l| l.source.clone())),
        runtime_count: optional(valid_values(case, runtime(|l| Some(l.count as f64)))),
        runtime_p99_ns: optional(valid_values(case, runtime(paused_p99))),
        runtime_max_ns: optional(valid_values(case, runtime(paused_max))),
        runtime_share: optional(share(|r| r.runtime_pauses.as_ref().map(|l| l.total_ns as f64))),
        meter_over_runtime_max: optional(valid_values(case, |r| {
            let runtime = r.runtime_pauses.as_ref()?.max_ns as f64;
            (runtime > 0.0).then_some(r.hiccups.as_ref()?.max_ns as f64 / runtime)
        })),
        ops_per_s: estimate(&valid_values(case, |r| {
            Some(*r.self_reported.get("ops")? as f64 / work(r)? * 1e9)
        })),
        peak_rss_bytes: optional(valid_values(case, |r| r.peak_tree_rss_bytes.map(|b| b as f64))),
        behind_pace: valid_values(case, work)
            .iter()
            .filter(|w| **w > ticks * 1.1)
            .count() as u32,
        hiccup_curve: pooled_curve(case),
        p999_rounds: valid_rounds(case, hiccup(p999)),
        p50_rounds: valid_rounds(case, hiccup(|l| quantile(l, 0.5))),
        max_rounds: valid_rounds(case, hiccup(max)),
        runtime_max_rounds: valid_rounds(case, runtime(paused_max)),
    })
}

/// Every valid process's hiccups merged; (1 / (1 − p), value) at 5 ticks per half distance,
/// the ladder HdrHistogram's percentile-distribution output uses, plus the maximum.
fn pooled_curve(case: &CaseRecord) -> Vec<(f64, f64)> {
    let histograms: Vec<Histogram<u64>> = case
        .repetitions
        .iter()
        .filter(|r| r.valid)
        .filter_map(|r| r.hiccups.as_ref().and_then(decoded))
        .collect();
    let merged = histogram::merge(&histograms);
    if merged.is_empty() {
        return Vec::new();
    }
    let (n, max) = (merged.len() as f64, merged.max() as f64);
    let mut curve: Vec<(f64, f64)> = merged
        .iter_quantiles(5)
        .map(|v| (v.quantile_iterated_to(), v.value_iterated_to() as f64))
        .filter(|(q, _)| *q < 1.0)
        .map(|(q, v)| (1.0 / (1.0 - q), v.min(max)))
        .filter(|(x, _)| *x < n)
        .collect();
    // The last point: the maximum, placed at 1 / (1 − (n − 1) / n) = n.
    curve.push((n, max));
    curve
}
