//! Progress display for long runs: an indicatif bar on a terminal (what runs now, how many jobs
//! are left, ETA), one plain line per job otherwise (CI logs). Failures are always printed.

use std::cell::{Cell, OnceCell};
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use arena_results::RunRecord;

use super::judge::printable;
use super::schedule::Progress;

pub struct TerminalProgress {
    bar: OnceCell<ProgressBar>,
    done: Cell<u64>,
    total: Cell<u64>,
}

impl TerminalProgress {
    pub fn new() -> Self {
        Self {
            bar: OnceCell::new(),
            done: 0.into(),
            total: 0.into(),
        }
    }
}

impl Default for TerminalProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for TerminalProgress {
    fn start(&self, total_jobs: u64) {
        self.total.set(total_jobs);
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total_jobs);
            bar.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:30}] {pos}/{len} jobs, ETA {eta}  {wide_msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            let _ = self.bar.set(bar);
        }
    }

    fn begin(&self, what: &str) {
        if let Some(bar) = self.bar.get() {
            bar.set_message(what.to_string());
        }
    }

    fn end(&self, what: &str, outcome: &str) {
        self.done.set(self.done.get() + 1);
        let line = printable(&format!(
            "[{}/{}] {what}: {outcome}",
            self.done.get(),
            self.total.get()
        ));
        match self.bar.get() {
            Some(bar) => {
                if outcome.starts_with("FAILED") {
                    bar.println(line);
                }
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

/// For tests and machine use.
pub struct SilentProgress;

impl Progress for SilentProgress {
    fn start(&self, _: u64) {}
    fn begin(&self, _: &str) {}
    fn end(&self, _: &str, _: &str) {}
    fn finish(&self) {}
}

/// The harness's own time between repetitions of this session, as a line to print.
pub fn harness_time_text(record: &RunRecord) -> String {
    match (
        record.harness_time_between_repetitions_median_ns,
        record.harness_time_between_repetitions_max_ns,
        record.harness_time_between_repetitions_count,
    ) {
        (Some(median), Some(max), Some(n)) => format!(
            "\nharness time between repetitions: median {:.2} ms, max {:.2} ms over {n} repetitions",
            median as f64 / 1e6,
            max as f64 / 1e6
        ),
        _ => String::new(),
    }
}
