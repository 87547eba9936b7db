//! Result types of load generation against a server: one record per request stream of a load
//! step, with latency summaries, per-second intervals and the generator's own CPU use.
//! Shared by `arena load` (printed as JSON) and the server workloads (stored per repetition).
//! Data only: it must not measure, compute statistics or print.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How requests of a stream are issued.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LoadMode {
    /// Each connection sends its next request as soon as the previous answer arrives.
    Closed,
    /// Request i is due at start + i / rate; latency is measured from the due time.
    Open,
}

/// Percentiles of one latency distribution. A percentile q is given only when at least ten
/// samples lie at or beyond it (count × (1 − q) ≥ 10), and p99.9 only from 100,000 samples
/// (100 beyond it; docs/methodology.md, "Latency under load"); otherwise it is null.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LatencySummary {
    pub count: u64,
    pub mean_ns: Option<u64>,
    pub p50_ns: Option<u64>,
    pub p90_ns: Option<u64>,
    pub p99_ns: Option<u64>,
    pub p999_ns: Option<u64>,
    pub max_ns: Option<u64>,
}

/// One interval (1 s by default) of a stream, by completion time from the start of the load.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LoadInterval {
    /// End of the interval, from the start of the load.
    pub end_ns: u64,
    pub requests_ok: u64,
    pub errors: u64,
    /// Corrected latency (from the due time) of the requests completed in this interval.
    pub p50_ns: Option<u64>,
    pub p99_ns: Option<u64>,
    pub max_ns: Option<u64>,
}

/// One stream of requests (one request set, its connections and its schedule) in one load step.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LoadStream {
    /// e.g. `json`, `io`, `ping`, `cpu`.
    pub stream: String,
    /// The first request's target, e.g. `/io?id=1000000&delay_ms=50`.
    pub example_path: String,
    pub mode: LoadMode,
    pub connections: u32,
    pub target_rate_per_s: Option<f64>,
    /// The measured window (after warm-up) over which rates are computed.
    pub window_ns: u64,
    pub warmup_ns: u64,
    /// Responses that passed validation, completed within the window.
    pub requests_ok: u64,
    /// Failed requests by kind (`status`, `body`, `malformed`, `timeout`, `closed`, `io`, `connect`).
    pub errors: BTreeMap<String, u64>,
    /// Open loop: requests already due when the load ended but never sent because every
    /// connection was busy (the backlog of a saturated server).
    pub unsent_at_end: u64,
    pub achieved_rate_per_s: f64,
    /// Open loop: saturated on any cause in `saturation_causes` (docs/methodology.md, "Saturation").
    pub saturated: Option<bool>,
    /// Open loop: why the step counts as saturated: `rate` (achieved < 99% of target),
    /// `unsent` (requests due but never sent), `errors` (timeouts, refused or closed
    /// connections), `send_lag` (send-lag p99 above 10 ms: every connection was busy; not counted
    /// when a generator thread itself waited for a CPU ≥ 5% of the window). Empty when
    /// not saturated. (Added within schema version 2; older files have only the rate test.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub saturation_causes: Vec<String>,
    /// From the due time (open loop) or the send time (closed loop) to the full response.
    /// Open loop: requests that timed out, were never sent before the load ended, or lost their
    /// connection are in it too, at the time they had waited when given up (a lower bound), as
    /// wrk2 records them; `latency_corrected_incomplete` counts those.
    pub latency_corrected: LatencySummary,
    /// Samples of `latency_corrected` that are lower bounds (no full response). (Added within
    /// schema version 2; absent in older files, where such requests were left out.)
    #[serde(default)]
    pub latency_corrected_incomplete: u64,
    /// `latency_corrected` itself: HdrHistogram V2 + DEFLATE, base64 (the encoding of
    /// HdrHistogram's interval logs), 1 ns to 1 h at 3 significant digits, so that repetitions
    /// can be merged and a user can re-analyse or export .hgrm (`arena hgrm`). (Added within
    /// schema version 2.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_corrected_hdr: Option<String>,
    /// From the actual send time to the full response: what a closed-loop tool would report.
    pub latency_uncorrected: LatencySummary,
    /// Open loop: how late after its due time each request left (timer granularity, busy connections).
    pub send_lag: LatencySummary,
    /// Open loop: the pacing gate, send-lag p99 ≤ 1 ms. False: the generator sent late often
    /// enough that the corrected tail partly measures it (docs/methodology.md, "Latency under
    /// load"). Absent for a closed loop and in older files.
    #[serde(default)]
    pub paced: Option<bool>,
    pub intervals: Vec<LoadInterval>,
}

/// One run of the load generator: its streams and what it cost the generator itself.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LoadRecord {
    pub target: String,
    pub streams: Vec<LoadStream>,
    /// From the start of the load to the end of the drain of in-flight requests.
    pub wall_ns: u64,
    pub generator_threads: u32,
    /// CPUs the generator threads were pinned to (empty: not pinned).
    pub generator_cpus: Vec<usize>,
    /// Thread CPU time (CLOCK_THREAD_CPUTIME_ID) of all generator threads over `wall_ns`.
    pub generator_cpu_ns: u64,
    /// The same, over the measured window only (read at its start and its end), so that per
    /// request it is not inflated by connect, warm-up and drain. (Added within schema version 2.)
    #[serde(default)]
    pub generator_cpu_window_ns: Option<u64>,
    /// The longest run-queue delay of a generator thread over the measured window (runnable but
    /// waiting for a CPU; /proc/thread-self/schedstat). From 5% of the window on, a send lag
    /// beyond 10 ms may be the generator's own and is not counted as saturation. (Added within
    /// schema version 2.)
    #[serde(default)]
    pub generator_run_delay_window_ns: Option<u64>,
    /// CPU time (utime + stime, 10 ms ticks) of the target's process group over the measured
    /// window, when the caller gave a way to read it (server workloads). (Added within schema
    /// version 2.)
    #[serde(default)]
    pub target_cpu_window_ns: Option<u64>,
    /// The busiest generator thread's CPU time / wall time.
    pub generator_busiest_thread_fraction: f64,
    /// Above 0.85 of a core the figures measure the generator, not the server (docs/methodology.md).
    pub generator_bound: bool,
}

/// One step of a server workload's phase: a load run (or an idle hold) and what the server did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct PhaseStep {
    /// `idle-connections`, `peak`, `io-sweep`, `ping-under-cpu`, `calibrate-cpu`.
    pub phase: String,
    pub step: u32,
    /// The knobs of this step, e.g. `connections`, `target_rate_per_s`, `delay_ms`, `cpu_rate_per_s`.
    pub knobs: BTreeMap<String, f64>,
    /// Sum of utime + stime of the server's process group over the whole step, connect, warm-up
    /// and drain included (/proc/<pid>/stat, 10 ms ticks). Per-request figures use the measured
    /// window's `load.target_cpu_window_ns` instead.
    pub server_cpu_ns: Option<u64>,
    /// Tree RSS of the server at the end of the step (median of the samples of its last 0.5 s for idle holds).
    pub server_tree_rss_bytes: Option<u64>,
    /// Tree PSS of the server at the end of the step, read after the load window (smaps_rollup).
    /// (Added within schema version 2.)
    #[serde(default)]
    pub server_tree_pss_bytes: Option<u64>,
    /// Harness clock from spawn to the first 200 of a server probed from spawn
    /// (`first-response`). Added within schema version 2; absent for other steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_ns: Option<u64>,
    /// Connection attempts and requests sent before that first 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_attempts: Option<u64>,
    /// The server's own `/stats` document read after the step (integers only).
    pub server_stats: BTreeMap<String, i64>,
    pub load: Option<LoadRecord>,
}
