//! The machine's interference around one repetition, measured instead of assumed: CPU steal of
//! the CPUs the case ran on (/proc/stat), CPU pressure (/proc/pressure/cpu, where the kernel has
//! PSI), and the harness's own hiccup meter (a thread sleeping 1 ms in a loop, its overshoot
//! in an HdrHistogram). `InterferenceMeter` is started just before a process is spawned and
//! stopped after it is reaped; its thread never outlives the repetition. It flags a repetition
//! that crossed a threshold; it must not drop or alter any figure (a flagged repetition stays in
//! every statistic) and must not know which workload runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use arena_results::Interference;
use hdrhistogram::Histogram;

use super::affinity::spawn_pinned;

/// A repetition whose CPUs lost more than this fraction of their time to steal is flagged.
/// Measured here (run 20261201T114143Z-smoke: 60 cpu-scale and sleep-tasks processes of
/// 0.002–2.4 s): steal was 0% in most, 0.7–1.8% (one or two 10 ms ticks) in 8, and 5.4% in one
/// (35 ms stolen from 2 CPUs × 0.65 s); in A/A run 20261201T114446Z-noise at most 1.0%. 2% is
/// above what the others lost and low enough that steal cannot move a figure much unflagged.
pub const STEAL_FRACTION_THRESHOLD: f64 = 0.02;
/// A repetition whose hiccup meter's p99 overshoot exceeds this is flagged: the harness's own
/// threads (and so its clock reads) were kept off a CPU this long at least 1% of the time.
/// Measured here: in A/A run 20261201T114446Z-noise (40 one-worker cpu-scale processes while
/// other users' rustc kept both cores busy part of the time) repetitions whose wall time was
/// within 5% of their CPU time had a p99 of 0.1–3.8 ms, while the contended ones (wall 1.3–1.6×
/// CPU) clustered at 4.6–7.8 ms; the p50 was 60–100 µs throughout. In smoke run
/// 20261201T114143Z-smoke (60 processes) the p99 was 0.09–7.5 ms, median 0.75 ms. 4 ms lies
/// between the two clusters. A case that keeps every core busy itself delays the meter too, so
/// its flag says "the harness was delayed", which is what matters for its clock reads.
pub const HICCUP_P99_THRESHOLD_NS: u64 = 4_000_000;
/// The meter's period: short enough to see a stall of a few ms, long enough (1000 wake-ups/s)
/// to cost well under 1% of a CPU.
pub const HICCUP_PERIOD: Duration = Duration::from_millis(1);
/// Largest overshoot the histogram holds; longer ones are clamped (a stall of a minute is
/// reported as one).
const HICCUP_MAX_NS: u64 = 60_000_000_000;
/// Column of `steal` in a /proc/stat `cpuN` line (after the name: user nice system idle iowait
/// irq softirq steal).
const STEAL_COLUMN: usize = 8;

/// Running while one repetition runs: counters read at the start and a hiccup thread.
pub struct InterferenceMeter {
    started: Instant,
    cpus: Vec<usize>,
    steal_start: Option<(u64, u32)>,
    psi_start: Option<u64>,
    stop: Arc<AtomicBool>,
    hiccups: Option<JoinHandle<Histogram<u64>>>,
}

impl InterferenceMeter {
    /// Starts measuring. Steal is read for `case_cpus` ∪ `generator_cpus`, every CPU when the
    /// case is not pinned (it may then run anywhere). The hiccup thread is pinned to the
    /// generator CPUs, as the harness's other threads are (unpinned when there are none).
    pub fn start(case_cpus: &[usize], generator_cpus: &[usize]) -> InterferenceMeter {
        let mut cpus: Vec<usize> = Vec::new();
        if !case_cpus.is_empty() {
            cpus.extend(case_cpus.iter().chain(generator_cpus));
            cpus.sort_unstable();
            cpus.dedup();
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let hiccups = spawn_pinned(generator_cpus, move || hiccup_loop(&flag));
        InterferenceMeter {
            started: Instant::now(),
            steal_start: read_steal(&cpus),
            psi_start: read_psi(),
            cpus,
            stop,
            hiccups: Some(hiccups),
        }
    }

    /// Stops the hiccup thread (joined: it is gone when this returns) and reports the window
    /// from `start` to now.
    pub fn stop(mut self) -> Interference {
        let wall_ns = self.started.elapsed().as_nanos() as u64;
        let histogram = self.join();
        let steal_end = read_steal(&self.cpus);
        let psi_end = read_psi();
        let (steal_ticks, steal_cpus) = match (self.steal_start, steal_end) {
            (Some((a, n)), Some((b, _))) => (b.saturating_sub(a), n),
            _ => (0, 0),
        };
        let steal_ns = steal_ticks.saturating_mul(1_000_000_000 / clock_ticks_per_s());
        let psi_cpu_some_us = self.psi_start.zip(psi_end).map(|(a, b)| b.saturating_sub(a));
        summarize(wall_ns, steal_ns, steal_cpus, psi_cpu_some_us, histogram.as_ref())
    }

    fn join(&mut self) -> Option<Histogram<u64>> {
        self.stop.store(true, Ordering::Relaxed);
        self.hiccups.take().and_then(|h| h.join().ok())
    }
}

impl Drop for InterferenceMeter {
    /// A meter abandoned on an early return (the process never started) still stops its thread.
    fn drop(&mut self) {
        let _ = self.join();
    }
}

/// Sleeps `HICCUP_PERIOD` until `stop`, recording each overshoot.
fn hiccup_loop(stop: &AtomicBool) -> Histogram<u64> {
    let mut histogram =
        Histogram::<u64>::new_with_bounds(1, HICCUP_MAX_NS, 3).expect("valid histogram bounds");
    let period_ns = HICCUP_PERIOD.as_nanos() as u64;
    while !stop.load(Ordering::Relaxed) {
        let before = Instant::now();
        std::thread::sleep(HICCUP_PERIOD);
        let overshoot = (before.elapsed().as_nanos() as u64).saturating_sub(period_ns);
        histogram.saturating_record(overshoot.min(HICCUP_MAX_NS));
    }
    histogram
}

/// The figures and the flag of one window.
pub fn summarize(
    wall_ns: u64,
    steal_ns: u64,
    steal_cpus: u32,
    psi_cpu_some_us: Option<u64>,
    hiccups: Option<&Histogram<u64>>,
) -> Interference {
    let capacity_ns = wall_ns as f64 * f64::from(steal_cpus);
    let steal_fraction = if capacity_ns > 0.0 {
        steal_ns as f64 / capacity_ns
    } else {
        0.0
    };
    let (count, p50, p99, max) = hiccups.filter(|h| !h.is_empty()).map_or((0, 0, 0, 0), |h| {
        (
            h.len(),
            h.value_at_quantile(0.5),
            h.value_at_quantile(0.99),
            h.max(),
        )
    });
    let mut interference = Interference {
        steal_ns,
        steal_fraction,
        steal_cpus,
        psi_cpu_some_us,
        hiccup_count: count,
        hiccup_p50_ns: p50,
        hiccup_p99_ns: p99,
        hiccup_max_ns: max,
        flagged: false,
        flag_reasons: Vec::new(),
    };
    interference.flag_reasons = flag_reasons(&interference);
    interference.flagged = !interference.flag_reasons.is_empty();
    interference
}

/// Why a window counts as disturbed (empty: it does not). PSI is recorded but flags nothing:
/// a workload with more runnable threads than CPUs makes that pressure itself.
pub fn flag_reasons(i: &Interference) -> Vec<String> {
    let mut reasons = Vec::new();
    // One tick of steal is attributed whole (10 ms at USER_HZ 100), which alone is over 2% of
    // a 0.25 s repetition on 2 CPUs: a single tick is the counter's resolution, not a flag.
    let tick_ns = 1_000_000_000 / clock_ticks_per_s();
    if i.steal_fraction > STEAL_FRACTION_THRESHOLD && i.steal_ns >= 2 * tick_ns {
        reasons.push(format!(
            "steal {:.1}% > {:.0}%",
            i.steal_fraction * 100.0,
            STEAL_FRACTION_THRESHOLD * 100.0
        ));
    }
    if i.hiccup_p99_ns > HICCUP_P99_THRESHOLD_NS {
        reasons.push(format!(
            "hiccup p99 {:.1} ms > {:.0} ms",
            i.hiccup_p99_ns as f64 / 1e6,
            HICCUP_P99_THRESHOLD_NS as f64 / 1e6
        ));
    }
    reasons
}

/// USER_HZ: the unit of /proc/stat's columns.
fn clock_ticks_per_s() -> u64 {
    // SAFETY: sysconf has no memory preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz > 0 {
        hz as u64
    } else {
        100
    }
}

fn read_steal(cpus: &[usize]) -> Option<(u64, u32)> {
    steal_ticks(&std::fs::read_to_string("/proc/stat").ok()?, cpus)
}

/// Summed steal ticks of `cpus` (every `cpuN` line when empty) and how many CPUs were summed.
pub fn steal_ticks(proc_stat: &str, cpus: &[usize]) -> Option<(u64, u32)> {
    let mut total = 0u64;
    let mut counted = 0u32;
    for line in proc_stat.lines() {
        let mut fields = line.split_whitespace();
        let Some(cpu) = fields
            .next()
            .and_then(|name| name.strip_prefix("cpu"))
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue; // the aggregate `cpu` line, or not a CPU line at all
        };
        if !cpus.is_empty() && !cpus.contains(&cpu) {
            continue;
        }
        total += fields.nth(STEAL_COLUMN - 1)?.parse::<u64>().ok()?;
        counted += 1;
    }
    (counted > 0).then_some((total, counted))
}

fn read_psi() -> Option<u64> {
    psi_some_total_us(&std::fs::read_to_string("/proc/pressure/cpu").ok()?)
}

/// `total=` of the `some` line of a PSI file (µs).
pub fn psi_some_total_us(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("some "))?;
    line.split_whitespace()
        .find_map(|f| f.strip_prefix("total="))?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "cpu  973078 328 127700 913787 9991 0 16723 5728 0 0\n\
                        cpu0 457569 161 60289 490903 3022 0 8420 2052 0 0\n\
                        cpu1 515508 166 67410 422883 6969 0 8302 3676 0 0\n\
                        intr 1 2 3\n";

    #[test]
    fn steal_is_read_per_cpu_or_over_all() {
        assert_eq!(steal_ticks(STAT, &[]), Some((5728, 2)));
        assert_eq!(steal_ticks(STAT, &[1]), Some((3676, 1)));
        assert_eq!(steal_ticks(STAT, &[7]), None);
    }

    #[test]
    fn psi_some_total_is_read() {
        let psi = "some avg10=7.65 avg60=3.42 avg300=4.23 total=1494751359\n\
                   full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
        assert_eq!(psi_some_total_us(psi), Some(1494751359));
        assert_eq!(psi_some_total_us(""), None);
    }

    #[test]
    fn thresholds_flag_and_say_why() {
        let mut h = Histogram::<u64>::new_with_bounds(1, HICCUP_MAX_NS, 3).unwrap();
        (0..100).for_each(|_| h.record(60_000).unwrap());
        let calm = summarize(1_000_000_000, 5_000_000, 2, Some(10), Some(&h));
        assert!(!calm.flagged, "{calm:?}");
        assert!((calm.steal_fraction - 0.0025).abs() < 1e-12);
        let stolen = summarize(1_000_000_000, 100_000_000, 2, None, Some(&h));
        assert!(
            stolen.flagged && stolen.flag_reasons[0].starts_with("steal 5.0%"),
            "{stolen:?}"
        );
        (0..5).for_each(|_| h.record(20_000_000).unwrap());
        let stalled = summarize(1_000_000_000, 0, 2, None, Some(&h));
        assert!(
            stalled.flag_reasons.iter().any(|r| r.contains("hiccup p99")),
            "{stalled:?}"
        );
        assert!(stalled.hiccup_max_ns >= 20_000_000 && stalled.hiccup_p50_ns < 100_000);
    }

    #[test]
    fn the_meter_measures_and_its_thread_stops_promptly() {
        let meter = InterferenceMeter::start(&[], &[]);
        std::thread::sleep(Duration::from_millis(60));
        let stopping = Instant::now();
        let i = meter.stop();
        assert!(
            stopping.elapsed() < Duration::from_millis(500),
            "{:?}",
            stopping.elapsed()
        );
        assert!(i.hiccup_count >= 10, "{i:?}");
        assert!(i.hiccup_max_ns >= i.hiccup_p99_ns && i.hiccup_p99_ns >= i.hiccup_p50_ns);
        assert!(i.steal_cpus >= 1);
        // Dropped without stop: the thread is joined all the same.
        drop(InterferenceMeter::start(&[0], &[0]));
    }
}
