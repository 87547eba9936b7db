//! The rust variants of the http-io workload: the routes and bodies (`/json`, `/io`, shared by
//! both models so that they write the same bytes) and the two models, `tokio` (hyper on a
//! `workers`-thread tokio runtime, the wait a `tokio::time::sleep` timer) and `threads` (a
//! `std::thread` per connection, the wait a `std::thread::sleep` that holds the thread, as a
//! blocking database driver would).
//! It must not cache /io responses (each body is computed from its request's id), wait by any
//! other means than its model's sleep, or print anything but the ready event.

use std::thread;
use std::time::Duration;

use bytes::Bytes;

use crate::protocol::{Params, UsageError};
use crate::server::{self, hyper_tokio, threads, AsyncHandler, BlockingHandler, Outcome, Response, Target};

/// The parameters of `http-io tokio`.
pub const TOKIO_KEYS: &[&str] = &["port", "workers"];
/// The parameters of `http-io threads`.
pub const THREADS_KEYS: &[&str] = &["port"];

const HELLO_BODY: &[u8] = br#"{"message":"Hello, World!"}"#;
/// Multiplicative hashing: the contract's H = N × this mod 2^32.
const KNUTH_MULTIPLIER: u32 = 2_654_435_761;

/// `http-io tokio`.
pub fn run_tokio(params: &Params) -> Result<(), UsageError> {
    let port = server::port_from(params)?;
    let error = hyper_tokio::serve(port, params.get("workers"), WaitOnTimer, server::emit_ready);
    server::exit_not_started(&error)
}

/// `http-io threads`.
pub fn run_threads(params: &Params) -> Result<(), UsageError> {
    let port = server::port_from(params)?;
    let error = threads::serve(port, HoldThread, server::emit_ready);
    server::exit_not_started(&error)
}

/// `{"id":N,"hash":H}` with H = (N × 2654435761) mod 2^32.
fn io_body(id: u32) -> String {
    let hash = id.wrapping_mul(KNUTH_MULTIPLIER);
    format!(r#"{{"id":{id},"hash":{hash}}}"#)
}

/// What a request asks for: how long to wait, then which response to write. Both bodies are
/// pure functions of the request, so they are computed here, once per request; the model then
/// waits with its own sleep and writes.
#[derive(Debug, PartialEq, Eq)]
struct Planned {
    wait: Duration,
    response: Response,
}

fn route(target: Target<'_>) -> Result<Planned, server::BadRequest> {
    let now = |response| Planned {
        wait: Duration::ZERO,
        response,
    };
    match target.path {
        "/json" => Ok(now(Response::json(Bytes::from_static(HELLO_BODY)))),
        "/io" => {
            let id = target.query_int("id")?;
            let delay_ms = target.query_int("delay_ms")?;
            Ok(Planned {
                wait: Duration::from_millis(delay_ms.into()),
                response: Response::json(io_body(id)),
            })
        }
        _ => Ok(now(Response::not_found())),
    }
}

/// `tokio`: the wait is a timer on the runtime; the request's task parks, its worker goes on.
struct WaitOnTimer;

impl AsyncHandler for WaitOnTimer {
    async fn respond(&self, target: Target<'_>) -> Outcome {
        let Planned { wait, response } = route(target)?;
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        Ok(response)
    }
}

/// `threads`: the wait holds the connection's thread.
struct HoldThread;

impl BlockingHandler for HoldThread {
    fn respond(&self, target: Target<'_>) -> Outcome {
        let Planned { wait, response } = route(target)?;
        if !wait.is_zero() {
            thread::sleep(wait);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    use crate::server::tests::{start_in_background, TestClient};

    #[test]
    fn io_bodies_follow_the_contract() {
        assert_eq!(io_body(7), r#"{"id":7,"hash":1401181143}"#);
        assert_eq!(io_body(0), r#"{"id":0,"hash":0}"#);
        // (2^31 - 1) × 2654435761 mod 2^32, computed with arbitrary-precision integers.
        assert_eq!(io_body(2_147_483_647), r#"{"id":2147483647,"hash":3788015183}"#);
    }

    #[test]
    fn routes_plan_the_wait_and_the_body() {
        let planned = route(Target::parse("/io?delay_ms=10&id=7")).unwrap();
        assert_eq!(planned.wait, Duration::from_millis(10));
        assert_eq!(&planned.response.body[..], br#"{"id":7,"hash":1401181143}"#);
        let planned = route(Target::parse("/json?ignored=1")).unwrap();
        assert_eq!(planned.wait, Duration::ZERO);
        assert_eq!(&planned.response.body[..], HELLO_BODY);
        assert_eq!(HELLO_BODY.len(), 27);
        let planned = route(Target::parse("/nope")).unwrap();
        assert_eq!(planned.response, Response::not_found());
        assert!(route(Target::parse("/io?id=7")).is_err());
        assert!(route(Target::parse("/io?id=x&delay_ms=1")).is_err());
    }

    fn check_server(address: SocketAddr) {
        let mut client = TestClient::connect(address);
        client.expect_ok("/json", br#"{"message":"Hello, World!"}"#);
        client.expect_ok("/io?id=7&delay_ms=10", br#"{"id":7,"hash":1401181143}"#);
        client.expect_ok(
            "/io?id=2147483647&delay_ms=0",
            br#"{"id":2147483647,"hash":3788015183}"#,
        );
        client.expect_status("/nope", 404);
        client.expect_status("/io?id=x&delay_ms=1", 400);
        client.expect_ok("/stats", br#"{"requests":5,"connections":1}"#);
    }

    #[test]
    fn the_tokio_server_answers_byte_exact() {
        check_server(start_in_background(|on_ready| {
            hyper_tokio::serve(0, 1, WaitOnTimer, on_ready)
        }));
    }

    #[test]
    fn the_threads_server_answers_byte_exact() {
        check_server(start_in_background(|on_ready| {
            threads::serve(0, HoldThread, on_ready)
        }));
    }
}
