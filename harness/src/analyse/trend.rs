//! Trends across runs (`arena trend`, the CI history page). First, each workload's headline
//! figures (`Headline`, named by its module: speedups, bytes per task, capacities, time to exit,
//! ...) across runs, with the interval each run recorded. Then, for each workload and variant,
//! the CPU time of its largest case in every run, as a ratio to its first run: CPU time because
//! it is the figure this host's noise moves least (the A/A noise floor, docs/methodology.md).
//! Last, each claim's verdict per run (`VerdictTrend`), so that a verdict that moves is seen.
//! Pure: it must not read files, render, or know a workload.

use std::collections::BTreeMap;

use arena_results::{CaseStatus, ClaimRecord, ClaimVerdict, Estimate, RunRecord};

/// One run's point: the median CPU time and its interval, divided by the first run's median.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// 1-based position of the run in the history.
    pub run: usize,
    pub ratio: f64,
    pub ratio_low: f64,
    pub ratio_high: f64,
    pub ci_level: f64,
}

/// One variant's line: the case it follows and its points.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendLine {
    pub variant: String,
    pub case_id: String,
    pub points: Vec<TrendPoint>,
}

/// Case id → (runs it is in, its parameter values), per workload and variant.
type Appearances = BTreeMap<String, (usize, Vec<u64>)>;

/// Lines per workload, in workload order. A variant follows the case with the most parameters
/// by value (its largest size, its most workers) that appears in the most runs.
pub fn trends(runs: &[RunRecord]) -> BTreeMap<String, Vec<TrendLine>> {
    let mut seen: BTreeMap<(String, String), Appearances> = BTreeMap::new();
    for run in runs {
        for case in run.cases.iter().filter(|c| c.status == CaseStatus::Ok) {
            let entry = seen
                .entry((case.workload.clone(), case.variant.clone()))
                .or_default()
                .entry(case.case_id.clone())
                .or_insert((0, case.params.values().copied().collect()));
            entry.0 += 1;
        }
    }
    let mut out: BTreeMap<String, Vec<TrendLine>> = BTreeMap::new();
    for ((workload, variant), cases) in seen {
        let Some((case_id, _)) = cases
            .into_iter()
            .max_by(|a, b| (a.1 .0, &a.1 .1).cmp(&(b.1 .0, &b.1 .1)))
        else {
            continue;
        };
        let points = line_points(runs, &case_id);
        if !points.is_empty() {
            out.entry(workload).or_default().push(TrendLine {
                variant,
                case_id,
                points,
            });
        }
    }
    out
}

fn line_points(runs: &[RunRecord], case_id: &str) -> Vec<TrendPoint> {
    let mut first: Option<f64> = None;
    let mut points = Vec::new();
    for (index, run) in runs.iter().enumerate() {
        let Some(estimate) = run
            .cases
            .iter()
            .find(|c| c.case_id == case_id && c.status == CaseStatus::Ok)
            .and_then(|c| c.summary.as_ref())
            .map(|s| &s.cpu_ns)
        else {
            continue;
        };
        let base = *first.get_or_insert(estimate.median);
        if base <= 0.0 {
            continue;
        }
        points.push(TrendPoint {
            run: index + 1,
            ratio: estimate.median / base,
            ratio_low: estimate.ci_low / base,
            ratio_high: estimate.ci_high / base,
            ci_level: estimate.ci_level,
        });
    }
    points
}

/// A headline figure, as a workload's module names it for the trend page: what a lesson would
/// quote, for one variant (and size), with the interval the run recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// The figure with its unit, e.g. "time to exit [ms]".
    pub figure: String,
    /// The variant it belongs to, first (`language/model`), then any size, e.g. "go/x (n=10)".
    pub series: String,
    pub median: f64,
    pub low: f64,
    pub high: f64,
    /// The interval's coverage, 0–1.
    pub level: f64,
}

impl Headline {
    /// `e` divided by `scale` (ns → ms: 1e6), under `figure`.
    pub fn of(figure: &str, series: String, e: &Estimate, scale: f64) -> Headline {
        Headline {
            figure: figure.into(),
            series,
            median: e.median / scale,
            low: e.ci_low / scale,
            high: e.ci_high / scale,
            level: e.ci_level,
        }
    }
}

/// One series of a headline figure across runs: (1-based run, its value).
#[derive(Debug, Clone, PartialEq)]
pub struct HeadlineLine {
    pub series: String,
    pub points: Vec<(usize, Headline)>,
}

/// The headlines of every run (each run's `(workload, headlines)`), grouped by workload and
/// figure, one line per series, in run order.
pub fn headline_trends(
    per_run: &[Vec<(String, Vec<Headline>)>],
) -> BTreeMap<(String, String), Vec<HeadlineLine>> {
    type Series = BTreeMap<String, Vec<(usize, Headline)>>;
    let mut grouped: BTreeMap<(String, String), Series> = BTreeMap::new();
    for (index, run) in per_run.iter().enumerate() {
        for (workload, headlines) in run {
            for h in headlines.iter().filter(|h| h.median.is_finite()) {
                grouped
                    .entry((workload.clone(), h.figure.clone()))
                    .or_default()
                    .entry(h.series.clone())
                    .or_default()
                    .push((index + 1, h.clone()));
            }
        }
    }
    grouped
        .into_iter()
        .map(|(key, series)| {
            let lines = series
                .into_iter()
                .map(|(series, points)| HeadlineLine { series, points })
                .collect();
            (key, lines)
        })
        .collect()
}

/// One claim's verdict in every run (None: the run did not judge it), oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictTrend {
    pub claim_id: String,
    pub statement: String,
    pub verdicts: Vec<Option<ClaimVerdict>>,
}

impl VerdictTrend {
    /// The verdict differs between two runs that judged it.
    pub fn moved(&self) -> bool {
        let judged: Vec<ClaimVerdict> = self.verdicts.iter().flatten().copied().collect();
        judged.windows(2).any(|w| w[0] != w[1])
    }

    /// It went between supported and contradicted: a verdict that flipped, not one that moved
    /// to or from "not enough evidence".
    pub fn flipped(&self) -> bool {
        let decided: Vec<ClaimVerdict> = self
            .verdicts
            .iter()
            .flatten()
            .copied()
            .filter(|v| matches!(v, ClaimVerdict::Supported | ClaimVerdict::Contradicted))
            .collect();
        decided.windows(2).any(|w| w[0] != w[1])
    }
}

/// Each claim's verdicts across runs (each run's claim records, oldest first), in the order the
/// claims first appear.
pub fn verdict_trends(per_run: &[Vec<ClaimRecord>]) -> Vec<VerdictTrend> {
    let mut out: Vec<VerdictTrend> = Vec::new();
    for (index, run) in per_run.iter().enumerate() {
        for claim in run {
            let position = match out.iter().position(|t| t.claim_id == claim.claim_id) {
                Some(p) => p,
                None => {
                    out.push(VerdictTrend {
                        claim_id: claim.claim_id.clone(),
                        statement: claim.statement.clone(),
                        verdicts: vec![None; per_run.len()],
                    });
                    out.len() - 1
                }
            };
            out[position].verdicts[index] = Some(claim.verdict);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str, cases: &[(&str, &str, u64, f64)]) -> RunRecord {
        let cases: Vec<serde_json::Value> = cases
            .iter()
            .map(|(workload, variant, size, cpu)| {
                let estimate = |m: f64| serde_json::json!({"median": m, "ci_low": m * 0.9, "ci_high": m * 1.1, "ci_level": 0.969, "n": 6, "outliers": 0});
                serde_json::json!({
                    "case_id": format!("{workload}/{variant}/n={size}"), "workload": workload,
                    "language": variant.split('/').next().unwrap(), "variant": variant,
                    "model": variant.split('/').nth(1).unwrap(), "params": {"n": size},
                    "launch": {"program": "", "args": [], "env": {}, "cwd": "", "timeout_ms": 0},
                    "status": "ok", "failure_kind": null, "reason": null, "expected_checksum": null,
                    "repetitions_planned": 6, "repetitions": [],
                    "summary": {"wall_ns": estimate(1.0), "cpu_ns": estimate(*cpu),
                        "peak_tree_rss_bytes": null, "ready_tree_rss_bytes": null,
                        "time_to_ready_ns": null, "ru_maxrss_bytes": null, "self_reported": {}}
                })
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "schema_version": arena_results::SCHEMA_VERSION, "run_id": id, "suite": "quick",
            "started_at": "2026-12-01T10:00:00Z", "finished_at": null, "complete": true,
            "harness": {"version": "t", "git_commit": id, "git_dirty": false, "command_line": []},
            "environment": {"cpu_model": "c", "logical_cores": 2, "memory_total_bytes": 1,
                "kernel": "k", "os": "o", "pid_max": null, "threads_max": null,
                "page_size_bytes": 4096, "cpu_pinning": "p", "toolchains": []},
            "methods": {}, "order_seed": 1, "execution_order": [], "cases": cases, "derived": {}
        }))
        .unwrap()
    }

    #[test]
    fn each_variant_follows_its_largest_case_as_a_ratio_to_its_first_run() {
        let runs = vec![
            run("a", &[("w", "go/x", 1, 100.0), ("w", "go/x", 10, 1000.0)]),
            run(
                "b",
                &[
                    ("w", "go/x", 1, 100.0),
                    ("w", "go/x", 10, 1500.0),
                    ("w", "rust/y", 5, 10.0),
                ],
            ),
        ];
        let trends = trends(&runs);
        let lines = &trends["w"];
        assert_eq!(lines.len(), 2);
        let go = lines.iter().find(|l| l.variant == "go/x").unwrap();
        assert_eq!(go.case_id, "w/go/x/n=10");
        assert_eq!(go.points.len(), 2);
        assert!((go.points[0].ratio - 1.0).abs() < 1e-12);
        assert!((go.points[1].ratio - 1.5).abs() < 1e-12);
        assert!((go.points[1].ratio_low - 1.35).abs() < 1e-9);
        // A variant that first appears in run 2 starts at 1.0 there.
        let rust = lines.iter().find(|l| l.variant == "rust/y").unwrap();
        assert_eq!((rust.points[0].run, rust.points[0].ratio), (2, 1.0));
    }

    #[test]
    fn verdicts_line_up_by_claim_and_a_flip_is_seen() {
        let record = |id: &str, verdict| ClaimRecord {
            claim_id: id.into(),
            workload: "w".into(),
            statement: format!("{id} holds"),
            verdict,
            evidence: vec![],
            family_checks: 1,
            family_level: 0.95,
            support_level: 0.95,
            contradict_level: 0.95,
            intervals: vec![],
        };
        use ClaimVerdict::*;
        let runs = vec![
            vec![record("a", Supported), record("b", Supported)],
            vec![
                record("a", NotEnoughEvidence),
                record("b", Supported),
                record("c", Contradicted),
            ],
            vec![record("a", Contradicted), record("b", Supported)],
        ];
        let trends = verdict_trends(&runs);
        assert_eq!(trends.len(), 3);
        let a = &trends[0];
        assert_eq!(
            a.verdicts,
            vec![Some(Supported), Some(NotEnoughEvidence), Some(Contradicted)]
        );
        assert!(a.moved() && a.flipped(), "supported, then contradicted");
        assert!(!trends[1].moved() && !trends[1].flipped());
        let c = &trends[2];
        assert_eq!(c.verdicts, vec![None, Some(Contradicted), None]);
        assert!(!c.moved(), "judged in one run only");
        let mut near = a.clone();
        near.verdicts[2] = Some(Supported);
        assert!(
            near.moved() && !near.flipped(),
            "to not enough evidence and back is no flip"
        );
    }

    #[test]
    fn headlines_group_by_workload_and_figure_in_run_order() {
        let h = |figure: &str, series: &str, median: f64| Headline {
            figure: figure.into(),
            series: series.into(),
            median,
            low: median * 0.9,
            high: median * 1.1,
            level: 0.969,
        };
        let runs = vec![
            vec![(
                "w".to_string(),
                vec![h("t [ms]", "go/x", 2.0), h("t [ms]", "rust/y", 1.0)],
            )],
            vec![(
                "w".to_string(),
                vec![
                    h("t [ms]", "go/x", 3.0),
                    h("m [KiB]", "go/x", 9.0),
                    h("t [ms]", "java/z", f64::NAN),
                ],
            )],
        ];
        let trends = headline_trends(&runs);
        assert_eq!(trends.len(), 2);
        let t = &trends[&("w".to_string(), "t [ms]".to_string())];
        assert_eq!(t.len(), 2, "a figure without a value draws no line: {t:?}");
        let go = t.iter().find(|l| l.series == "go/x").unwrap();
        assert_eq!(
            go.points
                .iter()
                .map(|(run, h)| (*run, h.median))
                .collect::<Vec<_>>(),
            vec![(1, 2.0), (2, 3.0)]
        );
    }
}
