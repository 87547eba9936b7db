//! Storage of runs: `results/runs/<run-id>/` with `results.json`, logs and charts.
//! Writes are atomic (temp file + rename) so a crash or Ctrl-C never leaves a torn file and
//! results already measured are never lost. It must not decide what a run contains.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::schema::RunRecord;

pub const RESULTS_FILE: &str = "results.json";

/// One run's folder.
#[derive(Debug, Clone)]
pub struct RunStore {
    dir: PathBuf,
}

impl RunStore {
    /// Creates `<runs_dir>/<run_id>/` and its `logs/` and `charts/` folders.
    pub fn create(runs_dir: &Path, run_id: &str) -> Result<Self> {
        let dir = runs_dir.join(run_id);
        for sub in ["logs", "charts"] {
            fs::create_dir_all(dir.join(sub))
                .with_context(|| format!("cannot create run folder {}", dir.join(sub).display()))?;
        }
        Ok(Self { dir })
    }

    /// Opens an existing run folder (for reports).
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.join(RESULTS_FILE).is_file() {
            anyhow::bail!(
                "{} has no {RESULTS_FILE}: pass a run folder written by `arena run` (results/runs/<id>)",
                dir.display()
            );
        }
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn logs_dir(&self) -> PathBuf {
        self.dir.join("logs")
    }

    pub fn charts_dir(&self) -> PathBuf {
        self.dir.join("charts")
    }

    pub fn results_path(&self) -> PathBuf {
        self.dir.join(RESULTS_FILE)
    }

    /// Writes the whole record atomically.
    pub fn write(&self, record: &RunRecord) -> Result<()> {
        let path = self.results_path();
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(record)?;
        fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))?;
        Ok(())
    }

    pub fn read(&self) -> Result<RunRecord> {
        let path = self.results_path();
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a results file of this schema version", path.display()))
    }
}
