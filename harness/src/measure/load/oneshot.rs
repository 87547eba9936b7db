//! One request outside any load (`fetch_once`: `/stats`, endpoint checks) and the process's
//! descriptor limit (`raise_fd_limit`). It must not measure anything.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};

use super::http1::Connection;
use super::requests::{Expectation, PreparedRequest};

/// One GET on a fresh connection (for `/stats` and endpoint checks): status and body.
pub fn fetch_once(target: SocketAddr, path: &str, timeout: Duration) -> Result<(u16, Vec<u8>)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot build a tokio runtime")?;
    let request = PreparedRequest::get(
        target,
        path,
        Expectation {
            status: 200,
            body: None,
        },
    );
    runtime.block_on(async {
        let exchange = async {
            let mut connection = Connection::connect(target)
                .await
                .with_context(|| format!("cannot connect to {target}"))?;
            let response = connection
                .exchange(&request.bytes)
                .await
                .map_err(|e| anyhow::anyhow!("GET {path}: {}", e.kind()))?;
            Ok((response.status, response.body.to_vec()))
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| anyhow::anyhow!("GET {path}: no response within {timeout:?}"))?
    })
}

/// Raises this process's open-file limit to its hard limit: 10k idle connections need 10k
/// descriptors, and children (the servers) inherit the raised limit.
pub fn raise_fd_limit() {
    // SAFETY: rlimit is plain data; getrlimit/setrlimit read and write it.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
