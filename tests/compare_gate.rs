//! The pull-request gate can fail, and how often it fails wrongly: `arena compare` of two
//! recorded runs (built here from a seeded noise model) with a 1.3× slowdown injected into one
//! case reports it regressed and exits 1, and an A/A of the same model exits 0; `arena compare
//! --run-both` of two scratch checkouts whose new side does twice the kernel work exits 1; and
//! the gate's decision rule (`analyse::compare::judge_family`) is simulated at the pr suite's
//! design for its false-positive rate and its power at 1.2× and 1.5×; "not comparable" says why.
//!
//! The table the simulation prints is in docs/methodology.md ("Comparing two runs"):
//! `cargo test --test compare_gate simulated_false_positive_rate_and_power -- --nocapture`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use arena_harness::analyse::compare::{between_runs, judge_family, Outcome, ALPHA, DEFAULT_MARGIN};
use arena_harness::analyse::log_ratio::LogShift;
use arena_results::{CaseRecord, CaseStatus, LaunchRecord, Repetition, RssTimeline, RunRecord};

fn arena() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_arena"));
    cmd.arg("--root").arg(common::repo_root());
    cmd
}

/// A seeded xorshift64 generator: uniform deviates in (0, 1).
struct StdRng(u64);

impl StdRng {
    fn seed_from_u64(seed: u64) -> StdRng {
        StdRng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

/// A standard normal deviate (Box–Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let (u, v) = (rng.uniform(), rng.uniform());
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// The per-process noise on the log of CPU time, as assumed for this machine. The A/A runs
/// 20261201T114446Z-noise and 20261201T115022Z-noise (docs/methodology.md, "Noise and
/// interference") spread CPU time by (p90 − p10)/median = 1.0–4.6%, i.e. σ ≈ 0.4–1.8% for a
/// log-normal, and resolved ±0.7–4.3%; the models take σ = 2%, above the worst of them, and
/// add the two shapes a shared host gives: heavy tails and one-sided slowdowns.
#[derive(Clone, Copy)]
enum Noise {
    /// log-normal, σ = 2%.
    LogNormal,
    /// Student-t with 3 degrees of freedom on the log, scale 1.5% (sd 2.6%): rare large
    /// deviations either way.
    HeavyTailed,
    /// log-normal σ = 1%, and in 30% of processes a one-sided slowdown exp(E), E exponential
    /// with mean 4% (a co-tenant's burst: only ever slower).
    Skewed,
    /// log-normal σ = 15%: wall time of a short process here (spread 32–40%), for comparison.
    WallLike,
}

impl Noise {
    const ALL: [Noise; 4] = [
        Noise::LogNormal,
        Noise::HeavyTailed,
        Noise::Skewed,
        Noise::WallLike,
    ];

    fn name(self) -> &'static str {
        match self {
            Noise::LogNormal => "log-normal σ 2%",
            Noise::HeavyTailed => "t₃ scale 1.5%",
            Noise::Skewed => "σ 1% + 30% × Exp(4%)",
            Noise::WallLike => "log-normal σ 15%",
        }
    }

    fn draw(self, rng: &mut StdRng) -> f64 {
        match self {
            Noise::LogNormal => 0.02 * normal(rng),
            Noise::HeavyTailed => {
                let chi2: f64 = (0..3).map(|_| normal(rng).powi(2)).sum();
                0.015 * normal(rng) / (chi2 / 3.0).sqrt()
            }
            Noise::Skewed => {
                let burst = if rng.uniform() < 0.3 {
                    -0.04 * rng.uniform().ln()
                } else {
                    0.0
                };
                0.01 * normal(rng) + burst
            }
            Noise::WallLike => 0.15 * normal(rng),
        }
    }
}

/// The pr suite's design (harness/suites/pr.toml): 9 cpu-scale variants × 2 worker counts, 10
/// rounds, both sides in every round.
const PR_CASES: usize = 18;
const PR_ROUNDS: usize = 10;

/// How the two sides of a simulated comparison were measured.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Design {
    /// `--run-both`: both sides in every round; each round has a shared machine factor (up to
    /// 3×, both sides alike) that pairing must cancel.
    Paired,
    /// Two runs measured apart, between which the host drifted: NEW's run as a whole by a
    /// factor of 0.8–1.3 and each case by a further 3% (log-normal), as two quick runs of one
    /// commit did here. `drift_model`: the gate takes that drift out (`between_runs`), or not.
    Apart { drift_model: bool },
}

impl Design {
    fn name(self) -> &'static str {
        match self {
            Design::Paired => "paired rounds (--run-both)",
            Design::Apart { drift_model: true } => "apart, host drift 0.8–1.3× and 3% a case, taken out",
            Design::Apart { drift_model: false } => "apart, the same drift, not taken out (before)",
        }
    }
}

/// One simulated comparison: case 0 slowed by `shift`, the others unchanged. Returns the log
/// shifts as the gate builds them, paired or (as for runs measured apart) Welch.
fn simulate(rng: &mut StdRng, noise: Noise, shift: f64, design: Design) -> Vec<Option<LogShift>> {
    let run_drift = (0.8 + 0.5 * rng.uniform()).ln();
    let mut shifts: Vec<Option<LogShift>> = (0..PR_CASES)
        .map(|case| {
            let factor = if case == 0 { shift.ln() } else { 0.0 };
            let case_drift = match design {
                Design::Paired => 0.0,
                Design::Apart { .. } => run_drift + 0.03 * normal(rng),
            };
            let mut base = Vec::new();
            let mut new = Vec::new();
            for _ in 0..PR_ROUNDS {
                let round = if design == Design::Paired {
                    (1.0f64 + 2.0 * rng.uniform()).ln()
                } else {
                    0.0
                };
                base.push(round + noise.draw(rng));
                new.push(round + case_drift + factor + noise.draw(rng));
            }
            if design == Design::Paired {
                let ratios: Vec<f64> = new.iter().zip(&base).map(|(n, b)| n - b).collect();
                LogShift::paired(&ratios)
            } else {
                LogShift::welch(&base, &new)
            }
        })
        .collect();
    if design == (Design::Apart { drift_model: true }) {
        between_runs(&mut shifts);
    }
    shifts
}

/// The gate at the pr design, simulated: false-positive rate of a whole A/A comparison (any
/// of the 18 cases regressed or improved) must not exceed α beyond 3 simulation standard
/// errors; at σ = 2% a 1.2× slowdown of one case must be found 80% of the time.
#[test]
fn simulated_false_positive_rate_and_power() {
    const TRIALS: usize = 2000;
    const POWER_TRIALS: usize = 500;
    let mut rng = StdRng::seed_from_u64(19);
    let tolerance = 3.0 * (ALPHA * (1.0 - ALPHA) / TRIALS as f64).sqrt();
    println!(
        "pr design: {PR_CASES} cases × {PR_ROUNDS} rounds, α = {ALPHA} over the cases, {TRIALS} A/A and {POWER_TRIALS} shifted trials per cell, seed 19"
    );
    println!("| design | noise (per process, log CPU time) | A/A: any case flagged | power 1.2× | power 1.5× | detectable (median case, A/A) |");
    println!("|---|---|---|---|---|---|");
    for design in [
        Design::Paired,
        Design::Apart { drift_model: true },
        Design::Apart { drift_model: false },
    ] {
        for noise in Noise::ALL {
            let mut false_positives = 0;
            let mut detectable = Vec::new();
            for _ in 0..TRIALS {
                let family = judge_family(&simulate(&mut rng, noise, 1.0, design), DEFAULT_MARGIN);
                let decisions: Vec<_> = family.decisions.iter().flatten().collect();
                false_positives += usize::from(
                    decisions
                        .iter()
                        .any(|d| matches!(d.outcome, Outcome::Regressed | Outcome::Improved)),
                );
                detectable.push(decisions[0].detectable_ratio);
            }
            let power = |shift: f64, rng: &mut StdRng| {
                let found = (0..POWER_TRIALS)
                    .filter(|_| {
                        let family = judge_family(&simulate(rng, noise, shift, design), DEFAULT_MARGIN);
                        family.decisions[0].as_ref().unwrap().outcome == Outcome::Regressed
                    })
                    .count();
                found as f64 / POWER_TRIALS as f64
            };
            let (p12, p15) = (power(1.2, &mut rng), power(1.5, &mut rng));
            detectable.sort_by(f64::total_cmp);
            let rate = false_positives as f64 / TRIALS as f64;
            println!(
                "| {} | {} | {:.2}% | {:.1}% | {:.1}% | ×{:.3} |",
                design.name(),
                noise.name(),
                rate * 100.0,
                p12 * 100.0,
                p15 * 100.0,
                detectable[TRIALS / 2]
            );
            // Without the drift model, runs measured apart flag the host's drift: shown, and
            // asserted to fail, so the model is what keeps the rate.
            if design == (Design::Apart { drift_model: false }) {
                assert!(
                    rate > 2.0 * ALPHA,
                    "{}: drift alone flagged only {rate}",
                    noise.name()
                );
                continue;
            }
            assert!(
                rate <= ALPHA + tolerance,
                "{} {}: false-positive rate {rate} above {ALPHA} + {tolerance}",
                design.name(),
                noise.name()
            );
            if design == Design::Paired && matches!(noise, Noise::LogNormal) {
                assert!(p12 >= 0.8, "power at 1.2× only {p12}");
            }
        }
    }
}

fn repetition(index: u32, cpu_ns: f64) -> Repetition {
    Repetition {
        index,
        valid: true,
        failure_kind: None,
        reason: None,
        exit_code: Some(0),
        signal: None,
        wall_ns: (cpu_ns * 1.1) as u64,
        user_cpu_ns: cpu_ns as u64,
        sys_cpu_ns: 0,
        peak_tree_rss_bytes: Some(20 << 20),
        ready_tree_rss_bytes: None,
        ready_tree_pss_bytes: None,
        peak_tree_pss_bytes: None,
        ready_sampled_at_ns: None,
        ru_maxrss_bytes: None,
        time_to_ready_ns: None,
        rss_samples: 0,
        leftover_processes_killed: false,
        checksum: None,
        self_reported: BTreeMap::new(),
        rss_timeline: RssTimeline::default(),
        stderr_log: None,
        stderr_tail: None,
        phases: Vec::new(),
        interference: None,
        iter_ns: Vec::new(),
        hiccups: None,
        runtime_pauses: None,
    }
}

fn case(variant: &str, workers: u64, repetitions: Vec<Repetition>) -> CaseRecord {
    CaseRecord {
        case_id: format!("cpu-scale/{variant}/chunks=8,items=5000000,workers={workers}"),
        workload: "cpu-scale".into(),
        language: variant.split('/').next().unwrap().into(),
        variant: variant.into(),
        model: variant.split('/').nth(1).unwrap().into(),
        params: BTreeMap::from([("workers".to_string(), workers)]),
        launch: LaunchRecord {
            program: String::new(),
            args: vec![],
            env: BTreeMap::new(),
            cwd: String::new(),
            timeout_ms: 0,
        },
        status: CaseStatus::Ok,
        failure_kind: None,
        reason: None,
        expected_checksum: None,
        repetitions_planned: repetitions.len() as u32,
        server_cpus: vec![],
        generator_cpus: vec![],
        artifact_bytes: None,
        artifact_paths: Vec::new(),
        repetitions,
        summary: None,
    }
}

const VARIANTS: [&str; 9] = [
    "python/threads",
    "python/processes",
    "node/main",
    "node/workers",
    "go/goroutines",
    "java/threads",
    "java/forkjoin",
    "rust/threads",
    "rust/rayon",
];

/// A recorded pr-shaped run (18 cases, 6 repetitions) drawn from the log-normal σ = 2% model;
/// `slowed` names the case whose CPU time is multiplied by `factor`.
fn recorded_run(run_id: &str, seed: u64, slowed: Option<(&str, f64)>) -> RunRecord {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut record = common::empty_record(run_id);
    for (v, variant) in VARIANTS.iter().enumerate() {
        for workers in [1, 2] {
            let typical = 4e8 * (1.0 + v as f64 / 4.0);
            let mut c = case(variant, workers, Vec::new());
            let factor = match slowed {
                Some((id, f)) if id == c.case_id => f,
                _ => 1.0,
            };
            c.repetitions = (1..=6)
                .map(|i| repetition(i, typical * factor * Noise::LogNormal.draw(&mut rng).exp()))
                .collect();
            record.cases.push(c);
        }
    }
    record
}

fn write_run(dir: &Path, name: &str, record: &RunRecord) -> PathBuf {
    let run = dir.join(name);
    std::fs::create_dir_all(&run).unwrap();
    std::fs::write(run.join("results.json"), serde_json::to_vec(record).unwrap()).unwrap();
    run
}

/// Two recorded runs measured apart: one case 1.3× slower in NEW is the one regression and the
/// exit code is 1; an A/A of two independent draws exits 0 and flags nothing; `--json` carries
/// the outcome, the corrected interval with its level and the detectable change.
#[test]
fn a_recorded_slowdown_fails_the_gate_and_an_a_a_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let slowed = "cpu-scale/go/goroutines/chunks=8,items=5000000,workers=2";
    let base = write_run(dir.path(), "base", &recorded_run("base", 1, None));
    let slow = write_run(dir.path(), "slow", &recorded_run("slow", 2, Some((slowed, 1.3))));
    // Any one A/A draw is flagged with probability up to α = 5% by design (the simulation
    // above measures the rate); the draw with seed 3 is one of those (node/workers at one
    // worker, 0.972 [0.948–0.997]), seed 4 is not. This test checks the path from "nothing
    // flagged" to exit code 0, not the rate.
    let same = write_run(dir.path(), "same", &recorded_run("same", 4, None));

    let out = arena().arg("compare").arg(&base).arg(&slow).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let regressed: Vec<&str> = text.lines().filter(|l| l.contains("**regressed**")).collect();
    assert_eq!(regressed.len(), 1, "{text}");
    assert!(regressed[0].starts_with(&format!("| {slowed} |")), "{text}");
    assert!(text.contains("could detect, with 80% power"), "{text}");
    assert!(!text.contains("unchanged"), "{text}");

    let out = arena().arg("compare").arg(&base).arg(&same).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("0 regressed, 0 improved"), "{text}");

    let out = arena()
        .args(["compare", "--json"])
        .arg(&base)
        .arg(&slow)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["design"], "independent");
    assert_eq!(json["cases_tested"], 18);
    let row = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case_id"] == slowed)
        .unwrap();
    assert_eq!(row["outcome"], "regressed");
    assert_eq!(row["figure"], "cpu_ns");
    let (low, high) = (
        row["ratio_ci_low"].as_f64().unwrap(),
        row["ratio_ci_high"].as_f64().unwrap(),
    );
    assert!(1.0 < low && low < 1.3 && 1.3 < high, "{row}");
    assert!((row["ratio_ci_level"].as_f64().unwrap() - (1.0 - 0.05 / 18.0)).abs() < 1e-9);
    assert!(row["detectable_ratio"].as_f64().unwrap() < 1.3, "{row}");
}

/// A scratch checkout: the catalogue, the Python workloads and a one-case suite (python/threads
/// at one worker, 6 rounds, a tenth of a second of kernel), with `edit` applied to the kernel.
fn scratch_checkout(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let repo = common::repo_root();
    let root = dir.to_path_buf();
    std::fs::create_dir_all(root.join("harness/suites")).unwrap();
    std::fs::create_dir_all(root.join("workloads/python/arena_workloads")).unwrap();
    std::fs::copy(
        repo.join("workloads/catalog.toml"),
        root.join("workloads/catalog.toml"),
    )
    .unwrap();
    let package = repo.join("workloads/python/arena_workloads");
    for entry in std::fs::read_dir(&package).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "py") {
            let mut text = std::fs::read_to_string(&path).unwrap();
            if path.file_name().unwrap() == "cpu_scale.py" {
                text = edit(text);
            }
            std::fs::write(
                root.join("workloads/python/arena_workloads")
                    .join(path.file_name().unwrap()),
                text,
            )
            .unwrap();
        }
    }
    // 400k items a chunk: the kernel's work must dominate the process's CPU time, the gate's
    // primary figure. At 40k, interpreter start-up was three quarters of it, doubling the work
    // moved CPU time by only 1.25× [0.98–1.59], and under a loaded test run the gate missed it.
    std::fs::write(
        root.join("harness/suites/gate.toml"),
        "name = \"gate\"\ndescription = \"one python case, for the gate's test\"\nrepetitions = 6\n\n\
         [workloads.cpu-scale]\ntimeout_s = 30\nvariants = [\"python/threads\"]\n\
         params = { workers = [1], chunks = [4], items = [400000] }\n",
    )
    .unwrap();
    root
}

/// `--run-both` over two scratch checkouts whose only difference is that NEW's kernel runs
/// every chunk twice (the same checksum, twice the work): the gate reports it regressed and
/// exits 1. Python needs no build, so the fixture costs 12 short processes.
#[test]
fn run_both_fails_when_the_new_side_is_slower() {
    if !common::in_ci() && Command::new("python3").arg("--version").output().is_err() {
        eprintln!("SKIPPED: python3 not found (CI requires it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let base = scratch_checkout(&dir.path().join("base"), |t| t);
    let new = scratch_checkout(&dir.path().join("new"), |t| {
        let doubled = t.replace(
            "def chunk_partial(chunk_index, items):",
            "def chunk_partial(chunk_index, items):\n    _chunk_partial(chunk_index, items)\n    return _chunk_partial(chunk_index, items)\n\n\ndef _chunk_partial(chunk_index, items):",
        );
        assert_ne!(
            doubled, t,
            "cpu_scale.py no longer defines chunk_partial as expected"
        );
        doubled
    });
    let out = arena()
        .args(["compare", "--run-both"])
        .arg(&base)
        .arg(&new)
        .args(["--suite", "gate", "--seed", "7", "--out"])
        .arg(dir.path().join("runs"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("paired rounds"), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with("| cpu-scale/python/threads/"))
        .unwrap_or_else(|| panic!("{text}"));
    println!("{row}");
    assert!(row.contains("**regressed**"), "{text}");
}

/// "Not comparable" where it applies: a case missing from one run, too few repetitions, another
/// machine; and a `--run-both` pair (run ids `X-base`, `X-new`) is compared round by round.
#[test]
fn not_comparable_says_why_and_run_both_records_pair_by_round() {
    use arena_harness::analyse::compare::{compare, CompareOptions, Design};
    let base = recorded_run("base", 1, None);
    let mut new = recorded_run("new", 2, None);
    let missing = new.cases.remove(0).case_id;
    new.cases[0].repetitions.truncate(4);
    let few = new.cases[0].case_id.clone();
    let c = compare(&base, &new, CompareOptions::default());
    let note = |id: &str| {
        let case = c.cases.iter().find(|x| x.case_id == id).unwrap();
        assert_eq!(case.outcome, Outcome::NotComparable, "{case:?}");
        case.note.clone()
    };
    assert!(note(&missing).contains("missing from NEW"));
    assert!(note(&few).contains("a test needs 5"), "{}", note(&few));
    assert_eq!(c.cases_tested, 16);
    assert_eq!(c.design, Design::Independent);

    let mut elsewhere = recorded_run("elsewhere", 2, None);
    elsewhere.environment.cpu_model = "another CPU".into();
    let c = compare(&base, &elsewhere, CompareOptions::default());
    assert_eq!(c.count(Outcome::NotComparable), 18);
    assert!(c.cases[0].note.contains("different machines"));

    let (b, n) = (recorded_run("x-base", 1, None), recorded_run("x-new", 2, None));
    let c = compare(&b, &n, CompareOptions::default());
    assert_eq!(c.design, Design::PairedRounds);
    assert_eq!(c.cases[0].pairs, Some(6));
}
