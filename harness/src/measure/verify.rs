//! `arena verify` for servers: every endpoint check a workload lists, once, on one keep-alive
//! connection, each status and body compared byte for byte, then `/stats` must count them. No
//! timing. The checks themselves belong to each server workload's module; this runs them.

use std::time::Duration;

use arena_results::FailureKind;

use super::load::{self, Expectation, PreparedRequest};
use super::serve::{fetch_stats, DriveOutcome, Driver, ServerContext};

/// One request of `arena verify` and the exact answer the contract requires.
#[derive(Debug, Clone)]
pub struct EndpointCheck {
    pub path: String,
    pub status: u16,
    /// The exact body, or None for "any body" (error statuses).
    pub body: Option<String>,
}

impl EndpointCheck {
    pub fn new(path: &str, status: u16, body: Option<String>) -> EndpointCheck {
        EndpointCheck {
            path: path.into(),
            status,
            body,
        }
    }
}

#[derive(Debug)]
pub struct VerifyDriver {
    checks: Vec<EndpointCheck>,
    /// How many of the checks count towards `/stats.requests` at least.
    counted: i64,
}

impl VerifyDriver {
    pub fn new(checks: Vec<EndpointCheck>) -> VerifyDriver {
        let counted = checks.iter().filter(|c| c.status == 200).count() as i64;
        VerifyDriver { checks, counted }
    }
}

impl Driver for VerifyDriver {
    fn drive(&self, ctx: &ServerContext) -> DriveOutcome {
        let mut outcome = DriveOutcome::default();
        let mut problems = Vec::new();
        for EndpointCheck { path, status, body } in &self.checks {
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
