//! sleep-tasks' `memory_ratio_at_least` claim: one case that must be supported, one
//! contradicted, and ones with too little evidence.

use super::*;

fn memory(variant: &str, bytes: f64, low: f64, high: f64, level: f64) -> TaskMemory {
    TaskMemory {
        variant: variant.into(),
        bytes_per_task: Some(bytes),
        bytes_per_task_ci_low: Some(low),
        bytes_per_task_ci_high: Some(high),
        bytes_per_task_ci_level: Some(level),
        lack_of_fit_p: None,
        baseline_bytes: Some(1e6),
        tasks_reached: vec![1000, 10_000],
        largest_tasks_reached: Some(10_000),
        first_failed_tasks: None,
        first_failure: None,
        points: vec![],
    }
}

fn verdict(dear: (f64, f64, f64), cheap: (f64, f64, f64), level: f64) -> Verdict {
    let all = [
        memory("rust/threads", dear.0, dear.1, dear.2, level),
        memory("rust/tokio", cheap.0, cheap.1, cheap.2, level),
    ];
    memory_ratio(&all, &["rust/threads".into()], &["rust/tokio".into()], 3.0).verdict
}

#[test]
fn memory_ratio_supports_contradicts_or_needs_more_evidence() {
    let cheap = (100.0, 90.0, 110.0);
    assert_eq!(verdict((8000.0, 7500.0, 8500.0), cheap, 0.95), Verdict::Supported);
    assert_eq!(
        verdict((150.0, 140.0, 160.0), cheap, 0.95),
        Verdict::Contradicted,
        "the dear one costs 1.5×, not 3×"
    );
    assert_eq!(
        verdict((300.0, 200.0, 400.0), cheap, 0.95),
        Verdict::NotEnoughEvidence,
        "the intervals straddle 3×"
    );
    assert_eq!(
        verdict((8000.0, 7500.0, 8500.0), cheap, 0.75),
        Verdict::NotEnoughEvidence,
        "a 75% interval decides nothing"
    );
    let judged = memory_ratio(&[], &["rust/threads".into()], &["rust/tokio".into()], 3.0);
    assert_eq!(judged.verdict, Verdict::NotEnoughEvidence);
}
