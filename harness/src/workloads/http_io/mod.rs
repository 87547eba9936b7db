//! http-io, a server: memory per idle keep-alive connection, peak throughput on `/json`
//! (closed loop) and latency vs offered load on `/io?delay_ms=D` (open loop, rising rates until
//! it saturates). Owns its driver (`driver`), the verify checks of its endpoints, its figures
//! (`figures`), their tables, charts and citations (`present`), and the `capacity_near` claim
//! (Little's law for fixed pools). No checksum: every response is validated byte for byte.

pub mod driver;
pub mod figures;
pub mod present;

use std::sync::Arc;

use anyhow::Result;
use arena_results::{CaseRecord, RunRecord};
use serde::Deserialize;

use super::module::{load_settings, server_driver, Metric, WorkloadModule};
use crate::analyse::claims::{Bound, BoundChecks, ClaimContext, Interval, Judgement, Unit};
use crate::measure::judge::Params;
use crate::measure::load::testserver::{io_body, JSON_BODY};
use crate::measure::serve::Driver;
use crate::measure::verify::EndpointCheck;
use crate::plan::ServerLoad;
use crate::present::{Chart, Table};
use driver::{HttpIoDriver, HttpIoSettings};
use figures::HttpIoFigures;

pub const ID: &str = "http-io";

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum HttpIoClaim {
    /// `variant`'s /io capacity lies within `tolerance` of `expected_per_s` (Little's law),
    /// while every `versus` variant's capacity lies above that band.
    CapacityNear {
        variant: String,
        expected_per_s: f64,
        tolerance: f64,
        versus: Vec<String>,
    },
}

pub struct HttpIo;

/// Every endpoint of the contract (workloads/README.md) once, for `arena verify`.
fn verify_checks() -> Vec<EndpointCheck> {
    vec![
        EndpointCheck::new("/json", 200, Some(JSON_BODY.into())),
        EndpointCheck::new("/io?id=7&delay_ms=10", 200, Some(io_body(7))),
        EndpointCheck::new("/io?id=2147483647&delay_ms=0", 200, Some(io_body(2_147_483_647))),
        EndpointCheck::new("/nope", 404, None),
        EndpointCheck::new("/io?id=x&delay_ms=1", 400, None),
    ]
}

impl WorkloadModule for HttpIo {
    type Figures = Vec<HttpIoFigures>;
    type Claim = HttpIoClaim;

    fn id(&self) -> &'static str {
        ID
    }

    fn is_server(&self) -> bool {
        true
    }

    fn expected_checksum(&self, _model: &str, _params: &Params) -> Result<Option<String>, String> {
        Ok(None)
    }

    fn check_load(&self, table: Option<&toml::Value>) -> Result<()> {
        load_settings::<HttpIoSettings>(table).map(|_| ())
    }

    fn driver(&self, load: &ServerLoad) -> Result<Arc<dyn Driver>> {
        server_driver(load, verify_checks, HttpIoDriver::new)
    }

    fn derive(&self, cases: &[&CaseRecord]) -> Vec<HttpIoFigures> {
        figures::derive(cases)
    }

    fn tables(&self, figures: &Vec<HttpIoFigures>) -> Vec<Table> {
        present::tables(figures)
    }

    fn charts(&self, figures: &Vec<HttpIoFigures>, _record: &RunRecord) -> Vec<Chart> {
        present::charts(figures)
    }

    fn headlines(&self, figures: &Vec<HttpIoFigures>) -> Vec<crate::analyse::trend::Headline> {
        let mut out = Vec::new();
        for f in figures {
            if let Some(e) = &f.bytes_per_idle_connection {
                out.push(crate::analyse::trend::Headline::of(
                    "memory per idle connection [KiB]",
                    f.variant.clone(),
                    e,
                    1024.0,
                ));
            }
            if let Some(e) = &f.io_capacity_per_s {
                out.push(crate::analyse::trend::Headline::of(
                    "/io capacity [requests/s]",
                    f.variant.clone(),
                    e,
                    1.0,
                ));
            }
        }
        out
    }

    fn metrics(&self) -> Vec<Metric<Vec<HttpIoFigures>>> {
        present::metrics()
    }

    fn claim_variants(&self, claim: &HttpIoClaim) -> Vec<String> {
        let HttpIoClaim::CapacityNear { variant, versus, .. } = claim;
        std::iter::once(variant).chain(versus).cloned().collect()
    }

    fn judge_claim(
        &self,
        claim: &HttpIoClaim,
        figures: &Vec<HttpIoFigures>,
        _ctx: &ClaimContext,
    ) -> Judgement {
        let HttpIoClaim::CapacityNear {
            variant,
            expected_per_s,
            tolerance,
            versus,
        } = claim;
        capacity_near(figures, variant, *expected_per_s, *tolerance, versus)
    }
}

/// Decided on the capacity's interval over repetitions: the pool's inside the band, every other
/// variant's above it (one family: `BoundChecks`).
fn capacity_near(
    figures: &[HttpIoFigures],
    variant: &str,
    expected: f64,
    tolerance: f64,
    versus: &[String],
) -> Judgement {
    let (low_band, high_band) = (expected * (1.0 - tolerance), expected * (1.0 + tolerance));
    let per_s = Unit {
        name: "req/s",
        per: 1.0,
        decimals: 0,
    };
    let mut checks = BoundChecks::new();
    let wanted = std::iter::once((variant, Bound::Within(low_band, high_band)))
        .chain(versus.iter().map(|v| (v.as_str(), Bound::Above(high_band))));
    for (name, bound) in wanted {
        let found = figures.iter().find(|f| f.variant == name);
        let Some((f, cap)) = found.and_then(|f| Some((f, f.io_capacity_per_s.as_ref()?))) else {
            checks.missing(format!("{name}: no /io capacity (no valid sweep)"));
            continue;
        };
        let saturated = f
            .first_saturated_target_per_s
            .map_or("never saturated in the sweep".to_string(), |t| {
                format!("saturated at {t:.0}/s")
            });
        checks.interval(
            format!("{name}: /io capacity ({saturated})"),
            Interval::of(cap),
            bound,
            per_s,
        );
    }
    checks.verdict()
}

#[cfg(test)]
mod claim_tests {
    use super::*;
    use crate::analyse::claims::Verdict;
    use arena_results::Estimate;

    fn figures(variant: &str, capacity: Option<(f64, f64, f64)>, n: u32, level: f64) -> HttpIoFigures {
        HttpIoFigures {
            variant: variant.into(),
            bytes_per_idle_connection: None,
            idle_points: vec![],
            peak_json_rate_per_s: None,
            peak_server_cpu_ns_per_request: None,
            peak_generator_bound_repetitions: 0,
            io_capacity_per_s: capacity.map(|(median, ci_low, ci_high)| Estimate {
                median,
                ci_low,
                ci_high,
                ci_level: level,
                n,
                outliers: 0,
            }),
            first_saturated_target_per_s: Some(4000.0),
            sweep_delay_ms: Some(50.0),
            sweep: vec![],
        }
    }

    fn verdict(pool: (f64, f64, f64), other: (f64, f64, f64), n: u32, level: f64) -> Verdict {
        let figures = [
            figures("java/pool", Some(pool), n, level),
            figures("go/net-http", Some(other), n, level),
        ];
        capacity_near(&figures, "java/pool", 4000.0, 0.2, &["go/net-http".into()]).verdict
    }

    #[test]
    fn capacity_near_supports_contradicts_or_needs_more_evidence() {
        let (far_above, in_band) = ((9000.0, 8800.0, 9200.0), (3950.0, 3900.0, 4050.0));
        // 8 repetitions: [min, max] covers 99.2%, enough for a family of two (97.5%).
        assert_eq!(verdict(in_band, far_above, 8, 0.992), Verdict::Supported);
        assert_eq!(
            verdict((2000.0, 1900.0, 2100.0), far_above, 8, 0.992),
            Verdict::Contradicted,
            "the pool saturates far below Little's law"
        );
        assert_eq!(
            verdict(in_band, in_band, 8, 0.992),
            Verdict::Contradicted,
            "another server saturates in the band too"
        );
        assert_eq!(
            verdict((3500.0, 3000.0, 4500.0), far_above, 8, 0.992),
            Verdict::NotEnoughEvidence,
            "the interval straddles the band's edge"
        );
        assert_eq!(
            verdict((2000.0, 1900.0, 2100.0), far_above, 6, 0.969),
            Verdict::NotEnoughEvidence,
            "96.9% cannot contradict a family of two"
        );
        assert_eq!(verdict(in_band, far_above, 3, 0.75), Verdict::NotEnoughEvidence);
        let missing = [
            figures("java/pool", Some(in_band), 8, 0.992),
            figures("go/net-http", None, 8, 0.992),
        ];
        let judged = capacity_near(&missing, "java/pool", 4000.0, 0.2, &["go/net-http".into()]);
        assert_eq!(judged.verdict, Verdict::NotEnoughEvidence);
        assert!(judged
            .evidence
            .iter()
            .any(|e| e.contains("go/net-http: no /io capacity")));
    }
}
