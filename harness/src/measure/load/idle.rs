//! Idle keep-alive connections, for "memory per open connection": opens connections, sends one
//! request on each (so thread-per-connection servers have started their thread and every server
//! holds its per-connection state), then keeps them open and idle until dropped; `recheck` sends
//! one more request on every connection to prove the server kept them. It must not measure memory
//! (the caller samples the server) nor know about workloads.

use std::net::SocketAddr;

use anyhow::{Context, Result};

use super::http1::Connection;
use super::requests::PreparedRequest;

/// Connections held open on their own runtime (a tokio socket lives as long as its runtime).
pub struct IdlePool {
    runtime: tokio::runtime::Runtime,
    connections: Vec<Connection>,
    target: SocketAddr,
}

/// How a batch of exchanges went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdleTally {
    pub ok: u64,
    pub failed: u64,
}

impl IdlePool {
    /// Runs on the calling thread (the caller pins it, as it does for the generator).
    pub fn new(target: SocketAddr) -> Result<IdlePool> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot build a tokio runtime")?;
        Ok(IdlePool {
            runtime,
            connections: Vec::new(),
            target,
        })
    }

    pub fn len(&self) -> usize {
        self.connections.len()
    }

    pub fn is_empty(&self) -> bool {
        self.connections.is_empty()
    }

    /// Opens connections until `total` are held; each makes one validated request first.
    pub fn grow_to(&mut self, total: usize, request: &PreparedRequest) -> IdleTally {
        let mut tally = IdleTally::default();
        let target = self.target;
        while self.connections.len() < total {
            let outcome = self.runtime.block_on(async {
                let mut connection = Connection::connect(target).await.ok()?;
                let ok = exchange_ok(&mut connection, request).await;
                ok.then_some(connection)
            });
            match outcome {
                Some(connection) => {
                    self.connections.push(connection);
                    tally.ok += 1;
                }
                None => {
                    tally.failed += 1;
                    if tally.failed > 100 {
                        break;
                    }
                }
            }
        }
        tally
    }

    /// One more request on every held connection: did the server keep them all open?
    pub fn recheck(&mut self, request: &PreparedRequest) -> IdleTally {
        let mut tally = IdleTally::default();
        for connection in &mut self.connections {
            let ok = self.runtime.block_on(exchange_ok(connection, request));
            if ok {
                tally.ok += 1;
            } else {
                tally.failed += 1;
            }
        }
        tally
    }
}

async fn exchange_ok(connection: &mut Connection, request: &PreparedRequest) -> bool {
    let timeout = std::time::Duration::from_secs(10);
    match tokio::time::timeout(timeout, connection.exchange(&request.bytes)).await {
        Ok(Ok(response)) => request.validate(response.status, response.body).is_ok(),
        _ => false,
    }
}
