//! Presentation: one report model (`Report`: the record, a section per workload with its
//! tables and charts, the judged claims) and one exporter per output kind, all behind the same
//! `Exporter` interface: results.json, Markdown, charts, HTML. Citations, `.hgrm` exports and
//! `arena load`'s text are here too. The workloads' modules build the sections; nothing here computes statistics or
//! knows a workload by name.

pub mod chart_drawing;
pub mod chart_model;
mod chart_ticks;
pub mod cite;
pub mod compare;
pub mod hgrm;
pub mod html;
pub mod json;
pub mod load_text;
pub mod markdown;
pub mod noise;
pub mod report;
pub mod shards;
pub mod table;
pub mod trend;

pub use chart_model::Chart;
pub use report::{About, Exporter, Report, Section};
pub use table::Table;

/// The exporters of a finished run, in order: results.json, charts (unless turned off), the
/// Markdown summary and the HTML report (which embeds the charts, rendered afresh).
pub fn exporters(with_charts: bool) -> Vec<Box<dyn Exporter>> {
    let mut all: Vec<Box<dyn Exporter>> = vec![Box::new(json::JsonExporter)];
    if with_charts {
        all.push(Box::new(chart_drawing::ChartExporter));
    }
    all.push(Box::new(markdown::MarkdownExporter));
    all.push(Box::new(html::HtmlExporter));
    all
}
