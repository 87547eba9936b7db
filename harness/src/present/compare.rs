//! `arena compare`'s Markdown (for a pull-request comment or a job summary): the verdict
//! counts, the method, then one row per figure, changes first. Formatting only; the numbers
//! are `analyse::compare`'s.

use std::fmt::Write;

use crate::analyse::compare::{Comparison, Verdict};

fn word(v: Verdict) -> &'static str {
    match v {
        Verdict::Regressed => "**regressed**",
        Verdict::Improved => "improved",
        Verdict::Unchanged => "unchanged",
        Verdict::NotComparable => "not comparable",
    }
}

pub fn markdown(c: &Comparison) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "## arena compare: `{}` → `{}`\n", c.base_run, c.new_run);
    let _ = writeln!(
        md,
        "{} regressed, {} improved, {} unchanged, {} not comparable{}.\n",
        c.count(Verdict::Regressed),
        c.count(Verdict::Improved),
        c.count(Verdict::Unchanged),
        c.count(Verdict::NotComparable),
        if c.same_machine {
            ""
        } else {
            " (the runs come from different machines)"
        }
    );
    let _ = writeln!(
        md,
        "Ratio NEW/BASE: Hodges–Lehmann estimate on the log scale with its exact distribution-free interval (level as achieved); Mann–Whitney U test, Holm-adjusted over all {} figures tested at α = {}. A change must clear ±{:.1}% ({}) with its whole interval. Lower is better for every figure.\n",
        c.figures.iter().filter(|f| f.p_value.is_some()).count(),
        c.alpha,
        c.threshold * 100.0,
        c.threshold_source
    );
    let _ = writeln!(
        md,
        "| case | figure | BASE median | NEW median | NEW/BASE [interval] (level) | p (Holm) | verdict | note |\n|---|---|---|---|---|---|---|---|"
    );
    let mut rows: Vec<_> = c.figures.iter().collect();
    rows.sort_by_key(|f| match f.verdict {
        Verdict::Regressed => 0,
        Verdict::Improved => 1,
        Verdict::NotComparable => 2,
        Verdict::Unchanged => 3,
    });
    let number = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.4e}"));
    for f in rows {
        let ratio = match (f.ratio, f.ratio_ci_low, f.ratio_ci_high, f.ratio_ci_level) {
            (Some(r), Some(lo), Some(hi), Some(level)) => {
                format!("{r:.3} [{lo:.3}–{hi:.3}] ({:.0}%)", level * 100.0)
            }
            (Some(r), ..) => format!("{r:.3}"),
            _ => "–".into(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} (n={}) | {} (n={}) | {ratio} | {} | {} | {} |",
            f.case_id,
            f.figure,
            number(f.base_median),
            f.base_n,
            number(f.new_median),
            f.new_n,
            f.p_holm.map_or("–".into(), |p| format!("{p:.3}")),
            word(f.verdict),
            f.note.replace('|', "\\|")
        );
    }
    md
}
