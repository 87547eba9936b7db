//! The hyper/tokio connection model (http-io `tokio`, loop-blocking `inline` and `blocking`,
//! first-response): a multi-thread tokio runtime with `workers` worker threads (or, for
//! first-response, tokio's defaults), a `tokio::net::TcpListener` on
//! 127.0.0.1 with the contract's backlog, and `hyper::server::conn::http1` serving each
//! accepted connection as its own task, keep-alive on and no timeout on idle connections.
//! It must not know a workload's routes (the `AsyncHandler` has them), do anything on the
//! calling thread but binding (accepting and every request run on the runtime's workers), or
//! block a worker itself (a handler may, where its variant says so).

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket};

use super::{listen_address, AsyncHandler, Dispatch, Response, Server, LISTEN_BACKLOG};

/// How long the accept loop pauses after a failed accept (typically EMFILE: out of file
/// descriptors), so that it does not spin while the error persists.
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(10);

/// Builds the runtime, binds, calls `on_ready` with the bound address once the server can
/// answer, and serves forever. Returns only if the runtime cannot be built or binding fails.
pub fn serve<H: AsyncHandler>(
    port: u16,
    workers: usize,
    handler: H,
    on_ready: impl FnOnce(SocketAddr),
) -> io::Error {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_io()
        .enable_time()
        .build()
    {
        Ok(runtime) => serve_on(&runtime, port, handler, on_ready),
        Err(error) => error,
    }
}

/// As `serve`, on the runtime `tokio::runtime::Runtime::new()` builds: multi-thread, one
/// worker per core, every driver enabled, nothing tuned (first-response measures the defaults).
pub fn serve_on_default_runtime<H: AsyncHandler>(
    port: u16,
    handler: H,
    on_ready: impl FnOnce(SocketAddr),
) -> io::Error {
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => serve_on(&runtime, port, handler, on_ready),
        Err(error) => error,
    }
}

/// Binds, calls `on_ready`, and serves forever on `runtime`; returns only if binding fails.
fn serve_on<H: AsyncHandler>(
    runtime: &tokio::runtime::Runtime,
    port: u16,
    handler: H,
    on_ready: impl FnOnce(SocketAddr),
) -> io::Error {
    runtime.block_on(async {
        let listener = match bind(port) {
            Ok(listener) => listener,
            Err(error) => return error,
        };
        let address = match listener.local_addr() {
            Ok(address) => address,
            Err(error) => return error,
        };
        let server = Arc::new(Server::new(handler));
        // The listener is already listening: connections queue in its backlog until the
        // accept loop runs, so the server can answer as soon as this event is out.
        on_ready(address);
        // Spawned rather than awaited here so that accepting, like every request, runs on the
        // `workers` threads and not on the thread that called block_on.
        tokio::spawn(accept_forever(listener, server))
            .await
            .expect("the accept loop panicked")
    })
}

/// A `tokio::net::TcpListener` on 127.0.0.1 with the contract's listen backlog (which
/// `TcpListener::bind` does not let us choose).
fn bind(port: u16) -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(listen_address(port))?;
    socket.listen(LISTEN_BACKLOG)
}

async fn accept_forever<H: AsyncHandler>(listener: TcpListener, server: Arc<Server<H>>) -> io::Error {
    let mut connections = http1::Builder::new();
    // Keep-alive is hyper's default; stated because the workload depends on it. hyper's
    // header_read_timeout (30 s by default) also runs while an idle keep-alive connection
    // waits for its next request and closes it; it only takes effect with a timer, and none is
    // set here, but it is switched off explicitly so that no later change to the builder can
    // close the idle connections the contract keeps open for at least 120 s.
    connections.keep_alive(true).header_read_timeout(None);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(error) => {
                eprintln!("arena-rust: accept failed: {error}");
                tokio::time::sleep(ACCEPT_RETRY_PAUSE).await;
                continue;
            }
        };
        // Small responses go out at once instead of waiting for Nagle's algorithm.
        if let Err(error) = stream.set_nodelay(true) {
            eprintln!("arena-rust: cannot set TCP_NODELAY: {error}");
        }
        let for_requests = Arc::clone(&server);
        let connection = connections.serve_connection(
            TokioIo::new(stream),
            service_fn(move |request| {
                let server = Arc::clone(&for_requests);
                async move { Ok::<_, Infallible>(answer(&server, request).await) }
            }),
        );
        let server = Arc::clone(&server);
        tokio::spawn(async move {
            let _open = server.counters.open_connection();
            // An error here is the client's doing (a reset, a malformed request, closing in the
            // middle of a request); the connection is over either way and nothing is logged, so
            // that a load generator stopping does not flood stderr.
            let _ = connection.await;
        });
    }
}

/// Answers one request: the shared layer's `/stats` and refusals, else the workload's routes.
async fn answer<H: AsyncHandler>(
    server: &Server<H>,
    request: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let uri = request.uri();
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path(), |path_and_query| path_and_query.as_str());
    let is_get = request.method() == Method::GET;
    let response = match server.counters.dispatch(is_get, target) {
        Dispatch::Answered(response) => response,
        Dispatch::ToHandler(target) => {
            let outcome = server.handler.respond(target).await;
            server.counters.complete(outcome)
        }
    };
    into_hyper(response)
}

/// hyper writes a Content-Length (never chunked encoding) for a `Full` body: its size is known.
fn into_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let status =
        StatusCode::from_u16(response.status.code()).expect("every Status has a valid HTTP status code");
    let mut rendered = hyper::Response::new(Full::new(response.body));
    *rendered.status_mut() = status;
    rendered
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(response.content_type));
    rendered
}
