//! The rust `first-response` workload (model `default`): hyper 1 on a tokio multi-thread
//! runtime with tokio's default settings, answering `GET /ping` with `pong`, `/stats` (the
//! shared server layer) and 404 for everything else, on 127.0.0.1:<port>.
//! It must not tune the runtime (its defaults are what is measured), do work before `ready`
//! beyond binding, or print anything but the ready event.

use bytes::Bytes;

use crate::protocol::{Params, UsageError};
use crate::server::{self, hyper_tokio, AsyncHandler, Outcome, Response, Target};

/// The parameters of `first-response default`.
pub const KEYS: &[&str] = &["port"];

const PONG_BODY: &[u8] = b"pong";

/// `first-response default`.
pub fn run(params: &Params) -> Result<(), UsageError> {
    let port = server::port_from(params)?;
    let error = hyper_tokio::serve_on_default_runtime(port, Pong, server::emit_ready);
    server::exit_not_started(&error)
}

/// The one route: `/ping`.
struct Pong;

impl AsyncHandler for Pong {
    async fn respond(&self, target: Target<'_>) -> Outcome {
        Ok(match target.path {
            "/ping" => Response::text(Bytes::from_static(PONG_BODY)),
            _ => Response::not_found(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::server::tests::{start_in_background, TestClient};

    #[test]
    fn the_server_answers_ping_stats_and_404() {
        let address =
            start_in_background(|on_ready| hyper_tokio::serve_on_default_runtime(0, Pong, on_ready));
        let mut client = TestClient::connect(address);
        client.expect_ok("/stats", br#"{"requests":0,"connections":1}"#);
        client.expect_ok("/ping", b"pong");
        client.expect_status("/nope", 404);
        client.expect_ok("/ping", b"pong");
        client.expect_ok("/stats", br#"{"requests":3,"connections":1}"#);
    }
}
