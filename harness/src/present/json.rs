//! The results.json exporter: the whole record, derived figures included, written atomically by
//! the run store (the scheduler already rewrote it after every repetition). Writes, decides nothing.

use std::path::{Path, PathBuf};

use anyhow::Result;
use arena_results::RunStore;

use super::report::{Exporter, Report};

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn name(&self) -> &'static str {
        "results"
    }

    fn export(&self, report: &Report, run_dir: &Path) -> Result<Vec<PathBuf>> {
        let store = RunStore::at(run_dir);
        store.write(report.record)?;
        Ok(vec![store.results_path()])
    }
}
