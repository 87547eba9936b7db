//! A small HTTP/1.1 server for testing the load generator: `/json`, `/io?id=N&delay_ms=D` and
//! `/stats` with the http-io bodies, on 127.0.0.1 only, plus an in-process stall switch. It runs
//! in the tests and as the hidden `arena test-server` (the SIGSTOP self-test needs a separate
//! process to stop). It must not be used to measure anything but the generator.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const JSON_BODY: &str = r#"{"message":"Hello, World!"}"#;

/// The http-io body of `/io?id=N`: H = N × 2654435761 mod 2^32 (workloads/README.md).
pub fn io_body(id: u64) -> String {
    let hash = (id.wrapping_mul(2_654_435_761)) & 0xffff_ffff;
    format!(r#"{{"id":{id},"hash":{hash}}}"#)
}

#[derive(Default)]
struct State {
    requests: AtomicU64,
    /// While set and in the future, every response waits until then (an in-process "stall").
    stall_until: Mutex<Option<Instant>>,
}

/// A running test server; dropped → its runtime thread is left to die with the process
/// (tests are short-lived), so keep one per test.
pub struct TestServer {
    pub addr: SocketAddr,
    state: Arc<State>,
}

impl TestServer {
    /// Starts the server on its own thread with a `threads`-thread runtime.
    pub fn start(threads: usize) -> Result<TestServer> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .enable_all()
            .build()
            .context("cannot build the test server runtime")?;
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .context("cannot bind 127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::default());
        let served = state.clone();
        std::thread::Builder::new()
            .name("arena-test-server".into())
            .spawn(move || runtime.block_on(serve(listener, served)))
            .context("cannot start the test server thread")?;
        Ok(TestServer { addr, state })
    }

    /// Every response from now on waits until `now + duration` before it is written.
    pub fn stall_for(&self, duration: Duration) {
        *self.state.stall_until.lock().expect("not poisoned") = Some(Instant::now() + duration);
    }

    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }
}

async fn serve(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, state.clone()));
    }
}

async fn connection(mut stream: TcpStream, state: Arc<State>) {
    let mut buf = Vec::with_capacity(1024);
    loop {
        let head_end = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            match stream.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        let path = {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut request = httparse::Request::new(&mut headers);
            match request.parse(&buf[..head_end]) {
                Ok(httparse::Status::Complete(_)) => request.path.unwrap_or("/").to_string(),
                _ => return,
            }
        };
        buf.drain(..head_end);
        let (status, body) = route(&path, &state).await;
        let stall = *state.stall_until.lock().expect("not poisoned");
        if let Some(until) = stall {
            tokio::time::sleep_until(until.into()).await;
        }
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn route(path: &str, state: &State) -> (&'static str, String) {
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let param = |key: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.parse::<u64>().ok())
    };
    match route {
        "/json" => {
            state.requests.fetch_add(1, Ordering::Relaxed);
            ("200 OK", JSON_BODY.to_string())
        }
        "/io" => match (param("id"), param("delay_ms")) {
            (Some(id), Some(delay)) => {
                if delay > 0 {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                }
                state.requests.fetch_add(1, Ordering::Relaxed);
                ("200 OK", io_body(id))
            }
            _ => ("400 Bad Request", "bad query".into()),
        },
        "/stats" => (
            "200 OK",
            format!(r#"{{"requests":{}}}"#, state.requests.load(Ordering::Relaxed)),
        ),
        _ => ("404 Not Found", "not found".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_body_matches_the_contract_example() {
        assert_eq!(io_body(7), r#"{"id":7,"hash":1401181143}"#);
    }
}
