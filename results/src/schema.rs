//! The versioned result schema: plain serde types, every measured field unit-suffixed
//! (`_ns`, `_bytes`, `_ops_per_s`), every number accompanied by the method that produced it.
//! This module declares data only; it must not measure, compute statistics or print.
//! The committed JSON Schema (`results/schema/results.schema.json`) is generated from these
//! types and checked by a test, so a change here without regenerating it fails the tests.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Bumped on every incompatible change of the types below.
pub const SCHEMA_VERSION: u32 = 2;

/// One invocation of `arena run`: the environment, the plan, every case and derived figures.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RunRecord {
    pub schema_version: u32,
    pub run_id: String,
    pub suite: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// RFC 3339, UTC; absent while the run is still going (results are written after every case).
    pub finished_at: Option<String>,
    /// true once every planned case has been run or skipped; false for an interrupted run.
    pub complete: bool,
    pub harness: HarnessInfo,
    pub environment: Environment,
    /// How each kind of figure was measured, keyed by field name.
    pub methods: BTreeMap<String, String>,
    /// The seed of the random case order, so the order can be reproduced.
    pub order_seed: u64,
    /// Case ids with repetition index, in the order they were executed.
    pub execution_order: Vec<String>,
    pub cases: Vec<CaseRecord>,
    /// Figures derived across the cases of each workload, keyed by workload id.
    pub derived: Derived,
    /// `arena run --shard K/N`: this run measured only its part of the planned cases. (Added
    /// within schema version 2.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardInfo>,
    /// `arena merge`: the runs merged into this one, each with its own machine, harness and
    /// cases; `environment` and `harness` above are then the first shard's. (Added within
    /// schema version 2.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<MergedRun>,
    /// The harness's own time between two processes of the last session that measured this run
    /// (`arena run` or its last `--resume`): from the return of one repetition's execution (process
    /// reaped, samples in) to the start of the next one (or the end of the run): judging,
    /// summarising, writing the results, the progress line. Median and maximum over the
    /// repetitions of that session, and how many there were. (Added within schema version 2;
    /// absent in older files and in runs that measured nothing.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harness_time_between_repetitions_median_ns: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harness_time_between_repetitions_max_ns: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harness_time_between_repetitions_count: Option<u32>,
    /// Every claim of harness/claims/claims.toml judged on this run's figures, re-derived with
    /// them by `arena report` and `arena merge`. (Added within schema version 2; absent in
    /// older files and in the files written while a run is still going.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<ClaimRecord>,
}

/// A claim's verdict: decided on interval bounds, never on a point estimate alone.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ClaimVerdict {
    Supported,
    Contradicted,
    NotEnoughEvidence,
    /// Its workload did not run, or has no module yet.
    NotMeasured,
}

impl ClaimVerdict {
    /// As the reports print it.
    pub fn label(self) -> &'static str {
        match self {
            ClaimVerdict::Supported => "supported",
            ClaimVerdict::Contradicted => "contradicted",
            ClaimVerdict::NotEnoughEvidence => "not enough evidence",
            ClaimVerdict::NotMeasured => "not measured",
        }
    }
}

/// One claim judged on one run. The verdict rests on a family of checks, one interval each:
/// "supported" needs every check's interval at `support_level` to hold (an intersection–union
/// test: its error is at most 1 − `support_level` without correction), "contradicted" needs one
/// check's interval at `contradict_level` (Bonferroni: 1 − (1 − `family_level`) / checks) to
/// fail, so each verdict's family-wise error is at most 1 − `family_level`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ClaimRecord {
    pub claim_id: String,
    pub workload: String,
    pub statement: String,
    pub verdict: ClaimVerdict,
    /// One line per check, then how the family was judged.
    pub evidence: Vec<String>,
    /// Checks in the family (0 when nothing could be checked).
    pub family_checks: u32,
    /// 1 − the family-wise error each verdict allows (0.95).
    pub family_level: f64,
    pub support_level: f64,
    pub contradict_level: f64,
    pub intervals: Vec<ClaimInterval>,
}

/// What one check found of one figure: its median with the interval a support rests on and,
/// where the values allow it, the wider one a contradiction needs, in `unit`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ClaimInterval {
    /// The figure and the variants it compares, as the evidence names them.
    pub figure: String,
    /// The unit of `median`, the bounds and `bound` ("×", "ms", "cores", "req/s").
    pub unit: String,
    pub median: f64,
    pub low: f64,
    pub high: f64,
    /// The coverage `low`–`high` has (order statistics: the level they achieve, not a nominal one).
    pub level: f64,
    /// The interval at the family's contradiction level; None when its values are too few.
    pub wide_low: Option<f64>,
    pub wide_high: Option<f64>,
    pub wide_level: Option<f64>,
    /// Values the interval rests on (rounds or processes).
    pub n: u32,
    /// What the claim needs of the median, e.g. "≥ 1.50" or "within 1.20–1.80".
    pub bound: String,
    pub outcome: CheckOutcome,
}

/// How one check came out.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// Its support-level interval lies inside the bound.
    Holds,
    /// Its contradiction-level interval lies outside the bound.
    Fails,
    /// Neither: the interval straddles the bound, or it is too weak to fail at the family's level.
    Undecided,
    /// Too few values for an interval at the support level.
    TooFew,
}

/// Which part of a suite's planned cases a shard run measured: every workload × variant group
/// whose index (in the sorted order of the groups) is `index - 1` modulo `count`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub struct ShardInfo {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

/// One run that `arena merge` took in: where and with what its cases were measured.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct MergedRun {
    pub run_id: String,
    pub shard: Option<ShardInfo>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub complete: bool,
    pub order_seed: u64,
    pub harness: HarnessInfo,
    pub environment: Environment,
    /// The cases this run measured.
    pub case_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct HarnessInfo {
    pub version: String,
    pub git_commit: Option<String>,
    pub git_dirty: Option<bool>,
    /// The command line the run was started with.
    pub command_line: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Environment {
    pub cpu_model: String,
    pub logical_cores: u32,
    pub memory_total_bytes: u64,
    pub kernel: String,
    pub os: String,
    pub pid_max: Option<u64>,
    pub threads_max: Option<u64>,
    pub page_size_bytes: u64,
    /// How load generator and workloads were placed on cores.
    pub cpu_pinning: String,
    /// For each allowed logical CPU, the logical CPUs sharing its physical core (itself
    /// included; `thread_siblings_list` in sysfs). Empty where sysfs does not say. (Added within
    /// schema version 2.)
    #[serde(default)]
    pub cpu_thread_siblings: BTreeMap<String, Vec<usize>>,
    /// Whether a server CPU and a generator CPU are SMT siblings of one core (then they share
    /// its execution units and caches, and the placement isolates less than it seems). None
    /// when unknown or not pinned. (Added within schema version 2.)
    #[serde(default)]
    pub generator_and_server_share_a_core: Option<bool>,
    pub toolchains: Vec<ToolchainRecord>,
}

/// A language's toolchain as found by its runner.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct ToolchainRecord {
    pub language: String,
    pub found: bool,
    /// The real executable that runs (or builds) the workloads, with shims and symlinks resolved.
    pub executable: Option<String>,
    pub version: Option<String>,
    /// Further facts: the JDK home, the compiler used, alternatives that were not chosen.
    pub details: BTreeMap<String, String>,
    /// Why it is missing or unusable and how to install it.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Planned; not every repetition has run yet (seen only in a run still in progress).
    Pending,
    Ok,
    Failed,
    Skipped,
}

/// Why a repetition's figures were not recorded as valid.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    BuildFailed,
    SpawnFailed,
    Crashed,
    Timeout,
    Interrupted,
    ProtocolError,
    ChecksumMismatch,
    /// A server answered a request with the wrong status or bytes (servers have no checksum:
    /// every response is validated instead).
    WrongResponse,
    InvariantViolated,
    /// The runtime could not create the requested number of tasks (e.g. OS thread limits).
    ResourceLimit,
    /// The process ran out of memory: its runtime said so (Java's `OutOfMemoryError`, Go's
    /// `fatal error: out of memory`, ...) or the kernel's OOM killer ended it. The reason
    /// quotes the telling line.
    OutOfMemory,
    /// The harness itself failed (its load generator, a panicked driver thread, no reference
    /// checksum): not the workload's fault, but its timings cannot be trusted either.
    HarnessError,
}

/// One (workload, variant, parameter set): repeated as whole processes.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct CaseRecord {
    /// `workload/language/model/k=v,...`, unique within a run.
    pub case_id: String,
    pub workload: String,
    pub language: String,
    /// `language/model`, e.g. `python/threads`.
    pub variant: String,
    pub model: String,
    pub params: BTreeMap<String, u64>,
    /// The exact command, environment additions and working directory used.
    pub launch: LaunchRecord,
    pub status: CaseStatus,
    pub failure_kind: Option<FailureKind>,
    pub reason: Option<String>,
    pub expected_checksum: Option<String>,
    pub repetitions_planned: u32,
    /// Server workloads: CPUs the server was pinned to and CPUs of the load generator
    /// (both empty when nothing was pinned). Added within schema version 1.
    #[serde(default)]
    pub server_cpus: Vec<usize>,
    #[serde(default)]
    pub generator_cpus: Vec<usize>,
    /// Bytes on disk of what this case launches from the project (binary, jar and archives, or
    /// sources), summed over `artifact_paths`; the runtime itself (JVM, node, python) excluded.
    /// Added within schema version 2; absent in older files.
    #[serde(default)]
    pub artifact_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub artifact_paths: Vec<String>,
    pub repetitions: Vec<Repetition>,
    /// Summary over the repetitions whose figures are valid; absent unless status is ok.
    pub summary: Option<CaseSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct LaunchRecord {
    pub program: String,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub cwd: String,
    pub timeout_ms: u64,
}

/// One process execution, measured from outside.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Repetition {
    pub index: u32,
    pub valid: bool,
    pub failure_kind: Option<FailureKind>,
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub wall_ns: u64,
    pub user_cpu_ns: u64,
    pub sys_cpu_ns: u64,
    pub peak_tree_rss_bytes: Option<u64>,
    pub ready_tree_rss_bytes: Option<u64>,
    /// Proportional set size of the tree (shared pages divided among the processes sharing
    /// them), read right after the RSS at ready. (Added within schema version 2; absent in
    /// older files.)
    #[serde(default)]
    pub ready_tree_pss_bytes: Option<u64>,
    /// Max of the tree PSS read every 10th RSS sample (200 ms), whenever RSS grew 10% past the
    /// last read, and at ready. (Added within schema version 2; absent in older files.)
    #[serde(default)]
    pub peak_tree_pss_bytes: Option<u64>,
    /// When the memory at ready (RSS, then PSS) had been read, in ns since spawn (the clock of
    /// `wall_ns`), so a workload can check no task could have finished before it. (Added within
    /// schema version 2; absent in older files.)
    #[serde(default)]
    pub ready_sampled_at_ns: Option<u64>,
    pub ru_maxrss_bytes: Option<u64>,
    pub time_to_ready_ns: Option<u64>,
    pub rss_samples: u32,
    /// Processes of the group were still alive after the main process exited and were killed.
    /// (Added within schema version 1; absent in older files, read as false.)
    #[serde(default)]
    pub leftover_processes_killed: bool,
    pub checksum: Option<String>,
    /// Integer fields the workload reported about itself (`work_ns`, `spawn_ns`, `workers`...).
    pub self_reported: BTreeMap<String, i64>,
    pub rss_timeline: RssTimeline,
    /// Path of the full stderr log, relative to the run folder.
    pub stderr_log: Option<String>,
    /// Last lines of stderr, kept inline for failures.
    pub stderr_tail: Option<String>,
    /// Server workloads: every load step run against this process, in order.
    /// (Added within schema version 1; absent for other workloads and in older files.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<crate::load::PhaseStep>,
    /// The machine's interference while this process ran (steal, CPU pressure, the harness's
    /// hiccup meter). Added within schema version 2; absent when it was not measured (older
    /// files, mock executors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interference: Option<Interference>,
    /// The `ns` of each `iter` event the process printed, in order (self-reported per-iteration
    /// times; `jit-warmup`). Added within schema version 2; empty for workloads without them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iter_ns: Vec<u64>,
    /// The process's own hiccup meter (`hiccups` event, `gc-pause`): how far each 1 ms sleep of
    /// a thread that does nothing else overshot (self-reported). Added within schema version 2;
    /// absent for workloads without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiccups: Option<DurationList>,
    /// The pauses the runtime itself reported (`gc_pauses` event, `gc-pause`): a GC log, a
    /// metrics histogram or a callback, named in `source`. Added within schema version 2;
    /// absent where the runtime reports none (Rust) and for other workloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_pauses: Option<DurationList>,
}

/// A list of durations a process printed (an event's `ns` array), kept as an HdrHistogram so
/// that repetitions merge and any percentile can be read again, plus its exact count, sum and
/// maximum.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct DurationList {
    pub count: u64,
    pub total_ns: u64,
    pub max_ns: u64,
    /// HdrHistogram V2 + DEFLATE, base64 (1 ns to 1 h, 3 significant digits), as
    /// `PhaseStep.latency_corrected`.
    pub histogram: String,
    /// Where the durations come from, in the process's words (e.g. the GC log it parsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Interference measured around one repetition, from just before spawn to after reaping.
/// A flagged repetition stays in every figure: the flag says it ran disturbed, nothing more.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Interference {
    /// CPU steal (time the hypervisor ran something else on these vCPUs) summed over the CPUs
    /// the case and its generator were pinned to (every CPU when the case was not pinned).
    pub steal_ns: u64,
    /// `steal_ns` / (wall × those CPUs).
    pub steal_fraction: f64,
    /// How many CPUs `steal_ns` is summed over.
    pub steal_cpus: u32,
    /// Delta of /proc/pressure/cpu `some total=`: time some runnable task waited for a CPU,
    /// machine-wide (None where the kernel has no PSI).
    pub psi_cpu_some_us: Option<u64>,
    /// Wake-ups of the hiccup meter (a thread sleeping 1 ms in a loop).
    pub hiccup_count: u64,
    /// Overshoot of its 1 ms sleeps (actual − 1 ms).
    pub hiccup_p50_ns: u64,
    pub hiccup_p99_ns: u64,
    pub hiccup_max_ns: u64,
    /// Whether a threshold (see `flag_reasons` and the method text) was crossed.
    pub flagged: bool,
    pub flag_reasons: Vec<String>,
}

/// The process tree's resident set sampled on a timeline (t from spawn).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct RssTimeline {
    pub t_ns: Vec<u64>,
    pub rss_bytes: Vec<u64>,
}

/// The median of valid repetitions with a distribution-free confidence interval.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct Estimate {
    pub median: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Coverage actually achieved by the order-statistic interval: at least 0.95 from 6 values
    /// (0.969 at 6), below it with fewer ([min, max]: 0.75 at 3); labels print this level.
    pub ci_level: f64,
    pub n: u32,
    /// Values outside the Tukey fences (1.5 IQR), flagged, never dropped.
    pub outliers: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct CaseSummary {
    pub wall_ns: Estimate,
    pub cpu_ns: Estimate,
    pub peak_tree_rss_bytes: Option<Estimate>,
    pub ready_tree_rss_bytes: Option<Estimate>,
    /// (Added within schema version 2; absent in older files.)
    #[serde(default)]
    pub peak_tree_pss_bytes: Option<Estimate>,
    #[serde(default)]
    pub ready_tree_pss_bytes: Option<Estimate>,
    pub time_to_ready_ns: Option<Estimate>,
    pub ru_maxrss_bytes: Option<Estimate>,
    /// Self-reported figures summarised the same way (e.g. `work_ns`, `spawn_ns`).
    pub self_reported: BTreeMap<String, Estimate>,
}

/// Figures derived across the cases of each workload, keyed by workload id; each value's shape
/// belongs to that workload's module (harness/src/workloads) and is spelled out in the committed
/// JSON Schema. Filled in when the run ends (also when it is interrupted), empty in the files
/// written while it runs. (Schema version 2; version 1 had one typed field per workload.)
pub type Derived = BTreeMap<String, serde_json::Value>;
