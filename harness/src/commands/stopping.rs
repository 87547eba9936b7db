//! The stopping rule `arena run` uses (docs/methodology.md, "Stopping early"): at the one round
//! `analyse::stopping::look_round` allows for a case's planned repetitions, every claim is
//! judged on the repetitions so far, and a case stops when each claim it feeds is supported or
//! contradicted. A case that feeds no claim never stops early. It must not run processes (that
//! is `measure::schedule`) nor decide the level a look costs (that is `analyse::stopping`).

use std::collections::BTreeMap;

use arena_results::{CaseStatus, ClaimVerdict as Verdict, RunRecord};

use crate::analyse::claims::ClaimSpec;
use crate::analyse::stopping::look_round;
use crate::analyse::summary;
use crate::measure::schedule::StopRule;
use crate::workloads::registry::REGISTRY;

pub struct ClaimsDecided<'a> {
    pub claims: &'a [ClaimSpec],
}

impl StopRule for ClaimsDecided<'_> {
    fn decided(&self, record: &RunRecord, round: u32) -> Vec<(String, String)> {
        let looking: Vec<&str> = record
            .cases
            .iter()
            .filter(|c| c.status == CaseStatus::Pending && look_round(c.repetitions_planned) == Some(round))
            .map(|c| c.case_id.as_str())
            .collect();
        if looking.is_empty() {
            return Vec::new();
        }
        let verdicts = verdicts_so_far(self.claims, record);
        // case id → (claim id, verdict) of every claim that judges the case's variant.
        let mut fed: BTreeMap<&str, Vec<(&str, Verdict)>> = BTreeMap::new();
        for (claim, verdict) in self.claims.iter().zip(&verdicts) {
            let Some(variants) = REGISTRY
                .get(&claim.workload)
                .and_then(|module| module.check_claim(claim).ok())
            else {
                continue;
            };
            for case in record
                .cases
                .iter()
                .filter(|c| c.workload == claim.workload && variants.contains(&c.variant))
            {
                fed.entry(&case.case_id).or_default().push((&claim.id, *verdict));
            }
        }
        looking
            .into_iter()
            .filter_map(|id| {
                let claims = fed.get(id)?;
                claims
                    .iter()
                    .all(|(_, v)| matches!(v, Verdict::Supported | Verdict::Contradicted))
                    .then(|| {
                        let list: Vec<String> =
                            claims.iter().map(|(c, v)| format!("{c} {}", v.label())).collect();
                        (
                            id.to_string(),
                            format!("every claim it feeds is decided ({})", list.join(", ")),
                        )
                    })
            })
            .collect()
    }
}

/// Every claim's verdict on the record as it stands: pending cases count with the repetitions
/// they have (their summaries made now, as when they finish).
fn verdicts_so_far(claims: &[ClaimSpec], record: &RunRecord) -> Vec<Verdict> {
    let mut now = record.clone();
    for case in now
        .cases
        .iter_mut()
        .filter(|c| c.status == CaseStatus::Pending && !c.repetitions.is_empty())
    {
        summary::complete(case);
    }
    match REGISTRY.derive(&now.cases) {
        Ok(derived) => now.derived = derived,
        Err(_) => return vec![Verdict::NotEnoughEvidence; claims.len()],
    }
    REGISTRY
        .judge_claims(claims, &now)
        .into_iter()
        .map(|judged| judged.verdict)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// http-io of run 20261207T183458Z-quick (`arena run --workload http-io`, 8 repetitions of
    /// the five servers pool-littles-law judges, 3 of rust/threads), load histograms left out.
    fn http_io_run() -> RunRecord {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/http-io-run/results.json"
        );
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// The run as it stood after `rounds` rounds: the judged servers pending, the rest done.
    fn after(rounds: usize) -> RunRecord {
        let mut record = http_io_run();
        for case in record.cases.iter_mut().filter(|c| c.repetitions_planned == 8) {
            case.repetitions.truncate(rounds);
            case.status = CaseStatus::Pending;
            case.summary = None;
        }
        record
    }

    fn claims() -> Vec<ClaimSpec> {
        crate::analyse::claims::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")))
            .unwrap()
    }

    #[test]
    fn the_servers_of_a_decided_claim_stop_at_their_look_and_only_then() {
        let claims = claims();
        let rule = ClaimsDecided { claims: &claims };
        let stopped = rule.decided(&after(6), 6);
        let ids: Vec<&str> = stopped.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids.len(), 5, "{stopped:?}");
        assert!(ids.iter().all(|id| !id.contains("rust/threads")));
        assert!(
            stopped[0].1 == "every claim it feeds is decided (pool-littles-law supported)",
            "{stopped:?}"
        );
        // 8 planned: the one look is at 6, never at 5 or 7.
        assert!(rule.decided(&after(5), 5).is_empty());
        assert!(rule.decided(&after(7), 7).is_empty());
    }

    #[test]
    fn an_undecided_claim_stops_nothing() {
        let claims = claims();
        let rule = ClaimsDecided { claims: &claims };
        // Two rounds only: no 95% interval yet, so pool-littles-law is not decided; the
        // look is still at 6, where nothing has been decided with a quarter of the data gone.
        let mut thin = after(6);
        for case in thin.cases.iter_mut().filter(|c| c.status == CaseStatus::Pending) {
            case.repetitions.truncate(2);
        }
        assert!(rule.decided(&thin, 6).is_empty());
    }
}
