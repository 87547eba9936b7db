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
