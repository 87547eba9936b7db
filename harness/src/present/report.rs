//! The report model every exporter renders (the record, a section per workload with its tables
//! and charts, the machine's sections, the judged claims) and the `Exporter` interface. Data and
//! one trait only.

use std::path::{Path, PathBuf};

use anyhow::Result;
use arena_results::RunRecord;

use super::chart_model::Chart;
use super::table::Table;
use crate::analyse::claims::Judged;

/// What the catalogue says a workload tests, for its section's heading.
#[derive(Debug, Clone, Default)]
pub struct About {
    pub class: String,
    pub summary: String,
    pub claim: String,
}

/// One workload's part of the report, or a machine section (interference, noise floor).
#[derive(Debug, Clone)]
pub struct Section {
    /// The workload id, or a machine section's heading.
    pub workload: String,
    pub about: Option<About>,
    /// Paragraphs printed before the tables (a machine section's one-line summary).
    pub notes: Vec<String>,
    pub tables: Vec<Table>,
    pub charts: Vec<Chart>,
}

/// Everything every exporter renders, built once per report.
pub struct Report<'a> {
    pub record: &'a RunRecord,
    /// One per workload that has cases in the run, in catalogue order.
    pub sections: Vec<Section>,
    /// About the machine rather than a workload (`present::noise`), after the workloads.
    pub machine: Vec<Section>,
    pub claims: Vec<Judged>,
}

impl Report<'_> {
    pub fn charts(&self) -> impl Iterator<Item = &Chart> {
        self.sections.iter().flat_map(|s| s.charts.iter())
    }
}

/// One output kind of a run folder.
pub trait Exporter {
    /// What it writes, for progress lines ("summary", "report", ...).
    fn name(&self) -> &'static str;
    /// Writes its files into the run folder; returns them.
    fn export(&self, report: &Report, run_dir: &Path) -> Result<Vec<PathBuf>>;
}

/// What the report says about SMT: whether the generator's and the server's CPUs are two
/// hyperthreads of one core (then they share its execution units and caches).
pub fn smt_text(env: &arena_results::Environment) -> String {
    let cores: std::collections::BTreeSet<&Vec<usize>> = env.cpu_thread_siblings.values().collect();
    let layout = if env.cpu_thread_siblings.is_empty() {
        "SMT siblings unknown (sysfs gave no thread_siblings_list)".to_string()
    } else {
        format!(
            "{} logical CPUs on {} physical cores (thread_siblings_list)",
            env.cpu_thread_siblings.len(),
            cores.len()
        )
    };
    match env.generator_and_server_share_a_core {
        Some(true) => format!("{layout}; the load generator and the server are SMT siblings of one core, so they share its execution units"),
        Some(false) => format!("{layout}; the load generator and the server are on different physical cores"),
        None => layout,
    }
}
