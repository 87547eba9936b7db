//! The journal of a run in progress: `journal.jsonl` in the run folder, one JSON line per event
//! (the record a session starts from, each finished repetition, each change of a case's status,
//! the end), each line flushed and fsynced before the harness goes on. A run killed with SIGKILL
//! loses at most the line being written; replaying the journal rebuilds the record it had.
//! It must not decide what a run contains or compute anything: it stores and replays.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::schema::{CaseStatus, CaseSummary, FailureKind, Repetition, RunRecord};

pub const JOURNAL_FILE: &str = "journal.jsonl";

/// One line of the journal.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum JournalEntry {
    /// The record a session starts from (its cases planned, repetitions carried over by a
    /// resume); everything before it is superseded.
    Begin { record: Box<RunRecord> },
    /// A repetition that ended (valid or not), appended to its case and to the execution order.
    Repetition {
        case_id: String,
        repetition: Box<Repetition>,
    },
    /// A case's new status, with why and its summary.
    CaseStatus {
        case_id: String,
        status: CaseStatus,
        failure_kind: Option<FailureKind>,
        reason: Option<String>,
        summary: Option<Box<CaseSummary>>,
    },
    /// The session ended (finished or interrupted); the record is complete on disk.
    End {
        finished_at: Option<String>,
        complete: bool,
    },
}

/// An open journal, appended to line by line.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Starts the journal of a session afresh with `record`: written to a temporary file,
    /// fsynced and renamed over the previous journal, so a crash leaves either journal whole.
    pub fn begin(dir: &Path, record: &RunRecord) -> Result<Journal> {
        let path = dir.join(JOURNAL_FILE);
        let entry = JournalEntry::Begin {
            record: Box::new(record.clone()),
        };
        crate::store::replace_file(&path, |out| {
            serde_json::to_writer(&mut *out, &entry)?;
            out.write_all(b"\n")?;
            Ok(())
        })?;
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {} to append", path.display()))?;
        Ok(Journal { path, file })
    }

    /// Appends one entry as one line, flushed and fsynced before returning.
    pub fn append(&mut self, entry: &JournalEntry) -> Result<()> {
        let mut line = serde_json::to_vec(entry)?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .with_context(|| format!("cannot append to {}", self.path.display()))
    }
}

/// The record a journal describes, and a warning when its last line was torn (a crash while it
/// was written: that line is ignored).
pub fn replay(path: &Path) -> Result<(RunRecord, Option<String>)> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let lines: Vec<String> = BufReader::new(file)
        .lines()
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut record: Option<RunRecord> = None;
    let mut warning = None;
    for (number, line) in lines.iter().enumerate() {
        let entry: JournalEntry = match serde_json::from_str(line) {
            Ok(entry) => entry,
            Err(e) if number + 1 == lines.len() => {
                warning = Some(format!(
                    "{}: its last line (line {}) is torn ({e}), probably written when the harness was killed; it is ignored",
                    path.display(),
                    number + 1
                ));
                break;
            }
            Err(e) => bail!(
                "{} line {}: not a journal entry of this harness ({e}); the run folder is damaged",
                path.display(),
                number + 1
            ),
        };
        if let JournalEntry::Begin { record: begin } = entry {
            crate::store::check_schema_version(begin.schema_version, path)?;
            record = Some(*begin);
            continue;
        }
        let Some(record) = record.as_mut() else {
            bail!(
                "{} line {}: the journal does not start with its record; the run folder is damaged",
                path.display(),
                number + 1
            );
        };
        apply(record, entry, path, number + 1)?;
    }
    let record = record.with_context(|| format!("{} is empty", path.display()))?;
    Ok((record, warning))
}

fn apply(record: &mut RunRecord, entry: JournalEntry, path: &Path, line: usize) -> Result<()> {
    let mut case = |id: &str| {
        let found = record.cases.iter_mut().position(|c| c.case_id == id);
        found.with_context(|| format!("{} line {line}: no case {id} in the run", path.display()))
    };
    match entry {
        JournalEntry::Begin { .. } => unreachable!("handled by replay"),
        JournalEntry::Repetition { case_id, repetition } => {
            let index = case(&case_id)?;
            record
                .execution_order
                .push(format!("{case_id}#{}", repetition.index));
            record.cases[index].repetitions.push(*repetition);
        }
        JournalEntry::CaseStatus {
            case_id,
            status,
            failure_kind,
            reason,
            summary,
        } => {
            let index = case(&case_id)?;
            let case = &mut record.cases[index];
            case.status = status;
            case.failure_kind = failure_kind;
            case.reason = reason;
            case.summary = summary.map(|s| *s);
        }
        JournalEntry::End {
            finished_at,
            complete,
        } => {
            record.finished_at = finished_at;
            record.complete = complete;
        }
    }
    Ok(())
}

/// Removes the journal once the record it holds is written whole to results.json.
pub fn retire(dir: &Path) -> Result<()> {
    let path = dir.join(JOURNAL_FILE);
    match fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}
