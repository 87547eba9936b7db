//! The ticks of a chart's axes: where they go (on a log axis, at the plotted values when they
//! are few, else at round numbers, never fewer than two) and how they read (short, exact, no
//! two alike), and the font size at which a title fits. Measures text with the charts' font;
//! draws nothing.

use plotters::prelude::*;

/// A log axis tick: 10k and 3M from ten thousand up, whole numbers from 10, two significant
/// digits below (0.05 ms hiccups).
pub(super) fn format_log_tick(v: f64) -> String {
    if v >= 1e4 {
        format_count(v)
    } else if v >= 10.0 {
        format!("{v:.0}")
    } else {
        format_value(v)
    }
}

/// Two significant digits or more, without trailing zeros: 0.012, 0.5, 3, 2.5, 120, 25k, 3M
/// (short, so that a tick label never runs into the axis caption beside it).
pub(super) fn format_value(v: f64) -> String {
    if v.abs() >= 1e4 {
        return format_count(v);
    }
    let text = if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v == 0.0 || v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        let decimals = (2.0 - v.abs().log10().floor()) as usize;
        format!("{v:.decimals$}")
    };
    trim_zeros(&text)
}

/// "2.50" → "2.5", "3.00" → "3", "120" stays.
fn trim_zeros(text: &str) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

/// A count with k or M and no more digits than it needs: 2k, 1.5k, 10k, 2.5M, 300.
pub(super) fn format_count(v: f64) -> String {
    let (scaled, suffix) = if v.abs() >= 1e6 {
        (v / 1e6, "M")
    } else if v.abs() >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    format!("{}{suffix}", trim_zeros(&format!("{scaled:.2}")))
}

/// The largest font size up to `size`, and not below 15 (larger than any tick label, so a
/// title never reads as one), at which `text` fits in `width` pixels.
pub(super) fn fitting_size(text: &str, size: f64, width: u32) -> f64 {
    let mut size = size;
    while size > 15.0 {
        let (w, _) = ("sans-serif", size).into_font().box_size(text).unwrap_or((0, 0));
        if w <= width {
            break;
        }
        size -= 1.0;
    }
    size
}

/// Which way an axis runs, and its length in pixels.
#[derive(Clone, Copy)]
pub(super) enum Axis {
    Horizontal(f64),
    Vertical(f64),
}

/// The tick values of a log axis over `range`: the plotted `values` themselves when they are
/// few and their labels fit (a sweep of 2k, 4k, 8k requests/s), else the finest of 10^k,
/// {1, 2, 5} × 10^k and {1..9} × 10^k whose labels fit with at least two inside, else evenly
/// spaced round numbers (a range narrower than a factor of two).
pub(super) fn log_ticks(
    range: (f64, f64),
    values: &[f64],
    axis: Axis,
    size: f64,
    format: fn(f64) -> String,
) -> Vec<f64> {
    let (low, high) = range;
    let inside = |v: &f64| *v >= low && *v <= high;
    let fits = |ticks: &[f64]| {
        let position = |v: f64| (v.ln() - low.ln()) / (high.ln() - low.ln());
        labels_fit(ticks, position, axis, size, format)
    };
    let mut plotted: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && inside(v))
        .collect();
    plotted.sort_by(f64::total_cmp);
    plotted.dedup();
    if (2..=12).contains(&plotted.len()) && fits(&plotted) {
        return plotted;
    }
    let mantissas: [&[f64]; 3] = [
        &[1.0],
        &[1.0, 2.0, 5.0],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    ];
    let mut best: Option<Vec<f64>> = None;
    for set in mantissas {
        let (first, last) = (low.log10().floor() as i32, high.log10().ceil() as i32);
        let ticks: Vec<f64> = (first..=last)
            .flat_map(|k| set.iter().map(move |m| m * 10f64.powi(k)))
            .filter(inside)
            .collect();
        if ticks.len() >= 2 && ticks.len() <= 12 && fits(&ticks) {
            best = Some(ticks);
        }
    }
    best.unwrap_or_else(|| {
        let ticks = linear_ticks(low, high, 4);
        if fits(&ticks) {
            ticks
        } else {
            linear_ticks(low, high, 2)
        }
    })
}

/// About `count` round numbers (1, 2 or 5 × 10^k apart) between `low` and `high`.
fn linear_ticks(low: f64, high: f64, count: usize) -> Vec<f64> {
    let raw = (high - low) / count as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Whether labels at these values, placed at `position` (0 to 1 along the axis), keep a gap
/// between each other.
fn labels_fit(
    ticks: &[f64],
    position: impl Fn(f64) -> f64,
    axis: Axis,
    size: f64,
    format: fn(f64) -> String,
) -> bool {
    let font = ("sans-serif", size).into_font();
    let extent = |v: f64| -> f64 {
        let (w, h) = font.box_size(&format(v)).unwrap_or((0, 0));
        match axis {
            Axis::Horizontal(_) => f64::from(w),
            Axis::Vertical(_) => f64::from(h),
        }
    };
    let length = match axis {
        Axis::Horizontal(l) | Axis::Vertical(l) => l,
    };
    // Two labels with the same text would read as one tick printed twice.
    let texts: std::collections::BTreeSet<String> = ticks.iter().map(|v| format(*v)).collect();
    texts.len() == ticks.len()
        && ticks.windows(2).all(|pair| {
            let gap = (position(pair[1]) - position(pair[0])).abs() * length;
            gap >= (extent(pair[0]) + extent(pair[1])) / 2.0 + 8.0
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_axis_ticks_the_plotted_rates_and_a_narrow_one_still_gets_two_ticks() {
        super::super::chart_drawing::register_font();
        // http-io's sweep at 2k, 4k and 8k requests/s: one "10k" tick before.
        let sweep = [2000.0, 4000.0, 8000.0];
        let ticks = log_ticks(
            (2000.0 / 1.5, 8000.0 * 1.5),
            &sweep,
            Axis::Horizontal(700.0),
            14.0,
            format_count,
        );
        assert_eq!(ticks, sweep);
        let labels: Vec<String> = ticks.iter().map(|v| format_count(*v)).collect();
        assert_eq!(labels, ["2k", "4k", "8k"]);
        // A panel whose iterations all take 8–12 µs: less than a factor of two.
        let narrow = log_ticks(
            (0.008 / 1.2, 0.012 * 1.2),
            &[],
            Axis::Vertical(150.0),
            11.0,
            format_value,
        );
        assert!(narrow.len() >= 2, "{narrow:?}");
        let texts: std::collections::BTreeSet<String> = narrow.iter().map(|v| format_value(*v)).collect();
        assert_eq!(
            texts.len(),
            narrow.len(),
            "each tick reads differently: {texts:?}"
        );
        // Many decades: decades or 1-2-5, never crowded.
        let wide = log_ticks((0.001, 100.0), &[], Axis::Vertical(500.0), 14.0, format_log_tick);
        assert!(wide.len() >= 5 && wide.len() <= 12, "{wide:?}");
    }

    #[test]
    fn tick_labels_are_short_and_exact() {
        assert_eq!(format_count(1500.0), "1.5k");
        assert_eq!(format_count(2_500_000.0), "2.5M");
        assert_eq!(format_value(3_000_000.0), "3M");
        assert_eq!(format_value(2.5), "2.5");
        assert_eq!(format_value(0.012), "0.012");
        assert_eq!(format_log_tick(100_000.0), "100k");
    }
}
