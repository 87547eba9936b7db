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
    /// Creates a new folder `<runs_dir>/<run_id>/` (or `<run_id>-2`, `-3`, ... when that name is
    /// taken: two runs started within one second never share a folder) with its `logs/` and
    /// `charts/`; returns the store and the run id it got.
    pub fn create(runs_dir: &Path, run_id: &str) -> Result<(Self, String)> {
        fs::create_dir_all(runs_dir)
            .with_context(|| format!("cannot create the runs folder {}", runs_dir.display()))?;
        for attempt in 1u32.. {
            let id = match attempt {
                1 => run_id.to_string(),
                n => format!("{run_id}-{n}"),
            };
            let dir = runs_dir.join(&id);
            match fs::create_dir(&dir) {
                Ok(()) => {
                    for sub in ["logs", "charts"] {
                        fs::create_dir(dir.join(sub))
                            .with_context(|| format!("cannot create {}", dir.join(sub).display()))?;
                    }
                    return Ok((Self { dir }, id));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create run folder {}", dir.display()))
                }
            }
        }
        unreachable!("the attempts are unbounded")
    }

    /// A store over a folder that is known to be a run folder (no checks).
    pub fn at(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_started_in_the_same_second_get_their_own_folders() {
        let root = std::env::temp_dir().join(format!("arena-store-{}", std::process::id()));
        let (a, id_a) = RunStore::create(&root, "20260101T000000Z-quick").unwrap();
        let (b, id_b) = RunStore::create(&root, "20260101T000000Z-quick").unwrap();
        assert_ne!(a.dir(), b.dir());
        assert_eq!(id_b, format!("{id_a}-2"));
        assert!(b.logs_dir().is_dir() && b.charts_dir().is_dir());
        fs::remove_dir_all(&root).unwrap();
    }
}
