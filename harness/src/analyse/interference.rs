//! The interference each repetition recorded, summarised per case and for the machine: how many
//! repetitions were flagged and why, the median steal fraction and hiccup p99. A flagged
//! repetition is counted here and stays in every other figure; this must not drop or reweigh
//! anything, name a workload or render.

use std::collections::BTreeMap;

use arena_results::{CaseRecord, Interference};

use super::stats;

/// The interference of one case's repetitions (every repetition that recorded it).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseInterference {
    pub case_id: String,
    pub variant: String,
    pub measured: usize,
    pub flagged: usize,
    /// Flag kinds (the first word of a reason: `steal`, `hiccup`) and how many repetitions had
    /// each.
    pub reasons: BTreeMap<String, usize>,
    pub median_steal_fraction: f64,
    pub median_hiccup_p99_ns: f64,
    pub max_hiccup_ns: u64,
}

/// The same over every repetition of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineInterference {
    pub measured: usize,
    pub flagged: usize,
    pub median_steal_fraction: f64,
    pub max_steal_fraction: f64,
    pub median_hiccup_p99_ns: f64,
    pub max_hiccup_ns: u64,
    /// Median CPU pressure (PSI `some`) as a fraction of each repetition's wall time, where the
    /// kernel reports it.
    pub median_psi_fraction: Option<f64>,
}

fn recorded(case: &CaseRecord) -> Vec<&Interference> {
    case.repetitions
        .iter()
        .filter_map(|r| r.interference.as_ref())
        .collect()
}

fn median_of(all: &[&Interference], figure: impl Fn(&Interference) -> f64) -> f64 {
    stats::median(&all.iter().map(|i| figure(i)).collect::<Vec<_>>())
}

/// A case's summary; None when none of its repetitions recorded interference.
pub fn case_interference(case: &CaseRecord) -> Option<CaseInterference> {
    let all = recorded(case);
    if all.is_empty() {
        return None;
    }
    let mut reasons = BTreeMap::new();
    for i in &all {
        let kinds: std::collections::BTreeSet<&str> = i
            .flag_reasons
            .iter()
            .filter_map(|r| r.split_whitespace().next())
            .collect();
        for kind in kinds {
            *reasons.entry(kind.to_string()).or_insert(0) += 1;
        }
    }
    Some(CaseInterference {
        case_id: case.case_id.clone(),
        variant: case.variant.clone(),
        measured: all.len(),
        flagged: all.iter().filter(|i| i.flagged).count(),
        reasons,
        median_steal_fraction: median_of(&all, |i| i.steal_fraction),
        median_hiccup_p99_ns: median_of(&all, |i| i.hiccup_p99_ns as f64),
        max_hiccup_ns: all.iter().map(|i| i.hiccup_max_ns).max().unwrap_or(0),
    })
}

/// The run's machine-wide summary; None when no repetition recorded interference.
pub fn machine_interference(cases: &[CaseRecord]) -> Option<MachineInterference> {
    let with_wall: Vec<(&Interference, u64)> = cases
        .iter()
        .flat_map(|c| c.repetitions.iter())
        .filter_map(|r| r.interference.as_ref().map(|i| (i, r.wall_ns)))
        .collect();
    if with_wall.is_empty() {
        return None;
    }
    let all: Vec<&Interference> = with_wall.iter().map(|(i, _)| *i).collect();
    let psi: Vec<f64> = with_wall
        .iter()
        .filter(|(_, wall)| *wall > 0)
        .filter_map(|(i, wall)| i.psi_cpu_some_us.map(|us| us as f64 * 1e3 / *wall as f64))
        .collect();
    Some(MachineInterference {
        measured: all.len(),
        flagged: all.iter().filter(|i| i.flagged).count(),
        median_steal_fraction: median_of(&all, |i| i.steal_fraction),
        max_steal_fraction: all.iter().map(|i| i.steal_fraction).fold(0.0, f64::max),
        median_hiccup_p99_ns: median_of(&all, |i| i.hiccup_p99_ns as f64),
        max_hiccup_ns: all.iter().map(|i| i.hiccup_max_ns).max().unwrap_or(0),
        median_psi_fraction: (!psi.is_empty()).then(|| stats::median(&psi)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::phases::fixtures::{case, repetition};

    fn rep(index: u32, steal_fraction: f64, p99_ns: u64, reasons: &[&str]) -> arena_results::Repetition {
        let mut r = repetition(index, true, Vec::new());
        r.wall_ns = 1_000_000_000;
        r.interference = Some(Interference {
            steal_fraction,
            hiccup_p99_ns: p99_ns,
            hiccup_max_ns: p99_ns * 2,
            psi_cpu_some_us: Some(500_000),
            flagged: !reasons.is_empty(),
            flag_reasons: reasons.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        });
        r
    }

    #[test]
    fn flagged_repetitions_are_counted_by_reason() {
        let reps = vec![
            rep(1, 0.0, 100_000, &[]),
            rep(2, 0.05, 200_000, &["steal 5.0% > 2%"]),
            rep(
                3,
                0.03,
                20_000_000,
                &["steal 3.0% > 2%", "hiccup p99 20.0 ms > 4 ms"],
            ),
        ];
        let c = case("w", "rust/threads", arena_results::CaseStatus::Ok, reps);
        let s = case_interference(&c).unwrap();
        assert_eq!((s.measured, s.flagged), (3, 2));
        assert_eq!(s.reasons["steal"], 2);
        assert_eq!(s.reasons["hiccup"], 1);
        assert_eq!(
            (s.median_steal_fraction, s.median_hiccup_p99_ns),
            (0.03, 200_000.0)
        );
        assert_eq!(s.max_hiccup_ns, 40_000_000);
        let m = machine_interference(&[c]).unwrap();
        assert_eq!((m.measured, m.flagged, m.max_steal_fraction), (3, 2, 0.05));
        assert_eq!(m.median_psi_fraction, Some(0.5));
    }

    #[test]
    fn nothing_recorded_gives_no_summary() {
        let c = case(
            "w",
            "rust/threads",
            arena_results::CaseStatus::Ok,
            vec![repetition(1, true, Vec::new())],
        );
        assert!(case_interference(&c).is_none());
        assert!(machine_interference(&[c]).is_none());
    }
}
