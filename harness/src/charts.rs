//! Charts of a run, SVG and PNG, drawn with plotters: cpu-scale speedup vs workers (ideal line
//! drawn, 95% intervals as error bars) and sleep-tasks memory vs N on log-log axes. Colour is
//! the language, line style the model. Text uses a font shipped in harness/assets, so PNGs need
//! no system font. Reads derived figures only; it must not compute statistics.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Once;

use anyhow::{anyhow, Result};
use arena_results::RunRecord;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::server_analysis;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const SIZE: (u32, u32) = (1250, 720);
/// The legend gets a strip of its own beside the plot, so it can never hide data.
const LEGEND_WIDTH: u32 = 350;
const MIB: f64 = 1024.0 * 1024.0;

fn register_font() {
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

/// One line of a chart: a variant's points.
struct Line {
    variant: String,
    /// Second and later models of a language are dashed.
    dashed: bool,
    /// (x, y, y_low, y_high)
    points: Vec<(f64, f64, f64, f64)>,
    label: String,
}

fn language_of(variant: &str) -> &str {
    variant.split('/').next().unwrap_or(variant)
}

/// Marks every model after a language's first as dashed, in variant order.
fn assign_styles(lines: &mut [Line]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for line in lines.iter_mut() {
        let count = seen.entry(language_of(&line.variant).to_string()).or_default();
        line.dashed = *count > 0;
        *count += 1;
    }
}

/// Versions and machine, for every caption.
fn provenance(record: &RunRecord) -> String {
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

/// Draws every chart the run has data for; returns the files written.
pub fn render_all(record: &RunRecord, dir: &Path) -> Result<Vec<PathBuf>> {
    register_font();
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let caption = provenance(record);
    if !record.derived.cpu_scale.is_empty() {
        let cores = record.environment.logical_cores as f64;
        let mut by_variant: BTreeMap<&str, Vec<(f64, f64, f64, f64)>> = BTreeMap::new();
        for p in &record.derived.cpu_scale {
            by_variant.entry(&p.variant).or_default().push((
                p.workers as f64,
                p.speedup,
                p.speedup_ci_low,
                p.speedup_ci_high,
            ));
        }
        let mut lines: Vec<Line> = by_variant
            .into_iter()
            .map(|(variant, points)| {
                let at2 = points
                    .iter()
                    .find(|p| p.0 == 2.0)
                    .map(|p| format!(" ({:.2}x at W=2)", p.1))
                    .unwrap_or_default();
                Line {
                    variant: variant.into(),
                    dashed: false,
                    points,
                    label: format!("{variant}{at2}"),
                }
            })
            .collect();
        assign_styles(&mut lines);
        let spec = ChartSpec {
            title: "cpu-scale: speedup over 1 worker (median, 95% CI)",
            x_label: "workers W",
            y_label: "speedup = wall(W=1) / wall(W)  [x]",
            log_axes: false,
            caption: &caption,
            reference: Some(ReferenceLine {
                label: format!("ideal: min(W, {cores} cores)"),
                cores,
            }),
        };
        written.extend(render_both(dir, "cpu-scale-speedup", &spec, &lines)?);
    }
    let memory_lines: Vec<Line> = record
        .derived
        .sleep_tasks
        .iter()
        .filter(|t| !t.points.is_empty())
        .map(|t| {
            let per_task = t
                .bytes_per_task
                .map(|b| format!(" ({:.1} KiB/task)", b / 1024.0))
                .unwrap_or_default();
            let limit = t
                .first_failed_tasks
                .map(|n| format!(", failed at N={n}"))
                .unwrap_or_default();
            Line {
                variant: t.variant.clone(),
                dashed: false,
                points: t
                    .points
                    .iter()
                    // In MiB, so that the log axis puts its ticks on round MiB values.
                    .map(|p| {
                        (
                            p.tasks as f64,
                            p.ready_tree_rss_bytes_median / MIB,
                            f64::NAN,
                            f64::NAN,
                        )
                    })
                    .collect(),
                label: format!("{}{per_task}{limit}", t.variant),
            }
        })
        .collect();
    if !memory_lines.is_empty() {
        let mut lines = memory_lines;
        assign_styles(&mut lines);
        let spec = ChartSpec {
            title: "sleep-tasks: process-tree RSS with N tasks alive (median)",
            x_label: "concurrent tasks N (log)",
            y_label: "tree RSS at ready [MiB] (log)",
            log_axes: true,
            caption: &caption,
            reference: None,
        };
        written.extend(render_both(dir, "sleep-tasks-memory", &spec, &lines)?);
    }
    written.extend(server_charts(record, dir, &caption)?);
    Ok(written)
}

/// http-io latency vs offered load and memory vs open connections; loop-blocking /ping latency.
fn server_charts(record: &RunRecord, dir: &Path, caption: &str) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let http = &record.derived.http_io;
    let wait =
        server_analysis::common_sweep_delay_ms(http).map_or(String::new(), |d| format!("{d} ms wait, "));
    for (stem, percentile, pick) in [
        (
            "http-io-latency-p99",
            "p99",
            (|p: &arena_results::SweepPoint| p.p99_ns_median)
                as fn(&arena_results::SweepPoint) -> Option<f64>,
        ),
        ("http-io-latency-p50", "p50", |p: &arena_results::SweepPoint| {
            p.p50_ns_median
        }),
    ] {
        let title = format!("http-io: {percentile} latency vs offered /io load ({wait}from due time)");
        let mut lines: Vec<Line> = http
            .iter()
            .filter(|f| f.sweep.iter().any(|p| pick(p).is_some()))
            .map(|f| {
                // Up to and including the first saturated rate: beyond it latency only measures the backlog.
                let cut = f
                    .sweep
                    .iter()
                    .position(|p| p.saturated_repetitions * 2 > p.repetitions)
                    .map_or(f.sweep.len(), |i| i + 1);
                let saturation = match (f.first_saturated_target_per_s, &f.io_capacity_per_s) {
                    (Some(t), Some(cap)) => format!(" (saturated at {t:.0}/s, capacity {:.0}/s)", cap.median),
                    _ => " (never saturated)".into(),
                };
                Line {
                    variant: f.variant.clone(),
                    dashed: false,
                    points: f.sweep[..cut]
                        .iter()
                        .filter_map(|p| Some((p.target_rate_per_s, pick(p)? / 1e6, f64::NAN, f64::NAN)))
                        .collect(),
                    label: format!("{}{saturation}", f.variant),
                }
            })
            .collect();
        if !lines.is_empty() {
            assign_styles(&mut lines);
            let spec = ChartSpec {
                title: &title,
                x_label: "offered /io rate [requests/s] (log)",
                y_label: "latency [ms] (log)",
                log_axes: true,
                caption,
                reference: None,
            };
            written.extend(render_both(dir, stem, &spec, &lines)?);
        }
    }
    let mut memory: Vec<Line> = http
        .iter()
        .filter(|f| f.idle_points.len() >= 2)
        .map(|f| Line {
            variant: f.variant.clone(),
            dashed: false,
            points: f
                .idle_points
                .iter()
                .map(|p| {
                    (
                        p.connections as f64,
                        p.tree_rss_bytes_median / MIB,
                        f64::NAN,
                        f64::NAN,
                    )
                })
                .collect(),
            label: format!(
                "{}{}",
                f.variant,
                f.bytes_per_idle_connection
                    .as_ref()
                    .map(|b| format!(" ({:.1} KiB/conn)", b.median / 1024.0))
                    .unwrap_or_default()
            ),
        })
        .collect();
    if !memory.is_empty() {
        assign_styles(&mut memory);
        let spec = ChartSpec {
            title: "http-io: server RSS with C idle keep-alive connections",
            x_label: "open connections C (log)",
            y_label: "server tree RSS [MiB] (log)",
            log_axes: true,
            caption,
            reference: None,
        };
        written.extend(render_both(dir, "http-io-memory", &spec, &memory)?);
    }
    let mut ping: Vec<Line> = record
        .derived
        .loop_blocking
        .iter()
        .filter(|f| f.points.iter().any(|p| p.ping_p99_ns_median.is_some()))
        .map(|f| Line {
            variant: f.variant.clone(),
            dashed: false,
            points: f
                .points
                .iter()
                .filter_map(|p| {
                    Some((
                        p.cpu_rate_per_s,
                        p.ping_p99_ns_median? / 1e6,
                        p.ping_p99_ns_min.unwrap_or(f64::NAN) / 1e6,
                        p.ping_p99_ns_max.unwrap_or(f64::NAN) / 1e6,
                    ))
                })
                .collect(),
            label: f.variant.clone(),
        })
        .collect();
    if !ping.is_empty() {
        assign_styles(&mut ping);
        let x_label = server_analysis::median_cpu_ms(&record.derived.loop_blocking)
            .map_or("/cpu requests per second".to_string(), |ms| {
                format!("/cpu requests per second (each ≈ {ms:.0} ms of CPU)")
            });
        let spec = ChartSpec {
            title: "loop-blocking: /ping p99 under /cpu load (bars: range over reps)",
            x_label: &x_label,
            y_label: "/ping p99 latency [ms]",
            log_axes: false,
            caption,
            reference: None,
        };
        written.extend(render_both(dir, "loop-blocking-ping", &spec, &ping)?);
    }
    Ok(written)
}

struct ReferenceLine {
    label: String,
    cores: f64,
}

struct ChartSpec<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    log_axes: bool,
    caption: &'a str,
    reference: Option<ReferenceLine>,
}

fn render_both(dir: &Path, stem: &str, spec: &ChartSpec, lines: &[Line]) -> Result<Vec<PathBuf>> {
    let svg = dir.join(format!("{stem}.svg"));
    let png = dir.join(format!("{stem}.png"));
    draw(SVGBackend::new(&svg, SIZE).into_drawing_area(), spec, lines)?;
    draw(BitMapBackend::new(&png, SIZE).into_drawing_area(), spec, lines)?;
    Ok(vec![svg, png])
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, spec: &ChartSpec, lines: &[Line]) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("drawing {}: {e:?}", spec.title);
    root.fill(&WHITE).map_err(err)?;
    let (plot_area, caption_area) = root.split_vertically(SIZE.1 - 30);
    caption_area
        .draw_text(
            spec.caption,
            &("sans-serif", 13).into_font().color(&RGBColor(80, 80, 80)),
            (12, 8),
        )
        .map_err(err)?;
    let all = lines.iter().flat_map(|l| l.points.iter());
    let x_max = all.clone().map(|p| p.0).fold(1.0, f64::max);
    let x_min = all.clone().map(|p| p.0).fold(f64::INFINITY, f64::min).min(x_max);
    let y_max = all
        .clone()
        .flat_map(|p| [p.1, p.3])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let y_min = all
        .clone()
        .map(|p| p.1)
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min);

    let (chart_area, legend_area) = plot_area.split_horizontally(SIZE.0 - LEGEND_WIDTH);
    let mut entries: Vec<(String, RGBColor, bool)> = Vec::new();
    if let Some(reference) = &spec.reference {
        entries.push((reference.label.clone(), BLACK, true));
    }
    entries.extend(lines.iter().map(|l| {
        (
            l.label.clone(),
            language_colour(language_of(&l.variant)),
            l.dashed,
        )
    }));
    draw_legend(&legend_area, &entries).map_err(err)?;

    let mut builder = ChartBuilder::on(&chart_area);
    builder
        .caption(spec.title, ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80);
    if spec.log_axes {
        let mut chart = builder
            .build_cartesian_2d(
                (x_min / 1.5..x_max * 1.5).log_scale(),
                (y_min / 1.5..y_max * 1.5).log_scale(),
            )
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(spec.x_label)
            .y_desc(spec.y_label)
            .x_label_formatter(&|v| format_count(*v))
            .y_label_formatter(&|v| format_mib(*v))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .draw()
            .map_err(err)?;
        for line in lines {
            draw_line(&mut chart, line).map_err(err)?;
        }
    } else {
        let y_top = y_max.max(spec.reference.as_ref().map_or(0.0, |r| r.cores.min(x_max))) * 1.15;
        let x_pad = 0.2 + (x_max - x_min) * 0.03;
        let mut chart = builder
            .build_cartesian_2d(x_min - x_pad..x_max + x_pad, 0.0..y_top.max(1.2))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(spec.x_label)
            .y_desc(spec.y_label)
            .x_labels((x_max as usize + 1).min(12))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .draw()
            .map_err(err)?;
        if let Some(reference) = &spec.reference {
            let xs: Vec<f64> = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)).collect();
            let mut ideal: Vec<(f64, f64)> = xs.iter().map(|x| (*x, x.min(reference.cores))).collect();
            ideal.sort_by(|a, b| a.0.total_cmp(&b.0));
            ideal.dedup();
            chart
                .draw_series(DashedLineSeries::new(ideal, 6, 6, BLACK.stroke_width(2)))
                .map_err(err)?;
        }
        for line in lines {
            draw_line(&mut chart, line).map_err(err)?;
            let colour = language_colour(language_of(&line.variant));
            chart
                .draw_series(
                    line.points
                        .iter()
                        .filter(|p| p.2.is_finite() && p.3.is_finite())
                        .map(|p| ErrorBar::new_vertical(p.0, p.2, p.1, p.3, colour.stroke_width(1), 8)),
                )
                .map_err(err)?;
        }
    }
    root.present().map_err(err)?;
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

/// MiB with as many decimals as a log axis needs near 1.
fn format_mib(mib: f64) -> String {
    if mib >= 10.0 {
        format!("{mib:.0}")
    } else {
        format!("{mib:.1}")
    }
}

fn format_count(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.0}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}
