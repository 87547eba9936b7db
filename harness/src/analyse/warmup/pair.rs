//! One (VM, benchmark) pair's class from its processes' labels, as krun's warmup_stats reports
//! a pair (Barrett et al., OOPSLA 2017, section 4.3 and table 1): every process with the same
//! label makes the pair *consistent* with that label; a mix of flat and warm-up only is *good
//! inconsistent*; any other mix is *bad inconsistent*. A pair "consistently reaches a steady
//! state of peak performance" (the paper's headline measure, at most 43.5% of its pairs) when it
//! is consistent flat, consistent warm-up or good inconsistent: every process is flat or warms
//! up. Pure; must not read results or name a workload.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::classify::{classify_variant, ProcessLabel, VariantLabel};

/// A pair's class, counted once however many processes it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PairClass {
    /// consistent, good inconsistent or bad inconsistent (`classify_variant`).
    pub consistency: VariantLabel,
    /// The label every process shares, when consistent.
    pub consistent_label: Option<ProcessLabel>,
    /// Every process is flat or warm-up: the pair warms up classically.
    pub classical: bool,
}

/// The class of a pair whose processes have `labels` (one per process). No processes: bad
/// inconsistent and not classical, as warmup_stats' tests fall through.
pub fn classify_pair(labels: &[ProcessLabel]) -> PairClass {
    let consistency = classify_variant(labels);
    let consistent_label = (consistency == VariantLabel::Consistent).then(|| labels[0]);
    let classical = !labels.is_empty()
        && labels
            .iter()
            .all(|l| matches!(l, ProcessLabel::Flat | ProcessLabel::Warmup));
    PairClass {
        consistency,
        consistent_label,
        classical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProcessLabel::*;

    #[test]
    fn a_consistent_pair_carries_its_label_and_is_classical_only_if_flat_or_warmup() {
        let pair = classify_pair(&[Warmup; 6]);
        assert_eq!(pair.consistency, VariantLabel::Consistent);
        assert_eq!(pair.consistent_label, Some(Warmup));
        assert!(pair.classical);
        assert!(classify_pair(&[Flat; 3]).classical);
        let slow = classify_pair(&[Slowdown; 6]);
        assert_eq!(
            (slow.consistency, slow.consistent_label, slow.classical),
            (VariantLabel::Consistent, Some(Slowdown), false)
        );
        assert!(!classify_pair(&[NoSteadyState; 2]).classical);
    }

    #[test]
    fn flat_and_warmup_mixed_is_good_inconsistent_and_classical() {
        let pair = classify_pair(&[Flat, Warmup, Warmup, Flat, Warmup, Warmup]);
        assert_eq!(pair.consistency, VariantLabel::GoodInconsistent);
        assert_eq!(pair.consistent_label, None);
        assert!(pair.classical);
    }

    #[test]
    fn any_other_mix_is_bad_inconsistent_and_not_classical() {
        for labels in [
            &[Warmup, Warmup, Slowdown, Warmup, Warmup, Warmup][..],
            &[Flat, NoSteadyState],
            &[Warmup, Slowdown],
        ] {
            let pair = classify_pair(labels);
            assert_eq!(pair.consistency, VariantLabel::BadInconsistent, "{labels:?}");
            assert!(!pair.classical, "{labels:?}");
        }
        let none = classify_pair(&[]);
        assert_eq!(
            (none.consistency, none.classical),
            (VariantLabel::BadInconsistent, false)
        );
    }
}
