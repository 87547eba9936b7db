//! cpu-scale's derived figures: for each variant and W, the speedup over W = 1 with the two
//! processes of each round paired, the same from the in-process work time, and the cores each
//! process kept busy, plus checks of the self-reported work time. The result type lives here
//! (`derived.cpu-scale` in results.json). Pure.

use arena_results::{CaseRecord, CaseStatus, Estimate, Repetition};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analyse::stats;
use crate::analyse::summary::valid_values;

/// A process whose runtime start-up (wall − work) takes more than this share of its wall time
/// measures start-up more than scaling: flagged.
const STARTUP_SHARE_WARNING: f64 = 0.5;

/// cpu-scale: W workers against W = 1 of the same variant and parameters.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct SpeedupPoint {
    pub variant: String,
    pub workers: u64,
    /// Median over rounds of wall(W=1) / wall(W), the two processes of one round paired; the
    /// interval is the order-statistic interval of those ratios (its coverage in
    /// `speedup_ci_level`). Wall time includes runtime start-up.
    pub speedup: f64,
    pub speedup_ci_low: f64,
    pub speedup_ci_high: f64,
    pub speedup_ci_level: f64,
    /// Rounds in which both processes were valid.
    pub pairs: u32,
    /// The per-round ratios behind `speedup`, in round order: a claim recomputes its interval
    /// at the level its family needs from them. (Empty in files written before they were kept.)
    #[serde(default)]
    pub speedup_by_round: Vec<f64>,
    /// The per-round ratios behind `work_speedup`.
    #[serde(default)]
    pub work_speedup_by_round: Vec<f64>,
    /// The same paired ratio of the in-process work time (`work_ns`): start-up excluded.
    pub work_speedup: Option<Estimate>,
    /// CPU time / wall time of each process of this case (median and interval over its
    /// processes): how many cores it kept busy. Measured within one process, so drift between
    /// processes cannot move it; start-up (one core) can only lower it.
    pub cores_in_use: Option<Estimate>,
    pub wall_ns_median: f64,
    pub cpu_ns_median: f64,
    pub peak_tree_rss_bytes_median: Option<f64>,
    /// Checks of the self-reported work time against the wall time that failed.
    pub warnings: Vec<String>,
}

pub fn speedups(cases: &[&CaseRecord]) -> Vec<SpeedupPoint> {
    let ok: Vec<&CaseRecord> = cases
        .iter()
        .copied()
        .filter(|c| c.status == CaseStatus::Ok)
        .collect();
    let same_job = |a: &CaseRecord, b: &CaseRecord| {
        a.variant == b.variant
            && a.params
                .iter()
                .filter(|(k, _)| *k != "workers")
                .eq(b.params.iter().filter(|(k, _)| *k != "workers"))
    };
    let mut points: Vec<SpeedupPoint> = ok
        .iter()
        .filter_map(|case| {
            let base = ok
                .iter()
                .find(|b| same_job(b, case) && b.params.get("workers") == Some(&1))?;
            point(base, case)
        })
        .collect();
    points.sort_by(|a, b| a.variant.cmp(&b.variant).then(a.workers.cmp(&b.workers)));
    points
}

/// Valid repetitions of two cases, paired by round (`Repetition.index`).
fn paired(
    base: &CaseRecord,
    case: &CaseRecord,
    metric: impl Fn(&Repetition) -> Option<f64>,
) -> Vec<(f64, f64)> {
    base.repetitions
        .iter()
        .filter(|r| r.valid)
        .filter_map(|b| {
            let c = case.repetitions.iter().find(|c| c.valid && c.index == b.index)?;
            Some((metric(b)?, metric(c)?))
        })
        .collect()
}

fn point(base: &CaseRecord, case: &CaseRecord) -> Option<SpeedupPoint> {
    let wall = |r: &Repetition| Some(r.wall_ns as f64);
    let work = |r: &Repetition| r.self_reported.get("work_ns").map(|v| *v as f64);
    let wall_pairs = paired(base, case, wall);
    let speedup = stats::paired_ratio(&wall_pairs)?;
    let work_pairs = paired(base, case, work);
    let ratios = |pairs: &[(f64, f64)]| {
        pairs
            .iter()
            .filter(|(_, b)| *b > 0.0)
            .map(|(a, b)| a / b)
            .collect::<Vec<f64>>()
    };
    let cores = valid_values(case, |r| {
        (r.wall_ns > 0).then(|| (r.user_cpu_ns + r.sys_cpu_ns) as f64 / r.wall_ns as f64)
    });
    let summary = case.summary.as_ref()?;
    Some(SpeedupPoint {
        variant: case.variant.clone(),
        workers: case.params["workers"],
        speedup: speedup.median,
        speedup_ci_low: speedup.ci_low,
        speedup_ci_high: speedup.ci_high,
        speedup_ci_level: speedup.ci_level,
        pairs: wall_pairs.len() as u32,
        speedup_by_round: ratios(&wall_pairs),
        work_speedup_by_round: ratios(&work_pairs),
        work_speedup: stats::paired_ratio(&work_pairs),
        cores_in_use: (!cores.is_empty()).then(|| stats::estimate(&cores)),
        wall_ns_median: summary.wall_ns.median,
        cpu_ns_median: summary.cpu_ns.median,
        peak_tree_rss_bytes_median: summary.peak_tree_rss_bytes.as_ref().map(|e| e.median),
        warnings: work_time_warnings(case),
    })
}

/// The self-reported work time must fit inside the wall time, and start-up should not dominate.
fn work_time_warnings(case: &CaseRecord) -> Vec<String> {
    let mut warnings = Vec::new();
    for rep in case.repetitions.iter().filter(|r| r.valid) {
        let Some(work) = rep.self_reported.get("work_ns").map(|v| *v as f64) else {
            warnings.push(format!("repetition {}: no work_ns", rep.index));
            continue;
        };
        let wall = rep.wall_ns as f64;
        if work > wall {
            warnings.push(format!(
                "repetition {}: work_ns {work:.0} > wall {wall:.0}",
                rep.index
            ));
        } else if wall - work > STARTUP_SHARE_WARNING * wall {
            warnings.push(format!(
                "repetition {}: start-up is {:.0}% of the wall time",
                rep.index,
                (wall - work) / wall * 100.0
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_are_paired_and_cores_in_use_come_from_each_process() {
        use crate::analyse::phases::fixtures::{case, repetition};
        let rep = |index: u32, wall_ms: u64, cpu_ms: u64, work_ms: i64| {
            let mut r = repetition(index, true, vec![]);
            r.wall_ns = wall_ms * 1_000_000;
            r.user_cpu_ns = cpu_ms * 1_000_000;
            r.sys_cpu_ns = 0;
            r.self_reported.insert("work_ns".into(), work_ms * 1_000_000);
            r
        };
        let with = |workers: u64, reps: Vec<Repetition>| {
            let mut c = case("w", "x/threads", CaseStatus::Ok, reps);
            c.params = [("chunks", 4), ("items", 10), ("workers", workers)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            c.summary = crate::analyse::summary::summarize(&c.repetitions);
            c
        };
        // Round 2 ran on a machine 3× slower; pairing cancels it: every round's ratio is 2.
        let one = with(
            1,
            vec![
                rep(1, 1000, 1000, 950),
                rep(2, 3000, 3000, 2850),
                rep(3, 1000, 1000, 950),
            ],
        );
        let two = with(
            2,
            vec![
                rep(1, 500, 950, 450),
                rep(2, 1500, 2850, 1350),
                rep(3, 500, 950, 450),
            ],
        );
        let points = speedups(&[&one, &two]);
        let p = points.iter().find(|p| p.workers == 2).unwrap();
        assert_eq!((p.speedup, p.pairs), (2.0, 3));
        assert!((p.speedup_ci_level - 0.75).abs() < 1e-9);
        assert!((p.cores_in_use.as_ref().unwrap().median - 1.9).abs() < 1e-9);
        assert!(p.work_speedup.as_ref().unwrap().median > 2.0, "start-up excluded");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }
}
