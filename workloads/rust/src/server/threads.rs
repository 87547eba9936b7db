//! The thread-per-connection model (http-io `threads`): a `std::net::TcpListener` on 127.0.0.1
//! (its backlog raised to the contract's) and one `std::thread` per accepted connection, which reads each request head into a buffer
//! until httparse finds its end, answers it on that same thread, writes the response with a
//! Content-Length, and loops for the next request until the client closes (keep-alive).
//! It must not know a workload's routes (the `BlockingHandler` has them), hand a request to any
//! other thread, or time out an idle connection (no read timeout is ever set).

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::{listen_address, BlockingHandler, Dispatch, Response, Server, LISTEN_BACKLOG};

/// How long the accept loop pauses after a failed accept (typically EMFILE: out of file
/// descriptors), so that it does not spin while the error persists.
const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(10);
/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 4096;
/// A request head larger than this is refused with 400 rather than buffered without bound.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Headers httparse accepts per request; more is a malformed request (400).
const MAX_HEADERS: usize = 64;

/// Binds, calls `on_ready` with the bound address once the server can answer, and serves
/// forever. Returns only if binding fails.
pub fn serve<H: BlockingHandler>(port: u16, handler: H, on_ready: impl FnOnce(SocketAddr)) -> io::Error {
    let listener = match TcpListener::bind(listen_address(port)).and_then(deepen_backlog) {
        Ok(listener) => listener,
        Err(error) => return error,
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(error) => return error,
    };
    let server = Arc::new(Server::new(handler));
    on_ready(address);
    loop {
        match listener.accept() {
            Ok((stream, _peer)) => {
                let server = Arc::clone(&server);
                let spawned = thread::Builder::new()
                    .name("connection".into())
                    .spawn(move || serve_connection(stream, &server));
                if let Err(error) = spawned {
                    // The stream moved into the closure and is closed with it.
                    eprintln!("arena-rust: cannot spawn a connection thread: {error}");
                }
            }
            Err(error) => {
                eprintln!("arena-rust: accept failed: {error}");
                thread::sleep(ACCEPT_RETRY_PAUSE);
            }
        }
    }
}

/// `TcpListener::bind` listens with a backlog of 128 and takes no other value. With 10,000
/// clients connecting at once the accept loop (one thread spawn per connection) falls behind
/// that often enough on a busy machine to overflow it, and every dropped handshake costs its
/// client a SYN retransmission (1 s, then 3 s, ...). Calling listen(2) again on the listening
/// socket raises the backlog to the contract's value.
fn deepen_backlog(listener: TcpListener) -> io::Result<TcpListener> {
    let backlog = libc::c_int::try_from(LISTEN_BACKLOG).expect("the listen backlog fits in a C int");
    // SAFETY: listen(2) only reads its two integer arguments; the descriptor is the open
    // socket owned by `listener`, which outlives the call.
    if unsafe { libc::listen(listener.as_raw_fd(), backlog) } == 0 {
        Ok(listener)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Serves one connection on the calling thread, one request at a time, until the client closes
/// it, a request asks to close, or the connection fails.
fn serve_connection<H: BlockingHandler>(mut stream: TcpStream, server: &Server<H>) {
    let _open = server.counters.open_connection();
    // Small responses go out at once instead of waiting for Nagle's algorithm.
    if let Err(error) = stream.set_nodelay(true) {
        eprintln!("arena-rust: cannot set TCP_NODELAY: {error}");
    }
    let mut pending = Vec::with_capacity(READ_CHUNK);
    let mut chunk = [0u8; READ_CHUNK];
    loop {
        let head = match parse_head(&pending) {
            Parsed::Complete(head) => head,
            Parsed::Partial if pending.len() < MAX_HEAD_BYTES => {
                match stream.read(&mut chunk) {
                    // The client closed the connection (between requests, normally).
                    Ok(0) => return,
                    Ok(read) => pending.extend_from_slice(&chunk[..read]),
                    Err(error) if error.kind() == ErrorKind::Interrupted => {}
                    // A reset: the connection is over, and that is the client's doing.
                    Err(_) => return,
                }
                continue;
            }
            Parsed::Partial | Parsed::Invalid => {
                // Best effort: the connection is closed whether or not the client reads it.
                let _ = stream.write_all(&Response::bad_request().to_http1(true));
                return;
            }
        };
        pending.drain(..head.length);
        let response = match server.counters.dispatch(head.is_get, &head.target) {
            Dispatch::Answered(response) => response,
            Dispatch::ToHandler(target) => {
                let outcome = server.handler.respond(target);
                server.counters.complete(outcome)
            }
        };
        // A request body is never read (only GET is served), so the connection cannot carry
        // another request after one: close it rather than parse the body as the next request.
        let close = !head.keep_alive || head.has_body;
        if stream.write_all(&response.to_http1(close)).is_err() || close {
            return;
        }
    }
}

/// What the connection loop needs from one request head.
#[derive(Debug, PartialEq, Eq)]
struct RequestHead {
    /// Bytes of the head, the final empty line included.
    length: usize,
    is_get: bool,
    target: String,
    keep_alive: bool,
    has_body: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    Complete(RequestHead),
    /// The head has not ended yet: read more.
    Partial,
    Invalid,
}

/// Parses the request head at the start of `bytes` with httparse.
fn parse_head(bytes: &[u8]) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let length = match request.parse(bytes) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(_) => return Parsed::Invalid,
    };
    // HTTP/1.1 keeps the connection open unless asked not to; HTTP/1.0 closes it unless asked.
    let mut keep_alive = request.version == Some(1);
    let mut has_body = false;
    for header in request.headers.iter() {
        if header.name.eq_ignore_ascii_case("connection") {
            for option in header.value.split(|&byte| byte == b',') {
                let option = option.trim_ascii();
                if option.eq_ignore_ascii_case(b"close") {
                    keep_alive = false;
                } else if option.eq_ignore_ascii_case(b"keep-alive") {
                    keep_alive = true;
                }
            }
        } else if header.name.eq_ignore_ascii_case("content-length") {
            has_body |= header.value.trim_ascii() != b"0";
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            has_body = true;
        }
    }
    // After a complete parse httparse has set the method and the target.
    Parsed::Complete(RequestHead {
        length,
        is_get: request.method == Some("GET"),
        target: request.path.unwrap_or_default().to_owned(),
        keep_alive,
        has_body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(bytes: &[u8]) -> RequestHead {
        match parse_head(bytes) {
            Parsed::Complete(head) => head,
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bytes)),
        }
    }

    #[test]
    fn heads_parse_up_to_the_empty_line() {
        let request = b"GET /io?id=7&delay_ms=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /json";
        assert_eq!(
            complete(request),
            RequestHead {
                length: request.len() - b"GET /json".len(),
                is_get: true,
                target: "/io?id=7&delay_ms=1".into(),
                keep_alive: true,
                has_body: false,
            }
        );
        assert_eq!(parse_head(b"GET /json HTTP/1.1\r\nHost: x\r\n"), Parsed::Partial);
        assert_eq!(parse_head(b""), Parsed::Partial);
        assert_eq!(parse_head(b"GET /json HTTP/9.9\r\n\r\n"), Parsed::Invalid);
        assert_eq!(parse_head(b"\x01\x02 garbage\r\n\r\n"), Parsed::Invalid);
    }

    #[test]
    fn connection_and_body_headers_decide_keep_alive() {
        assert!(!complete(b"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").keep_alive);
        assert!(!complete(b"GET / HTTP/1.0\r\n\r\n").keep_alive);
        assert!(complete(b"GET / HTTP/1.0\r\nConnection: te, keep-alive\r\n\r\n").keep_alive);
        assert!(!complete(b"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").has_body);
        assert!(complete(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc").has_body);
        assert!(complete(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").has_body);
        assert!(!complete(b"POST / HTTP/1.1\r\n\r\n").is_get);
    }
}
