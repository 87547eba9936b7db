//! `arena hgrm`: one load step's corrected latency histogram as `.hgrm` text (HdrHistogram's
//! percentile distribution, which its plotter and other tools read), from the histograms a run
//! stored, for one repetition or merged over every valid one. It must not measure or re-derive.

use anyhow::{bail, Context, Result};
use arena_results::{LoadStream, PhaseStep, RunRecord};

use super::cite::find_case;
use crate::analyse::histogram;

/// Which step's stream to export.
#[derive(Debug, Clone)]
pub struct StepSelector {
    pub phase: String,
    pub step: u32,
    /// None: the step's only stream (an error if it has several).
    pub stream: Option<String>,
    /// None: merge every valid repetition.
    pub repetition: Option<u32>,
    /// Value unit in ns (1000: microseconds, as HdrHistogram's tools default to).
    pub unit_ns: f64,
}

pub fn hgrm(record: &RunRecord, case_query: &str, selector: &StepSelector) -> Result<String> {
    let case = find_case(record, case_query)?;
    let reps: Vec<_> = case
        .repetitions
        .iter()
        .filter(|r| match selector.repetition {
            Some(index) => r.index == index,
            None => r.valid,
        })
        .collect();
    if reps.is_empty() {
        bail!(
            "case {} has no {} (repetitions: {})",
            case.case_id,
            selector
                .repetition
                .map_or("valid repetition".to_string(), |i| format!("repetition {i}")),
            case.repetitions.len()
        );
    }
    let mut histograms = Vec::new();
    for rep in reps {
        let step = rep
            .phases
            .iter()
            .find(|s| s.phase == selector.phase && s.step == selector.step)
            .with_context(|| {
                format!(
                    "repetition {} of {} has no step {} of phase {:?}; it has: {}",
                    rep.index,
                    case.case_id,
                    selector.step,
                    selector.phase,
                    step_names(&rep.phases)
                )
            })?;
        let stream = pick_stream(step, selector.stream.as_deref())?;
        let encoded = stream.latency_corrected_hdr.as_deref().with_context(|| {
            format!(
                "stream {:?} of that step stored no histogram (recorded before histograms were stored)",
                stream.stream
            )
        })?;
        histograms.push(histogram::decode(encoded)?);
    }
    Ok(histogram::hgrm(&histogram::merge(&histograms), selector.unit_ns))
}

fn pick_stream<'a>(step: &'a PhaseStep, name: Option<&str>) -> Result<&'a LoadStream> {
    let streams = step.load.as_ref().map_or(&[][..], |l| l.streams.as_slice());
    let names = || {
        streams
            .iter()
            .map(|s| s.stream.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => streams
            .iter()
            .find(|s| s.stream == name)
            .with_context(|| format!("--stream {name:?}: the step has streams: {}", names())),
        None => match streams {
            [one] => Ok(one),
            [] => bail!("step {} of phase {:?} ran no load", step.step, step.phase),
            _ => bail!(
                "the step has several streams; pick one with --stream ({})",
                names()
            ),
        },
    }
}

fn step_names(steps: &[PhaseStep]) -> String {
    steps
        .iter()
        .map(|s| format!("{}/{}", s.phase, s.step))
        .collect::<Vec<_>>()
        .join(", ")
}
