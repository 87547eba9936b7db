//! Storage of runs: `results/runs/<run-id>/` with `results.json`, the journal of a run in
//! progress (`journal.jsonl`, see `journal`), logs and charts, and the lock that keeps one
//! harness at a time in a folder. results.json is replaced atomically (temp file, fsync, rename;
//! the temp file removed when a write fails) and written when a session ends, not after every
//! repetition: until then the journal holds what was measured. It must not decide what a run
//! contains.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::journal::{self, JOURNAL_FILE};
use crate::schema::{RunRecord, SCHEMA_VERSION};

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

    /// Opens an existing run folder (for reports): one with a results.json or a journal.
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.join(RESULTS_FILE).is_file() && !dir.join(JOURNAL_FILE).is_file() {
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

    pub fn journal_path(&self) -> PathBuf {
        self.dir.join(JOURNAL_FILE)
    }

    /// Writes the whole record atomically.
    pub fn write(&self, record: &RunRecord) -> Result<()> {
        replace_file(&self.results_path(), |out| {
            serde_json::to_writer_pretty(&mut *out, record)?;
            Ok(())
        })
    }

    /// Writes `value` as pretty JSON into `name` in the run folder, atomically.
    pub fn write_json<T: serde::Serialize>(&self, name: &str, value: &T) -> Result<()> {
        replace_file(&self.dir.join(name), |out| {
            serde_json::to_writer_pretty(&mut *out, value)?;
            Ok(())
        })
    }

    /// The run's record: replayed from the journal while one is there (a run in progress or
    /// killed), else read from results.json. A torn last journal line is reported on stderr.
    /// A file of a newer schema is refused, naming the version needed.
    pub fn read(&self) -> Result<RunRecord> {
        let journal = self.journal_path();
        if journal.is_file() {
            let (record, warning) = journal::replay(&journal)?;
            if let Some(warning) = warning {
                eprintln!("warning: {warning}");
            }
            return Ok(record);
        }
        let path = self.results_path();
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        #[derive(serde::Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let version: Version = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a results file (no schema_version)", path.display()))?;
        check_schema_version(version.schema_version, &path)?;
        serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a results file of this schema version", path.display()))
    }

    /// Takes the run folder for this process alone (an exclusive `flock` on `run.lock`, held
    /// until the guard is dropped or the process ends, however it ends). The holder's pid and
    /// command line are written into the lock file, so a second harness fails at once naming it.
    pub fn lock(&self) -> Result<RunLock> {
        let path = self.dir.join(LOCK_FILE);
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open the lock {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                bail!(
                    "the run folder {} is in use by another harness ({}); wait for it to end or stop it, then try again",
                    self.dir.display(),
                    if holder.is_empty() { "holder unknown" } else { holder }
                );
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
        let command: Vec<String> = std::env::args().collect();
        let holder = format!("pid {}: {}\n", std::process::id(), command.join(" "));
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(holder.as_bytes()))
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(RunLock { _file: file })
    }
}

pub const LOCK_FILE: &str = "run.lock";

/// An exclusive lock on a run folder (see `RunStore::lock`); released when dropped.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// Refuses a record of a newer schema than this harness knows (reading it would drop the
/// fields it does not know, and writing it back would lose them).
pub fn check_schema_version(version: u32, path: &Path) -> Result<()> {
    if version > SCHEMA_VERSION {
        bail!(
            "{} has schema_version {version}, but this harness reads schema_version {SCHEMA_VERSION} or older: use a harness of schema_version {version} or newer (a newer checkout of runtime-arena)",
            path.display()
        );
    }
    Ok(())
}

/// Replaces `path` atomically with what `fill` writes: into `<path>.tmp`, flushed, fsynced,
/// renamed over `path`. When any step fails the temporary file is removed and the error names
/// the path, so a full disk leaves the old file and no stale `.tmp` behind.
pub fn replace_file(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let written = (|| -> Result<()> {
        let file = File::create(&tmp)?;
        let mut out = BufWriter::new(file);
        fill(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(())
    })();
    let result = written
        .with_context(|| format!("cannot write {}", tmp.display()))
        .and_then(|()| fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display())));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
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

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile_dir("replace");
        let path = dir.join(RESULTS_FILE);
        fs::write(&path, "old").unwrap();
        let err = replace_file(&path, |out| {
            out.write_all(b"half of it")?;
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "No space left on device").into())
        })
        .unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains(&path.display().to_string()) && text.contains("No space"),
            "{text}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from(RESULTS_FILE)],
            "no results.json.tmp left"
        );
        replace_file(&path, |out| Ok(out.write_all(b"new")?)).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_second_lock_on_a_run_folder_fails_naming_the_holder() {
        let dir = tempfile_dir("lock");
        let store = RunStore::at(&dir);
        let held = store.lock().unwrap();
        let err = format!("{:#}", store.lock().unwrap_err());
        assert!(err.contains(&format!("pid {}", std::process::id())), "{err}");
        assert!(err.contains("in use by another harness"), "{err}");
        drop(held);
        store.lock().expect("free again once the holder is gone");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_newer_schema_is_refused_naming_the_version_needed() {
        let dir = tempfile_dir("newer");
        let newer = SCHEMA_VERSION + 1;
        fs::write(
            dir.join(RESULTS_FILE),
            format!(r#"{{"schema_version": {newer}, "a_field_of_the_future": 1}}"#),
        )
        .unwrap();
        let err = format!("{:#}", RunStore::open(&dir).unwrap().read().unwrap_err());
        assert!(err.contains(&format!("schema_version {newer} or newer")), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("arena-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }
}
