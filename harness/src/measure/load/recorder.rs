//! Latency recording for one stream on one generator thread: HdrHistograms (corrected,
//! uncorrected, send lag), error counts and per-interval histograms. Each generator thread owns
//! its recorders (no lock or channel per request, docs/methodology.md); they are merged once the load
//! ends. A request that never completes (timeout, never sent, connection lost) still enters the
//! corrected histogram at the time it had waited, as wrk2 records it. It must not do I/O or know
//! how requests are scheduled.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use arena_results::{LatencySummary, LoadInterval};
use hdrhistogram::Histogram;

use crate::analyse::histogram::summarize;
use crate::analyse::histogram::{self, new_histogram};

/// The fixed time frame of one load run.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub start: Instant,
    /// Requests due (open loop) or sent (closed loop) before this are warm-up.
    pub window_start: Instant,
    /// No request is sent after this.
    pub end: Instant,
    pub interval: Duration,
}

impl Frame {
    fn interval_index(&self, at: Instant) -> usize {
        (at.saturating_duration_since(self.start).as_nanos() / self.interval.as_nanos().max(1)) as usize
    }
}

struct Interval {
    ok: u64,
    errors: u64,
    latency: Histogram<u64>,
}

pub struct Recorder {
    frame: Frame,
    corrected: Histogram<u64>,
    uncorrected: Histogram<u64>,
    send_lag: Histogram<u64>,
    ok_in_window: u64,
    /// Corrected samples that are lower bounds: no full response ever came.
    incomplete_in_window: u64,
    errors: BTreeMap<&'static str, u64>,
    unsent_at_end: u64,
    intervals: Vec<Interval>,
}

impl Recorder {
    pub fn new(frame: Frame) -> Recorder {
        Recorder {
            frame,
            corrected: new_histogram(),
            uncorrected: new_histogram(),
            send_lag: new_histogram(),
            ok_in_window: 0,
            incomplete_in_window: 0,
            errors: BTreeMap::new(),
            unsent_at_end: 0,
            intervals: Vec::new(),
        }
    }

    fn interval(&mut self, at: Instant) -> &mut Interval {
        let index = self.frame.interval_index(at);
        while self.intervals.len() <= index {
            self.intervals.push(Interval {
                ok: 0,
                errors: 0,
                latency: new_histogram(),
            });
        }
        &mut self.intervals[index]
    }

    /// A validated response. `due` is the intended send time (= `sent` in closed loop).
    pub fn ok(&mut self, due: Instant, sent: Instant, done: Instant) {
        let corrected = done.saturating_duration_since(due).as_nanos() as u64;
        if due >= self.frame.window_start {
            self.corrected.saturating_record(corrected);
            self.uncorrected
                .saturating_record(done.saturating_duration_since(sent).as_nanos() as u64);
            self.send_lag
                .saturating_record(sent.saturating_duration_since(due).as_nanos() as u64);
        }
        if done >= self.frame.window_start && done <= self.frame.end {
            self.ok_in_window += 1;
        }
        let interval = self.interval(done);
        interval.ok += 1;
        interval.latency.saturating_record(corrected);
    }

    pub fn error(&mut self, kind: &'static str, at: Instant) {
        *self.errors.entry(kind).or_default() += 1;
        self.interval(at).errors += 1;
    }

    /// A request due at `due` that was given up at `at` without a response (a timeout, or its
    /// connection failed): an error, and a corrected sample of its waiting time (a lower bound).
    pub fn failed(&mut self, kind: &'static str, due: Instant, at: Instant) {
        self.error(kind, at);
        self.incomplete(due, at);
    }

    /// A request due before the load ended but never sent, noticed at `at` (when a connection
    /// came free after the end, or its reconnect failed): counted as unsent, and a corrected
    /// sample of how long it had waited by then (a lower bound).
    pub fn unsent(&mut self, due: Instant, at: Instant) {
        self.unsent_at_end += 1;
        self.incomplete(due, at);
    }

    fn incomplete(&mut self, due: Instant, at: Instant) {
        if due >= self.frame.window_start {
            self.corrected
                .saturating_record(at.saturating_duration_since(due).as_nanos() as u64);
            self.incomplete_in_window += 1;
        }
    }

    pub fn merge(&mut self, other: Recorder) {
        self.corrected.add(&other.corrected).expect("same bounds");
        self.uncorrected.add(&other.uncorrected).expect("same bounds");
        self.send_lag.add(&other.send_lag).expect("same bounds");
        self.ok_in_window += other.ok_in_window;
        self.incomplete_in_window += other.incomplete_in_window;
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        self.unsent_at_end += other.unsent_at_end;
        for (index, interval) in other.intervals.into_iter().enumerate() {
            let at = self.frame.start + self.frame.interval * index as u32;
            let mine = self.interval(at);
            mine.ok += interval.ok;
            mine.errors += interval.errors;
            mine.latency.add(&interval.latency).expect("same bounds");
        }
    }

    pub fn ok_in_window(&self) -> u64 {
        self.ok_in_window
    }

    pub fn errors(&self) -> BTreeMap<String, u64> {
        self.errors.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    pub fn unsent_at_end(&self) -> u64 {
        self.unsent_at_end
    }

    pub fn incomplete_in_window(&self) -> u64 {
        self.incomplete_in_window
    }

    pub fn corrected(&self) -> LatencySummary {
        summarize(&self.corrected)
    }

    /// The corrected histogram in the results' encoding (`analyse::histogram::encode`).
    pub fn corrected_encoded(&self) -> String {
        histogram::encode(&self.corrected)
    }

    pub fn uncorrected(&self) -> LatencySummary {
        summarize(&self.uncorrected)
    }

    pub fn send_lag(&self) -> LatencySummary {
        summarize(&self.send_lag)
    }

    pub fn intervals(&self) -> Vec<LoadInterval> {
        self.intervals
            .iter()
            .enumerate()
            .map(|(index, interval)| {
                let summary = summarize(&interval.latency);
                LoadInterval {
                    end_ns: (self.frame.interval * (index as u32 + 1)).as_nanos() as u64,
                    requests_ok: interval.ok,
                    errors: interval.errors,
                    p50_ns: summary.p50_ns,
                    p99_ns: summary.p99_ns,
                    max_ns: summary.max_ns,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        let start = Instant::now();
        Frame {
            start,
            window_start: start + Duration::from_secs(1),
            end: start + Duration::from_secs(3),
            interval: Duration::from_secs(1),
        }
    }

    #[test]
    fn warmup_is_excluded_and_corrected_counts_from_due_time() {
        let f = frame();
        let mut r = Recorder::new(f);
        let ms = |n: u64| Duration::from_millis(n);
        // Warm-up request: counted in its interval, not in the summary.
        r.ok(f.start, f.start, f.start + ms(1));
        // Due at 1.5 s, sent 100 ms late (a busy connection), answered 1 ms after sending.
        let due = f.start + ms(1500);
        r.ok(due, due + ms(100), due + ms(101));
        let corrected = r.corrected();
        assert_eq!(corrected.count, 1);
        assert!((100_000_000..=101_200_000).contains(&corrected.max_ns.unwrap()));
        assert!(r.uncorrected().max_ns.unwrap() <= 1_002_000);
        assert_eq!(r.ok_in_window(), 1);
        let intervals = r.intervals();
        assert_eq!(intervals.len(), 2);
        assert_eq!((intervals[0].requests_ok, intervals[1].requests_ok), (1, 1));
    }

    #[test]
    fn merging_adds_counts_histograms_and_intervals() {
        let f = frame();
        let (mut a, mut b) = (Recorder::new(f), Recorder::new(f));
        let t = f.start + Duration::from_millis(2500);
        a.ok(t, t, t + Duration::from_millis(1));
        b.ok(t, t, t + Duration::from_millis(3));
        b.error("timeout", t);
        a.merge(b);
        assert_eq!(a.corrected().count, 2);
        assert_eq!(a.errors()["timeout"], 1);
        let intervals = a.intervals();
        assert_eq!(intervals[2].requests_ok, 2);
        assert_eq!(intervals[2].errors, 1);
    }

    #[test]
    fn requests_without_a_response_enter_the_corrected_histogram_at_their_wait() {
        let f = frame();
        let mut r = Recorder::new(f);
        let due = f.start + Duration::from_millis(1200);
        r.failed("timeout", due, due + Duration::from_secs(5));
        r.unsent(
            f.start + Duration::from_millis(2900),
            f.end + Duration::from_millis(100),
        );
        // Due in the warm-up: counted, not in the measured histogram.
        r.failed("timeout", f.start, f.start + Duration::from_secs(5));
        let corrected = r.corrected();
        assert_eq!((corrected.count, r.incomplete_in_window()), (2, 2));
        assert!(corrected.max_ns.unwrap() >= 4_990_000_000);
        assert_eq!((r.errors()["timeout"], r.unsent_at_end()), (2, 1));
        assert_eq!(r.ok_in_window(), 0);
        let back = crate::analyse::histogram::decode(&r.corrected_encoded()).unwrap();
        assert_eq!(back.len(), 2);
    }
}
