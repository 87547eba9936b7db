//! `arena verify` for servers: every endpoint of the workload once, on one keep-alive
//! connection, each status and body compared byte for byte with what the contract says
//! (workloads/README.md), then `/stats` must count them. No timing.

use std::time::Duration;

use arena_results::FailureKind;

use super::{fetch_stats, DriveOutcome, Driver, ServerContext};
use crate::load::testserver::{io_body, JSON_BODY};
use crate::load::{self, Expectation, PreparedRequest};
use crate::reference;

#[derive(Debug)]
pub struct VerifyDriver {
    /// (path, status, exact body or None for "any body")
    checks: Vec<(String, u16, Option<String>)>,
    /// How many of the checks count towards `/stats.requests` at least.
    counted: i64,
}

impl VerifyDriver {
    pub fn new(workload: &str) -> VerifyDriver {
        let checks: Vec<(String, u16, Option<String>)> = match workload {
            "http-io" => vec![
                ("/json".into(), 200, Some(JSON_BODY.into())),
                ("/io?id=7&delay_ms=10".into(), 200, Some(io_body(7))),
                (
                    "/io?id=2147483647&delay_ms=0".into(),
                    200,
                    Some(io_body(2_147_483_647)),
                ),
                ("/nope".into(), 404, None),
                ("/io?id=x&delay_ms=1".into(), 400, None),
            ],
            _ => vec![
                ("/ping".into(), 200, Some("pong".into())),
                (
                    "/cpu?items=1000&chunk=3".into(),
                    200,
                    Some(reference::cpu_scale_partial(3, 1000).to_string()),
                ),
                (
                    "/cpu?items=20000&chunk=11".into(),
                    200,
                    Some(reference::cpu_scale_partial(11, 20_000).to_string()),
                ),
                ("/nope".into(), 404, None),
                ("/cpu?items=x&chunk=1".into(), 400, None),
            ],
        };
        let counted = checks.iter().filter(|c| c.1 == 200).count() as i64;
        VerifyDriver { checks, counted }
    }
}

impl Driver for VerifyDriver {
    fn drive(&self, ctx: &ServerContext) -> DriveOutcome {
        let mut outcome = DriveOutcome::default();
        let mut problems = Vec::new();
        for (path, status, body) in &self.checks {
            let request = PreparedRequest::get(
                ctx.addr,
                path,
                Expectation {
                    status: *status,
                    body: body.as_ref().map(|b| b.as_bytes().to_vec()),
                },
            );
            match load::fetch_once(ctx.addr, path, Duration::from_secs(10)) {
                Ok((got_status, got_body)) => {
                    if let Err(mismatch) = request.validate(got_status, &got_body) {
                        problems.push(format!(
                            "GET {path}: wrong {} (got {got_status} {:?}, expected {status} {:?})",
                            mismatch.kind(),
                            String::from_utf8_lossy(&got_body)
                                .chars()
                                .take(80)
                                .collect::<String>(),
                            body.as_deref().unwrap_or("any body"),
                        ));
                    }
                }
                Err(e) => problems.push(format!("{e:#}")),
            }
        }
        match fetch_stats(ctx.addr) {
            Ok(stats) => match stats.get("requests") {
                Some(n) if *n >= self.counted => {}
                Some(n) => problems.push(format!(
                    "/stats says requests={n}, but {} requests were answered",
                    self.counted
                )),
                None => problems.push("/stats has no integer `requests` field".into()),
            },
            Err(e) => problems.push(format!("{e:#}")),
        }
        if !problems.is_empty() {
            outcome.failure = Some((FailureKind::WrongResponse, problems.join("; ")));
        }
        outcome
    }
}
