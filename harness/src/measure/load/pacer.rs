//! Precise pacing of the open loop. tokio's timer wheel has 1 ms resolution, so a request
//! paced by `tokio::time::sleep_until` leaves up to ~1 ms after its due time, and that lag sits
//! in every corrected latency: at low load, /ping percentiles would measure the generator. A
//! timerfd armed at the absolute due time (CLOCK_MONOTONIC, the clock `Instant` reads on
//! Linux) wakes the task through the runtime's epoll within tens of microseconds instead
//! (docs/methodology.md, "Latency under load"). Owns one timerfd; it must not send requests.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// The timer is armed this much before the due time and the rest is spun: waking through epoll
/// takes ~40 µs in a VM here, and 1,000 requests/s × 50 µs is 5% of a core.
const SPIN: Duration = Duration::from_micros(50);

pub struct Pacer {
    timer: Option<AsyncFd<OwnedFd>>,
}

impl Default for Pacer {
    fn default() -> Pacer {
        Pacer::new()
    }
}

impl Pacer {
    /// A timerfd-backed pacer; without one (no fd left), pacing falls back to tokio's timer and
    /// the lag shows in `send_lag`. Must be created inside the generator's runtime.
    pub fn new() -> Pacer {
        Pacer {
            timer: timerfd().ok(),
        }
    }

    /// Returns at `deadline` (or at once if it has passed).
    pub async fn sleep_until(&self, deadline: Instant) {
        self.sleep_until_before(deadline.checked_sub(SPIN).unwrap_or(deadline))
            .await;
        while Instant::now() < deadline {
            std::hint::spin_loop();
        }
    }

    async fn sleep_until_before(&self, deadline: Instant) {
        let now = Instant::now();
        if deadline <= now {
            return;
        }
        let Some(timer) = self
            .timer
            .as_ref()
            .filter(|t| arm(t.get_ref(), deadline - now).is_ok())
        else {
            tokio::time::sleep_until(deadline.into()).await;
            return;
        };
        loop {
            let Ok(mut ready) = timer.readable().await else {
                tokio::time::sleep_until(deadline.into()).await;
                return;
            };
            let mut expirations = [0u8; 8];
            // SAFETY: reads 8 bytes into a local buffer from our own non-blocking timerfd.
            let n = unsafe { libc::read(timer.get_ref().as_raw_fd(), expirations.as_mut_ptr().cast(), 8) };
            if n == 8 || Instant::now() >= deadline {
                return;
            }
            ready.clear_ready();
        }
    }
}

fn timerfd() -> io::Result<AsyncFd<OwnedFd>> {
    // SAFETY: plain syscall; the descriptor is owned below.
    let raw = unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` is a fresh descriptor nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: the OwnedFd is moved into the AsyncFd, which keeps it open and unchanged for its
    // whole life.
    unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }.map_err(|e| e.into())
}

/// Arms the timer `after` from now, as an absolute CLOCK_MONOTONIC time.
fn arm(fd: &OwnedFd, after: Duration) -> io::Result<()> {
    // SAFETY: timespec is plain data, filled by clock_gettime.
    let mut now: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a local.
    if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let total_ns = now.tv_nsec as u128 + after.as_nanos();
    let value = libc::timespec {
        tv_sec: now.tv_sec + (total_ns / 1_000_000_000) as libc::time_t,
        tv_nsec: (total_ns % 1_000_000_000) as libc::c_long,
    };
    let spec = libc::itimerspec {
        it_interval: libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        },
        it_value: value,
    };
    // SAFETY: valid pointers; our own timerfd.
    let rc = unsafe {
        libc::timerfd_settime(
            fd.as_raw_fd(),
            libc::TFD_TIMER_ABSTIME,
            &spec,
            std::ptr::null_mut(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_close_to_the_deadline() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let pacer = Pacer::new();
            assert!(pacer.timer.is_some(), "a timerfd is available");
            let deadline = Instant::now() + Duration::from_millis(3);
            pacer.sleep_until(deadline).await;
            assert!(Instant::now() >= deadline, "never early");
        });
    }
}
