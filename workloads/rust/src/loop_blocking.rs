//! The rust variants of the loop-blocking workload: the routes (`/ping`, `/cpu`, shared by both
//! models) on the hyper/tokio server with `workers` worker threads, and where `/cpu` runs the
//! cpu-scale kernel: `inline` calls it in the request's task and blocks that worker (on
//! purpose), `blocking` hands it to `tokio::task::spawn_blocking` (tokio's default blocking
//! pool) and awaits it.
//! It must not use any kernel but `chunk_hash::partial`, cache results, or block a worker in
//! `blocking`.

use bytes::Bytes;

use crate::chunk_hash::partial;
use crate::protocol::{Params, UsageError};
use crate::server::{self, hyper_tokio, AsyncHandler, BadRequest, Outcome, Response, Target};

/// The parameters of both variants (`workers`: tokio worker threads).
pub const KEYS: &[&str] = &["port", "workers"];

const PONG_BODY: &[u8] = b"pong";

/// `loop-blocking inline`.
pub fn run_inline(params: &Params) -> Result<(), UsageError> {
    run(params, KernelInline)
}

/// `loop-blocking blocking`.
pub fn run_blocking(params: &Params) -> Result<(), UsageError> {
    run(params, KernelOnBlockingPool)
}

fn run(params: &Params, handler: impl AsyncHandler) -> Result<(), UsageError> {
    let port = server::port_from(params)?;
    let error = hyper_tokio::serve(port, params.get("workers"), handler, server::emit_ready);
    server::exit_not_started(&error)
}

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Ping,
    /// `partial(chunk, items)` of the cpu-scale kernel.
    Cpu {
        chunk: usize,
        items: usize,
    },
    NotFound,
}

fn route(target: Target<'_>) -> Result<Route, BadRequest> {
    Ok(match target.path {
        "/ping" => Route::Ping,
        // u32 → usize is lossless on every supported (32- or 64-bit) target.
        "/cpu" => Route::Cpu {
            items: target.query_int("items")? as usize,
            chunk: target.query_int("chunk")? as usize,
        },
        _ => Route::NotFound,
    })
}

/// The decimal value of one partial as the response body.
fn cpu_response(partial: u32) -> Response {
    Response::text(partial.to_string())
}

/// `inline`: the kernel runs in the request's task; its worker does nothing else meanwhile.
struct KernelInline;

impl AsyncHandler for KernelInline {
    async fn respond(&self, target: Target<'_>) -> Outcome {
        Ok(match route(target)? {
            Route::Ping => Response::text(Bytes::from_static(PONG_BODY)),
            Route::Cpu { chunk, items } => cpu_response(partial(chunk, items)),
            Route::NotFound => Response::not_found(),
        })
    }
}

/// `blocking`: the kernel runs on tokio's blocking pool; the request's task parks meanwhile.
struct KernelOnBlockingPool;

impl AsyncHandler for KernelOnBlockingPool {
    async fn respond(&self, target: Target<'_>) -> Outcome {
        Ok(match route(target)? {
            Route::Ping => Response::text(Bytes::from_static(PONG_BODY)),
            Route::Cpu { chunk, items } => {
                let computed = tokio::task::spawn_blocking(move || partial(chunk, items))
                    .await
                    .expect("the /cpu kernel panicked");
                cpu_response(computed)
            }
            Route::NotFound => Response::not_found(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    use crate::server::tests::{start_in_background, TestClient};

    #[test]
    fn routes_read_items_and_chunk() {
        assert_eq!(
            route(Target::parse("/cpu?items=1000&chunk=3")),
            Ok(Route::Cpu {
                chunk: 3,
                items: 1000
            })
        );
        assert_eq!(route(Target::parse("/ping")), Ok(Route::Ping));
        assert_eq!(route(Target::parse("/pong")), Ok(Route::NotFound));
        assert_eq!(route(Target::parse("/cpu?items=1000")), Err(BadRequest));
        assert_eq!(route(Target::parse("/cpu?items=x&chunk=3")), Err(BadRequest));
    }

    #[test]
    fn cpu_bodies_are_the_decimal_partial() {
        assert_eq!(&cpu_response(partial(3, 1000)).body[..], b"3978560205");
    }

    fn check_server(address: SocketAddr) {
        let mut client = TestClient::connect(address);
        client.expect_ok("/ping", b"pong");
        client.expect_ok("/cpu?items=1000&chunk=3", b"3978560205");
        client.expect_status("/nope", 404);
        client.expect_status("/cpu?items=1000&chunk=x", 400);
        client.expect_ok("/stats", br#"{"requests":4,"connections":1}"#);
    }

    #[test]
    fn the_inline_server_answers_byte_exact() {
        check_server(start_in_background(|on_ready| {
            hyper_tokio::serve(0, 1, KernelInline, on_ready)
        }));
    }

    #[test]
    fn the_blocking_server_answers_byte_exact() {
        check_server(start_in_background(|on_ready| {
            hyper_tokio::serve(0, 1, KernelOnBlockingPool, on_ready)
        }));
    }
}
