//! The rust variants of the sleep-tasks workload: `tokio` (one `tokio::spawn`ed task per task
//! on a multi-thread runtime with `workers` threads, `tokio::time::sleep`, ready via `Notify`)
//! and `threads` (one `std::thread::Builder::spawn` per task with the default stack,
//! `std::thread::sleep`, ready via `Mutex` + `Condvar`).
//! It must not poll for readiness, start any task before `t0`, or wait for started tasks after
//! a spawn failed (that path prints the `resource_limit` error and exits with code 3 at once).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::protocol::{Event, Params, UsageError, EXIT_RESOURCE_LIMIT};

/// The parameters of `sleep-tasks tokio`.
pub const TOKIO_KEYS: &[&str] = &["tasks", "hold_ms", "workers"];
/// The parameters of `sleep-tasks threads`.
pub const THREADS_KEYS: &[&str] = &["tasks", "hold_ms"];

/// What the main program observed once every task was alive.
#[derive(Debug, Clone, Copy)]
struct Ready {
    alive: usize,
    done: usize,
    spawn_time: Duration,
}

/// What the main program observed once every task had finished.
#[derive(Debug, Clone, Copy)]
struct Finished {
    checksum: u64,
    done: usize,
    spawn_time: Duration,
    total_time: Duration,
}

/// An OS limit stopped task creation after `alive` tasks had been created.
#[derive(Debug)]
struct SpawnFailure {
    alive: usize,
    message: String,
}

/// `sleep-tasks tokio`.
pub fn run_tokio(params: &Params) -> Result<(), UsageError> {
    let tasks = params.get("tasks");
    let hold = hold_from(params)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(params.get("workers"))
        .enable_time()
        .build()
        .expect("cannot build the tokio runtime");
    let finished = runtime.block_on(hold_tokio_tasks(tasks, hold, emit_ready));
    emit_result(tasks, &finished);
    Ok(())
}

/// `sleep-tasks threads`.
pub fn run_threads(params: &Params) -> Result<(), UsageError> {
    let tasks = params.get("tasks");
    let hold = hold_from(params)?;
    match hold_threads(tasks, hold, emit_ready) {
        Ok(finished) => {
            emit_result(tasks, &finished);
            Ok(())
        }
        Err(failure) => {
            Event::new("error")
                .text("kind", "resource_limit")
                .count("alive", failure.alive)
                .text("message", &failure.message)
                .emit();
            std::process::exit(EXIT_RESOURCE_LIMIT);
        }
    }
}

fn hold_from(params: &Params) -> Result<Duration, UsageError> {
    let hold_ms = u64::try_from(params.get("hold_ms"))
        .map_err(|_| UsageError("hold_ms does not fit in 64 bits".into()))?;
    Ok(Duration::from_millis(hold_ms))
}

fn emit_ready(ready: Ready) {
    Event::new("ready")
        .count("alive", ready.alive)
        .count("done", ready.done)
        .nanos("spawn_ns", ready.spawn_time)
        .emit();
}

fn emit_result(tasks: usize, finished: &Finished) {
    Event::new("result")
        .text("checksum", &finished.checksum.to_string())
        .count("ops", tasks)
        .count("done", finished.done)
        .nanos("total_ns", finished.total_time)
        .nanos("spawn_ns", finished.spawn_time)
        .emit();
}

/// Spawns `tasks` tokio tasks; task `i` counts itself alive (the last one to do so notifies
/// `all_alive`), sleeps `hold` on its own timer, counts itself done and yields `i`.
/// `on_ready` runs once every task is alive; the yielded values are summed in task order.
async fn hold_tokio_tasks(tasks: usize, hold: Duration, on_ready: impl FnOnce(Ready)) -> Finished {
    let alive = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let all_alive = Arc::new(Notify::new());

    let t0 = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let (alive, done, all_alive) = (Arc::clone(&alive), Arc::clone(&done), Arc::clone(&all_alive));
            tokio::spawn(async move {
                if alive.fetch_add(1, Ordering::AcqRel) + 1 == tasks {
                    // notify_one stores a permit if main is not waiting yet.
                    all_alive.notify_one();
                }
                tokio::time::sleep(hold).await;
                done.fetch_add(1, Ordering::AcqRel);
                task as u64
            })
        })
        .collect();

    all_alive.notified().await;
    let spawn_time = t0.elapsed();
    on_ready(Ready {
        alive: alive.load(Ordering::Acquire),
        done: done.load(Ordering::Acquire),
        spawn_time,
    });

    let mut checksum = 0u64;
    for handle in handles {
        checksum += handle.await.expect("a sleep task panicked");
    }
    Finished {
        checksum,
        done: done.load(Ordering::Acquire),
        spawn_time,
        total_time: t0.elapsed(),
    }
}

/// Spawns `tasks` OS threads; thread `i` counts itself alive under a mutex (the last one to do
/// so wakes the main thread through the condvar), sleeps `hold`, counts itself done and yields
/// `i`. `on_ready` runs once every thread is alive; the yielded values are summed in order.
/// A failed spawn returns at once, leaving the started threads detached.
fn hold_threads(
    tasks: usize,
    hold: Duration,
    on_ready: impl FnOnce(Ready),
) -> Result<Finished, SpawnFailure> {
    let alive = Arc::new((Mutex::new(0usize), Condvar::new()));
    let done = Arc::new(AtomicUsize::new(0));

    let t0 = Instant::now();
    let mut handles = Vec::with_capacity(tasks);
    for task in 0..tasks {
        let (alive, done) = (Arc::clone(&alive), Arc::clone(&done));
        let spawned = thread::Builder::new().spawn(move || {
            {
                let (count, all_alive) = &*alive;
                let mut count = count.lock().expect("alive mutex poisoned");
                *count += 1;
                if *count == tasks {
                    all_alive.notify_one();
                }
            }
            thread::sleep(hold);
            done.fetch_add(1, Ordering::AcqRel);
            task as u64
        });
        match spawned {
            Ok(handle) => handles.push(handle),
            Err(error) => {
                return Err(SpawnFailure {
                    alive: task,
                    message: format!("cannot spawn thread {} of {tasks}: {error}", task + 1),
                })
            }
        }
    }

    let alive_at_ready = {
        let (count, all_alive) = &*alive;
        let count = count.lock().expect("alive mutex poisoned");
        *all_alive
            .wait_while(count, |count| *count < tasks)
            .expect("alive mutex poisoned")
    };
    let spawn_time = t0.elapsed();
    on_ready(Ready {
        alive: alive_at_ready,
        done: done.load(Ordering::Acquire),
        spawn_time,
    });

    let mut checksum = 0u64;
    for handle in handles {
        checksum += handle.join().expect("a sleep thread panicked");
    }
    Ok(Finished {
        checksum,
        done: done.load(Ordering::Acquire),
        spawn_time,
        total_time: t0.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TASKS: usize = 200;
    const HOLD: Duration = Duration::from_millis(100);

    fn check(tasks: usize, ready: Option<Ready>, finished: &Finished) {
        let ready = ready.expect("on_ready was not called");
        assert_eq!(ready.alive, tasks);
        assert_eq!(ready.done, 0);
        assert_eq!(ready.spawn_time, finished.spawn_time);
        assert_eq!(finished.done, tasks);
        assert_eq!(finished.checksum, (tasks * (tasks - 1) / 2) as u64);
        assert!(finished.total_time >= HOLD, "{finished:?}");
    }

    #[test]
    fn tokio_tasks_are_all_alive_at_ready_and_all_done_at_the_end() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .unwrap();
        let mut ready = None;
        let finished = runtime.block_on(hold_tokio_tasks(TASKS, HOLD, |seen| ready = Some(seen)));
        check(TASKS, ready, &finished);
    }

    #[test]
    fn threads_are_all_alive_at_ready_and_all_done_at_the_end() {
        let mut ready = None;
        let finished = hold_threads(TASKS, HOLD, |seen| ready = Some(seen)).unwrap();
        check(TASKS, ready, &finished);
    }
}
