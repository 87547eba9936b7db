//! What every Rust server workload shares (contract: ../../README.md, "Server workloads: common
//! rules"): the listen address and backlog, the `port` parameter, the ready event, the request
//! and connection counters behind `/stats`, splitting a request target and reading its integer
//! query parameters, and the response bytes (status line, Content-Length, body). The two
//! connection models live in the submodules: `hyper_tokio` (hyper's HTTP/1 server on a tokio
//! runtime) and `threads` (one `std::thread` per connection, requests parsed with httparse).
//! It must not know a workload's paths or bodies, cache responses, wait, time out idle
//! connections, or print anything but the ready event.

pub mod hyper_tokio;
pub mod threads;

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use bytes::Bytes;

use crate::protocol::{Event, Params, UsageError, EXIT_NOT_STARTED};

/// Never 0.0.0.0: the benchmark must not be reachable from outside the machine.
pub const LISTEN_HOST: Ipv4Addr = Ipv4Addr::LOCALHOST;
/// The contract asks for at least 1024 so that 10,000 clients connecting at once are not
/// dropped; Linux caps the value at net.core.somaxconn (4096 by default).
pub const LISTEN_BACKLOG: u32 = 4096;

const STATS_PATH: &str = "/stats";

/// The contract's integers are 0 <= N < 2^31, as a 32-bit parser in the other languages reads
/// them; anything larger is not a valid query parameter.
const MAX_QUERY_INT: u32 = i32::MAX as u32;
const MAX_QUERY_INT_DIGITS: usize = 10;

/// The `port` parameter (the one parameter that may be 0: "let the OS choose").
pub fn port_from(params: &Params) -> Result<u16, UsageError> {
    let port = params.get("port");
    u16::try_from(port).map_err(|_| UsageError(format!("port {port} is not a TCP port")))
}

/// The address to bind: 127.0.0.1 and the requested port.
pub fn listen_address(port: u16) -> SocketAddr {
    SocketAddr::from((LISTEN_HOST, port))
}

/// Prints `{"event":"ready","port":P}` with the port the socket actually listens on.
pub fn emit_ready(address: SocketAddr) {
    Event::new("ready").int("port", u64::from(address.port())).emit();
}

/// A server only returns when it could not start (no runtime, no socket): that is a failure
/// (exit code 1), not a usage error.
pub fn exit_not_started(error: &std::io::Error) -> ! {
    eprintln!("arena-rust: the server could not start: {error}");
    std::process::exit(EXIT_NOT_STARTED);
}

/// A query parameter is missing or is not a decimal integer in 0 ..= 2^31 - 1: answered with 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadRequest;

/// What a workload's handler answers for a request to any path but `/stats`.
pub type Outcome = Result<Response, BadRequest>;

/// A workload's routes for the hyper/tokio model: may await (a timer, the blocking pool) and,
/// where its variant says so, block its worker.
pub trait AsyncHandler: Send + Sync + 'static {
    fn respond(&self, target: Target<'_>) -> impl Future<Output = Outcome> + Send;
}

/// A workload's routes for the thread-per-connection model: runs on the connection's thread.
pub trait BlockingHandler: Send + Sync + 'static {
    fn respond(&self, target: Target<'_>) -> Outcome;
}

/// A request target split at the first `?`: `/io?id=7&delay_ms=1` → path `/io`, query
/// `id=7&delay_ms=1`. No percent-decoding: every parameter of the contract is a plain decimal
/// integer, so an encoded value is not one and gets a 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    pub path: &'a str,
    query: &'a str,
}

impl<'a> Target<'a> {
    pub fn parse(target: &'a str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Target { path, query }
    }

    /// The raw value of query parameter `name`; a repeated name keeps its last value, and a
    /// name without `=` has the empty value.
    fn query_value(&self, name: &str) -> Option<&'a str> {
        // Searched from the end: the first match is the last value.
        self.query.rsplit('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then_some(value)
        })
    }

    /// Query parameter `name` as an integer in 0 ..= 2^31 - 1 (ASCII digits only, no sign).
    pub fn query_int(&self, name: &str) -> Result<u32, BadRequest> {
        let value = self.query_value(name).ok_or(BadRequest)?;
        if value.is_empty()
            || value.len() > MAX_QUERY_INT_DIGITS
            || !value.bytes().all(|byte| byte.is_ascii_digit())
        {
            return Err(BadRequest);
        }
        // At most 10 digits always fits in a u64, so only the range check can fail.
        let parsed: u64 = value.parse().map_err(|_| BadRequest)?;
        u32::try_from(parsed)
            .ok()
            .filter(|&parsed| parsed <= MAX_QUERY_INT)
            .ok_or(BadRequest)
    }
}

/// The statuses the servers answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    BadRequest,
    NotFound,
    /// Only GET is served.
    NotImplemented,
}

impl Status {
    pub fn code(self) -> u16 {
        match self {
            Status::Ok => 200,
            Status::BadRequest => 400,
            Status::NotFound => 404,
            Status::NotImplemented => 501,
        }
    }

    pub fn reason(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::BadRequest => "Bad Request",
            Status::NotFound => "Not Found",
            Status::NotImplemented => "Not Implemented",
        }
    }
}

const JSON: &str = "application/json";
const TEXT: &str = "text/plain";

/// One complete response. Both connection models write its body with a Content-Length (never
/// chunked): `to_http1` renders the bytes for the thread model, hyper renders `into_hyper`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: Status,
    pub content_type: &'static str,
    pub body: Bytes,
}

impl Response {
    pub fn json(body: impl Into<Bytes>) -> Self {
        Response {
            status: Status::Ok,
            content_type: JSON,
            body: body.into(),
        }
    }

    pub fn text(body: impl Into<Bytes>) -> Self {
        Response {
            status: Status::Ok,
            content_type: TEXT,
            body: body.into(),
        }
    }

    pub fn not_found() -> Self {
        Self::error(Status::NotFound, "not found")
    }

    pub fn bad_request() -> Self {
        Self::error(Status::BadRequest, "bad request")
    }

    pub fn not_implemented() -> Self {
        Self::error(Status::NotImplemented, "only GET is served")
    }

    fn error(status: Status, message: &'static str) -> Self {
        Response {
            status,
            content_type: TEXT,
            body: Bytes::from_static(message.as_bytes()),
        }
    }

    /// `{"requests":R,"connections":C}`: the contract's counter plus one runtime counter.
    fn stats(requests: u64, connections: usize) -> Self {
        Self::json(format!(
            r#"{{"requests":{requests},"connections":{connections}}}"#
        ))
    }

    /// The complete HTTP/1.1 response: status line, Content-Type, Content-Length and body.
    /// Keep-alive is HTTP/1.1's default, so `Connection: close` is only sent when the server
    /// is about to close the connection.
    pub fn to_http1(&self, close: bool) -> Vec<u8> {
        let connection = if close { "Connection: close\r\n" } else { "" };
        let head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{connection}\r\n",
            self.status.code(),
            self.status.reason(),
            self.content_type,
            self.body.len(),
        );
        let mut bytes = Vec::with_capacity(head.len() + self.body.len());
        bytes.extend_from_slice(head.as_bytes());
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// What every connection of one server shares: its counters and the workload's routes.
struct Server<H> {
    counters: Counters,
    handler: H,
}

impl<H> Server<H> {
    fn new(handler: H) -> Self {
        Server {
            counters: Counters::default(),
            handler,
        }
    }
}

/// What the shared layer does with a request before the workload sees it.
pub enum Dispatch<'a> {
    /// Answered here (`/stats`, a method other than GET); not counted.
    Answered(Response),
    /// For the workload's handler; `Counters::complete` counts it.
    ToHandler(Target<'a>),
}

/// The counters every server keeps: completed requests (the contract's R) and open
/// connections (an optional runtime counter in `/stats`).
#[derive(Debug, Default)]
pub struct Counters {
    requests: AtomicU64,
    connections: AtomicUsize,
}

impl Counters {
    /// Answers `/stats` and non-GET requests; hands everything else to the workload.
    pub fn dispatch<'a>(&self, is_get: bool, target: &'a str) -> Dispatch<'a> {
        if !is_get {
            return Dispatch::Answered(Response::not_implemented());
        }
        let target = Target::parse(target);
        if target.path == STATS_PATH {
            // Relaxed: /stats is a snapshot, nothing else is published through the counters.
            Dispatch::Answered(Response::stats(
                self.requests.load(Ordering::Relaxed),
                self.connections.load(Ordering::Relaxed),
            ))
        } else {
            Dispatch::ToHandler(target)
        }
    }

    /// Counts a request the workload answered (before its response is written, as the
    /// contract says) and turns a bad query into 400.
    pub fn complete(&self, outcome: Outcome) -> Response {
        self.requests.fetch_add(1, Ordering::Relaxed);
        outcome.unwrap_or_else(|BadRequest| Response::bad_request())
    }

    /// Counts a connection as open until the returned guard is dropped.
    pub fn open_connection(&self) -> OpenConnection<'_> {
        self.connections.fetch_add(1, Ordering::Relaxed);
        OpenConnection { counters: self }
    }
}

/// One open connection in `Counters`; closing it is dropping this.
pub struct OpenConnection<'a> {
    counters: &'a Counters,
}

impl Drop for OpenConnection<'_> {
    fn drop(&mut self) {
        self.counters.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    /// Runs `serve` (a model started on port 0) on a background thread that lives as long as
    /// the test process, and returns the address it reported ready on.
    pub(crate) fn start_in_background(
        serve: impl FnOnce(Box<dyn FnOnce(SocketAddr) + Send>) -> std::io::Error + Send + 'static,
    ) -> SocketAddr {
        let (ready, address) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let error = serve(Box::new(move |address| ready.send(address).unwrap()));
            panic!("the test server stopped: {error}");
        });
        address.recv().expect("the test server did not start")
    }

    /// A minimal keep-alive HTTP/1.1 client for the in-process server tests: one connection,
    /// one request at a time, each response read by its Content-Length.
    pub(crate) struct TestClient {
        stream: TcpStream,
        pending: Vec<u8>,
    }

    /// A response as the test client saw it.
    #[derive(Debug)]
    pub(crate) struct Seen {
        pub status: u16,
        pub body: Vec<u8>,
        pub chunked: bool,
    }

    impl TestClient {
        pub(crate) fn connect(address: SocketAddr) -> Self {
            TestClient {
                stream: TcpStream::connect(address).expect("cannot connect to the test server"),
                pending: Vec::new(),
            }
        }

        pub(crate) fn get(&mut self, target: &str) -> Seen {
            write!(self.stream, "GET {target} HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
            loop {
                let mut headers = [httparse::EMPTY_HEADER; 32];
                let mut response = httparse::Response::new(&mut headers);
                if let httparse::Status::Complete(head_len) = response.parse(&self.pending).unwrap() {
                    let header = |name: &str| {
                        response
                            .headers
                            .iter()
                            .find(|header| header.name.eq_ignore_ascii_case(name))
                            .map(|header| std::str::from_utf8(header.value).unwrap().to_string())
                    };
                    let length: usize = header("content-length")
                        .expect("response without Content-Length")
                        .parse()
                        .unwrap();
                    let chunked = header("transfer-encoding").is_some();
                    let status = response.code.unwrap();
                    if self.pending.len() >= head_len + length {
                        let body = self.pending[head_len..head_len + length].to_vec();
                        self.pending.drain(..head_len + length);
                        return Seen {
                            status,
                            body,
                            chunked,
                        };
                    }
                }
                let mut chunk = [0u8; 4096];
                let read = self.stream.read(&mut chunk).unwrap();
                assert!(read > 0, "the server closed the connection");
                self.pending.extend_from_slice(&chunk[..read]);
            }
        }

        /// GETs `target` and asserts status 200, a Content-Length, and exactly `body`.
        pub(crate) fn expect_ok(&mut self, target: &str, body: &[u8]) {
            let seen = self.get(target);
            assert_eq!(seen.status, 200, "{target}: {seen:?}");
            assert!(!seen.chunked, "{target}: chunked");
            assert_eq!(
                String::from_utf8_lossy(&seen.body),
                String::from_utf8_lossy(body),
                "{target}"
            );
        }

        pub(crate) fn expect_status(&mut self, target: &str, status: u16) {
            let seen = self.get(target);
            assert_eq!(seen.status, status, "{target}: {seen:?}");
        }
    }

    #[test]
    fn targets_split_at_the_first_question_mark() {
        let target = Target::parse("/io?id=7&delay_ms=10");
        assert_eq!(target.path, "/io");
        assert_eq!(target.query_int("id"), Ok(7));
        assert_eq!(target.query_int("delay_ms"), Ok(10));
        assert_eq!(Target::parse("/json").path, "/json");
        assert_eq!(Target::parse("/json?").path, "/json");
        assert_eq!(Target::parse("/a?b=1?c").query_value("b"), Some("1?c"));
    }

    #[test]
    fn query_ints_are_plain_decimals_up_to_2_pow_31_minus_1() {
        let target = Target::parse("/io?id=7&id=8&zero=0&max=2147483647&lead=007&flag");
        assert_eq!(target.query_int("id"), Ok(8), "the last repeated value wins");
        assert_eq!(target.query_int("zero"), Ok(0));
        assert_eq!(target.query_int("max"), Ok(2_147_483_647));
        assert_eq!(target.query_int("lead"), Ok(7));
        for bad in [
            "/io",
            "/io?id",
            "/io?id=",
            "/io?id=x",
            "/io?id=-1",
            "/io?id=+1",
            "/io?id=1.5",
            "/io?id=%37",
            "/io?id= 7",
            "/io?id=2147483648",
            "/io?id=4294967296",
            "/io?id=99999999999999999999",
            "/io?ID=7",
        ] {
            assert_eq!(Target::parse(bad).query_int("id"), Err(BadRequest), "{bad}");
        }
    }

    #[test]
    fn responses_render_status_content_length_and_body() {
        assert_eq!(
            Response::json(&b"{\"a\":1}"[..]).to_http1(false),
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
        );
        assert_eq!(
            Response::not_found().to_http1(true),
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\
              Connection: close\r\n\r\nnot found"
        );
        assert_eq!(Response::bad_request().status.code(), 400);
        assert_eq!(Response::not_implemented().status.code(), 501);
    }

    #[test]
    fn stats_count_completed_requests_and_open_connections() {
        let counters = Counters::default();
        let connection = counters.open_connection();
        let Dispatch::ToHandler(target) = counters.dispatch(true, "/x?id=1") else {
            panic!("/x was not handed to the workload");
        };
        assert_eq!(target.path, "/x");
        assert_eq!(counters.complete(Err(BadRequest)), Response::bad_request());
        assert_eq!(counters.complete(Ok(Response::text("ok"))), Response::text("ok"));
        let Dispatch::Answered(stats) = counters.dispatch(true, "/stats") else {
            panic!("/stats was handed to the workload");
        };
        assert_eq!(&stats.body[..], br#"{"requests":2,"connections":1}"#);
        drop(connection);
        let Dispatch::Answered(stats) = counters.dispatch(true, "/stats?x=1") else {
            panic!("/stats with a query was handed to the workload");
        };
        assert_eq!(&stats.body[..], br#"{"requests":2,"connections":0}"#);
        let Dispatch::Answered(refused) = counters.dispatch(false, "/x") else {
            panic!("a POST was handed to the workload");
        };
        assert_eq!(refused.status, Status::NotImplemented);
    }
}
