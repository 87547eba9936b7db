//! Every process the harness starts dies with it, even when the harness is killed with SIGKILL
//! and cannot clean up (issue 20: a Go server kept listening with parent 1 after `kill -9`).
//! Two mechanisms, because each alone misses a case:
//! - `tie_to_harness`: the child asks the kernel for SIGKILL when its parent goes
//!   (PR_SET_PDEATHSIG), set before exec. It fires when the *thread* that forked exits, so only
//!   a thread that waits for the child may spawn it (the executor's and the self-test's do);
//! - a guard process, forked once and holding only the read end of a pipe from the harness: it
//!   learns the process groups the harness starts (`GroupRegistration`) and kills every one
//!   still registered when the pipe reaches end of file, i.e. when the harness is gone. That
//!   reaches the workloads' own children (grandchildren of the harness), which a PDEATHSIG on the
//!   direct child does not.
//!
//! It must not decide when a process should end while the harness lives: that is the executor's
//! job. A process that leaves its group (setsid) escapes the guard; nothing here chases it.

use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// How many process groups the guard tracks at once (the harness runs one case at a time; the
/// self-test one server): far more than needed, on the guard's stack.
const GUARD_SLOTS: usize = 256;

/// The write end of the pipe to the guard, or None when it could not be started.
static GUARD: OnceLock<Option<Mutex<File>>> = OnceLock::new();

/// Makes `command`'s process die by SIGKILL when the harness thread that spawns it exits (with
/// the harness, or killed). Call it before any other `pre_exec`.
pub fn tie_to_harness(command: &mut Command) {
    // SAFETY: getpid before the fork; prctl, getppid and kill are async-signal-safe syscalls
    // and the closure allocates nothing.
    let harness = unsafe { libc::getpid() };
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The harness may have died between the fork and the prctl: then no signal comes.
            if libc::getppid() != harness {
                libc::kill(libc::getpid(), libc::SIGKILL);
            }
            Ok(())
        });
    }
}

/// A process group the guard kills if the harness dies first; dropping it (once the group is
/// reaped and killed) takes it off the guard's list.
#[derive(Debug)]
pub struct GroupRegistration {
    pgid: i32,
}

/// Registers the process group `pgid` (a spawned process's pid, as it leads its group) with the
/// guard, starting the guard on first use. Without a guard (fork failed) it only warns once.
pub fn register_group(pgid: i32) -> GroupRegistration {
    send(pgid);
    GroupRegistration { pgid }
}

impl Drop for GroupRegistration {
    fn drop(&mut self) {
        send(-self.pgid);
    }
}

/// Starts the guard now if it is not running, so its fork is not inside a measured process's
/// wall time.
pub fn start() {
    guard();
}

fn guard() -> &'static Option<Mutex<File>> {
    GUARD.get_or_init(|| match start_guard() {
        Ok(pipe) => Some(Mutex::new(pipe)),
        Err(error) => {
            eprintln!(
                "warning: cannot start the guard process ({error}); a workload's children may outlive a harness killed with SIGKILL"
            );
            None
        }
    })
}

fn send(message: i32) {
    if let Some(pipe) = guard() {
        let mut pipe = pipe.lock().unwrap_or_else(|e| e.into_inner());
        // Four bytes to a pipe are written at once (below PIPE_BUF); a guard that died is no
        // reason to stop measuring.
        let _ = pipe.write_all(&message.to_le_bytes());
    }
}

/// Forks the guard; returns the write end of its pipe (close-on-exec, so no workload holds it).
fn start_guard() -> std::io::Result<File> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let [read_fd, write_fd] = fds;
    // SAFETY: after fork the child runs only async-signal-safe syscalls (guard_main) and never
    // returns into Rust code that could touch locks held by other threads.
    match unsafe { libc::fork() } {
        -1 => {
            let error = std::io::Error::last_os_error();
            unsafe {
                libc::close(read_fd);
                libc::close(write_fd);
            }
            Err(error)
        }
        0 => unsafe { guard_main(read_fd) },
        _ => {
            unsafe { libc::close(read_fd) };
            // SAFETY: write_fd is ours alone from here on.
            Ok(unsafe { File::from_raw_fd(write_fd) })
        }
    }
}

/// The guard: ignores the terminal's signals (Ctrl-C reaches the harness's whole group; the
/// harness handles it and the guard must outlive it), keeps a table of registered groups, and
/// kills them all at end of file.
unsafe fn guard_main(read_fd: i32) -> ! {
    for signal in [
        libc::SIGINT,
        libc::SIGTERM,
        libc::SIGHUP,
        libc::SIGQUIT,
        libc::SIGPIPE,
    ] {
        libc::signal(signal, libc::SIG_IGN);
    }
    libc::prctl(
        libc::PR_SET_NAME,
        c"arena-guard".as_ptr() as libc::c_ulong,
        0,
        0,
        0,
    );
    close_other_descriptors(read_fd);
    let mut groups = [0i32; GUARD_SLOTS];
    let mut message = [0u8; 4];
    let mut filled = 0;
    loop {
        let n = libc::read(read_fd, message[filled..].as_mut_ptr().cast(), 4 - filled);
        if n < 0 && *libc::__errno_location() == libc::EINTR {
            continue;
        }
        if n <= 0 {
            break;
        }
        filled += n as usize;
        if filled < 4 {
            continue;
        }
        filled = 0;
        let value = i32::from_le_bytes(message);
        if value > 0 {
            if let Some(slot) = groups.iter_mut().find(|g| **g == 0) {
                *slot = value;
            }
        } else if let Some(slot) = groups.iter_mut().find(|g| **g == -value) {
            *slot = 0;
        }
    }
    for pgid in groups.iter().filter(|g| **g > 0) {
        // A stopped group (the self-test's SIGSTOP) dies from SIGKILL as well.
        libc::kill(-pgid, libc::SIGKILL);
    }
    libc::_exit(0)
}

/// Closes every descriptor but stdin/out/err and `keep`, so the guard holds no write end of
/// the pipe (or of anything else) open.
unsafe fn close_other_descriptors(keep: i32) {
    let keep = keep as u32;
    let ranges = [
        (3u32, keep.saturating_sub(1)),
        (keep.saturating_add(1).max(3), u32::MAX),
    ];
    for (first, last) in ranges {
        if first > last {
            continue;
        }
        if libc::syscall(libc::SYS_close_range, first, last, 0) != 0 {
            let mut limit: libc::rlimit = std::mem::zeroed();
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
            let top = (limit.rlim_cur as u32).min(last.saturating_add(1)).min(1 << 20);
            for fd in first..top {
                libc::close(fd as i32);
            }
        }
    }
}
