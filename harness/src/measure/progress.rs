//! Progress display for long runs: an indicatif bar on a terminal (what runs now, how many jobs
//! are left, the time left), one plain line per job otherwise (CI logs). Failures are always
//! printed. The time left (`TimeLeft`) sums, over the jobs still to run, the mean seconds a job
//! of the same workload has taken so far in this run, else the suite's measured seconds per
//! process, else the mean of every job so far: workloads differ a hundredfold in a job's length,
//! so one rate over all jobs (indicatif's own ETA) would mislead.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::BTreeMap;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use arena_results::RunRecord;

use super::judge::printable;
use super::schedule::Progress;

/// The estimated time left of a run: see the module comment. Pure arithmetic, no clock.
#[derive(Debug, Default, Clone)]
pub struct TimeLeft {
    /// workload → (jobs still to run, the suite's mean seconds per process over its jobs that
    /// state one)
    remaining: BTreeMap<String, (u64, Option<f64>)>,
    /// workload → (jobs done, their seconds)
    measured: BTreeMap<String, (u64, f64)>,
}

impl TimeLeft {
    pub fn new(jobs: &[(String, Option<f64>)]) -> TimeLeft {
        // workload → (jobs, sum of stated seconds, jobs that state them)
        let mut tally: BTreeMap<String, (u64, f64, u64)> = BTreeMap::new();
        for (workload, prior) in jobs {
            let entry = tally.entry(workload.clone()).or_default();
            entry.0 += 1;
            if let Some(seconds) = prior {
                entry.1 += seconds;
                entry.2 += 1;
            }
        }
        let remaining = tally
            .into_iter()
            .map(|(workload, (jobs, sum, stated))| {
                (workload, (jobs, (stated > 0).then(|| sum / stated as f64)))
            })
            .collect();
        TimeLeft {
            remaining,
            measured: BTreeMap::new(),
        }
    }

    /// A job of `workload` took `seconds`.
    pub fn done(&mut self, workload: &str, seconds: f64) {
        self.drop_jobs(workload, 1);
        let entry = self.measured.entry(workload.to_string()).or_default();
        entry.0 += 1;
        entry.1 += seconds;
    }

    /// `jobs` planned jobs of `workload` will not run.
    pub fn drop_jobs(&mut self, workload: &str, jobs: u64) {
        if let Some(entry) = self.remaining.get_mut(workload) {
            entry.0 = entry.0.saturating_sub(jobs);
        }
    }

    /// Seconds left, or None while some workload still to run has neither a measured job nor a
    /// stated time and nothing at all has been measured.
    pub fn seconds(&self) -> Option<f64> {
        let (all_n, all_s) = self
            .measured
            .values()
            .fold((0, 0.0), |(n, s), (a, b)| (n + a, s + b));
        let overall = (all_n > 0).then(|| all_s / all_n as f64);
        self.remaining
            .iter()
            .filter(|(_, (left, _))| *left > 0)
            .map(|(workload, (left, prior))| {
                let mean = self.measured.get(workload).map(|(n, s)| s / *n as f64);
                mean.or(*prior).or(overall).map(|per_job| per_job * *left as f64)
            })
            .sum()
    }

    /// "about 12 min left", "about 40 s left", or "" when unknown.
    pub fn text(&self) -> String {
        match self.seconds() {
            Some(s) if s >= 90.0 => format!("about {:.0} min left", s / 60.0),
            Some(s) if s >= 0.5 => format!("about {s:.0} s left"),
            // Nothing left (an empty sum of f64 is -0.0), or nothing known.
            _ => String::new(),
        }
    }
}

pub struct TerminalProgress {
    bar: OnceCell<ProgressBar>,
    done: Cell<u64>,
    total: Cell<u64>,
    left: RefCell<TimeLeft>,
}

impl TerminalProgress {
    pub fn new() -> Self {
        Self {
            bar: OnceCell::new(),
            done: 0.into(),
            total: 0.into(),
            left: RefCell::new(TimeLeft::default()),
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
                    "{elapsed_precise} [{bar:30}] {pos}/{len} jobs, {prefix}  {wide_msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            let _ = self.bar.set(bar);
        }
    }

    fn expect(&self, jobs: &[(String, Option<f64>)]) {
        *self.left.borrow_mut() = TimeLeft::new(jobs);
        if let Some(bar) = self.bar.get() {
            bar.set_prefix(self.left.borrow().text());
        }
    }

    fn took(&self, workload: &str, seconds: f64) {
        self.left.borrow_mut().done(workload, seconds);
        if let Some(bar) = self.bar.get() {
            bar.set_prefix(self.left.borrow().text());
        }
    }

    fn dropped(&self, workload: &str, jobs: u64) {
        self.left.borrow_mut().drop_jobs(workload, jobs);
        self.total.set(self.total.get().saturating_sub(jobs));
        if let Some(bar) = self.bar.get() {
            bar.set_length(self.total.get());
            bar.set_prefix(self.left.borrow().text());
        }
    }

    fn begin(&self, what: &str) {
        if let Some(bar) = self.bar.get() {
            bar.set_message(what.to_string());
        }
    }

    fn end(&self, what: &str, outcome: &str) {
        self.done.set(self.done.get() + 1);
        let left = self.left.borrow().text();
        let line = printable(&format!(
            "[{}/{}] {what}: {outcome}{}",
            self.done.get(),
            self.total.get(),
            if left.is_empty() {
                String::new()
            } else {
                format!(" ({left})")
            }
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

#[cfg(test)]
mod tests {
    use super::TimeLeft;

    fn jobs(list: &[(&str, u64, Option<f64>)]) -> Vec<(String, Option<f64>)> {
        list.iter()
            .flat_map(|(w, n, prior)| std::iter::repeat_n((w.to_string(), *prior), *n as usize))
            .collect()
    }

    #[test]
    fn the_time_left_starts_from_the_suite_and_follows_what_was_measured() {
        let mut left = TimeLeft::new(&jobs(&[("a", 10, Some(2.0)), ("b", 4, Some(10.0))]));
        assert_eq!(left.seconds(), Some(10.0 * 2.0 + 4.0 * 10.0));
        // a's jobs take 4 s, not 2: its 9 left count at 4 s; b keeps its stated 10 s.
        left.done("a", 4.0);
        assert_eq!(left.seconds(), Some(9.0 * 4.0 + 40.0));
        left.done("b", 1.0);
        assert_eq!(left.seconds(), Some(9.0 * 4.0 + 3.0 * 1.0));
        assert_eq!(left.text(), "about 39 s left");
    }

    #[test]
    fn a_workload_without_a_stated_time_borrows_the_mean_of_every_job() {
        let mut left = TimeLeft::new(&jobs(&[("a", 2, None), ("b", 3, None)]));
        assert_eq!(left.seconds(), None, "nothing stated, nothing measured");
        assert_eq!(left.text(), "");
        left.done("a", 60.0);
        // b has no measurement of its own: the mean of every job so far (60 s).
        assert_eq!(left.seconds(), Some(60.0 + 3.0 * 60.0));
        assert_eq!(left.text(), "about 4 min left");
        left.done("a", 60.0);
        left.done("b", 6.0);
        left.done("b", 6.0);
        left.done("b", 6.0);
        assert_eq!(left.seconds(), Some(0.0));
        assert_eq!(left.text(), "", "no \"about -0 s left\" at the end");
    }
}
