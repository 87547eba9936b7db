//! The rust variants of the msg-passing workload: `std-mpsc` (`std::thread`s and
//! `std::sync::mpsc::sync_channel(Q)`), `crossbeam` (`std::thread`s and
//! `crossbeam_channel::bounded(Q)`) and `tokio-mpsc` (tasks `tokio::spawn`ed on a multi-thread
//! runtime with `workers` threads, `tokio::sync::mpsc::channel(Q)`, the final token and the
//! consumer's end via `tokio::sync::oneshot`). One process runs the ring of P tasks (M hops of
//! one token), then the producer/consumer pair (N values through one queue), and prints one
//! `result` with both checksums, both wall times and both CPU times.
//! It must not start a phase's clock before every task of that phase exists and waits, use
//! any primitive but the variant's, or report a capacity other than Q (every variant here
//! has one).

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use crate::protocol::{Event, Params, UsageError};

/// The parameters of `msg-passing std-mpsc` and `msg-passing crossbeam`.
pub const KEYS: &[&str] = &["tasks", "hops", "messages", "capacity"];
/// The parameters of `msg-passing tokio-mpsc`.
pub const TOKIO_KEYS: &[&str] = &["tasks", "hops", "messages", "capacity", "workers"];

/// The token the main task sends to task 0.
const TOKEN_START: u32 = 2_166_136_261;
const FNV_PRIME: u32 = 16_777_619;

/// One run's sizes, validated.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    tasks: usize,
    hops: usize,
    messages: usize,
    capacity: usize,
}

impl Sizes {
    fn from_params(params: &Params) -> Result<Self, UsageError> {
        Self::new(
            params.get("tasks"),
            params.get("hops"),
            params.get("messages"),
            params.get("capacity"),
        )
    }

    fn new(tasks: usize, hops: usize, messages: usize, capacity: usize) -> Result<Self, UsageError> {
        if tasks < 2 {
            return Err(UsageError(format!(
                "parameter \"tasks\": {tasks} is below 2 (a ring needs two tasks)"
            )));
        }
        Ok(Sizes {
            tasks,
            hops,
            messages,
            capacity,
        })
    }

    /// Task k does hops k, k + P, k + 2P, ... below M: `ceil((M - k) / P)` of them.
    fn hops_of(&self, task: usize) -> usize {
        self.hops.saturating_sub(task).div_ceil(self.tasks)
    }

    /// Hop h is the last one: its token goes to the main task instead of the next inbox.
    fn is_last_hop(&self, task: usize, nth: usize) -> bool {
        task + nth * self.tasks == self.hops - 1
    }
}

/// One hop of task k: `((t XOR (k + 1)) × 16777619) mod 2^32`.
fn hop(token: u32, task: usize) -> u32 {
    (token ^ (task as u32).wrapping_add(1)).wrapping_mul(FNV_PRIME)
}

/// The consumer's fold of one value: `(acc × 31 + v) mod 2^32`.
fn fold(acc: u32, value: u32) -> u32 {
    acc.wrapping_mul(31).wrapping_add(value)
}

/// What the two phases measured.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    token: u32,
    acc: u32,
    ring_time: Duration,
    pair_time: Duration,
    ring_cpu: Duration,
    pair_cpu: Duration,
}

/// The process's user + system CPU time, every thread included (`getrusage(RUSAGE_SELF)`).
/// This program starts no child processes, so `RUSAGE_CHILDREN` would add nothing.
fn process_cpu() -> Duration {
    // SAFETY: `rusage` is plain old data, so all-zero bytes are a valid value, and getrusage
    // only writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid `who` and a pointer to a live, writable `rusage`.
    let status = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(status, 0, "getrusage(RUSAGE_SELF) failed");
    let as_duration = |time: libc::timeval| {
        Duration::from_secs(time.tv_sec as u64) + Duration::from_micros(time.tv_usec as u64)
    };
    as_duration(usage.ru_utime) + as_duration(usage.ru_stime)
}

fn result_event(sizes: &Sizes, outcome: &Outcome) -> Event {
    Event::new("result")
        .text("checksum", &format!("{}:{}", outcome.token, outcome.acc))
        .int("ops", sizes.hops as u64 + sizes.messages as u64)
        .count("tasks", sizes.tasks)
        .count("capacity", sizes.capacity)
        .nanos("ring_ns", outcome.ring_time)
        .nanos("pair_ns", outcome.pair_time)
        .nanos("ring_cpu_ns", outcome.ring_cpu)
        .nanos("pair_cpu_ns", outcome.pair_cpu)
}

/// `msg-passing std-mpsc`.
pub fn run_std_mpsc(params: &Params) -> Result<(), UsageError> {
    let sizes = Sizes::from_params(params)?;
    result_event(&sizes, &exchange_on_threads::<StdMpsc>(&sizes)).emit();
    Ok(())
}

/// `msg-passing crossbeam`.
pub fn run_crossbeam(params: &Params) -> Result<(), UsageError> {
    let sizes = Sizes::from_params(params)?;
    result_event(&sizes, &exchange_on_threads::<Crossbeam>(&sizes)).emit();
    Ok(())
}

/// `msg-passing tokio-mpsc`.
pub fn run_tokio(params: &Params) -> Result<(), UsageError> {
    let sizes = Sizes::from_params(params)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(params.get("workers"))
        .build()
        .expect("cannot build the tokio runtime");
    let outcome = runtime.block_on(exchange_on_tokio(sizes));
    result_event(&sizes, &outcome).emit();
    Ok(())
}

/// A bounded blocking channel of `u32` between OS threads: the two thread variants run the
/// same phases and differ only in this primitive.
trait BlockingChannel {
    type Sender: Clone + Send;
    type Receiver: Send;
    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver);
    fn send(sender: &Self::Sender, value: u32);
    fn recv(receiver: &Self::Receiver) -> u32;
}

/// `std::sync::mpsc::sync_channel(Q)`.
struct StdMpsc;

impl BlockingChannel for StdMpsc {
    type Sender = std::sync::mpsc::SyncSender<u32>;
    type Receiver = std::sync::mpsc::Receiver<u32>;

    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver) {
        std::sync::mpsc::sync_channel(capacity)
    }

    fn send(sender: &Self::Sender, value: u32) {
        sender.send(value).expect("the receiving task ended early");
    }

    fn recv(receiver: &Self::Receiver) -> u32 {
        receiver.recv().expect("every sending task ended early")
    }
}

/// `crossbeam_channel::bounded(Q)`.
struct Crossbeam;

impl BlockingChannel for Crossbeam {
    type Sender = crossbeam_channel::Sender<u32>;
    type Receiver = crossbeam_channel::Receiver<u32>;

    fn bounded(capacity: usize) -> (Self::Sender, Self::Receiver) {
        crossbeam_channel::bounded(capacity)
    }

    fn send(sender: &Self::Sender, value: u32) {
        sender.send(value).expect("the receiving task ended early");
    }

    fn recv(receiver: &Self::Receiver) -> u32 {
        receiver.recv().expect("every sending task ended early")
    }
}

/// Both phases on OS threads, scoped so that every thread is joined before its phase's CPU
/// time is read. A `Barrier` holds each phase's clock until all its threads are running and
/// about to wait: thread start-up is not part of a hand-off.
fn exchange_on_threads<C: BlockingChannel>(sizes: &Sizes) -> Outcome {
    let (token, ring_time, ring_cpu) = ring_on_threads::<C>(sizes);
    let (acc, pair_time, pair_cpu) = pair_on_threads::<C>(sizes);
    Outcome {
        token,
        acc,
        ring_time,
        pair_time,
        ring_cpu,
        pair_cpu,
    }
}

fn ring_on_threads<C: BlockingChannel>(sizes: &Sizes) -> (u32, Duration, Duration) {
    let (senders, inboxes): (Vec<_>, Vec<_>) = (0..sizes.tasks).map(|_| C::bounded(sizes.capacity)).unzip();
    // One value ever passes to the main task: capacity 1 lets the last hop send and end.
    let (to_main, from_ring) = C::bounded(1);
    let all_waiting = Barrier::new(sizes.tasks + 1);
    let (token, ring_time, cpu_before) = thread::scope(|scope| {
        for (task, inbox) in inboxes.into_iter().enumerate() {
            let next = senders[(task + 1) % sizes.tasks].clone();
            let (to_main, all_waiting) = (to_main.clone(), &all_waiting);
            scope.spawn(move || {
                all_waiting.wait();
                for nth in 0..sizes.hops_of(task) {
                    let token = hop(C::recv(&inbox), task);
                    if sizes.is_last_hop(task, nth) {
                        C::send(&to_main, token);
                    } else {
                        C::send(&next, token);
                    }
                }
            });
        }
        all_waiting.wait();
        let cpu_before = process_cpu();
        let start = Instant::now();
        C::send(&senders[0], TOKEN_START);
        let token = C::recv(&from_ring);
        (token, start.elapsed(), cpu_before)
        // The scope joins every ring thread here, before the CPU time is read again.
    });
    (token, ring_time, process_cpu() - cpu_before)
}

fn pair_on_threads<C: BlockingChannel>(sizes: &Sizes) -> (u32, Duration, Duration) {
    let (queue_in, queue_out) = C::bounded(sizes.capacity);
    // The start signal: one value, the variant's own primitive.
    let (start_signal, start_wait) = C::bounded(1);
    let both_waiting = Barrier::new(3);
    let messages = sizes.messages;
    let (acc, pair_time, cpu_before) = thread::scope(|scope| {
        let both_waiting = &both_waiting;
        let producer = scope.spawn(move || {
            both_waiting.wait();
            C::recv(&start_wait);
            for value in 0..messages {
                // `as u32`: the values are taken mod 2^32, as the fold is.
                C::send(&queue_in, value as u32);
            }
        });
        let consumer = scope.spawn(move || {
            both_waiting.wait();
            (0..messages).fold(0u32, |acc, _| fold(acc, C::recv(&queue_out)))
        });
        both_waiting.wait();
        let cpu_before = process_cpu();
        let start = Instant::now();
        C::send(&start_signal, 0);
        let acc = consumer.join().expect("the consumer thread panicked");
        let pair_time = start.elapsed();
        producer.join().expect("the producer thread panicked");
        (acc, pair_time, cpu_before)
    });
    (acc, pair_time, process_cpu() - cpu_before)
}

/// Both phases as tokio tasks; the caller's `block_on` future is the main task. A tokio
/// `Barrier` holds each phase's clock until all its tasks have been polled once and wait.
async fn exchange_on_tokio(sizes: Sizes) -> Outcome {
    let (token, ring_time, ring_cpu) = ring_on_tokio(sizes).await;
    let (acc, pair_time, pair_cpu) = pair_on_tokio(sizes).await;
    Outcome {
        token,
        acc,
        ring_time,
        pair_time,
        ring_cpu,
        pair_cpu,
    }
}

async fn ring_on_tokio(sizes: Sizes) -> (u32, Duration, Duration) {
    let (senders, inboxes): (Vec<_>, Vec<_>) = (0..sizes.tasks)
        .map(|_| mpsc::channel::<u32>(sizes.capacity))
        .unzip();
    let (to_main, from_ring) = oneshot::channel::<u32>();
    // A oneshot sender is used once, so only the task that does the last hop holds it.
    let mut to_main = Some(to_main);
    let last_task = (sizes.hops - 1) % sizes.tasks;
    let all_waiting = Arc::new(tokio::sync::Barrier::new(sizes.tasks + 1));
    let handles: Vec<_> = inboxes
        .into_iter()
        .enumerate()
        .map(|(task, mut inbox)| {
            let next = senders[(task + 1) % sizes.tasks].clone();
            let mut to_main = if task == last_task { to_main.take() } else { None };
            let all_waiting = Arc::clone(&all_waiting);
            tokio::spawn(async move {
                all_waiting.wait().await;
                for nth in 0..sizes.hops_of(task) {
                    let token = inbox.recv().await.expect("every sending task ended early");
                    let token = hop(token, task);
                    if sizes.is_last_hop(task, nth) {
                        let to_main = to_main.take().expect("only the last hop sends to main");
                        to_main.send(token).expect("the main task stopped waiting");
                    } else {
                        next.send(token).await.expect("the receiving task ended early");
                    }
                }
            })
        })
        .collect();
    all_waiting.wait().await;
    let cpu_before = process_cpu();
    let start = Instant::now();
    senders[0].send(TOKEN_START).await.expect("task 0 ended early");
    let token = from_ring
        .await
        .expect("the last hop's task ended without sending");
    let ring_time = start.elapsed();
    for handle in handles {
        handle.await.expect("a ring task panicked");
    }
    (token, ring_time, process_cpu() - cpu_before)
}

async fn pair_on_tokio(sizes: Sizes) -> (u32, Duration, Duration) {
    let (queue_in, mut queue_out) = mpsc::channel::<u32>(sizes.capacity);
    let (start_signal, start_wait) = oneshot::channel::<()>();
    let (consumer_end, consumer_done) = oneshot::channel::<u32>();
    let both_waiting = Arc::new(tokio::sync::Barrier::new(3));
    let messages = sizes.messages;
    let producer = tokio::spawn({
        let both_waiting = Arc::clone(&both_waiting);
        async move {
            both_waiting.wait().await;
            start_wait.await.expect("the main task dropped the start signal");
            for value in 0..messages {
                // `as u32`: the values are taken mod 2^32, as the fold is.
                queue_in
                    .send(value as u32)
                    .await
                    .expect("the consumer ended early");
            }
        }
    });
    let consumer = tokio::spawn({
        let both_waiting = Arc::clone(&both_waiting);
        async move {
            both_waiting.wait().await;
            let mut acc = 0u32;
            for _ in 0..messages {
                acc = fold(acc, queue_out.recv().await.expect("the producer ended early"));
            }
            consumer_end.send(acc).expect("the main task stopped waiting");
        }
    });
    both_waiting.wait().await;
    let cpu_before = process_cpu();
    let start = Instant::now();
    start_signal.send(()).expect("the producer ended early");
    let acc = consumer_done
        .await
        .expect("the consumer ended without its result");
    let pair_time = start.elapsed();
    producer.await.expect("the producer task panicked");
    consumer.await.expect("the consumer task panicked");
    (acc, pair_time, process_cpu() - cpu_before)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's test vectors: (P, M, N, Q, checksum).
    const VECTORS: [(usize, usize, usize, usize, &str); 2] =
        [(3, 10, 10, 2, "2055683726:165029893"), (2, 1, 1, 1, "67918732:0")];

    /// Every vector, plus sizes where P > M (tasks with no hop), Q > N and Q = 1 with more
    /// values than fit, checked against the sequential definition.
    fn cases() -> Vec<(Sizes, String)> {
        let mut cases: Vec<(Sizes, String)> = VECTORS
            .iter()
            .map(|&(p, m, n, q, expected)| (Sizes::new(p, m, n, q).unwrap(), expected.to_string()))
            .collect();
        for (p, m, n, q) in [(5, 3, 1000, 1), (4, 1001, 7, 64), (2, 2, 2, 1)] {
            let sizes = Sizes::new(p, m, n, q).unwrap();
            cases.push((sizes, sequential_checksum(&sizes)));
        }
        cases
    }

    /// The checksum by the contract's definition, without tasks.
    fn sequential_checksum(sizes: &Sizes) -> String {
        let token = (0..sizes.hops).fold(TOKEN_START, |token, h| hop(token, h % sizes.tasks));
        let acc = (0..sizes.messages).fold(0, |acc, v| fold(acc, v as u32));
        format!("{token}:{acc}")
    }

    fn checksum(outcome: &Outcome) -> String {
        format!("{}:{}", outcome.token, outcome.acc)
    }

    #[test]
    fn the_sequential_definition_matches_the_contract_vectors() {
        for (p, m, n, q, expected) in VECTORS {
            assert_eq!(sequential_checksum(&Sizes::new(p, m, n, q).unwrap()), expected);
        }
    }

    #[test]
    fn every_task_does_its_share_of_the_hops() {
        let sizes = Sizes::new(3, 10, 1, 1).unwrap();
        assert_eq!((0..3).map(|k| sizes.hops_of(k)).collect::<Vec<_>>(), [4, 3, 3]);
        let few = Sizes::new(5, 3, 1, 1).unwrap();
        assert_eq!(
            (0..5).map(|k| few.hops_of(k)).collect::<Vec<_>>(),
            [1, 1, 1, 0, 0]
        );
        assert!(sizes.is_last_hop(0, 3) && !sizes.is_last_hop(0, 2) && !sizes.is_last_hop(1, 2));
    }

    #[test]
    fn std_mpsc_matches_the_vectors() {
        for (sizes, expected) in cases() {
            assert_eq!(
                checksum(&exchange_on_threads::<StdMpsc>(&sizes)),
                expected,
                "{sizes:?}"
            );
        }
    }

    #[test]
    fn crossbeam_matches_the_vectors() {
        for (sizes, expected) in cases() {
            assert_eq!(
                checksum(&exchange_on_threads::<Crossbeam>(&sizes)),
                expected,
                "{sizes:?}"
            );
        }
    }

    #[test]
    fn tokio_mpsc_matches_the_vectors_on_one_and_two_workers() {
        for workers in [1, 2] {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .build()
                .unwrap();
            for (sizes, expected) in cases() {
                let outcome = runtime.block_on(exchange_on_tokio(sizes));
                assert_eq!(checksum(&outcome), expected, "workers={workers} {sizes:?}");
            }
        }
    }

    #[test]
    fn the_result_carries_every_field_in_order() {
        let sizes = Sizes::new(3, 10, 10, 2).unwrap();
        let outcome = Outcome {
            token: 2_055_683_726,
            acc: 165_029_893,
            ring_time: Duration::from_nanos(11),
            pair_time: Duration::from_nanos(12),
            ring_cpu: Duration::from_micros(13),
            pair_cpu: Duration::from_micros(14),
        };
        assert_eq!(
            result_event(&sizes, &outcome).into_line(),
            concat!(
                r#"{"event":"result","checksum":"2055683726:165029893","ops":20,"tasks":3,"#,
                r#""capacity":2,"ring_ns":11,"pair_ns":12,"ring_cpu_ns":13000,"pair_cpu_ns":14000}"#
            )
        );
    }

    #[test]
    fn cpu_time_is_read_and_grows() {
        let before = process_cpu();
        let spin = Instant::now();
        while spin.elapsed() < Duration::from_millis(30) {
            std::hint::black_box(0u64);
        }
        assert!(process_cpu() > before);
    }

    #[test]
    fn a_ring_of_one_task_is_a_usage_error() {
        assert!(Sizes::new(1, 10, 10, 2).is_err());
        assert!(Sizes::new(2, 10, 10, 2).is_ok());
    }
}
