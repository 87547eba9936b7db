//! gc-pause: stop-the-world pauses under a paced allocation load with a live set of R records
//! (workloads/README.md, "Workload `gc-pause`"). Owns the reference checksum (`reference`), the
//! invariants, the figures per case and the paired comparisons (`figures`), the tables and the
//! percentile charts (`present`), `cite` and the `pause_below` and
//! `hiccup_excess_above_control` claims. The
//! pauses are measured two ways in the same process, the workload's own hiccup meter and what
//! the runtime reports, and shown side by side. Must not compare cases of different live sets
//! except on the max-pause-against-live-set chart.

use anyhow::Result;
use arena_results::{CaseRecord, Estimate, FailureKind, RunRecord};
use serde::Deserialize;

use super::module::{Metric, WorkloadModule};
use crate::analyse::claims::{Bound, BoundChecks, ClaimContext, Judgement, MS_FROM_NS};
use crate::measure::executor::Execution;
use crate::measure::judge::{Invariant, Params};
use crate::present::chart_model::Chart;
use crate::present::cite::{optional_estimate, Citation};
use crate::present::table::level_percent;
use crate::present::Table;

pub mod figures;
mod present;
pub mod reference;

pub use figures::{Comparison, GcPauseFigures, PauseCase, PauseFigure};

pub const ID: &str = "gc-pause";

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum GcPauseClaim {
    /// Every case of `variants` with at least `min_records` records keeps `figure` (per process,
    /// median over processes) below `bound_ms`: supported when every interval's upper bound is
    /// below it, contradicted when any lower bound is at or above it.
    PauseBelow {
        variants: Vec<String>,
        figure: PauseFigure,
        bound_ms: f64,
        #[serde(default)]
        min_records: u64,
    },
    /// `control` (a runtime without a collector) stalls less than every runtime that collects:
    /// per process, the worst hiccup above the process's own median hiccup (its timer floor),
    /// the other variant's minus the control's, paired by round, at every live set the control
    /// ran, is above zero (a tie does not pass). A variant counts when its runtime logged at
    /// least one collection in the median process; one that logged none (GOGC=off, a runtime
    /// that frees by reference counting) is named and left out. Only live sets of at least
    /// `min_records` records are judged: below that a collector has too little to do for its
    /// pauses to stand out of this host's hiccups (CPython at 100k records: 0.33 ms [−1.4–2.5]
    /// above Rust's in run 20261207T185309Z-quick).
    HiccupExcessAboveControl {
        control: String,
        #[serde(default)]
        min_records: u64,
    },
}

pub struct GcPause;

fn row_of<'a>(figures: &'a GcPauseFigures, case: &CaseRecord) -> Option<&'a PauseCase> {
    figures.cases.iter().find(|r| r.case_id == case.case_id)
}

/// A pause figure of `case`: a median over its processes, one value each.
fn cite_row(
    e: Option<&Estimate>,
    case: &CaseRecord,
    name: &str,
    (scale, unit): (f64, &str),
) -> Result<Citation> {
    let why = "runtime pauses exist where the runtime reports them; not for Rust";
    optional_estimate(
        name,
        e,
        (scale, 3, unit),
        "processes, one value per process",
        (case, why),
    )
}

fn param(params: &Params, key: &str) -> Result<u64, String> {
    params
        .get(key)
        .copied()
        .ok_or_else(|| format!("{ID} needs parameter {key}"))
}

impl WorkloadModule for GcPause {
    type Figures = GcPauseFigures;
    type Claim = GcPauseClaim;

    fn id(&self) -> &'static str {
        ID
    }

    fn expected_checksum(&self, _model: &str, params: &Params) -> Result<Option<String>, String> {
        let (records, rate, ticks) = (
            param(params, "records")?,
            param(params, "rate")?,
            param(params, "duration_ms")?,
        );
        reference::checksum(records, rate * ticks).map(Some)
    }

    fn invariants(&self, params: &Params, exec: &Execution) -> Result<Vec<Invariant>, (FailureKind, String)> {
        let Some(result) = exec.first_event("result") else {
            return Err((FailureKind::ProtocolError, "no `result` event".into()));
        };
        let get = |k: &str| params.get(k).copied().unwrap_or(0) as i64;
        let (ops, ticks) = (get("rate") * get("duration_ms"), get("duration_ms"));
        let work = result.int("work_ns");
        let samples = exec
            .first_event("hiccups")
            .and_then(|e| e.fields.get("ns"))
            .and_then(|v| v.as_array())
            .map(|a| (a.len(), a.iter().all(|v| v.as_u64().is_some())));
        Ok(vec![
            Invariant::new(
                result.int("ops") == Some(ops),
                format!("result.ops {:?} = rate × duration_ms = {ops}", result.int("ops")),
            ),
            Invariant::new(
                result.int("records") == Some(get("records")),
                format!("result.records {:?} = {}", result.int("records"), get("records")),
            ),
            Invariant::new(
                work.is_some_and(|w| w >= (ticks - 1) * 1_000_000 && (w as u64) <= exec.wall_ns),
                format!(
                    "duration_ms − 1 ms ≤ result.work_ns {work:?} ≤ wall {} ns: the ticks were paced",
                    exec.wall_ns
                ),
            ),
            Invariant::new(
                samples.is_some_and(|(n, all_integers)| n > 0 && all_integers),
                format!("a `hiccups` event with at least one non-negative integer sample ({samples:?})"),
            ),
        ])
    }

    fn derive(&self, cases: &[&CaseRecord]) -> GcPauseFigures {
        figures::derive(cases)
    }

    fn tables(&self, figures: &GcPauseFigures) -> Vec<Table> {
        present::tables(figures)
    }

    fn charts(&self, figures: &GcPauseFigures, _record: &RunRecord) -> Vec<Chart> {
        present::charts(figures)
    }

    fn headlines(&self, figures: &GcPauseFigures) -> Vec<crate::analyse::trend::Headline> {
        let mut out = Vec::new();
        for r in &figures.cases {
            let series = format!("{} ({} records)", r.variant, r.records);
            out.push(crate::analyse::trend::Headline::of(
                "hiccup max [ms]",
                series.clone(),
                &r.hiccup_max_ns,
                1e6,
            ));
            if let Some(e) = &r.runtime_max_ns {
                out.push(crate::analyse::trend::Headline::of(
                    "runtime-reported max pause [ms]",
                    series,
                    e,
                    1e6,
                ));
            }
        }
        out
    }

    fn metrics(&self) -> Vec<Metric<GcPauseFigures>> {
        vec![
            Metric::citable("hiccup_max", present::HICCUP_METHOD, |f, case, _| {
                let e = row_of(f, case).map(|r| &r.hiccup_max_ns);
                cite_row(e, case, "hiccup meter: worst overshoot", (1e6, "ms"))
            }),
            Metric::citable("hiccup_p99", present::HICCUP_METHOD, |f, case, _| {
                let e = row_of(f, case).map(|r| &r.hiccup_p99_ns);
                cite_row(e, case, "hiccup meter: p99 overshoot", (1e6, "ms"))
            }),
            Metric::citable("hiccup_p999", present::HICCUP_METHOD, |f, case, _| {
                let e = row_of(f, case).map(|r| &r.hiccup_p999_ns);
                cite_row(e, case, "hiccup meter: p99.9 overshoot", (1e6, "ms"))
            }),
            Metric::citable("runtime_pause_max", present::RUNTIME_METHOD, |f, case, _| {
                let e = row_of(f, case).and_then(|r| r.runtime_max_ns.as_ref());
                cite_row(e, case, "the runtime's longest reported pause", (1e6, "ms"))
            }),
            Metric::citable("pause_share", present::HICCUP_METHOD, |f, case, _| {
                let e = row_of(f, case).map(|r| &r.hiccup_share);
                cite_row(e, case, "hiccup time / run time", (0.01, "%"))
            }),
            Metric::citable("alloc_ops_per_s", present::THROUGHPUT_METHOD, |f, case, _| {
                let e = row_of(f, case).map(|r| &r.ops_per_s);
                cite_row(e, case, "operations per second", (1e6, "M/s"))
            }),
        ]
    }

    fn claim_variants(&self, claim: &GcPauseClaim) -> Vec<String> {
        match claim {
            GcPauseClaim::PauseBelow { variants, .. } => variants.clone(),
            GcPauseClaim::HiccupExcessAboveControl { control, .. } => vec![control.clone()],
        }
    }

    fn judge_claim(&self, claim: &GcPauseClaim, figures: &GcPauseFigures, _ctx: &ClaimContext) -> Judgement {
        let mut checks = BoundChecks::new();
        match claim {
            GcPauseClaim::PauseBelow {
                variants,
                figure,
                bound_ms,
                min_records,
            } => pause_below(&mut checks, figures, variants, *figure, *bound_ms, *min_records),
            GcPauseClaim::HiccupExcessAboveControl { control, min_records } => {
                hiccup_excess_above_control(&mut checks, figures, control, *min_records)
            }
        }
        checks.verdict()
    }
}

fn pause_below(
    checks: &mut BoundChecks,
    figures: &GcPauseFigures,
    variants: &[String],
    figure: PauseFigure,
    bound_ms: f64,
    min_records: u64,
) {
    for variant in variants {
        let rows: Vec<&PauseCase> = figures
            .cases
            .iter()
            .filter(|r| &r.variant == variant && r.records >= min_records)
            .collect();
        if rows.is_empty() {
            checks.missing(format!(
                "{variant}: no case with at least {min_records} records (the suite's live sets are smaller, or it failed)"
            ));
        }
        for row in rows {
            let paused = row.runtime_count.as_ref().is_some_and(|c| c.median >= 1.0);
            if figure == PauseFigure::RuntimeMax && !paused {
                checks.missing(format!(
                    "{variant} at {} records: the runtime logged no GC pause in the window (median count {}): nothing to judge at this load",
                    row.records,
                    row.runtime_count.as_ref().map_or(0.0, |c| c.median)
                ));
                continue;
            }
            let values: Vec<f64> = figure.rounds(row).into_iter().map(|(_, v)| v).collect();
            let what = format!("{variant} at {} records: {}", row.records, figure.statistic());
            if values.is_empty() {
                checks.missing(format!("{what}: no value"));
                continue;
            }
            checks.values(what, values, Bound::Below(bound_ms * 1e6), MS_FROM_NS);
        }
    }
}

/// Per round: the worst hiccup above the median hiccup of the same process (ns).
fn excess_rounds(row: &PauseCase) -> Vec<(u32, f64)> {
    row.max_rounds
        .iter()
        .filter_map(|(round, max)| {
            let (_, floor) = row.p50_rounds.iter().find(|(r, _)| r == round)?;
            Some((*round, max - floor))
        })
        .collect()
}

fn hiccup_excess_above_control(
    checks: &mut BoundChecks,
    figures: &GcPauseFigures,
    control: &str,
    min_records: u64,
) {
    let controls: Vec<&PauseCase> = figures
        .cases
        .iter()
        .filter(|r| r.variant == control && r.records >= min_records)
        .collect();
    if controls.is_empty() {
        checks.missing(format!(
            "{control}: no valid case with at least {min_records} records"
        ));
    }
    for base in controls {
        let floor = excess_rounds(base);
        for other in figures
            .cases
            .iter()
            .filter(|r| r.variant != control && r.records == base.records)
        {
            let collected = other.runtime_count.as_ref().is_some_and(|c| c.median >= 1.0);
            if !collected {
                // Named, not judged: it is not a collected runtime at this load.
                checks.note(format!(
                    "{} at {} records: not counted, its runtime logged no collection in the median process",
                    other.variant, other.records
                ));
                continue;
            }
            let differences: Vec<f64> = excess_rounds(other)
                .iter()
                .filter_map(|(round, x)| floor.iter().find(|(r, _)| r == round).map(|(_, y)| x - y))
                .collect();
            let what = format!(
                "{} − {control} at {} records: worst hiccup above the process's median hiccup, rounds paired",
                other.variant, base.records
            );
            if differences.is_empty() {
                checks.missing(format!("{what}: no shared round"));
            } else {
                checks.values(what, differences, Bound::Above(0.0), MS_FROM_NS);
            }
        }
    }
}

/// An estimate as "median [low–high] ms (coverage)".
pub(crate) fn ms_estimate(e: &Estimate) -> String {
    format!(
        "{} [{}–{}] ({}%)",
        present::ms(e.median),
        present::ms(e.ci_low),
        present::ms(e.ci_high),
        level_percent(e.ci_level)
    )
}

#[cfg(test)]
mod tests;
