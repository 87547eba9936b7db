//! The family machinery against known order statistics and simulated error rates.

use super::*;

#[test]
fn bound_checks_combine() {
    let verdict = |checks: &[(bool, bool)], missing: bool| {
        let mut b = BoundChecks::new();
        for (pass, fail) in checks {
            b.check(0.999, *pass, *fail, String::new());
        }
        if missing {
            b.missing(String::new());
        }
        b.verdict().verdict
    };
    assert_eq!(
        verdict(&[(true, false), (true, false)], false),
        Verdict::Supported
    );
    assert_eq!(
        verdict(&[(true, false), (false, true)], false),
        Verdict::Contradicted
    );
    assert_eq!(
        verdict(&[(true, false), (false, false)], false),
        Verdict::NotEnoughEvidence
    );
    assert_eq!(verdict(&[(true, false)], true), Verdict::NotEnoughEvidence);
    assert_eq!(verdict(&[], false), Verdict::NotEnoughEvidence, "nothing checked");
    let mut weak = BoundChecks::new();
    weak.check(0.75, true, false, "x".into());
    let judged = weak.verdict();
    assert_eq!(
        judged.verdict,
        Verdict::NotEnoughEvidence,
        "a 75% interval carries no verdict"
    );
    assert!(judged.evidence[0].contains("75%"), "{:?}", judged.evidence);
    // A 96.9% interval that fails decides a family of one, not a family of two (97.5%).
    let mut two = BoundChecks::new();
    two.check(0.969, false, true, "a".into());
    two.check(0.969, true, false, "b".into());
    let judged = two.verdict();
    assert_eq!(judged.verdict, Verdict::NotEnoughEvidence);
    assert!(judged.evidence[0].contains("97.5%"), "{:?}", judged.evidence);
}

/// A deterministic generator (xorshift), so that the simulations are reproducible.
fn uniforms(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn median_interval_states_the_coverage_it_has() {
    // Known order statistics: n = 6 → [min, max] at 1 − 2/64; n = 10 at 95% → [x(2), x(9)]
    // with 1 − 2·11/1024.
    let six: Vec<f64> = (1..=6).map(f64::from).collect();
    let i = median_interval(&six, 0.95).unwrap();
    assert_eq!((i.low, i.high), (1.0, 6.0));
    assert!((i.level - (1.0 - 2.0 / 64.0)).abs() < 1e-12);
    assert!(
        median_interval(&six, 0.9875).is_none(),
        "6 values cannot reach 98.75%"
    );
    let ten: Vec<f64> = (1..=10).map(f64::from).collect();
    let i = median_interval(&ten, 0.95).unwrap();
    assert_eq!((i.low, i.high), (2.0, 9.0));
    assert!((i.level - (1.0 - 22.0 / 1024.0)).abs() < 1e-12);
    // Large n stays finite (log space).
    let many: Vec<f64> = (0..5000).map(f64::from).collect();
    let i = median_interval(&many, 0.999).unwrap();
    assert!(i.low > 2300.0 && i.high < 2700.0 && i.level >= 0.999, "{i:?}");
    // Simulated coverage of a skewed distribution's median (exponential, median ln 2) at
    // n = 12 and the level a family of 4 needs: at least the stated level, within noise.
    let mut u = uniforms(7);
    let (trials, mut covered, mut stated) = (20_000, 0, 0.0);
    for _ in 0..trials {
        let values: Vec<f64> = (0..12).map(|_| -(1.0 - u()).ln()).collect();
        let i = median_interval(&values, 0.9875).unwrap();
        stated = i.level;
        covered += usize::from(i.low <= std::f64::consts::LN_2 && std::f64::consts::LN_2 <= i.high);
    }
    let coverage = covered as f64 / trials as f64;
    // Standard error at 20,000 trials ≈ 0.0008: 3 of them either side.
    assert!(
        (coverage - stated).abs() < 0.003,
        "coverage {coverage} vs stated {stated}"
    );
}

/// Simulated false-contradiction rate of a family whose every true median sits exactly on
/// its threshold: at most the family error (5%), where the uncorrected rule (any 95%
/// interval failing) exceeds it.
fn false_contradictions(checks: usize, n: usize, corrected: bool) -> f64 {
    let mut u = uniforms(11 + checks as u64);
    let trials = 4000;
    let mut contradicted = 0;
    for _ in 0..trials {
        let mut family = BoundChecks::new();
        for c in 0..checks {
            // Values with median exactly 1.0 (uniform on [0.5, 1.5]).
            let values: Vec<f64> = (0..n).map(|_| 0.5 + u()).collect();
            if corrected {
                family.values(format!("{c}"), values, Bound::AtLeast(1.0), TIMES);
            } else {
                let i = median_interval(&values, 0.95).unwrap();
                family.check(i.level, i.low >= 1.0, i.high < 1.0, String::new());
            }
        }
        let verdict = if corrected {
            family.verdict().verdict
        } else {
            // The old rule: any 95% interval failing contradicts.
            let judged = family.verdict();
            if judged.evidence.iter().any(|e| e.contains("fails its bound")) {
                Verdict::Contradicted
            } else {
                judged.verdict
            }
        };
        contradicted += usize::from(verdict == Verdict::Contradicted);
    }
    contradicted as f64 / trials as f64
}

#[test]
fn contradiction_keeps_its_family_wise_error_at_five_percent() {
    // 8 checks of 20 rounds each: corrected ≤ 5% (plus 3 standard errors of 4,000 trials).
    let corrected = false_contradictions(8, 20, true);
    assert!(corrected <= 0.05 + 0.01, "corrected rate {corrected}");
    let uncorrected = false_contradictions(8, 20, false);
    assert!(
        uncorrected > 0.08,
        "the uncorrected rule must show the inflation this guards against: {uncorrected}"
    );
}

#[test]
fn too_few_values_for_the_family_level_is_not_enough_evidence_and_says_so() {
    // Four checks need 98.75% to contradict; 6 values reach 96.9% at most.
    let mut family = BoundChecks::new();
    for c in 0..4 {
        family.values(
            format!("k{c}"),
            vec![0.5, 0.6, 0.55, 0.52, 0.58, 0.61],
            Bound::AtLeast(1.0),
            TIMES,
        );
    }
    let judged = family.verdict();
    assert_eq!(judged.verdict, Verdict::NotEnoughEvidence);
    assert!(judged.evidence[0].contains("98.75%"), "{:?}", judged.evidence);
    assert!(judged.evidence.last().unwrap().contains("family of 4 checks"));
    assert_eq!(judged.family.checks, 4);
    // Eight values (99.2% at [min, max]) may contradict.
    let mut family = BoundChecks::new();
    for c in 0..4 {
        family.values(
            format!("k{c}"),
            vec![0.5, 0.6, 0.55, 0.52, 0.58, 0.61, 0.5, 0.6],
            Bound::AtLeast(1.0),
            TIMES,
        );
    }
    let judged = family.verdict();
    assert_eq!(judged.verdict, Verdict::Contradicted);
    assert_eq!(judged.intervals.len(), 4);
    assert_eq!(judged.intervals[0].outcome, CheckOutcome::Fails);
    // Every check holding at 95% supports, whatever the family's size.
    let mut family = BoundChecks::new();
    for c in 0..4 {
        family.values(
            format!("k{c}"),
            vec![1.5, 1.6, 1.55, 1.52, 1.58, 1.61],
            Bound::AtLeast(1.0),
            TIMES,
        );
    }
    assert_eq!(family.verdict().verdict, Verdict::Supported);
    // A tie does not pass a strict bound.
    let mut tie = BoundChecks::new();
    tie.values("t", vec![1.0; 8], Bound::Above(1.0), TIMES);
    assert_eq!(tie.verdict().verdict, Verdict::Contradicted);
}
