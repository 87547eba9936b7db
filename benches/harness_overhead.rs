//! The harness's own overhead, measured with criterion: what one RSS sample of a process tree
//! costs (it runs at 50 Hz beside every workload), what spawning + measuring a trivial process
//! costs end to end, and the statistics over a realistic number of repetitions.
//! Run: cargo bench --bench harness_overhead

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use arena_harness::analyse::stats;
use arena_harness::measure::executor::{Executor, Job, ProcessExecutor};
use arena_harness::measure::sampler;
use arena_runners::LaunchSpec;
use criterion::{criterion_group, criterion_main, Criterion};

fn tree_rss_sample(c: &mut Criterion) {
    // SAFETY: getpgrp has no preconditions.
    let own_group = unsafe { libc::getpgrp() };
    let page = sampler::page_size();
    c.bench_function("sampler/tree_rss_bytes (scan /proc, sum statm)", |b| {
        b.iter(|| sampler::tree_rss_bytes(own_group, page))
    });
    let mut cached = sampler::TreeSampler::new(own_group, page);
    c.bench_function(
        "sampler/TreeSampler::sample (cached members, rescan every 5th)",
        |b| b.iter(|| cached.sample()),
    );
}

fn spawn_and_measure(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let job = Job {
        spec: LaunchSpec {
            program: PathBuf::from("/bin/true"),
            args: vec![],
            env: BTreeMap::new(),
            cwd: PathBuf::from("/"),
            artifacts: Vec::new(),
        },
        timeout: Duration::from_secs(10),
        stderr_log: dir.path().join("true.stderr.log"),
        driver: None,
        cpus: vec![],
        generator_cpus: vec![],
    };
    let mut group = c.benchmark_group("executor");
    group.sample_size(30);
    group.bench_function("spawn + wait4 + sample /bin/true", |b| {
        b.iter(|| ProcessExecutor::default().execute(&job))
    });
    group.finish();
}

fn statistics(c: &mut Criterion) {
    let values: Vec<f64> = (0..10).map(|i| 1e9 + (i * 7919 % 13) as f64 * 1e6).collect();
    c.bench_function("stats/estimate n=10", |b| b.iter(|| stats::estimate(&values)));
    let pairs: Vec<(f64, f64)> = values.iter().map(|v| (*v, v * 0.5)).collect();
    c.bench_function("stats/paired_ratio n=10", |b| {
        b.iter(|| stats::paired_ratio(&pairs))
    });
    let points: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| ((i % 3) as f64 * 1e4, *v))
        .collect();
    c.bench_function("stats/slope_fit n=10", |b| {
        b.iter(|| stats::slope_fit(&points, 0.95))
    });
}

criterion_group!(benches, tree_rss_sample, spawn_and_measure, statistics);
criterion_main!(benches);
