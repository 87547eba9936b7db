//! A minimal HTTP/1.1 client connection for the load generator: writes prebuilt request bytes,
//! reads one response framed by `Content-Length` and parses its head with `httparse` (hyper's
//! parser). Keep-alive, one request in flight, no pipelining. The read buffer is reused, so an
//! exchange allocates nothing. It must not know about schedules, histograms or workloads.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest response head + body accepted; a larger one is an error, not a reallocation spiral.
const MAX_RESPONSE_BYTES: usize = 1 << 20;
const MAX_HEADERS: usize = 32;

/// Why an exchange failed, as counted in results (`LoadStream::errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeError {
    /// The server closed the connection before a full response.
    Closed,
    /// A socket error (reset, broken pipe...).
    Io,
    /// The response head is not HTTP/1.1 as httparse reads it.
    Malformed,
    /// No `Content-Length` (e.g. chunked), which the workload contract forbids.
    Framing,
    TooLarge,
}

impl ExchangeError {
    pub fn kind(self) -> &'static str {
        match self {
            ExchangeError::Closed => "closed",
            ExchangeError::Io => "io",
            ExchangeError::Malformed => "malformed",
            ExchangeError::Framing => "framing",
            ExchangeError::TooLarge => "too_large",
        }
    }
}

impl From<io::Error> for ExchangeError {
    fn from(_: io::Error) -> Self {
        ExchangeError::Io
    }
}

/// A response borrowed from the connection's buffer.
#[derive(Debug)]
pub struct Response<'a> {
    pub status: u16,
    pub body: &'a [u8],
}

pub struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    pub async fn connect(addr: SocketAddr) -> io::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        // Requests are small single writes; Nagle would add up to 40 ms to each.
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buf: Vec::with_capacity(8192),
        })
    }

    /// Sends one request and reads its whole response.
    pub async fn exchange(&mut self, request: &[u8]) -> Result<Response<'_>, ExchangeError> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        let (status, head_len, body_len) = loop {
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                return Err(ExchangeError::Closed);
            }
            if let Some(head) = parse_head(&self.buf)? {
                break head;
            }
            if self.buf.len() > MAX_RESPONSE_BYTES {
                return Err(ExchangeError::TooLarge);
            }
        };
        let total = head_len + body_len;
        if total > MAX_RESPONSE_BYTES {
            return Err(ExchangeError::TooLarge);
        }
        while self.buf.len() < total {
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                return Err(ExchangeError::Closed);
            }
        }
        if self.buf.len() > total {
            // Bytes beyond the response: the server answered something we did not ask.
            return Err(ExchangeError::Malformed);
        }
        Ok(Response {
            status,
            body: &self.buf[head_len..total],
        })
    }
}

/// `Some((status, head length, body length))` once the head is complete.
pub fn parse_head(buf: &[u8]) -> Result<Option<(u16, usize, usize)>, ExchangeError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(ExchangeError::Malformed),
    };
    let status = response.code.ok_or(ExchangeError::Malformed)?;
    let mut body_len = None;
    for header in response.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") {
            let text = std::str::from_utf8(header.value).map_err(|_| ExchangeError::Malformed)?;
            body_len = Some(
                text.trim()
                    .parse::<usize>()
                    .map_err(|_| ExchangeError::Malformed)?,
            );
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(ExchangeError::Framing);
        }
    }
    // 1xx, 204 and 304 have no body by definition; everything else must say its length.
    let body_len = match (status, body_len) {
        (_, Some(len)) => len,
        (100..=199 | 204 | 304, None) => 0,
        (_, None) => return Err(ExchangeError::Framing),
    };
    Ok(Some((status, head_len, body_len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_framed_by_content_length() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX: y\r\n\r\npong";
        assert_eq!(parse_head(ok).unwrap(), Some((200, ok.len() - 4, 4)));
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Le").unwrap(), None);
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(parse_head(chunked), Err(ExchangeError::Framing));
        let no_length = b"HTTP/1.1 200 OK\r\n\r\n";
        assert_eq!(parse_head(no_length), Err(ExchangeError::Framing));
        assert_eq!(parse_head(b"garbage\r\n\r\n"), Err(ExchangeError::Malformed));
        let not_modified = b"HTTP/1.1 304 Not Modified\r\n\r\n";
        assert_eq!(
            parse_head(not_modified).unwrap(),
            Some((304, not_modified.len(), 0))
        );
    }
}
