//! The table model both the Markdown and the HTML exporters render: a title, headers, rows of
//! display text, and the method printed under it. Plus the formatters of estimates, so every
//! table shows an interval the same way. Formatting only.

use arena_results::Estimate;

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// How the figures were measured, printed under the table.
    pub method: String,
}

impl Table {
    pub fn new(title: impl Into<String>, headers: &[&str], rows: Vec<Vec<String>>, method: &str) -> Table {
        Table {
            title: title.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows,
            method: method.into(),
        }
    }
}

/// "median [low–high]" in display units (the interval as recorded, see its `ci_level`).
pub fn estimate_text(e: &Estimate, scale: f64, decimals: usize) -> String {
    format!(
        "{:.*} [{:.*}–{:.*}]",
        decimals,
        e.median / scale,
        decimals,
        e.ci_low / scale,
        decimals,
        e.ci_high / scale
    )
}

/// "median{unit} [low–high] (level%)" in display units: the one way a table or an evidence line
/// shows an estimate with its level, printed by `level_percent` (floored to a tenth, so a 94.6%
/// interval never reads "95%").
pub fn estimate_with_level(e: &Estimate, scale: f64, decimals: usize, unit: &str) -> String {
    // `+ 0.0` turns a -0.0 (a zero sum's bound) into 0.0 for printing.
    format!(
        "{:.*}{unit} [{:.*}–{:.*}] ({}%)",
        decimals,
        e.median / scale + 0.0,
        decimals,
        e.ci_low / scale + 0.0,
        decimals,
        e.ci_high / scale + 0.0,
        level_percent(e.ci_level)
    )
}

pub fn optional_estimate_text(e: Option<&Estimate>, scale: f64, decimals: usize) -> String {
    e.map_or("–".into(), |e| estimate_text(e, scale, decimals))
}

/// Nanoseconds as milliseconds with two decimals, "–" when absent.
pub fn ms(ns: Option<f64>) -> String {
    ns.map_or("–".into(), |v| format!("{:.2}", v / 1e6))
}

pub fn mib(bytes: f64) -> String {
    format!("{:.1}", bytes / (1024.0 * 1024.0))
}

/// The level of a chart's or table's intervals as recorded: "97% interval", or "75–97%
/// intervals" when they differ (fewer repetitions in some cases); "interval" when there is none.
/// Never a constant: a level follows the number of repetitions behind each interval.
pub fn interval_level_text(levels: impl IntoIterator<Item = f64>) -> String {
    let levels: Vec<f64> = levels.into_iter().filter(|l| l.is_finite()).collect();
    let low = levels.iter().copied().fold(f64::INFINITY, f64::min);
    let high = levels.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if levels.is_empty() {
        "interval".into()
    } else if level_percent(low) == level_percent(high) {
        format!("{}% interval", level_percent(low))
    } else {
        format!("{}–{}% intervals", level_percent(low), level_percent(high))
    }
}

/// A coverage as a percentage, floored to a tenth so that 94.99% never reads as 95%; whole
/// percents without ".0": 0.96875 → "96.8", 0.95 → "95".
pub fn level_percent(level: f64) -> String {
    // The small nudge keeps 0.95 (stored as 0.9499999…) at 95.
    let tenths = (level * 1000.0 + 1e-6).floor() / 10.0;
    let text = format!("{tenths:.1}");
    text.trim_end_matches(".0").to_string()
}

#[cfg(test)]
mod tests {
    use super::interval_level_text;

    #[test]
    fn the_level_text_states_each_level_and_never_rounds_up_to_95() {
        assert_eq!(interval_level_text([0.96875]), "96.8% interval");
        assert_eq!(interval_level_text([0.75, 0.96875]), "75–96.8% intervals");
        assert_eq!(interval_level_text([0.9499]), "94.9% interval");
        assert_eq!(interval_level_text([0.95, 0.95]), "95% interval");
        assert_eq!(interval_level_text(Vec::<f64>::new()), "interval");
        assert_eq!(super::level_percent(0.9375), "93.7");
    }

    #[test]
    fn an_estimate_prints_its_own_level_never_rounded_up() {
        let e = |ci_low: f64, ci_level: f64| arena_results::Estimate {
            median: 2_000_000.0,
            ci_low,
            ci_high: 2_500_000.0,
            ci_level,
            n: 6,
            outliers: 0,
        };
        // "{:.0}%" printed 94.6% as "95%", a level a verdict needs and this interval lacks.
        assert_eq!(
            super::estimate_with_level(&e(1_500_000.0, 0.946), 1e6, 2, " ms"),
            "2.00 ms [1.50–2.50] (94.6%)"
        );
        assert_eq!(
            super::estimate_with_level(&e(-0.0, 0.96875), 1e6, 1, "×"),
            "2.0× [0.0–2.5] (96.8%)"
        );
    }
}
