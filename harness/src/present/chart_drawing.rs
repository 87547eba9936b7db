//! Charts, SVG and PNG, drawn with plotters from the `chart_model::Chart` model that each workload's
//! module builds from its figures. Colour is the language, dashes mark a language's second and
//! later models; the legend has a strip of its own so it never hides data; every chart carries
//! the run's provenance as a caption. Text uses a font shipped in harness/assets, so PNGs need
//! no system font. It must not compute statistics or know any workload.

use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{anyhow, Context, Result};
use arena_results::RunRecord;
use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart_model::language_of;

use super::chart_model::{Chart, Line};
use super::chart_ticks::{fitting_size, format_count, format_log_tick, format_value, log_ticks, Axis};
use super::report::{Exporter, Report};

const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// Every chart's size in pixels, SVG and PNG.
pub const SIZE: (u32, u32) = (1250, 720);
/// The legend gets a strip of its own beside the plot, so it can never hide data.
const LEGEND_WIDTH: u32 = 350;
/// Font sizes of the axes' tick labels (a chart's, a panel's). No other text uses them, so a
/// test can find the tick labels in the SVG.
pub const TICK_LABEL_SIZE: f64 = 14.0;
pub const PANEL_TICK_LABEL_SIZE: f64 = 11.0;

pub(super) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Colour per language, consistent across every chart.
pub fn language_colour(language: &str) -> RGBColor {
    match language {
        "python" => RGBColor(53, 114, 165),
        "node" => RGBColor(60, 135, 58),
        "go" => RGBColor(0, 150, 190),
        "java" => RGBColor(200, 110, 20),
        "rust" => RGBColor(160, 50, 40),
        _ => RGBColor(90, 90, 90),
    }
}

/// Versions and machine, for every caption.
pub fn provenance(record: &RunRecord) -> String {
    let versions: Vec<String> = record
        .environment
        .toolchains
        .iter()
        .filter_map(|t| t.version.as_ref().map(|v| format!("{} {v}", t.language)))
        .collect();
    format!(
        "{} | {} ({} cores) | run {}",
        versions.join(", "),
        record.environment.cpu_model,
        record.environment.logical_cores,
        record.run_id
    )
}

/// The chart as an SVG document (the HTML report embeds it).
pub fn svg(chart: &Chart, caption: &str) -> Result<String> {
    register_font();
    let mut text = String::new();
    draw(
        SVGBackend::with_string(&mut text, SIZE).into_drawing_area(),
        chart,
        caption,
    )?;
    Ok(text)
}

/// Writes `<id>.svg` and `<id>.png` into `dir`.
pub fn write_files(chart: &Chart, caption: &str, dir: &Path) -> Result<Vec<PathBuf>> {
    register_font();
    let svg = dir.join(format!("{}.svg", chart.id));
    let png = dir.join(format!("{}.png", chart.id));
    draw(SVGBackend::new(&svg, SIZE).into_drawing_area(), chart, caption)
        .with_context(|| format!("cannot write {}", svg.display()))?;
    write_png(chart, caption, &png).with_context(|| format!("cannot write {}", png.display()))?;
    Ok(vec![svg, png])
}

/// Draws into an RGB buffer and encodes it with the `png` crate: plotters' own encoder would
/// build the whole `image` crate (JPEG and all): 21 s of unit compile time (image 18.1 s,
/// jpeg-decoder 3.0 s) in a release build of 287 s user CPU (`time cargo build --release --timings`).
fn write_png(chart: &Chart, caption: &str, path: &Path) -> Result<()> {
    let mut pixels = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    draw(
        BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area(),
        chart,
        caption,
    )?;
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, SIZE.0, SIZE.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(())
}

/// Every chart of the report, as files in `<run>/charts/`.
pub struct ChartExporter;

impl Exporter for ChartExporter {
    fn name(&self) -> &'static str {
        "charts"
    }

    fn export(&self, report: &Report, run_dir: &Path) -> Result<Vec<PathBuf>> {
        let dir = run_dir.join("charts");
        std::fs::create_dir_all(&dir)?;
        let caption = provenance(report.record);
        let mut written = Vec::new();
        for chart in report.charts() {
            written.extend(write_files(chart, &caption, &dir)?);
        }
        Ok(written)
    }
}

/// The data's extent: x from `x_min` to `x_max`, y up to `y_max` (bars included), smallest
/// positive y `y_min` (for log axes).
struct Extent {
    x_min: f64,
    x_max: f64,
    y_min: f64,
    y_max: f64,
}

impl Extent {
    fn of(lines: &[Line]) -> Extent {
        let all = lines.iter().flat_map(|l| l.points.iter());
        let x_max = all.clone().map(|p| p.0).fold(1.0, f64::max);
        Extent {
            x_max,
            x_min: all.clone().map(|p| p.0).fold(f64::INFINITY, f64::min).min(x_max),
            y_max: all
                .clone()
                .flat_map(|p| [p.1, p.3])
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max),
            y_min: all
                .map(|p| p.1)
                .filter(|v| *v > 0.0)
                .fold(f64::INFINITY, f64::min),
        }
    }
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, spec: &Chart, caption: &str) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("drawing {}: {e:?}", spec.title);
    root.fill(&WHITE).map_err(err)?;
    let (plot_area, caption_area) = root.split_vertically(SIZE.1 - 30);
    caption_area
        .draw_text(
            caption,
            &("sans-serif", 13).into_font().color(&RGBColor(80, 80, 80)),
            (12, 8),
        )
        .map_err(err)?;
    if spec.panels {
        let title_font = ("sans-serif", fitting_size(&spec.title, 22.0, SIZE.0 - 24))
            .into_font()
            .color(&BLACK);
        let (title_area, grid) = plot_area.split_vertically(36);
        title_area
            .draw_text(&spec.title, &title_font, (12, 6))
            .map_err(err)?;
        draw_panels(&grid, spec).map_err(err)?;
        root.present().map_err(err)?;
        return Ok(());
    }
    let (chart_area, legend_area) = plot_area.split_horizontally(SIZE.0 - LEGEND_WIDTH);
    let mut entries: Vec<(String, RGBColor, bool)> = Vec::new();
    if let Some(reference) = &spec.reference {
        entries.push((reference.label.clone(), BLACK, true));
    }
    entries.extend(spec.lines.iter().map(|l| {
        (
            l.label.clone(),
            language_colour(language_of(&l.variant)),
            l.dashed,
        )
    }));
    draw_legend(&legend_area, &entries).map_err(err)?;

    let mut builder = ChartBuilder::on(&chart_area);
    builder
        .caption(
            &spec.title,
            (
                "sans-serif",
                fitting_size(&spec.title, 24.0, SIZE.0 - LEGEND_WIDTH - 24),
            ),
        )
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80);
    let extent = Extent::of(&spec.lines);
    if spec.log_axes {
        plot_log(&mut builder, spec, &extent).map_err(err)?;
    } else {
        plot_linear(&mut builder, spec, &extent).map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

fn plot_log<DB: DrawingBackend>(builder: &mut ChartBuilder<DB>, spec: &Chart, e: &Extent) -> DrawResult<DB> {
    let (x_range, y_range) = ((e.x_min / 1.5, e.x_max * 1.5), (e.y_min / 1.5, e.y_max * 1.5));
    // The plot's size: the chart strip less its margins and label areas (see `draw`).
    let width = f64::from(SIZE.0 - LEGEND_WIDTH) - 2.0 * 16.0 - 80.0;
    let height = f64::from(SIZE.1 - 30) - 2.0 * 16.0 - 50.0 - 40.0;
    let xs: Vec<f64> = spec
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .collect();
    let x_ticks = log_ticks(
        x_range,
        &xs,
        Axis::Horizontal(width),
        TICK_LABEL_SIZE,
        format_count,
    );
    let y_ticks = log_ticks(
        y_range,
        &[],
        Axis::Vertical(height),
        TICK_LABEL_SIZE,
        format_log_tick,
    );
    let y = (y_range.0..y_range.1).log_scale().with_key_points(y_ticks);
    if spec.linear_x {
        // Numbered categories (kernels, phases): whole numbers on a linear axis.
        let mut chart = builder.build_cartesian_2d(e.x_min - 0.5..e.x_max + 0.5, y)?;
        chart
            .configure_mesh()
            .x_desc(&spec.x_label)
            .y_desc(&spec.y_label)
            .x_labels((e.x_max - e.x_min) as usize + 2)
            .x_label_formatter(&|v| whole_number(*v))
            .y_label_formatter(&|v| format_log_tick(*v))
            .label_style(("sans-serif", TICK_LABEL_SIZE))
            .axis_desc_style(("sans-serif", 16))
            .draw()?;
        return draw_log_lines(&mut chart, spec);
    }
    let mut chart =
        builder.build_cartesian_2d((x_range.0..x_range.1).log_scale().with_key_points(x_ticks), y)?;
    chart
        .configure_mesh()
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .x_label_formatter(&|v| format_count(*v))
        .y_label_formatter(&|v| format_log_tick(*v))
        .label_style(("sans-serif", TICK_LABEL_SIZE))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    draw_log_lines(&mut chart, spec)
}

/// A tick label for a count: "3", and nothing between whole numbers (a tick at 1.5 would
/// print as a second "2").
fn whole_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

/// The lines of a chart with a log y axis, error bars where the bounds are positive.
fn draw_log_lines<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    spec: &Chart,
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for line in &spec.lines {
        // Error bars where a point has positive, finite bounds (a log axis has no zero).
        let colour = language_colour(language_of(&line.variant));
        chart.draw_series(
            line.points
                .iter()
                .filter(|p| p.2.is_finite() && p.3.is_finite() && p.2 > 0.0 && p.3 > 0.0)
                .map(|p| ErrorBar::new_vertical(p.0, p.2, p.1, p.3, colour.stroke_width(1), 8)),
        )?;
        draw_line(chart, line)?;
    }
    Ok(())
}

fn plot_linear<DB: DrawingBackend>(
    builder: &mut ChartBuilder<DB>,
    spec: &Chart,
    e: &Extent,
) -> DrawResult<DB> {
    let y_top = e
        .y_max
        .max(spec.reference.as_ref().map_or(0.0, |r| r.cores.min(e.x_max)))
        * 1.15;
    // A reference line (the ideal speedup) keeps the axis up to 1.2 at least; otherwise the
    // data alone sets it, so small values are not squashed to the bottom.
    let floor = if spec.reference.is_some() { 1.2 } else { 1e-9 };
    let x_pad = 0.2 + (e.x_max - e.x_min) * 0.03;
    let mut chart = builder.build_cartesian_2d(e.x_min - x_pad..e.x_max + x_pad, 0.0..y_top.max(floor))?;
    chart
        .configure_mesh()
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .x_labels((e.x_max as usize + 1).min(12))
        .x_label_formatter(&|v| whole_number(*v))
        .y_label_formatter(&|v| format_value(*v))
        .label_style(("sans-serif", TICK_LABEL_SIZE))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    if let Some(reference) = &spec.reference {
        let xs: Vec<f64> = spec
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .collect();
        let mut ideal: Vec<(f64, f64)> = xs.iter().map(|x| (*x, x.min(reference.cores))).collect();
        ideal.sort_by(|a, b| a.0.total_cmp(&b.0));
        ideal.dedup();
        chart.draw_series(DashedLineSeries::new(ideal, 6, 6, BLACK.stroke_width(2)))?;
    }
    for line in &spec.lines {
        let colour = language_colour(language_of(&line.variant));
        let bounded: Vec<&(f64, f64, f64, f64)> = line
            .points
            .iter()
            .filter(|p| p.2.is_finite() && p.3.is_finite())
            .collect();
        if spec.bands && bounded.len() > 1 {
            // The interval as a band: along the lows, back along the highs.
            let outline: Vec<(f64, f64)> = bounded
                .iter()
                .map(|p| (p.0, p.2))
                .chain(bounded.iter().rev().map(|p| (p.0, p.3)))
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(outline, colour.mix(0.18).filled())))?;
        } else {
            chart.draw_series(
                bounded
                    .iter()
                    .map(|p| ErrorBar::new_vertical(p.0, p.2, p.1, p.3, colour.stroke_width(1), 8)),
            )?;
        }
        draw_line(&mut chart, line)?;
    }
    Ok(())
}

/// One panel per variant, three to a row: its lines, its marks, its own axes; below the grid, a
/// strip of its own for what the axes measure, so it never runs into a panel's labels.
fn draw_panels<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, spec: &Chart) -> DrawResult<DB> {
    let (grid, note_area) = area.split_vertically(area.dim_in_pixel().1 - 22);
    let mut variants: Vec<&str> = spec.lines.iter().map(|l| l.variant.as_str()).collect();
    variants.dedup();
    let columns = 3.min(variants.len().max(1));
    let rows = variants.len().div_ceil(columns).max(1);
    let cells = grid.split_evenly((rows, columns));
    for (variant, cell) in variants.iter().zip(cells.iter()) {
        let lines: Vec<&Line> = spec.lines.iter().filter(|l| l.variant == *variant).collect();
        let x_max = lines
            .iter()
            .flat_map(|l| l.points.iter())
            .map(|p| p.0)
            .fold(1.0, f64::max);
        // One y range per language, so that its variants' panels compare at a glance (a JIT's
        // fall against its interpreter's level).
        let language = language_of(variant);
        let same_language = spec.lines.iter().filter(|l| language_of(&l.variant) == language);
        let positive = same_language
            .flat_map(|l| l.points.iter())
            .map(|p| p.1)
            .filter(|v| v.is_finite() && *v > 0.0);
        let (low, high) = positive.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (y_min, y_max) = (low.min(high) / 1.2, high.max(1e-9) * 1.2);
        let mut builder = ChartBuilder::on(cell);
        builder
            .caption(variant, ("sans-serif", 15))
            .margin(6)
            .x_label_area_size(26)
            .y_label_area_size(52);
        // A log y axis for `log_axes` (the x axis, an iteration count, stays linear): a 100×
        // fall over the first iterations and the spikes of a noisy host both stay readable.
        if spec.log_axes {
            // The plot's height: the cell less its caption, margins and x labels.
            let height = f64::from(cell.dim_in_pixel().1) - 20.0 - 2.0 * 6.0 - 26.0;
            let ticks = log_ticks(
                (y_min, y_max),
                &[],
                Axis::Vertical(height),
                PANEL_TICK_LABEL_SIZE,
                format_value,
            );
            let y = (y_min..y_max).log_scale().with_key_points(ticks);
            let chart = builder.build_cartesian_2d(0.0..x_max, y)?;
            draw_panel(chart, &lines, (y_min, y_max))?;
        } else {
            let chart = builder.build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
            draw_panel(chart, &lines, (0.0, y_max))?;
        }
    }
    let note = format!("{} — {}", spec.x_label, spec.y_label);
    let note_font = ("sans-serif", 12).into_font().color(&BLACK);
    note_area.draw_text(&note, &note_font, (8, 4))?;
    Ok(())
}

/// One panel's mesh, its lines (thin, no circles) and their marks as dashed verticals.
fn draw_panel<'a, DB, Y>(
    mut chart: ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    lines: &[&Line],
    (y_low, y_high): (f64, f64),
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    Y: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_labels(5)
        .y_labels(5)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format_value(*v))
        .label_style(("sans-serif", PANEL_TICK_LABEL_SIZE))
        .draw()?;
    for line in lines {
        let colour = language_colour(language_of(&line.variant));
        let points: Vec<(f64, f64)> = line.points.iter().map(|p| (p.0, p.1)).collect();
        chart.draw_series(LineSeries::new(points, colour.mix(0.55).stroke_width(1)))?;
        for x in &line.marks {
            let mark = vec![(*x, y_low), (*x, y_high)];
            chart.draw_series(DashedLineSeries::new(mark, 4, 3, BLACK.mix(0.6).stroke_width(1)))?;
        }
    }
    Ok(())
}

fn draw_line<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    line: &Line,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let colour = language_colour(language_of(&line.variant));
    let style = colour.stroke_width(3);
    let points: Vec<(f64, f64)> = line.points.iter().map(|p| (p.0, p.1)).collect();
    if line.dashed {
        chart.draw_series(DashedLineSeries::new(points.clone(), 10, 5, style))?;
    } else {
        chart.draw_series(LineSeries::new(points.clone(), style))?;
    }
    chart.draw_series(points.iter().map(|p| Circle::new(*p, 4, colour.filled())))?;
    Ok(())
}

/// One row per entry: a line sample (dashed for a language's second model) and its label.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor, bool)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let font = ("sans-serif", 13).into_font();
    for (row, (label, colour, dashed)) in entries.iter().enumerate() {
        let y = 70 + row as i32 * 24;
        let style = colour.stroke_width(3);
        if *dashed {
            area.draw(&PathElement::new(vec![(4, y), (12, y)], style))?;
            area.draw(&PathElement::new(vec![(18, y), (26, y)], style))?;
        } else {
            area.draw(&PathElement::new(vec![(4, y), (26, y)], style))?;
        }
        area.draw(&Text::new(label.clone(), (34, y - 7), font.clone()))?;
    }
    Ok(())
}
