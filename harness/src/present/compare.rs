//! `arena compare`'s Markdown (for a pull-request comment or a job summary): the outcome
//! counts, what this comparison could have seen, the method, one row per case (its primary
//! figure tested, changes first), then the descriptive figures. Formatting only; the numbers
//! are `analyse::compare`'s.

use std::fmt::Write;

use crate::analyse::compare::{Comparison, Design, FigureRatio, Outcome};

fn word(o: Outcome) -> &'static str {
    match o {
        Outcome::Regressed => "**regressed**",
        Outcome::Improved => "improved",
        Outcome::Equivalent => "equivalent",
        Outcome::NotDetected => "not detected",
        Outcome::NotComparable => "not comparable",
    }
}

/// "1.302 [1.254–1.352] (99.72%)".
fn ratio_text(r: f64, low: f64, high: f64, level: f64) -> String {
    format!("{r:.3} [{low:.3}–{high:.3}] ({:.2}%)", level * 100.0)
}

fn change(ratio: Option<f64>) -> String {
    ratio.map_or("–".into(), |r| format!("×{r:.3}"))
}

fn method(c: &Comparison) -> String {
    let design = match c.design {
        Design::PairedRounds => {
            "paired rounds (`--run-both`): one NEW/BASE ratio per round, both sides measured side by side; Student's t on the log ratios".to_string()
        }
        Design::Independent => match c.drift {
            Some(d) => format!(
                "runs measured apart: Welch's t on the logs of each side's repetitions, measured from the shift common to the {} cases (×{:.3}, the host's drift or a change that slows every case alike: two runs measured apart cannot tell them apart, so it is reported, not tested; `--run-both` tests it), with the case-to-case scatter of the drift (±{:.1}% on the log scale) added to each case's variance",
                d.cases,
                d.common_ratio,
                d.scatter_log * 100.0
            ),
            None => format!(
                "runs measured apart: Welch's t on the logs of each side's repetitions (fewer than {} cases tested, so the host's drift between the runs is not estimated and not taken out)",
                crate::analyse::compare::DRIFT_MIN_CASES
            ),
        },
    };
    format!(
        "Primary figure of every case: `{}` (CPU time, user + system); the others are descriptive, not tested. Ratio NEW/BASE: geometric mean with its interval at {:.2}% = 1 − {}/{} (Bonferroni over the {} cases tested), {design}. *regressed* / *improved*: that interval excludes 1; *equivalent*: it lies within ±{:.1}% (two one-sided tests); *not detected*: neither. Detectable: the smallest slowdown the case's test finds with {:.0}% power at its measured noise. Lower is better. Method: docs/methodology.md, \"Comparing two runs\".\n",
        c.primary_figure,
        c.case_level * 100.0,
        c.alpha,
        c.cases_tested,
        c.cases_tested,
        c.margin * 100.0,
        c.power * 100.0
    )
}

pub fn markdown(c: &Comparison) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "## arena compare: `{}` → `{}`\n", c.base_run, c.new_run);
    let _ = writeln!(
        md,
        "{} regressed, {} improved, {} equivalent, {} not detected, {} not comparable{}.\n",
        c.count(Outcome::Regressed),
        c.count(Outcome::Improved),
        c.count(Outcome::Equivalent),
        c.count(Outcome::NotDetected),
        c.count(Outcome::NotComparable),
        if c.same_machine {
            ""
        } else {
            " (the runs come from different machines)"
        }
    );
    let _ = writeln!(
        md,
        "{}\n",
        match (c.detectable_ratio_median, c.detectable_ratio_largest) {
            (Some(median), Some(largest)) => format!(
                "This comparison could detect, with {:.0}% power, a slowdown of ×{median:.3} in its median case and ×{largest:.3} in its noisiest.",
                c.power * 100.0
            ),
            _ => "No case could be tested: this comparison could detect nothing.".into(),
        }
    );
    md.push_str(&method(c));
    md.push('\n');
    let _ = writeln!(
        md,
        "| case | BASE median | NEW median | NEW/BASE [interval] (level) | detectable | outcome | note |\n|---|---|---|---|---|---|---|"
    );
    let mut rows: Vec<_> = c.cases.iter().collect();
    rows.sort_by_key(|f| match f.outcome {
        Outcome::Regressed => 0,
        Outcome::Improved => 1,
        Outcome::NotComparable => 2,
        Outcome::NotDetected => 3,
        Outcome::Equivalent => 4,
    });
    let number = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.4} s", v / 1e9));
    for f in rows {
        let ratio = match (f.ratio, f.ratio_ci_low, f.ratio_ci_high, f.ratio_ci_level) {
            (Some(r), Some(lo), Some(hi), Some(level)) => ratio_text(r, lo, hi, level),
            (Some(r), ..) => format!("{r:.3}"),
            _ => "–".into(),
        };
        let _ = writeln!(
            md,
            "| {} | {} (n={}) | {} (n={}) | {ratio} | {} | {} | {} |",
            f.case_id,
            number(f.base_median),
            f.base_n,
            number(f.new_median),
            f.new_n,
            change(f.detectable_ratio),
            word(f.outcome),
            f.note.replace('|', "\\|")
        );
    }
    descriptive(&mut md, &c.descriptive);
    md
}

fn descriptive(md: &mut String, figures: &[FigureRatio]) {
    if figures.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "\nDescriptive figures (not tested, not corrected; each interval at its own level):\n\n| case | figure | NEW/BASE [interval] (level) | n |\n|---|---|---|---|"
    );
    for f in figures {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            f.case_id,
            f.figure,
            ratio_text(f.ratio, f.ratio_ci_low, f.ratio_ci_high, f.ratio_ci_level),
            f.n
        );
    }
}
