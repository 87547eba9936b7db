//! Request sets: the bytes of every request are built once, before the load starts, together
//! with the exact response each one must get. The generator cycles through a set; validating a
//! response is a status and byte comparison. It must not do I/O.

use std::net::SocketAddr;

/// What a response must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub status: u16,
    /// Exact body bytes; `None` accepts any body.
    pub body: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct PreparedRequest {
    pub path: String,
    pub bytes: Vec<u8>,
    pub expect: Expectation,
}

/// Why a response failed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    Status,
    Body,
}

impl Mismatch {
    pub fn kind(self) -> &'static str {
        match self {
            Mismatch::Status => "status",
            Mismatch::Body => "body",
        }
    }
}

impl PreparedRequest {
    /// `GET <path> HTTP/1.1` with a Host header; keep-alive is HTTP/1.1's default.
    pub fn get(target: SocketAddr, path: &str, expect: Expectation) -> PreparedRequest {
        PreparedRequest {
            path: path.to_string(),
            bytes: format!("GET {path} HTTP/1.1\r\nHost: {target}\r\n\r\n").into_bytes(),
            expect,
        }
    }

    pub fn validate(&self, status: u16, body: &[u8]) -> Result<(), Mismatch> {
        if status != self.expect.status {
            return Err(Mismatch::Status);
        }
        match &self.expect.body {
            Some(expected) if expected.as_slice() != body => Err(Mismatch::Body),
            _ => Ok(()),
        }
    }
}

/// A non-empty list of requests, used in order and cycled: request i of a stream is `get(i)`.
#[derive(Debug, Clone)]
pub struct RequestSet {
    requests: Vec<PreparedRequest>,
}

impl RequestSet {
    pub fn new(requests: Vec<PreparedRequest>) -> RequestSet {
        assert!(!requests.is_empty(), "a request set needs at least one request");
        RequestSet { requests }
    }

    pub fn single(request: PreparedRequest) -> RequestSet {
        RequestSet::new(vec![request])
    }

    pub fn get(&self, index: u64) -> &PreparedRequest {
        &self.requests[(index % self.requests.len() as u64) as usize]
    }

    pub fn first_path(&self) -> &str {
        &self.requests[0].path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_cycle_and_validate_exactly() {
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let expect = |body: &str| Expectation {
            status: 200,
            body: Some(body.as_bytes().to_vec()),
        };
        let set = RequestSet::new(vec![
            PreparedRequest::get(addr, "/a", expect("A")),
            PreparedRequest::get(addr, "/b", expect("B")),
        ]);
        assert_eq!(set.get(3).path, "/b");
        assert_eq!(
            set.get(0).bytes,
            b"GET /a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n".to_vec()
        );
        assert_eq!(set.get(0).validate(200, b"A"), Ok(()));
        assert_eq!(set.get(0).validate(200, b"A "), Err(Mismatch::Body));
        assert_eq!(set.get(0).validate(500, b"A"), Err(Mismatch::Status));
    }
}
