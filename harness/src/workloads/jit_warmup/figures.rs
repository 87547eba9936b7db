//! jit-warmup's derived figures: each valid process's series classified (`analyse::warmup`,
//! warmup_stats' rules with its relative tolerance), the variant's label and steady-state
//! estimates, and the two claim tests over them. Pure: reads repetitions, never renders.

use std::collections::BTreeMap;

use arena_results::{CaseRecord, Estimate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analyse::claims::{ratio_at_least, round_ratios_at_least, BoundChecks, Judgement};
use crate::analyse::stats::{estimate, proportion_interval};
use crate::analyse::warmup::{
    classify, classify_variant, ProcessClassification, ProcessLabel, VariantLabel, WarmupSettings,
};

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
    pub iterations: u64,
    pub n: u64,
    pub settings: WarmupSettings,
    pub processes: Vec<WarmupProcess>,
    pub label: VariantLabel,
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
    Some(WarmupVariant {
        variant: case.variant.clone(),
        iterations: case.params.get("iterations").copied().unwrap_or(0),
        n: case.params.get("n").copied().unwrap_or(0),
        settings,
        label: classify_variant(&labels),
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

pub(super) fn judge_warmup_share(variants: &[WarmupVariant], names: &[String], share: f64) -> Judgement {
    let mut checks = BoundChecks::new();
    let chosen: Vec<&WarmupVariant> = variants.iter().filter(|v| names.contains(&v.variant)).collect();
    if chosen.len() < names.len() {
        checks.missing(format!(
            "{} of {} variants were measured",
            chosen.len(),
            names.len()
        ));
    }
    let processes: Vec<&WarmupProcess> = chosen.iter().flat_map(|v| v.processes.iter()).collect();
    let warmups = processes
        .iter()
        .filter(|p| p.classification.label == ProcessLabel::Warmup)
        .count();
    let Some((low, high, level)) = proportion_interval(warmups as u64, processes.len() as u64) else {
        checks.missing("no process was classified".into());
        return checks.verdict();
    };
    let per_variant: Vec<String> = chosen
        .iter()
        .map(|v| {
            format!(
                "{}: {}",
                v.variant,
                v.label_counts
                    .iter()
                    .map(|(l, c)| format!("{c} {l}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    checks.check(
        level,
        high <= share,
        low > share,
        format!(
            "{warmups} of {} processes warm up classically: {:.2} ({:.0}% Clopper–Pearson interval {low:.2}–{high:.2}); claimed at most {share:.2} ({})",
            processes.len(),
            warmups as f64 / processes.len() as f64,
            level * 100.0,
            per_variant.join("; ")
        ),
    );
    checks.verdict()
}
