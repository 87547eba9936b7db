//! Every chart the report draws, rendered from a stored smoke run and read back as SVG: each
//! axis carries at least two tick labels, no two pieces of text overlap and none leaves the
//! image. A text's box is its glyphs' ink, laid out with the font the charts ship
//! (harness/assets/DejaVuSans.ttf) at its position, size, anchor and rotation. Needs no
//! toolchain: the run is a stored results.json (tests/fixtures/smoke-run: run
//! 20261207T155223Z-smoke of `arena run --suite smoke`, with RSS timelines, interference,
//! stderr paths and derived figures dropped), re-derived and re-drawn as `arena report` does.
//! Smoke's single repetitions at low load give no p99 and no runtime pause figure, so the test
//! fills those few figures from neighbouring ones to draw the three charts that need them.

mod common;

use std::collections::BTreeSet;

use ab_glyph::{Font, FontRef, ScaleFont};
use arena_harness::analyse::claims;
use arena_harness::analyse::trend::{self as trends, Headline};
use arena_harness::plan::catalog::Catalog;
use arena_harness::present::chart_drawing::{self, PANEL_TICK_LABEL_SIZE, TICK_LABEL_SIZE};
use arena_harness::present::{trend, Chart};
use arena_harness::workloads::registry::REGISTRY;
use arena_results::RunRecord;
use common::*;

const FONT: &[u8] = include_bytes!("../harness/assets/DejaVuSans.ttf");

/// One `<text>` element of an SVG, as plotters writes it.
#[derive(Debug, Clone)]
struct SvgText {
    text: String,
    x: f64,
    y: f64,
    /// The `dy` attribute: "0.76em" (top), "0.5ex" (middle), "-0.5ex" (bottom).
    dy: String,
    anchor: String,
    font_size: f64,
    /// Degrees, from `rotate(a, x, y)`.
    rotation: f64,
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn svg_texts(svg: &str) -> Vec<SvgText> {
    let mut texts = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let open_end = start + rest[start..].find('>').unwrap();
        let tag = &rest[start..open_end];
        let close = open_end + rest[open_end..].find("</text>").unwrap();
        let number = |name: &str| attribute(tag, name).unwrap().trim().parse::<f64>().unwrap();
        let rotation = attribute(tag, "transform").map_or(0.0, |t| {
            let inner = t.trim_start_matches("rotate(");
            inner.split(',').next().unwrap().trim().parse().unwrap()
        });
        texts.push(SvgText {
            text: unescape(rest[open_end + 1..close].trim()),
            x: number("x"),
            y: number("y"),
            dy: attribute(tag, "dy").unwrap_or("0").into(),
            anchor: attribute(tag, "text-anchor").unwrap_or("start").into(),
            font_size: number("font-size"),
            rotation,
        });
        rest = &rest[close..];
    }
    texts
}

/// An axis-aligned box: left, top, right, bottom.
#[derive(Debug, Clone, Copy)]
struct Rect(f64, f64, f64, f64);

impl Rect {
    fn overlaps(&self, other: &Rect) -> bool {
        self.0 < other.2 && other.0 < self.2 && self.1 < other.3 && other.1 < self.3
    }
}

/// The ink box of a text in the SVG's coordinates. Glyphs are scaled as plotters' PNG draws
/// them (its font size is the SVG's × 1.24, a little larger than a browser draws the SVG), so
/// a layout that passes here fits both files.
fn ink_box(font: &FontRef, t: &SvgText) -> Option<Rect> {
    let em = t.font_size;
    let scaled = font.as_scaled(ab_glyph::PxScale::from((em * 1.24) as f32));
    let mut caret = 0.0f32;
    let mut ink: Option<(f32, f32, f32, f32)> = None;
    let mut previous = None;
    for c in t.text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            caret += scaled.kern(p, id);
        }
        previous = Some(id);
        let glyph = id.with_scale_and_position(scaled.scale(), ab_glyph::point(caret, 0.0));
        if let Some(outline) = scaled.outline_glyph(glyph) {
            let b = outline.px_bounds();
            ink = Some(match ink {
                None => (b.min.x, b.min.y, b.max.x, b.max.y),
                Some(i) => (
                    i.0.min(b.min.x),
                    i.1.min(b.min.y),
                    i.2.max(b.max.x),
                    i.3.max(b.max.y),
                ),
            });
        }
        caret += scaled.h_advance(id);
    }
    let (left, top, right, bottom) = ink?;
    let width = f64::from(caret);
    let shift_x = match t.anchor.as_str() {
        "middle" => -width / 2.0,
        "end" => -width,
        _ => 0.0,
    };
    // The baseline, as a browser places it: ex is DejaVu Sans' x-height, 0.547 em.
    let baseline = match t.dy.as_str() {
        "0.76em" => 0.76 * em,
        "0.5ex" => 0.5 * 0.547 * em,
        "-0.5ex" => -0.5 * 0.547 * em,
        other => panic!("unknown dy {other}"),
    };
    let corners = [
        (f64::from(left) + shift_x, f64::from(top) + baseline),
        (f64::from(right) + shift_x, f64::from(bottom) + baseline),
    ];
    // rotate(a, x, y) turns the text about its own anchor point.
    let (sin, cos) = t.rotation.to_radians().sin_cos();
    let turned: Vec<(f64, f64)> = [
        (corners[0].0, corners[0].1),
        (corners[1].0, corners[0].1),
        (corners[0].0, corners[1].1),
        (corners[1].0, corners[1].1),
    ]
    .iter()
    .map(|(dx, dy)| (t.x + cos * dx - sin * dy, t.y + sin * dx + cos * dy))
    .collect();
    let xs = turned.iter().map(|p| p.0);
    let ys = turned.iter().map(|p| p.1);
    Some(Rect(
        xs.clone().fold(f64::INFINITY, f64::min),
        ys.clone().fold(f64::INFINITY, f64::min),
        xs.fold(f64::NEG_INFINITY, f64::max),
        ys.fold(f64::NEG_INFINITY, f64::max),
    ))
}

/// Every text that leaves the image, and every pair of texts whose ink boxes overlap.
fn overlaps(texts: &[SvgText]) -> Vec<String> {
    let font = FontRef::try_from_slice(FONT).unwrap();
    let boxes: Vec<(&SvgText, Rect)> = texts
        .iter()
        .filter_map(|t| ink_box(&font, t).map(|b| (t, b)))
        .collect();
    let (width, height) = chart_drawing::SIZE;
    let mut found: Vec<String> = boxes
        .iter()
        .filter(|(_, b)| b.0 < 0.0 || b.1 < 0.0 || b.2 > f64::from(width) || b.3 > f64::from(height))
        .map(|(t, b)| format!("{:?} at {b:?} leaves the {width}×{height} image", t.text))
        .collect();
    for (i, (a, box_a)) in boxes.iter().enumerate() {
        for (b, box_b) in &boxes[i + 1..] {
            if box_a.overlaps(box_b) {
                found.push(format!(
                    "{:?} at {box_a:?} overlaps {:?} at {box_b:?}",
                    a.text, b.text
                ));
            }
        }
    }
    found
}

fn is_tick(t: &SvgText, size: f64) -> bool {
    // plotters writes a font of size s as font-size s / 1.24.
    (t.font_size - size / 1.24).abs() < 0.01
}

/// Problems with the tick labels of a chart of `axes` plot areas (1, or one per panel): each
/// plot area needs two labels on its y axis (right-aligned, one column per area) and two on its
/// x axis (centred, one row per row of areas, owned by the nearest y axis to their left).
fn tick_problems(texts: &[SvgText], axes: usize, size: f64) -> Vec<String> {
    let ticks: Vec<&SvgText> = texts.iter().filter(|t| is_tick(t, size)).collect();
    let y_ticks: Vec<&SvgText> = ticks.iter().copied().filter(|t| t.anchor == "end").collect();
    let x_ticks: Vec<&SvgText> = ticks.iter().copied().filter(|t| t.anchor == "middle").collect();
    let mut problems = Vec::new();
    // The rows of plot areas: x labels sit in one row of text under each row of plots. A y
    // label belongs to the first row whose x labels are below it.
    let mut rows: Vec<f64> = x_ticks.iter().map(|t| t.y).collect();
    rows.sort_by(f64::total_cmp);
    rows.dedup();
    let row_of = |y: f64| rows.iter().position(|r| *r > y).unwrap_or(rows.len());
    // y axes: labels that share an x position and a row.
    let mut y_axes: Vec<(f64, f64, f64, usize)> = Vec::new(); // x, top, bottom, labels
    let keys: BTreeSet<(usize, i64)> = y_ticks
        .iter()
        .map(|t| (row_of(t.y), t.x.round() as i64))
        .collect();
    for (row, column) in keys {
        let at: Vec<&&SvgText> = y_ticks
            .iter()
            .filter(|t| row_of(t.y) == row && t.x.round() as i64 == column)
            .collect();
        let top = at.iter().map(|t| t.y).fold(f64::INFINITY, f64::min);
        let bottom = at.iter().map(|t| t.y).fold(f64::NEG_INFINITY, f64::max);
        y_axes.push((at[0].x, top, bottom, at.len()));
    }
    if y_axes.len() != axes {
        problems.push(format!(
            "{} y axes with tick labels, expected {axes}",
            y_axes.len()
        ));
    }
    for (x, top, _, n) in &y_axes {
        if *n < 2 {
            problems.push(format!("the y axis at x={x:.0}, y={top:.0} has {n} tick label"));
        }
    }
    // x labels belong to the y axis of their row nearest to their left.
    let mut x_counts = vec![0usize; y_axes.len()];
    for t in &x_ticks {
        let row = rows.iter().position(|r| *r == t.y).unwrap();
        let owner = y_axes
            .iter()
            .enumerate()
            .filter(|(_, a)| row_of(a.1) == row && a.0 < t.x)
            .max_by(|(_, a), (_, b)| a.0.total_cmp(&b.0));
        match owner {
            Some((i, _)) => x_counts[i] += 1,
            None => problems.push(format!("x tick label {:?} belongs to no axis", t.text)),
        }
    }
    for ((x, top, _, _), n) in y_axes.iter().zip(&x_counts) {
        if *n < 2 {
            problems.push(format!(
                "the x axis of the plot at x={x:.0}, y={top:.0} has {n} tick labels"
            ));
        }
    }
    problems
}

fn smoke_record() -> RunRecord {
    let path = repo_root().join("tests/fixtures/smoke-run/results.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut record: RunRecord = serde_json::from_str(&text).unwrap();
    // As `arena report` does: the figures derived afresh from the repetitions.
    record.derived = REGISTRY.derive(&record.cases).unwrap();
    record
}

/// Fills the figures smoke's single, light repetitions lack (an /io or /ping p99, a runtime's
/// own pause maximum) from ones it has, so that every chart is drawn. For layout only.
fn with_every_figure(mut record: RunRecord) -> RunRecord {
    let derived = &mut record.derived;
    let fill = |value: &mut serde_json::Value, from: serde_json::Value, factor: f64| {
        if value.is_null() {
            *value = serde_json::json!(from.as_f64().map(|v| v * factor));
        }
    };
    for server in derived.get_mut("http-io").unwrap().as_array_mut().unwrap() {
        for point in server["sweep"].as_array_mut().unwrap() {
            let p50 = point["p50_ns_median"].clone();
            fill(&mut point["p99_ns_median"], p50, 3.0);
        }
    }
    for server in derived.get_mut("loop-blocking").unwrap().as_array_mut().unwrap() {
        for point in server["points"].as_array_mut().unwrap() {
            let max = point["ping_max_ns_median"].clone();
            fill(&mut point["ping_p99_ns_median"], max.clone(), 0.9);
            fill(&mut point["ping_p99_ns_min"], max.clone(), 0.7);
            fill(&mut point["ping_p99_ns_max"], max, 1.0);
        }
    }
    for case in derived.get_mut("gc-pause").unwrap()["cases"]
        .as_array_mut()
        .unwrap()
    {
        if case["runtime_max_ns"].is_null() {
            case["runtime_max_ns"] = case["hiccup_max_ns"].clone();
        }
    }
    record
}

/// Every chart a report can draw (each workload module's chart ids).
const EVERY_CHART: [&str; 15] = [
    "cpu-scale-speedup",
    "sleep-tasks-memory",
    "http-io-latency-p99",
    "http-io-latency-p50",
    "http-io-memory",
    "loop-blocking-ping",
    "startup-time-to-exit",
    "first-response-time",
    "kernels-ratio-to-rust",
    "jit-warmup-series",
    "gc-pause-hiccups-smallest-live-set",
    "gc-pause-hiccups-largest-live-set",
    "gc-pause-max-hiccup-vs-live-set",
    "gc-pause-runtime-max-vs-live-set",
    "msg-passing-ns-per-hand-off",
];

/// Each workload's headline figures of one run, as `arena trend` gathers them.
fn run_headlines(record: &RunRecord) -> Vec<(String, Vec<Headline>)> {
    REGISTRY
        .all()
        .iter()
        .filter_map(|workload| {
            let cases: Vec<_> = record
                .cases
                .iter()
                .filter(|c| c.workload == workload.id())
                .collect();
            if cases.is_empty() {
                return None;
            }
            let figures = workload.derive(&cases).unwrap();
            Some((workload.id().to_string(), workload.headlines(&figures).unwrap()))
        })
        .collect()
}

/// Every problem of one chart's SVG.
fn chart_problems(chart: &Chart, caption: &str) -> Vec<String> {
    let svg = chart_drawing::svg(chart, caption).unwrap();
    let texts = svg_texts(&svg);
    let (axes, size) = if chart.panels {
        let variants: BTreeSet<&str> = chart.lines.iter().map(|l| l.variant.as_str()).collect();
        (variants.len(), PANEL_TICK_LABEL_SIZE)
    } else {
        (1, TICK_LABEL_SIZE)
    };
    let mut problems = tick_problems(&texts, axes, size);
    problems.extend(overlaps(&texts));
    problems
}

#[test]
fn every_chart_of_a_smoke_run_has_tick_labels_on_every_axis_and_no_overlapping_text() {
    let record = with_every_figure(smoke_record());
    let catalog = Catalog::load(&repo_root()).unwrap();
    let claims = claims::load(&repo_root()).unwrap();
    let report = REGISTRY.report(&record, &catalog, &claims).unwrap();
    let caption = chart_drawing::provenance(&record);
    let mut charts: Vec<Chart> = report.charts().cloned().collect();
    // The trend page's charts, from the run set beside itself.
    let runs = vec![record.clone(), record.clone()];
    let per_run: Vec<_> = runs.iter().map(run_headlines).collect();
    charts.extend(trend::headline_charts(&trends::headline_trends(&per_run)));
    charts.extend(trend::charts(&trends::trends(&runs)));
    let drawn: BTreeSet<&str> = charts.iter().map(|c| c.id).collect();
    let missing: Vec<&str> = EVERY_CHART
        .iter()
        .copied()
        .filter(|id| !drawn.contains(id))
        .collect();
    assert!(missing.is_empty(), "the fixture does not draw {missing:?}");
    assert!(
        drawn.iter().any(|id| id.starts_with("trend-")),
        "the trend page's charts are drawn too"
    );
    // To look at them: ARENA_CHART_TEST_DIR=/tmp/charts cargo test --test chart_text
    if let Ok(dir) = std::env::var("ARENA_CHART_TEST_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        for chart in &charts {
            chart_drawing::write_files(chart, &caption, std::path::Path::new(&dir)).unwrap();
        }
    }
    let mut failures = Vec::new();
    for chart in &charts {
        for problem in chart_problems(chart, &caption) {
            failures.push(format!("{} ({}): {problem}", chart.id, chart.title));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_checks_catch_a_missing_tick_label_and_overlapping_text() {
    let text = |s: &str, x: f64, y: f64, anchor: &str| SvgText {
        text: s.into(),
        x,
        y,
        dy: "0.5ex".into(),
        anchor: anchor.into(),
        font_size: TICK_LABEL_SIZE / 1.24,
        rotation: 0.0,
    };
    let good = vec![
        text("1", 50.0, 100.0, "end"),
        text("2", 50.0, 60.0, "end"),
        text("10", 80.0, 130.0, "middle"),
        text("20", 160.0, 130.0, "middle"),
    ];
    assert!(tick_problems(&good, 1, TICK_LABEL_SIZE).is_empty());
    assert!(overlaps(&good).is_empty());
    let one_x_label = vec![good[0].clone(), good[1].clone(), good[2].clone()];
    assert_eq!(tick_problems(&one_x_label, 1, TICK_LABEL_SIZE).len(), 1);
    let no_y_labels = vec![good[2].clone(), good[3].clone()];
    assert!(!tick_problems(&no_y_labels, 1, TICK_LABEL_SIZE).is_empty());
    let crowded = vec![
        text("10k", 80.0, 130.0, "middle"),
        text("20k", 95.0, 130.0, "middle"),
    ];
    assert_eq!(overlaps(&crowded).len(), 1);
    // A rotated axis caption across a label beside it.
    let mut caption = text("latency [ms]", 40.0, 100.0, "middle");
    caption.rotation = 270.0;
    assert_eq!(overlaps(&[caption, text("100.0", 45.0, 100.0, "end")]).len(), 1);
}

#[test]
fn a_chart_of_three_repetitions_states_their_level_and_never_95() {
    let record = smoke_record();
    let cpu_scale = REGISTRY.get("cpu-scale").unwrap();
    let title_at = |level: f64| {
        let mut points = record.derived["cpu-scale"].clone();
        for point in points.as_array_mut().unwrap() {
            point["speedup_ci_level"] = serde_json::json!(level);
        }
        let (_, charts) = cpu_scale.section(&points, &record).unwrap();
        charts[0].title.clone()
    };
    // 3 repetitions give [min, max] of 3 paired ratios, 1 − 2 / 2³ = 75%; 6 give 1 − 2 / 2⁶.
    let three = title_at(0.75);
    assert!(three.contains("75% interval") && !three.contains("95"), "{three}");
    let six = title_at(1.0 - 2.0 / 64.0);
    assert!(six.contains("96.8% interval") && !six.contains("95"), "{six}");
}
