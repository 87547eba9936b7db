//! The report's machine sections, for every run whatever its workloads: "Interference" (per
//! case, how many repetitions were flagged and why, median steal and hiccup p99, and a line for
//! the whole machine) and "Noise floor" (when a case has enough repetitions for an A/A figure),
//! plus the noise floor as terminal text for `arena noise`. Formats what `analyse::interference`
//! and `analyse::noise` compute; it must not compute statistics or name a workload.

use arena_results::{Estimate, RunRecord};

use super::report::Section;
use super::table::{estimate_with_level, Table};
use crate::analyse::interference::{self, MachineInterference};
use crate::analyse::noise::{self, CaseNoise, FigureNoise, MIN_REPETITIONS};
use crate::measure::interference::{HICCUP_P99_THRESHOLD_NS, STEAL_FRACTION_THRESHOLD};

pub const INTERFERENCE_HEADING: &str = "Interference";
pub const NOISE_FLOOR_HEADING: &str = "Noise floor";

/// The machine sections of a run, in order; each only when it has something to show.
pub fn sections(record: &RunRecord) -> Vec<Section> {
    [interference_section(record), noise_floor_section(record)]
        .into_iter()
        .flatten()
        .collect()
}

fn percent(fraction: f64) -> String {
    format!("{:.2}%", fraction * 100.0)
}

fn ms(ns: f64) -> String {
    format!("{:.2}", ns / 1e6)
}

fn interference_method() -> String {
    format!(
        "Measured around every repetition, from just before spawn to after reaping. Steal: the \
         `steal` column of /proc/stat summed over the CPUs the case and its load generator were \
         pinned to (every CPU when the case was not pinned), as a fraction of wall × those CPUs. \
         Hiccups: a harness thread (pinned as the harness's other threads are) sleeps 1 ms in a \
         loop; its overshoot goes into an HdrHistogram. A repetition is flagged when steal \
         exceeds {:.0}% (and two clock ticks) or the hiccup p99 exceeds {:.0} ms. A flagged \
         repetition stays in every figure of this report: flagged, never dropped. CPU pressure \
         (PSI) is recorded in results.json but flags nothing: a workload with more runnable \
         threads than CPUs makes it itself.",
        STEAL_FRACTION_THRESHOLD * 100.0,
        HICCUP_P99_THRESHOLD_NS as f64 / 1e6
    )
}

fn machine_line(m: &MachineInterference) -> String {
    format!(
        "This machine during the run: {} repetitions measured, {} flagged ({:.0}%); steal median \
         {} (max {}) of their CPUs' time; hiccup p99 median {} ms, largest hiccup {} ms{}.",
        m.measured,
        m.flagged,
        100.0 * m.flagged as f64 / m.measured as f64,
        percent(m.median_steal_fraction),
        percent(m.max_steal_fraction),
        ms(m.median_hiccup_p99_ns),
        ms(m.max_hiccup_ns as f64),
        m.median_psi_fraction.map_or(String::new(), |p| format!(
            "; CPU pressure (PSI some, machine-wide) median {} of the wall time",
            percent(p)
        ))
    )
}

fn interference_section(record: &RunRecord) -> Option<Section> {
    let machine = interference::machine_interference(&record.cases)?;
    let rows = record
        .cases
        .iter()
        .filter_map(interference::case_interference)
        .map(|c| {
            let why: Vec<String> = c.reasons.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
            vec![
                c.case_id,
                c.measured.to_string(),
                c.flagged.to_string(),
                if why.is_empty() {
                    "–".into()
                } else {
                    why.join(", ")
                },
                percent(c.median_steal_fraction),
                ms(c.median_hiccup_p99_ns),
                ms(c.max_hiccup_ns as f64),
            ]
        })
        .collect();
    let table = Table::new(
        "repetitions run under interference, per case",
        &[
            "case",
            "repetitions",
            "flagged",
            "why",
            "median steal",
            "median hiccup p99 [ms]",
            "largest hiccup [ms]",
        ],
        rows,
        &interference_method(),
    );
    Some(Section {
        workload: INTERFERENCE_HEADING.into(),
        about: None,
        notes: vec![machine_line(&machine)],
        tables: vec![table],
        charts: Vec::new(),
    })
}

/// "1.003 [0.981–1.022] (97.8%)".
fn ratio_text(e: Option<&Estimate>) -> String {
    e.map_or("–".into(), |e| estimate_with_level(e, 1.0, 3, ""))
}

/// "±4.3% (at 93.75%)": the reach and the level its interval really has.
fn resolvable_text(f: &FigureNoise) -> String {
    match (f.resolvable(), f.level()) {
        (Some(r), Some(level)) => format!("±{:.1}% (at {:.2}%)", r * 100.0, level * 100.0),
        _ => "–".into(),
    }
}

fn figure_cells(f: &FigureNoise) -> [String; 4] {
    [
        format!("{:.3}", f.median / 1e9),
        percent(f.relative_spread),
        ratio_text(f.aa_ratio.as_ref()),
        resolvable_text(f),
    ]
}

const NOISE_METHOD: &str = "A/A: one case run many times with nothing changed (`arena noise`, \
    suite harness/suites/noise.toml), here every case with at least 10 valid repetitions. Spread: \
    (p90 − p10) / median over the repetitions, quantiles linear between order statistics. A/A \
    ratio: repetitions paired in order (1st/2nd, 3rd/4th, …), the median of the per-pair ratios \
    with its order-statistic interval and true coverage (the paired-ratio method of every other \
    ratio in this report). The ratio must be 1.0; how far its interval reaches from 1.0 \
    (resolvable) is the smallest ratio difference this machine can tell from noise with this \
    many repetitions, at that interval's level: 93.75% at 10 repetitions (5 pairs, [min, max]), \
    97.9% at 20. CPU time = user + system (wait4). Flagged repetitions are included.";

fn noise_floor_section(record: &RunRecord) -> Option<Section> {
    let floors = noise::noise_floor(&record.cases);
    if floors.is_empty() {
        return None;
    }
    let rows = floors
        .iter()
        .map(|c| {
            let mut row = vec![c.case_id.clone(), c.n.to_string()];
            row.extend(figure_cells(&c.wall));
            row.extend(figure_cells(&c.cpu));
            row
        })
        .collect();
    let table = Table::new(
        "the same case against itself",
        &[
            "case",
            "n",
            "wall median [s]",
            "wall spread",
            "wall A/A ratio",
            "wall resolvable",
            "CPU median [s]",
            "CPU spread",
            "CPU A/A ratio",
            "CPU resolvable",
        ],
        rows,
        NOISE_METHOD,
    );
    Some(Section {
        workload: NOISE_FLOOR_HEADING.into(),
        about: None,
        notes: vec![floor_line(&floors)],
        tables: vec![table],
        charts: Vec::new(),
    })
}

/// The widest resolvable difference over the cases, with the lowest level among them.
fn floor_line(floors: &[CaseNoise]) -> String {
    let worst = |pick: fn(&CaseNoise) -> &FigureNoise| {
        floors
            .iter()
            .filter_map(|c| pick(c).resolvable())
            .fold(f64::NAN, f64::max)
    };
    let lowest_level = floors
        .iter()
        .flat_map(|c| [c.wall.level(), c.cpu.level()])
        .flatten()
        .fold(f64::NAN, f64::min);
    format!(
        "Noise floor of this machine: ratios within ±{:.1}% (wall) and ±{:.1}% (CPU time) of 1.0 \
         are indistinguishable from running the same case twice (the widest A/A interval of {} \
         case(s); each interval covers at least {:.2}%).",
        worst(|c| &c.wall) * 100.0,
        worst(|c| &c.cpu) * 100.0,
        floors.len(),
        lowest_level * 100.0
    )
}

/// The noise floor for the terminal (`arena noise`); says so when no case had enough
/// repetitions.
pub fn noise_floor_text(record: &RunRecord) -> String {
    let floors = noise::noise_floor(&record.cases);
    if floors.is_empty() {
        return format!("noise floor: no case has {MIN_REPETITIONS} valid repetitions; nothing to report\n");
    }
    let mut text = String::from("noise floor (A/A: the same case against itself):\n");
    for c in &floors {
        for (name, f) in [("wall", &c.wall), ("cpu ", &c.cpu)] {
            text.push_str(&format!(
                "  {:<16} {name} median {:.3} s, spread {}, A/A ratio {}, resolvable {}\n",
                c.variant,
                f.median / 1e9,
                percent(f.relative_spread),
                ratio_text(f.aa_ratio.as_ref()),
                resolvable_text(f)
            ));
        }
    }
    text.push_str(&floor_line(&floors));
    text.push('\n');
    if let Some(m) = interference::machine_interference(&record.cases) {
        text.push_str(&machine_line(&m));
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::phases::fixtures;

    /// Ten repetitions give five A/A pairs: the floor says 93.75%, the level it has, never 95%.
    #[test]
    fn the_floor_states_the_level_its_interval_really_has() {
        let mut case = fixtures::case("w", "rust/threads", arena_results::CaseStatus::Ok, Vec::new());
        case.repetitions = (1..=10)
            .map(|i| {
                let mut r = fixtures::repetition(i, true, Vec::new());
                r.wall_ns = 1000 + 10 * u64::from(i % 3);
                r.user_cpu_ns = 500 + u64::from(i % 2);
                r
            })
            .collect();
        let floor = noise::case_noise(&case).unwrap();
        assert!(
            resolvable_text(&floor.cpu).ends_with("(at 93.75%)"),
            "{}",
            resolvable_text(&floor.cpu)
        );
        let line = floor_line(&[floor]);
        assert!(line.contains("covers at least 93.75%"), "{line}");
        assert!(!line.contains("95"), "{line}");
    }
}
