//! gc-pause module tests: figures from recorded repetitions, the comparisons, and the claims'
//! verdicts on their intervals.

use arena_results::{CaseRecord, CaseStatus, DurationList};

use super::*;
use crate::analyse::claims::Verdict;
use crate::analyse::histogram;
use crate::analyse::phases::fixtures::{case, repetition};

fn list(values: &[u64], source: Option<&str>) -> DurationList {
    let mut h = histogram::new_histogram();
    for v in values {
        h.record(*v).unwrap();
    }
    DurationList {
        count: values.len() as u64,
        total_ns: values.iter().sum(),
        max_ns: values.iter().copied().max().unwrap_or(0),
        histogram: histogram::encode(&h),
        source: source.map(str::to_string),
    }
}

/// `processes` repetitions whose hiccups are 1,000 samples of 50 µs plus one stall of
/// `stall_ms`, and (unless None) one runtime pause of `runtime_ms`.
fn pause_case(
    variant: &str,
    records: u64,
    stall_ms: f64,
    runtime_ms: Option<f64>,
    processes: u32,
) -> CaseRecord {
    let reps = (1..=processes)
        .map(|i| {
            let mut r = repetition(i, true, vec![]);
            let mut samples = vec![50_000u64; 1000];
            samples.push((stall_ms * 1e6) as u64 + u64::from(i) * 1000);
            r.hiccups = Some(list(&samples, None));
            r.runtime_pauses = runtime_ms.map(|m| list(&[(m * 1e6) as u64 + u64::from(i)], Some("a log")));
            r.self_reported.insert("work_ns".into(), 1_000_000_000);
            r.self_reported.insert("ops".into(), 1_000_000);
            r.peak_tree_rss_bytes = Some(100 << 20);
            r
        })
        .collect();
    let mut c = case(ID, variant, CaseStatus::Ok, reps);
    c.case_id = format!("{ID}/{variant}/records={records}");
    c.params = [
        ("records".to_string(), records),
        ("duration_ms".to_string(), 1000),
    ]
    .into_iter()
    .collect();
    c
}

fn judge(claim: GcPauseClaim, cases: &[CaseRecord]) -> Verdict {
    judged(claim, cases).verdict
}

fn judged(claim: GcPauseClaim, cases: &[CaseRecord]) -> crate::analyse::claims::Judgement {
    let refs: Vec<&CaseRecord> = cases.iter().collect();
    let figures = GcPause.derive(&refs);
    GcPause.judge_claim(&claim, &figures, &ClaimContext { logical_cores: 2 })
}

#[test]
fn figures_keep_both_ways_and_their_disagreement() {
    let c = pause_case("java/zgc", 1000, 4.0, Some(0.5), 6);
    let figures = GcPause.derive(&[&c]);
    let row = &figures.cases[0];
    assert!((row.hiccup_max_ns.median / 1e6 - 4.0).abs() < 0.01, "{row:?}");
    assert!((row.hiccup_p50_ns.median - 50_000.0).abs() < 100.0);
    assert_eq!(row.runtime_source.as_deref(), Some("a log"));
    let disagreement = row.meter_over_runtime_max.as_ref().unwrap().median;
    assert!(
        (disagreement - 8.0).abs() < 0.1,
        "meter 4 ms / runtime 0.5 ms: {disagreement}"
    );
    assert!((row.ops_per_s.median - 1e6).abs() < 1.0);
    assert_eq!(row.behind_pace, 0);
    let last = row.hiccup_curve.last().unwrap();
    assert_eq!(last.0, 6006.0, "the max sits at n pooled samples");
    assert!(row
        .hiccup_curve
        .windows(2)
        .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
}

#[test]
fn figures_survive_json_without_rss_samples() {
    let mut c = pause_case("go/gogc-100", 1000, 1.0, Some(0.1), 6);
    for r in &mut c.repetitions {
        r.peak_tree_rss_bytes = None;
    }
    let value = crate::workloads::Workload::derive(&GcPause, &[&c]).unwrap();
    let back: GcPauseFigures = serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
    assert!(back.cases[0].peak_rss_bytes.is_none());
}

#[test]
fn a_runtime_without_reports_has_no_runtime_figures() {
    let c = pause_case("rust/default", 1000, 0.2, None, 6);
    let row = &GcPause.derive(&[&c]).cases[0];
    assert!(row.runtime_source.is_none() && row.runtime_max_ns.is_none());
    let figures = crate::workloads::Workload::derive(&GcPause, &[&c]).unwrap();
    let cite = crate::workloads::Workload::cite(&GcPause, &figures, &c, "runtime_pause_max").unwrap();
    assert!(cite.is_err(), "no runtime figure to cite for Rust");
}

#[test]
fn comparisons_pair_one_knob_at_the_same_live_set() {
    let cases = [
        pause_case("java/g1-default", 1000, 40.0, Some(40.0), 6),
        pause_case("java/g1-fixed", 1000, 4.0, Some(4.0), 6),
        pause_case("java/g1-fixed", 9000, 4.0, Some(4.0), 6),
    ];
    let refs: Vec<&CaseRecord> = cases.iter().collect();
    let figures = GcPause.derive(&refs);
    assert_eq!(
        figures.comparisons.len(),
        1,
        "only the shared live set is compared"
    );
    let c = &figures.comparisons[0];
    let r = c.runtime_max_ratio.as_ref().unwrap().median;
    assert!((r - 10.0).abs() < 0.1, "{r}");
}

#[test]
fn pause_below_rests_on_intervals_and_live_set_size() {
    let claim = |min_records| GcPauseClaim::PauseBelow {
        variants: vec!["java/zgc".into()],
        figure: PauseFigure::RuntimeMax,
        bound_ms: 1.0,
        min_records,
    };
    let fast = [pause_case("java/zgc", 1000, 3.0, Some(0.2), 6)];
    let slow = [pause_case("java/zgc", 1000, 3.0, Some(2.0), 6)];
    let few = [pause_case("java/zgc", 1000, 3.0, Some(0.2), 3)];
    assert_eq!(judge(claim(0), &fast), Verdict::Supported);
    assert_eq!(judge(claim(0), &slow), Verdict::Contradicted);
    assert_eq!(
        judge(claim(0), &few),
        Verdict::NotEnoughEvidence,
        "3 processes: a 75% interval"
    );
    let mut quiet = pause_case("java/zgc", 1000, 3.0, Some(0.2), 6);
    for r in &mut quiet.repetitions {
        r.runtime_pauses = Some(list(&[], Some("a log")));
    }
    assert_eq!(
        judge(claim(0), &[quiet]),
        Verdict::NotEnoughEvidence,
        "no pause in the window is not a pause under 1 ms"
    );
    assert_eq!(
        judge(claim(1_000_000), &fast),
        Verdict::NotEnoughEvidence,
        "no case with a large enough live set"
    );
}

#[test]
fn the_control_is_compared_with_collected_runtimes_on_pauses_above_their_floor() {
    let claim = GcPauseClaim::HiccupExcessAboveControl {
        control: "rust/default".into(),
        min_records: 0,
    };
    // Eight processes: a family of two checks needs 97.5% to contradict, [min, max] of 8 has 99.2%.
    let rust = pause_case("rust/default", 1000, 0.2, None, 8);
    let java = pause_case("java/g1-fixed", 1000, 5.0, Some(5.0), 8);
    let calm = pause_case("go/gogc-100", 1000, 0.1, Some(0.05), 8);
    assert_eq!(
        judge(claim.clone(), &[rust.clone(), java.clone()]),
        Verdict::Supported
    );
    assert_eq!(
        judge(claim.clone(), &[rust.clone(), java.clone(), calm]),
        Verdict::Contradicted,
        "a collected runtime that stalls less than the control"
    );
    // A runtime that logged no collection is named and not counted, whatever its hiccups.
    let mut off = pause_case("go/gogc-off", 1000, 0.1, Some(0.05), 8);
    for r in &mut off.repetitions {
        r.runtime_pauses = Some(list(&[], Some("a log")));
    }
    let j = judged(claim.clone(), &[rust.clone(), java.clone(), off]);
    assert_eq!(j.verdict, Verdict::Supported, "{:?}", j.evidence);
    assert!(j
        .evidence
        .iter()
        .any(|e| e.contains("go/gogc-off") && e.contains("not counted")));
    // A tie does not pass: the same stalls as the control.
    let twin = pause_case("node/default", 1000, 0.2, Some(0.1), 8);
    assert_eq!(judge(claim.clone(), &[rust.clone(), twin]), Verdict::Contradicted);
    // Three processes: 75% intervals, no verdict.
    let few = [
        pause_case("rust/default", 1000, 0.2, None, 3),
        pause_case("java/g1-fixed", 1000, 5.0, Some(5.0), 3),
    ];
    assert_eq!(judge(claim, &few), Verdict::NotEnoughEvidence);
}

/// Live sets below `min_records` are not judged: a small heap whose collector stalls no more
/// than the control leaves the claim to the larger live set.
#[test]
fn the_control_is_compared_only_at_live_sets_of_at_least_min_records() {
    let claim = |min_records| GcPauseClaim::HiccupExcessAboveControl {
        control: "rust/default".into(),
        min_records,
    };
    let cases = [
        pause_case("rust/default", 1000, 0.2, None, 8),
        pause_case("python/default", 1000, 0.2, Some(0.1), 8),
        pause_case("rust/default", 300_000, 0.2, None, 8),
        pause_case("python/default", 300_000, 9.0, Some(9.0), 8),
    ];
    assert_eq!(
        judge(claim(0), &cases),
        Verdict::Contradicted,
        "the tie at 1,000 records"
    );
    assert_eq!(judge(claim(300_000), &cases), Verdict::Supported);
    assert_eq!(
        judge(claim(1_000_000), &cases),
        Verdict::NotEnoughEvidence,
        "no control at that size"
    );
}

#[test]
fn pause_claims_say_which_statistic_they_judge() {
    let claim = GcPauseClaim::PauseBelow {
        variants: vec!["java/zgc".into()],
        figure: PauseFigure::RuntimeMax,
        bound_ms: 1.0,
        min_records: 0,
    };
    let j = judged(claim, &[pause_case("java/zgc", 1000, 3.0, Some(0.2), 6)]);
    assert!(j.evidence[0].contains("per-process maximum"), "{:?}", j.evidence);
    assert_eq!(j.intervals[0].unit, "ms");
}

#[test]
fn the_checksum_needs_every_parameter() {
    let params: Params = [("records", 1000), ("rate", 10), ("duration_ms", 50)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(
        GcPause.expected_checksum("default", &params),
        Ok(Some("348783320".into()))
    );
    assert!(GcPause.expected_checksum("default", &Params::new()).is_err());
}
