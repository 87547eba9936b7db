//! Cancellation, passed down as a token: Ctrl-C or SIGTERM sets it (the handler is installed by
//! `src/main.rs`), and the executor, the scheduler and the server drivers read it. A token, not
//! a process-wide static, so a test can cancel one run without touching any other. It must not
//! kill anything itself: whoever reads it ends its own work.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often a waiting thread looks at the token: well inside the second a signal may take.
pub const POLL: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Sleeps for `duration`, waking every 20 ms to look at the token, so a signal ends the wait
    /// within that; true when it was cancelled.
    pub fn sleep(&self, duration: Duration) -> bool {
        let until = Instant::now() + duration;
        while !self.is_cancelled() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            std::thread::sleep(left.min(POLL));
        }
        true
    }

    /// Cancels this token on Ctrl-C or SIGTERM instead of killing the harness outright, so the
    /// current case is recorded, its processes killed and the results file kept intact.
    pub fn on_interrupt(&self) -> anyhow::Result<()> {
        let token = self.clone();
        ctrlc::set_handler(move || token.cancel())
            .map_err(|e| anyhow::anyhow!("cannot install the Ctrl-C handler: {e}"))
    }
}
