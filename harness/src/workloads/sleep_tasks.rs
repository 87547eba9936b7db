//! sleep-tasks: N tasks each waiting on its own runtime timer (workloads/README.md). Owns the
//! checksum (the sum of task indices), the invariants that prove the N tasks were alive at once,
//! that the memory at ready was read before any could finish, and that the hold was kept,
//! memory per task (the marginal slope of tree RSS at ready between the two largest N, and of a
//! JVM's live heap beside it) with its table and chart, `cite … bytes_per_task`, and the
//! `memory_ratio_at_least` claim, which rests only on 95% intervals.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Result};
use arena_results::{CaseRecord, CaseStatus, FailureKind, Repetition, RunRecord};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::module::{Metric, WorkloadModule};
use crate::analyse::claims::{ClaimContext, Judgement, RatioAtLeast, VERDICT_LEVEL};
use crate::analyse::stats;
use crate::analyse::summary::valid_values;
use crate::measure::executor::Execution;
use crate::measure::judge::{Invariant, Params};
use crate::present::chart_model::{Chart, Line};
use crate::present::cite::Citation;
use crate::present::table::{level_percent, mib};
use crate::present::Table;

pub const ID: &str = "sleep-tasks";
/// Tree RSS vs N on log-log axes, one line per variant.
pub const MEMORY_CHART: &str = "sleep-tasks-memory";
/// A lack-of-fit p below this says memory is not linear over every N measured. It is reported,
/// and stops nothing: the figure is the marginal slope between the two largest N, which needs
/// no line through the small N, where a runtime's fixed arenas and pools dominate. The
/// Welch–James test rejects a true line at this p in about 1% of trials under growing noise
/// (`stats::coverage`).
const NOT_LINEAR_P: f64 = 0.01;
const MIB: f64 = 1024.0 * 1024.0;

/// Slack on the upper bound of the total time, a sanity bound against gross errors. Concurrency
/// itself is proven by `alive == N, done == 0` at ready: a spawn loop that waits for each task
/// fails that. Timers fire late on a loaded 2-core box, and waking N tasks at once has a cost of
/// its own that is real runtime behaviour, not an error: 100k Java virtual threads finished
/// 0.5–1.3 s after the hold, 10k CPython threads ~12 s (a GIL convoy) on this machine. Hence
/// 250 ms + 10% of the hold + 2 ms per task.
fn slack_ns(hold_ns: u64, tasks: u64) -> u64 {
    250_000_000 + hold_ns / 10 + tasks * 2_000_000
}

/// Timers with millisecond resolution (libuv caches the loop time once per iteration) may fire up
/// to ~1 ms before the hold by a nanosecond clock; 2 ms of tolerance on the lower bound.
const TIMER_GRANULARITY_NS: u64 = 2_000_000;

/// `done == 0` at ready is the workload's claim at the moment it printed; the harness reads the
/// memory later, whenever its reader thread gets the line. It re-checks on its own clock: every
/// implementation (workloads/{python,node,go,java,rust}) starts each task after the process
/// starts, i.e. after spawn, and has it sleep `hold_ms` on its own relative timer from its own
/// start (asyncio.sleep, time.sleep, setTimeout, time.Sleep, Thread.sleep, tokio::time::sleep,
/// std::thread::sleep), not until a common deadline. So no task can finish before spawn +
/// hold_ms, and a sample complete before then holds all N tasks. (Node's millisecond timers may
/// fire up to ~1 ms early against its cached loop time, which is read after Node has started:
/// tens of ms after spawn.) The bound is conservative by the runtime's start-up: a sample taken
/// after it is rejected even if, in fact, no task had finished yet.
fn ready_sampled_in_time(hold_ns: u64, tasks: i64, exec: &Execution) -> Option<Invariant> {
    let at = exec.ready_sampled_at_ns?;
    Some(Invariant::new(
        at < hold_ns,
        format!(
            "tree RSS at ready was sampled {} after spawn, {} the {} hold could have released the first tasks{}",
            fmt_ms(at),
            if at < hold_ns { "before" } else { "after" },
            fmt_ms(hold_ns),
            if at < hold_ns {
                String::new()
            } else {
                format!(": the memory figure may not hold all {tasks} tasks")
            }
        ),
    ))
}

/// Each task yields its index: N(N-1)/2.
pub fn checksum(tasks: u64) -> u64 {
    tasks * tasks.saturating_sub(1) / 2
}

/// What one more waiting task costs, per variant.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct TaskMemory {
    pub variant: String,
    /// Marginal memory per task: the slope of tree RSS at ready between the two largest N
    /// reached (`bytes_per_task_from_tasks` to `bytes_per_task_to_tasks`), the cost of one more
    /// task at scale, which needs no straight line through the smaller N.
    pub bytes_per_task: Option<f64>,
    pub bytes_per_task_from_tasks: Option<u64>,
    pub bytes_per_task_to_tasks: Option<u64>,
    /// Its interval, with a variance per N (Welch's, Hsu's degrees of freedom; docs/methodology.md); None
    /// when some N has fewer than two valid repetitions.
    pub bytes_per_task_ci_low: Option<f64>,
    pub bytes_per_task_ci_high: Option<f64>,
    /// Coverage of that interval (simulated in `analyse::stats`).
    #[serde(default)]
    pub bytes_per_task_ci_level: Option<f64>,
    /// Degrees of freedom of its t quantile, so that a claim can widen it to the level its
    /// family needs (None in runs recorded before it was added: such a run cannot contradict).
    #[serde(default)]
    pub bytes_per_task_ci_df: Option<f64>,
    /// Processes the slope rests on (at its two task counts). (Added within schema version 2.)
    #[serde(default)]
    pub bytes_per_task_processes: Option<u32>,
    /// Lack-of-fit test (Welch–James) of one straight line through every N reached: described,
    /// not a condition of the marginal slope.
    #[serde(default)]
    pub lack_of_fit_p: Option<f64>,
    /// The same slope over the live heap the program reported after a full collection while
    /// every task still slept (`heap_live_bytes`; the JVM variants), beside the RSS slope.
    #[serde(default)]
    pub live_heap_bytes_per_task: Option<f64>,
    #[serde(default)]
    pub live_heap_bytes_per_task_ci_low: Option<f64>,
    #[serde(default)]
    pub live_heap_bytes_per_task_ci_high: Option<f64>,
    pub baseline_bytes: Option<f64>,
    /// The task counts measured successfully, ascending.
    pub tasks_reached: Vec<u64>,
    pub largest_tasks_reached: Option<u64>,
    /// The smallest N that failed, and why (e.g. a resource limit).
    pub first_failed_tasks: Option<u64>,
    pub first_failure: Option<String>,
    pub points: Vec<TaskMemoryPoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct TaskMemoryPoint {
    pub tasks: u64,
    pub ready_tree_rss_bytes_median: f64,
    pub spawn_ns_median: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SleepTasksClaim {
    /// The cheapest of `variants` costs at least `factor` × the dearest of `versus` in bytes per
    /// task, compared on interval bounds.
    MemoryRatioAtLeast(RatioAtLeast),
}

pub struct SleepTasks;

fn fmt_ms(ns: u64) -> String {
    format!("{:.0} ms", Duration::from_nanos(ns).as_secs_f64() * 1e3)
}

impl WorkloadModule for SleepTasks {
    type Figures = Vec<TaskMemory>;
    type Claim = SleepTasksClaim;

    fn id(&self) -> &'static str {
        ID
    }

    fn expected_checksum(&self, _model: &str, params: &Params) -> Result<Option<String>, String> {
        let tasks = params.get("tasks").ok_or(format!("{ID} needs parameter tasks"))?;
        Ok(Some(checksum(*tasks).to_string()))
    }

    fn invariants(&self, params: &Params, exec: &Execution) -> Result<Vec<Invariant>, (FailureKind, String)> {
        let param = |k: &str| params.get(k).copied().unwrap_or(0) as i64;
        let n = param("tasks");
        let (Some(ready), Some(result)) = (exec.first_event("ready"), exec.first_event("result")) else {
            return Err((
                FailureKind::ProtocolError,
                "no `ready` event before `result`".into(),
            ));
        };
        let mut invariants = vec![
            Invariant::new(
                ready.int("alive") == Some(n),
                format!("alive at ready {:?} == N {n}", ready.int("alive")),
            ),
            Invariant::new(
                ready.int("done") == Some(0),
                format!("done at ready {:?} == 0 (a task finished before all were spawned: hold_ms shorter than the spawn time)", ready.int("done")),
            ),
            Invariant::new(
                result.int("done") == Some(n),
                format!("done at exit {:?} == N {n}", result.int("done")),
            ),
        ];
        let hold_ns = param("hold_ms") as u64 * 1_000_000;
        // None only where no executor timed a sample (mock executions, older records).
        invariants.extend(ready_sampled_in_time(hold_ns, n, exec));
        let spawn_ns = result.int("spawn_ns").unwrap_or(0).max(0) as u64;
        let upper = hold_ns + spawn_ns + slack_ns(hold_ns, n as u64);
        let lower = hold_ns.saturating_sub(TIMER_GRANULARITY_NS);
        invariants.push(match result.int("total_ns") {
            Some(total) => Invariant::new(
                (lower..=upper).contains(&(total.max(0) as u64)),
                format!(
                    "hold {} <= total {} <= hold + spawn + slack {}",
                    fmt_ms(hold_ns),
                    fmt_ms(total.max(0) as u64),
                    fmt_ms(upper)
                ),
            ),
            None => Invariant::new(false, "result has total_ns"),
        });
        Ok(invariants)
    }

    fn derive(&self, cases: &[&CaseRecord]) -> Vec<TaskMemory> {
        task_memory(cases)
    }

    fn tables(&self, memory: &Vec<TaskMemory>) -> Vec<Table> {
        let rows = memory
            .iter()
            .map(|t| {
                vec![
                    t.variant.clone(),
                    t.bytes_per_task.map_or("–".into(), |b| format!("{b:.0}")),
                    match (t.bytes_per_task_ci_low, t.bytes_per_task_ci_high) {
                        (Some(lo), Some(hi)) => format!(
                            "{lo:.0}–{hi:.0} ({}%){}",
                            level_percent(t.bytes_per_task_ci_level.unwrap_or(0.0)),
                            linearity(t)
                        ),
                        _ => "–".into(),
                    },
                    match (
                        t.live_heap_bytes_per_task,
                        t.live_heap_bytes_per_task_ci_low,
                        t.live_heap_bytes_per_task_ci_high,
                    ) {
                        (Some(b), Some(lo), Some(hi)) => format!("{b:.0} ({lo:.0}–{hi:.0})"),
                        (Some(b), _, _) => format!("{b:.0}"),
                        _ => "–".into(),
                    },
                    t.baseline_bytes.map_or("–".into(), mib),
                    t.tasks_reached
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    match (t.first_failed_tasks, &t.first_failure) {
                        (Some(n), Some(why)) => format!("N={n}: {why}"),
                        _ => String::new(),
                    },
                ]
            })
            .collect();
        vec![Table::new(
            "memory per task (marginal slope of tree RSS at ready between the two largest N)",
            &[
                "variant",
                "bytes/task",
                "interval (coverage)",
                "live heap bytes/task (interval)",
                "baseline [MiB]",
                "N reached",
                "first failure",
            ],
            rows,
            BYTES_PER_TASK_METHOD,
        )]
    }

    fn charts(&self, memory: &Vec<TaskMemory>, _record: &RunRecord) -> Vec<Chart> {
        let lines: Vec<Line> = memory
            .iter()
            .filter(|t| !t.points.is_empty())
            .map(|t| {
                let per_task = t
                    .bytes_per_task
                    .map(|b| format!(" ({:.1} KiB/task)", b / 1024.0))
                    .unwrap_or_default();
                let limit = t
                    .first_failed_tasks
                    .map(|n| format!(", failed at N={n}"))
                    .unwrap_or_default();
                // In MiB, so that the log axis puts its ticks on round MiB values.
                let points = t
                    .points
                    .iter()
                    .map(|p| {
                        (
                            p.tasks as f64,
                            p.ready_tree_rss_bytes_median / MIB,
                            f64::NAN,
                            f64::NAN,
                        )
                    })
                    .collect();
                Line::new(&t.variant, format!("{}{per_task}{limit}", t.variant), points)
            })
            .collect();
        if lines.is_empty() {
            return Vec::new();
        }
        vec![Chart::new(
            MEMORY_CHART,
            "sleep-tasks: process-tree RSS with N tasks alive (median)".into(),
            "concurrent tasks N (log)".into(),
            "tree RSS at ready [MiB] (log)".into(),
            true,
            lines,
        )]
    }

    fn headlines(&self, memory: &Vec<TaskMemory>) -> Vec<crate::analyse::trend::Headline> {
        memory
            .iter()
            .filter_map(|t| {
                Some(crate::analyse::trend::Headline {
                    figure: "memory per task [KiB]".into(),
                    series: t.variant.clone(),
                    median: t.bytes_per_task? / 1024.0,
                    low: t.bytes_per_task_ci_low? / 1024.0,
                    high: t.bytes_per_task_ci_high? / 1024.0,
                    level: t.bytes_per_task_ci_level?,
                })
            })
            .collect()
    }

    fn metrics(&self) -> Vec<Metric<Vec<TaskMemory>>> {
        vec![Metric::citable(
            "bytes_per_task",
            BYTES_PER_TASK_METHOD,
            |memory, case, _| bytes_per_task_citation(memory, case),
        )]
    }

    fn claim_variants(&self, claim: &SleepTasksClaim) -> Vec<String> {
        let SleepTasksClaim::MemoryRatioAtLeast(ratio) = claim;
        ratio.named()
    }

    fn judge_claim(
        &self,
        claim: &SleepTasksClaim,
        memory: &Vec<TaskMemory>,
        _ctx: &ClaimContext,
    ) -> Judgement {
        let SleepTasksClaim::MemoryRatioAtLeast(ratio) = claim;
        memory_ratio(memory, &ratio.variants, &ratio.versus, ratio.factor)
    }
}

const BYTES_PER_TASK_METHOD: &str = "marginal memory per task: the slope of ready_tree_rss_bytes between the two largest N the variant reached (the cost of one more task at scale; the smaller N, where fixed arenas and pools dominate, do not enter it), every valid repetition a point, with a 95% interval whose variance is estimated at each of the two N from its own repetitions (Welch's two-sample interval with the t quantile on the fewest degrees of freedom, Hsu's conservative choice), since memory noise grows with N; a Welch-James lack-of-fit test of one line through every N is reported beside it and decides nothing. JVM variants, run with a fixed heap, also report their live heap after a full collection run 100 ms after ready while every task still sleeps (live_heap_bytes_per_task, the same marginal slope)";

fn task_memory(cases: &[&CaseRecord]) -> Vec<TaskMemory> {
    let mut by_variant: BTreeMap<&str, Vec<&CaseRecord>> = BTreeMap::new();
    for case in cases {
        by_variant.entry(&case.variant).or_default().push(case);
    }
    by_variant
        .into_iter()
        .map(|(variant, cases)| variant_memory(variant, &cases))
        .collect()
}

fn variant_memory(variant: &str, cases: &[&CaseRecord]) -> TaskMemory {
    let mut ok: Vec<&CaseRecord> = cases
        .iter()
        .copied()
        .filter(|c| c.status == CaseStatus::Ok)
        .collect();
    ok.sort_by_key(|c| c.params["tasks"]);
    // The two largest N reached carry the marginal slope; every N, the lack-of-fit test.
    let marginal_from = ok.len().saturating_sub(2);
    let points = |value: fn(&Repetition) -> Option<f64>, from: usize| -> Vec<(f64, f64)> {
        ok[from..]
            .iter()
            .flat_map(|c| {
                let tasks = c.params["tasks"] as f64;
                valid_values(c, value).into_iter().map(move |v| (tasks, v))
            })
            .collect()
    };
    let rss = |r: &Repetition| r.ready_tree_rss_bytes.map(|v| v as f64);
    let fit = stats::slope_fit(&points(rss, marginal_from), VERDICT_LEVEL);
    let whole_range = stats::slope_fit(&points(rss, 0), VERDICT_LEVEL);
    let heap = stats::slope_fit(
        &points(
            |r| r.self_reported.get("heap_live_bytes").map(|v| *v as f64),
            marginal_from,
        ),
        VERDICT_LEVEL,
    );
    let first_failed = cases
        .iter()
        .filter(|c| c.status == CaseStatus::Failed)
        .min_by_key(|c| c.params["tasks"]);
    TaskMemory {
        variant: variant.to_string(),
        bytes_per_task: fit.map(|f| f.slope),
        bytes_per_task_from_tasks: fit.and(ok.get(marginal_from)).map(|c| c.params["tasks"]),
        bytes_per_task_to_tasks: fit.and(ok.last()).map(|c| c.params["tasks"]),
        bytes_per_task_ci_low: fit.and_then(|f| f.ci_low),
        bytes_per_task_ci_high: fit.and_then(|f| f.ci_high),
        bytes_per_task_ci_level: fit.filter(|f| f.ci_low.is_some()).map(|f| f.ci_level),
        bytes_per_task_ci_df: fit.and_then(|f| f.degrees_of_freedom),
        bytes_per_task_processes: fit.map(|f| f.points as u32),
        lack_of_fit_p: whole_range.and_then(|f| f.lack_of_fit_p),
        live_heap_bytes_per_task: heap.map(|f| f.slope),
        live_heap_bytes_per_task_ci_low: heap.and_then(|f| f.ci_low),
        live_heap_bytes_per_task_ci_high: heap.and_then(|f| f.ci_high),
        baseline_bytes: whole_range.map(|f| f.intercept),
        tasks_reached: ok.iter().map(|c| c.params["tasks"]).collect(),
        largest_tasks_reached: ok.last().map(|c| c.params["tasks"]),
        first_failed_tasks: first_failed.map(|c| c.params["tasks"]),
        first_failure: first_failed.and_then(|c| c.reason.clone()),
        points: ok
            .iter()
            .filter_map(|c| {
                let s = c.summary.as_ref()?;
                Some(TaskMemoryPoint {
                    tasks: c.params["tasks"],
                    ready_tree_rss_bytes_median: s.ready_tree_rss_bytes.as_ref()?.median,
                    spawn_ns_median: s.self_reported.get("spawn_ns").map(|e| e.median),
                })
            })
            .collect(),
    }
}

fn bytes_per_task_citation(memory: &[TaskMemory], case: &CaseRecord) -> Result<Citation> {
    let Some(m) = memory.iter().find(|m| m.variant == case.variant) else {
        bail!("{} has no memory figures", case.variant);
    };
    let (Some(b), Some(lo), Some(hi)) = (
        m.bytes_per_task,
        m.bytes_per_task_ci_low,
        m.bytes_per_task_ci_high,
    ) else {
        bail!("{} has fewer than two task counts measured", case.variant);
    };
    let reached: Vec<String> = m.tasks_reached.iter().map(u64::to_string).collect();
    Ok(Citation {
        name: "memory per task".into(),
        value: format!("{b:.0} bytes"),
        interval: format!(
            "{}% interval {lo:.0}–{hi:.0}{}",
            level_percent(m.bytes_per_task_ci_level.unwrap_or(0.0)),
            linearity(m)
        ),
        basis: format!(
            "slope of tree RSS at ready between N = {} and {} (measured at N = {})",
            m.bytes_per_task_from_tasks.unwrap_or(0),
            m.bytes_per_task_to_tasks.unwrap_or(0),
            reached.join(", ")
        ),
    })
}

/// ", memory not linear over N = a–z (lack-of-fit p = …)" when one straight line does not fit
/// every N: said beside the marginal slope, which does not assume one.
fn linearity(m: &TaskMemory) -> String {
    match (m.lack_of_fit_p, m.tasks_reached.first(), m.tasks_reached.last()) {
        (Some(p), Some(a), Some(z)) if p < NOT_LINEAR_P => {
            format!(", memory not linear over N = {a}–{z} (lack-of-fit p = {p:.3})")
        }
        _ => String::new(),
    }
}

mod memory_claim;
use memory_claim::memory_ratio;

#[cfg(test)]
mod tests;
