//! jit-warmup's derived figures: each valid process's series classified (`analyse::warmup`,
//! warmup_stats' rules with its relative tolerance), each variant's (VM, benchmark) pair class
//! and steady-state estimates, and the two claim tests over them. Pure: reads repetitions, never
//! renders.

use std::collections::BTreeMap;

use arena_results::{CaseRecord, Estimate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analyse::claims::{ratio_at_least, round_ratios_at_least, BoundChecks, Judgement};
use crate::analyse::stats::{estimate, proportion_interval};
use crate::analyse::warmup::{
    classify, classify_pair, classify_variant, PairClass, ProcessClassification, ProcessLabel, VariantLabel,
    WarmupSettings,
};

/// The benchmarks, in the order of the catalogue: three `kernels` kernels whose iterations are
/// pure computation. A model is `<runtime configuration>-<benchmark>`.
pub const BENCHMARKS: [&str; 3] = ["nbody", "spectral-norm", "fannkuch-redux"];

/// `language/<configuration>-<benchmark>` → (`language/<configuration>`, benchmark): the VM and
/// the benchmark of a (VM, benchmark) pair. None for a model that names no benchmark.
pub fn split_variant(variant: &str) -> Option<(String, &'static str)> {
    BENCHMARKS.iter().find_map(|benchmark| {
        let vm = variant.strip_suffix(benchmark)?.strip_suffix('-')?;
        (!vm.is_empty()).then(|| (vm.to_string(), *benchmark))
    })
}

/// One process's series, classified.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct WarmupProcess {
    /// `Repetition.index`: the round it ran in.
    pub round: u32,
    pub first_ns: f64,
    /// Mean of the last quarter of the iterations: a steady figure every series has, whatever
    /// its label (the claims compare variants on it).
    pub last_quarter_mean_ns: f64,
    pub classification: ProcessClassification,
}

/// One variant's processes and what they say together.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct WarmupVariant {
    pub variant: String,
    /// `language/configuration`: the VM of the pair.
    pub vm: String,
    pub benchmark: String,
    pub iterations: u64,
    pub n: u64,
    pub settings: WarmupSettings,
    pub processes: Vec<WarmupProcess>,
    pub label: VariantLabel,
    /// The pair's class, counted once in the claim.
    pub pair: PairClass,
    /// Processes per label.
    pub label_counts: BTreeMap<String, u32>,
    /// Over the processes that reached a steady state.
    pub steady_state_iteration: Option<Estimate>,
    pub steady_state_ns: Option<Estimate>,
    pub first_to_steady_ratio: Option<Estimate>,
    /// Over every process: iteration 0 / the last quarter's mean.
    pub first_to_last_quarter_ratio: Option<Estimate>,
}

pub(super) fn process_label_text(label: ProcessLabel) -> &'static str {
    match label {
        ProcessLabel::Flat => "flat",
        ProcessLabel::Warmup => "warmup",
        ProcessLabel::Slowdown => "slowdown",
        ProcessLabel::NoSteadyState => "no steady state",
    }
}

/// warmup_stats' settings, with its relative tolerance (`--delta 5%`): its default of an
/// absolute 1 ms suits iterations of about a second (Barrett et al.'s), but would call every
/// series of this suite's 0.2–40 ms iterations flat.
pub fn settings() -> WarmupSettings {
    WarmupSettings {
        delta_share: Some(0.05),
        ..WarmupSettings::default()
    }
}

pub(super) fn variant_of(case: &CaseRecord) -> Option<WarmupVariant> {
    let settings = settings();
    let processes: Vec<WarmupProcess> = case
        .repetitions
        .iter()
        .filter(|r| r.valid && !r.iter_ns.is_empty())
        .map(|r| {
            let series: Vec<f64> = r.iter_ns.iter().map(|v| *v as f64).collect();
            let quarter = &series[series.len() - series.len().div_ceil(4)..];
            WarmupProcess {
                round: r.index,
                first_ns: series[0],
                last_quarter_mean_ns: quarter.iter().sum::<f64>() / quarter.len() as f64,
                classification: classify(&series, &settings),
            }
        })
        .collect();
    if processes.is_empty() {
        return None;
    }
    let labels: Vec<ProcessLabel> = processes.iter().map(|p| p.classification.label).collect();
    let mut label_counts = BTreeMap::new();
    for label in &labels {
        *label_counts
            .entry(process_label_text(*label).to_string())
            .or_insert(0) += 1;
    }
    let over = |f: &dyn Fn(&WarmupProcess) -> Option<f64>| {
        let values: Vec<f64> = processes.iter().filter_map(f).collect();
        (!values.is_empty()).then(|| estimate(&values))
    };
    let c = |p: &WarmupProcess| p.classification.clone();
    let (vm, benchmark) = split_variant(&case.variant).unwrap_or((case.variant.clone(), ""));
    Some(WarmupVariant {
        variant: case.variant.clone(),
        vm,
        benchmark: benchmark.to_string(),
        iterations: case.params.get("iterations").copied().unwrap_or(0),
        n: case.params.get("n").copied().unwrap_or(0),
        settings,
        label: classify_variant(&labels),
        pair: classify_pair(&labels),
        label_counts,
        steady_state_iteration: over(&|p| c(p).steady_state_iteration.map(|i| i as f64)),
        steady_state_ns: over(&|p| c(p).steady_state_ns),
        first_to_steady_ratio: over(&|p| c(p).first_to_steady_ratio),
        first_to_last_quarter_ratio: over(&|p| Some(p.first_ns / p.last_quarter_mean_ns)),
        processes,
    })
}

pub(super) fn judge_slow_then_fast(
    variants: &[WarmupVariant],
    pairs: &[[String; 2]],
    first_ratio: f64,
    speedup: f64,
) -> Judgement {
    let mut checks = BoundChecks::new();
    let find = |name: &str| variants.iter().find(|v| v.variant == name);
    for [jit, interpreter] in pairs {
        let first = find(jit).and_then(|v| v.first_to_last_quarter_ratio.as_ref());
        let what = format!("{jit}: iteration 0 / last quarter's mean");
        ratio_at_least(&mut checks, &what, first, first_ratio);
        let pair = (std::slice::from_ref(interpreter), std::slice::from_ref(jit));
        round_ratios_at_least(&mut checks, "last quarter", pair, speedup, |name| {
            find(name).map(|v| {
                v.processes
                    .iter()
                    .map(|p| (p.round, p.last_quarter_mean_ns))
                    .collect()
            })
        });
    }
    checks.verdict()
}

/// A pair needs this many processes before its consistency means anything.
const MIN_PROCESSES_PER_PAIR: usize = 2;

/// The share of (VM, benchmark) pairs, `vms` × `benchmarks`, that warm up classically (every
/// process flat or warm-up), each pair counted once, judged on its Clopper–Pearson interval.
pub(super) fn judge_warmup_share(
    variants: &[WarmupVariant],
    vms: &[String],
    benchmarks: &[String],
    share: f64,
) -> Judgement {
    let mut checks = BoundChecks::new();
    let mut pairs: Vec<&WarmupVariant> = Vec::new();
    let mut absent = Vec::new();
    for vm in vms {
        for benchmark in benchmarks {
            match variants.iter().find(|v| &v.vm == vm && &v.benchmark == benchmark) {
                Some(v) if v.processes.len() >= MIN_PROCESSES_PER_PAIR => pairs.push(v),
                Some(v) => absent.push(format!("{} ({} process)", v.variant, v.processes.len())),
                None => absent.push(format!("{vm}-{benchmark}")),
            }
        }
    }
    if !absent.is_empty() {
        checks.missing(format!(
            "{} of {} pairs were not measured with at least {MIN_PROCESSES_PER_PAIR} valid processes: {}",
            absent.len(),
            vms.len() * benchmarks.len(),
            absent.join(", ")
        ));
    }
    let classical = pairs.iter().filter(|v| v.pair.classical).count();
    let Some((low, high, level)) = proportion_interval(classical as u64, pairs.len() as u64) else {
        checks.missing("no (VM, benchmark) pair was classified".into());
        return checks.verdict();
    };
    let per_pair: Vec<String> = pairs.iter().map(|v| pair_text(v)).collect();
    checks.check(
        level,
        high <= share,
        low > share,
        format!(
            "{classical} of {} (VM, benchmark) pairs warm up classically (every process flat or warm-up): {:.2} ({:.0}% Clopper–Pearson interval {low:.2}–{high:.2}, each pair counted once; with {} pairs the interval is this wide); claimed at most {share:.2} ({})",
            pairs.len(),
            classical as f64 / pairs.len() as f64,
            level * 100.0,
            pairs.len(),
            per_pair.join("; ")
        ),
    );
    checks.verdict()
}

/// `java/default-nbody: good inconsistent (4 warmup, 2 flat)`.
pub(super) fn pair_text(v: &WarmupVariant) -> String {
    let class = match (v.pair.consistency, v.pair.consistent_label) {
        (VariantLabel::Consistent, Some(label)) => format!("consistent {}", process_label_text(label)),
        (VariantLabel::GoodInconsistent, _) => "good inconsistent".into(),
        _ => "bad inconsistent".into(),
    };
    let counts: Vec<String> = v.label_counts.iter().map(|(l, c)| format!("{c} {l}")).collect();
    format!("{}: {class} ({})", v.variant, counts.join(", "))
}
