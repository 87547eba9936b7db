//! The trend page (`arena trend`, published by CI beside the latest report): each claim's
//! verdict per run, a verdict that moved marked; then one chart
//! per headline figure of each workload (its module names them) across runs, the interval each
//! run recorded as a band; then one chart per workload of each variant's CPU time across runs,
//! as a ratio to its first run; the runs (commit, date, machine) in a table. One self-contained HTML file like the
//! report (styles inline, charts as SVG data URIs, no script). Renders `analyse::trend`'s
//! lines; it must not read files or compute figures.

use std::collections::BTreeMap;

use arena_results::RunRecord;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::chart_model::{Chart, Line};
use super::html::{chart_img, STYLE};
use super::table::{interval_level_text, level_percent};
use crate::analyse::trend::{HeadlineLine, TrendLine, VerdictTrend};

/// Chart ids are `&'static str` (they name chart files and HTML ids); a trend page has one per
/// workload of its runs, built once per process, so leaking these few strings is harmless.
fn chart_id(workload: &str) -> &'static str {
    Box::leak(format!("trend-{workload}").into_boxed_str())
}

/// Workload and figure → its headline lines, as `analyse::trend::headline_trends` groups them.
pub type HeadlineTrends = BTreeMap<(String, String), Vec<HeadlineLine>>;

/// One chart per (workload, headline figure): each series' value by run, its interval a band.
pub fn headline_charts(headlines: &HeadlineTrends) -> Vec<Chart> {
    headlines
        .iter()
        .map(|((workload, figure), lines)| {
            let level = interval_level_text(lines_levels(lines));
            let lines = lines
                .iter()
                .map(|l| {
                    let points = l
                        .points
                        .iter()
                        .map(|(run, h)| (*run as f64, h.median, h.low, h.high))
                        .collect();
                    let variant = l.series.split(' ').next().unwrap_or(&l.series);
                    Line::new(variant, l.series.clone(), points)
                })
                .collect();
            Chart::new(
                Box::leak(format!("trend-{workload}-{}", slug(figure)).into_boxed_str()),
                format!("{workload}: {figure} (bands: {level})"),
                "run (oldest first)".into(),
                figure.clone(),
                false,
                lines,
            )
            .with_bands()
        })
        .collect()
}

fn lines_levels(lines: &[HeadlineLine]) -> Vec<f64> {
    lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(_, h)| h.level))
        .collect()
}

/// A figure's name as part of a file name: letters and digits, the rest as single hyphens.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

const HEADLINE_METHOD: &str = "Each workload's headline figures, as its module defines them (the report's tables say how each is measured): the value each run recorded, its band the interval that run recorded, at the level the table states. Absolute values: on one machine a step between runs is a change; between machines it is not comparable.";

pub fn charts(trends: &BTreeMap<String, Vec<TrendLine>>) -> Vec<Chart> {
    trends
        .iter()
        .map(|(workload, lines)| {
            let level = interval_level_text(lines.iter().flat_map(|l| l.points.iter().map(|p| p.ci_level)));
            let lines = lines
                .iter()
                .map(|l| {
                    let points = l
                        .points
                        .iter()
                        .map(|p| (p.run as f64, p.ratio, p.ratio_low, p.ratio_high))
                        .collect();
                    Line::new(&l.variant, l.variant.clone(), points)
                })
                .collect();
            Chart::new(
                chart_id(workload),
                format!("{workload}: CPU time against the first run (bands: {level})"),
                "run (oldest first)".into(),
                "CPU time / first run".into(),
                false,
                lines,
            )
            .with_bands()
        })
        .collect()
}

const METHOD: &str = "For each workload and variant, its largest case present in the most runs: the median CPU time (user + system) of its valid repetitions divided by the median of the first run that has it; the band is the interval each run recorded (order statistics of the repetitions, at the level its row states). CPU time, because on a shared host it moves far less than wall time (see the A/A noise floor of `arena noise`). Runs from different machines are not comparable: the table says which machine measured each.";

const VERDICT_METHOD: &str = "Each claim of harness/claims/claims.toml judged again on each run's figures, re-derived from its cases by this build: a verdict that moved between runs is marked, \"flipped\" when it went between supported and contradicted. Each verdict holds its family-wise error at 5% (`arena claims RUN` gives the evidence).";

/// One row per claim: its verdict in each run, and whether it moved.
fn verdict_rows(runs: usize, verdicts: &[VerdictTrend]) -> Markup {
    html! {
        table {
            tr {
                th { "claim" }
                @for index in 1..=runs { th { "#" (index) } }
                th { "moved?" }
            }
            @for trend in verdicts {
                tr {
                    td { (trend.claim_id) br; span.muted { (trend.statement) } }
                    @for verdict in &trend.verdicts {
                        td {
                            @match verdict {
                                Some(v) => span class={ "verdict " (v.label().replace(' ', "-")) } { (v.label()) },
                                None => span.muted { "–" },
                            }
                        }
                    }
                    td {
                        @if trend.flipped() { strong { "flipped" } }
                        @else if trend.moved() { "moved" }
                        @else { span.muted { "no" } }
                    }
                }
            }
        }
    }
}

pub fn page(
    runs: &[RunRecord],
    headlines: &HeadlineTrends,
    trends: &BTreeMap<String, Vec<TrendLine>>,
    verdicts: &[VerdictTrend],
) -> Markup {
    let caption = format!("{} runs, oldest first", runs.len());
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "runtime-arena trend" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "runtime-arena: figures across runs" }
                p.muted { "Each claim's verdict per run, each workload's headline figures across runs, then each variant's CPU time against its first run; the runs below, oldest first, with the commit and machine that made each." }
                h2 { "Runs" }
                table {
                    tr { th { "#" } th { "run" } th { "suite" } th { "harness commit" } th { "started" } th { "machine" } }
                    @for (index, run) in runs.iter().enumerate() {
                        tr {
                            td.num { (index + 1) }
                            td { (run.run_id) }
                            td { (run.suite) }
                            td { code { (run.harness.git_commit.as_deref().map_or("unknown", |c| &c[..c.len().min(12)])) } }
                            td { (run.started_at) }
                            td { (run.environment.cpu_model) ", " (run.environment.logical_cores) " logical cores" }
                        }
                    }
                }
                h2 { "Claims: the verdict in each run" }
                p.muted { (VERDICT_METHOD) }
                (verdict_rows(runs.len(), verdicts))
                h2 { "Headline figures" }
                p.muted { (HEADLINE_METHOD) }
                @for (chart, ((workload, figure), lines)) in headline_charts(headlines).iter().zip(headlines) {
                    h3 { (workload) ": " (figure) }
                    (chart_img(chart, &caption))
                    table {
                        tr { th { "series" } th { "value [interval] (level), by run" } }
                        @for line in lines {
                            tr {
                                td { (line.series) }
                                td {
                                    @for (run, h) in &line.points {
                                        (format!("#{run}: {:.3} [{:.3}–{:.3}] ({}%)", h.median, h.low, h.high, level_percent(h.level))) br;
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { "CPU time against the first run" }
                p.muted { (METHOD) }
                @for (chart, (workload, lines)) in charts(trends).iter().zip(trends) {
                    h2 { (workload) }
                    (chart_img(chart, &caption))
                    table {
                        tr { th { "variant" } th { "case" } th { "CPU time / first run [interval] (level), by run" } }
                        @for line in lines {
                            tr {
                                td { (line.variant) }
                                td { code { (line.case_id) } }
                                td {
                                    @for p in &line.points {
                                        (format!("#{}: {:.3} [{:.3}–{:.3}] ({}%)", p.run, p.ratio, p.ratio_low, p.ratio_high, level_percent(p.ci_level))) br;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
