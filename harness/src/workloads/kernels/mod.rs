//! kernels: raw single-thread speed on four Benchmarks Game kernels, one idiomatic
//! implementation per language; the model names the kernel, `n` sizes it (workloads/README.md,
//! "Workload `kernels`"). Owns the invariants (the reference checksums are
//! `reference::benchmarks_game`'s, shared with jit-warmup), the in-process work time and CPU
//! time per case, the ratio of every language to Rust on the same kernel and size (paired by
//! round), the table, chart, `cite kernel_ratio` and the
//! `speed_ratio_near` claims (one verdict per kernel: the answer is kernel-dependent). Must not
//! compare cases of different sizes.

use std::collections::BTreeMap;

use anyhow::Result;
use arena_results::{CaseRecord, Estimate, FailureKind, RunRecord};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::module::{Metric, WorkloadModule};
use super::reference::benchmarks_game;
use crate::analyse::claims::{ratios_by_round, Bound, BoundChecks, ClaimContext, Judgement, TIMES};
use crate::analyse::stats::{estimate, ratio_by_round};
use crate::analyse::summary::{valid_rounds, valid_values};
use crate::measure::executor::Execution;
use crate::measure::judge::{Invariant, Params};
use crate::present::chart_model::{Chart, Line};
use crate::present::cite::{optional_estimate, Citation};
use crate::present::table::estimate_with_level;
use crate::present::Table;

pub const ID: &str = "kernels";
/// Work time relative to Rust, one line per language across the kernels.
pub const RATIO_CHART: &str = "kernels-ratio-to-rust";
/// The reference language of the ratios: compiled, no GC, no runtime.
const REFERENCE_LANGUAGE: &str = "rust";
/// The kernels, in the order of the chart's x axis.
pub const KERNELS: [&str; 4] = benchmarks_game::KERNELS;

/// One case: a language's kernel at one size.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct KernelCase {
    pub variant: String,
    pub language: String,
    pub kernel: String,
    pub n: u64,
    /// Self-reported `work_ns`: the kernel alone, start-up and formatting excluded.
    pub work_ns: Estimate,
    /// user + system CPU of the process (wait4), start-up included.
    pub cpu_ns: Estimate,
    pub wall_ns: Estimate,
    pub work_ns_rounds: Vec<(u32, f64)>,
    /// Work time / the Rust case's work time on the same kernel and n, paired by round.
    pub ratio_to_rust: Option<Estimate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum KernelsClaim {
    /// For each of `kernels`: work time of `slower` / work time of `faster` (languages, same n,
    /// paired by round) lies within `expected` × (1 ± `tolerance`). Supported when every
    /// interval lies inside that band; contradicted when any lies wholly outside it.
    SpeedRatioNear {
        slower: String,
        faster: String,
        kernels: Vec<String>,
        expected: f64,
        tolerance: f64,
    },
}

pub struct Kernels;

fn n_of(params: &Params) -> Result<u64, String> {
    params
        .get("n")
        .copied()
        .ok_or_else(|| format!("{ID} needs parameter n"))
}

/// The reference checksum of `kernel` at `n` (`reference::benchmarks_game`), its error naming
/// this workload.
fn checksum(kernel: &str, n: u64) -> Result<String, String> {
    benchmarks_game::checksum(kernel, n).map_err(|e| format!("{ID} {e}"))
}

impl WorkloadModule for Kernels {
    type Figures = Vec<KernelCase>;
    type Claim = KernelsClaim;

    fn id(&self) -> &'static str {
        ID
    }

    fn expected_checksum(&self, kernel: &str, params: &Params) -> Result<Option<String>, String> {
        checksum(kernel, n_of(params)?).map(Some)
    }

    fn invariants(&self, params: &Params, exec: &Execution) -> Result<Vec<Invariant>, (FailureKind, String)> {
        let Some(result) = exec.first_event("result") else {
            return Err((FailureKind::ProtocolError, "no `result` event".into()));
        };
        let n = params.get("n").copied().unwrap_or(0) as i64;
        let work = result.int("work_ns");
        Ok(vec![
            Invariant::new(
                work.is_some_and(|w| w > 0 && (w as u64) <= exec.wall_ns),
                format!("0 < result.work_ns {work:?} <= wall {} ns", exec.wall_ns),
            ),
            Invariant::new(
                result.int("ops").is_some_and(|ops| ops >= n.min(1)),
                format!("result.ops {:?} is present", result.int("ops")),
            ),
        ])
    }

    fn derive(&self, cases: &[&CaseRecord]) -> Vec<KernelCase> {
        let mut rows: Vec<KernelCase> = cases.iter().filter_map(|c| case_of(c)).collect();
        let reference: BTreeMap<(String, u64), Vec<(u32, f64)>> = rows
            .iter()
            .filter(|r| r.language == REFERENCE_LANGUAGE)
            .map(|r| ((r.kernel.clone(), r.n), r.work_ns_rounds.clone()))
            .collect();
        for row in &mut rows {
            if let Some(base) = reference.get(&(row.kernel.clone(), row.n)) {
                row.ratio_to_rust = ratio_by_round(&row.work_ns_rounds, base);
            }
        }
        rows
    }

    fn tables(&self, rows: &Vec<KernelCase>) -> Vec<Table> {
        let body = rows
            .iter()
            .map(|r| {
                vec![
                    r.kernel.clone(),
                    r.language.clone(),
                    r.n.to_string(),
                    seconds(&r.work_ns),
                    seconds(&r.cpu_ns),
                    r.ratio_to_rust
                        .as_ref()
                        .map_or("– (no Rust case at this n)".into(), |e| {
                            estimate_with_level(e, 1.0, 2, "×")
                        }),
                ]
            })
            .collect();
        vec![Table::new(
            "single-thread kernels (median [interval] (its coverage))",
            &[
                "kernel",
                "language",
                "n",
                "work [s]",
                "CPU [s]",
                "work time / Rust's",
            ],
            body,
            KERNELS_METHOD,
        )]
    }

    fn charts(&self, rows: &Vec<KernelCase>, _record: &RunRecord) -> Vec<Chart> {
        let mut by_language: BTreeMap<&str, Vec<(f64, f64, f64, f64)>> = BTreeMap::new();
        for r in rows {
            let (Some(e), Some(x)) = (&r.ratio_to_rust, KERNELS.iter().position(|k| *k == r.kernel)) else {
                continue;
            };
            by_language
                .entry(&r.language)
                .or_default()
                .push((x as f64 + 1.0, e.median, e.ci_low, e.ci_high));
        }
        if by_language.is_empty() {
            return Vec::new();
        }
        let lines = by_language
            .into_iter()
            .map(|(language, mut points)| {
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                Line::new(&format!("{language}/kernels"), language.to_string(), points)
            })
            .collect();
        let level = crate::present::table::interval_level_text(
            rows.iter()
                .filter_map(|r| r.ratio_to_rust.as_ref().map(|e| e.ci_level)),
        );
        vec![Chart::new(
            RATIO_CHART,
            "kernels: work time relative to Rust (1 nbody, 2 spectral-norm, 3 fannkuch-redux, 4 binary-trees)"
                .into(),
            "kernel".into(),
            format!("work time / Rust's [×] (median, {level}), log scale"),
            true,
            lines,
        )
        // Ratios from about 1 (Go, Java) to 100 (CPython): a log y keeps both readable.
        .with_linear_x()]
    }

    fn headlines(&self, rows: &Vec<KernelCase>) -> Vec<crate::analyse::trend::Headline> {
        rows.iter()
            .filter_map(|r| {
                let e = r.ratio_to_rust.as_ref()?;
                Some(crate::analyse::trend::Headline::of(
                    "work time / Rust's [×]",
                    format!("{} (n={})", r.variant, r.n),
                    e,
                    1.0,
                ))
            })
            .collect()
    }

    fn metrics(&self) -> Vec<Metric<Vec<KernelCase>>> {
        vec![
            Metric::citable("kernel_ratio", RATIO_METHOD, |rows, case, _| {
                cite_row(
                    row_of(rows, case).and_then(|r| r.ratio_to_rust.as_ref()),
                    case,
                    "work time / Rust's",
                    (1.0, "×"),
                )
            }),
            Metric::citable("kernel_work", KERNELS_METHOD, |rows, case, _| {
                cite_row(
                    row_of(rows, case).map(|r| &r.work_ns),
                    case,
                    "in-process work time",
                    (1e9, "s"),
                )
            }),
        ]
    }

    fn claim_variants(&self, claim: &KernelsClaim) -> Vec<String> {
        let KernelsClaim::SpeedRatioNear {
            slower,
            faster,
            kernels,
            ..
        } = claim;
        kernels
            .iter()
            .flat_map(|k| [format!("{slower}/{k}"), format!("{faster}/{k}")])
            .collect()
    }

    fn judge_claim(&self, claim: &KernelsClaim, rows: &Vec<KernelCase>, _ctx: &ClaimContext) -> Judgement {
        let KernelsClaim::SpeedRatioNear {
            slower,
            faster,
            kernels,
            expected,
            tolerance,
        } = claim;
        let (low_bound, high_bound) = (expected * (1.0 - tolerance), expected * (1.0 + tolerance));
        let mut checks = BoundChecks::new();
        for kernel in kernels {
            let case = |language: &str| {
                rows.iter()
                    .filter(|r| r.language == language && &r.kernel == kernel)
                    .max_by_key(|r| r.n)
            };
            let ratios = match (case(slower), case(faster)) {
                (Some(a), Some(b)) if a.n == b.n => ratios_by_round(&a.work_ns_rounds, &b.work_ns_rounds),
                _ => Vec::new(),
            };
            if ratios.is_empty() {
                checks.missing(format!("{kernel}: no {slower} and {faster} cases at one n"));
                continue;
            }
            checks.values(
                format!(
                    "{kernel}: {slower} / {faster} work time, rounds paired (claimed {expected:.2}× ± {:.0}%)",
                    tolerance * 100.0
                ),
                ratios,
                Bound::Within(low_bound, high_bound),
                TIMES,
            );
        }
        checks.verdict()
    }
}

fn row_of<'a>(rows: &'a [KernelCase], case: &CaseRecord) -> Option<&'a KernelCase> {
    rows.iter()
        .find(|r| r.variant == case.variant && Some(&r.n) == case.params.get("n"))
}

/// A kernel figure of `case`: a median over its processes, ratios paired by round.
fn cite_row(
    e: Option<&Estimate>,
    case: &CaseRecord,
    name: &str,
    (scale, unit): (f64, &str),
) -> Result<Citation> {
    let why = "ratios exist where a Rust case ran at the same n";
    optional_estimate(
        name,
        e,
        (scale, 3, unit),
        "processes (ratios: paired by round)",
        (case, why),
    )
}

fn case_of(case: &CaseRecord) -> Option<KernelCase> {
    let work = valid_values(case, |r| r.self_reported.get("work_ns").map(|v| *v as f64));
    if work.is_empty() {
        return None;
    }
    Some(KernelCase {
        variant: case.variant.clone(),
        language: case.language.clone(),
        kernel: case.model.clone(),
        n: case.params.get("n").copied().unwrap_or(0),
        work_ns: estimate(&work),
        cpu_ns: estimate(&valid_values(case, |r| {
            Some((r.user_cpu_ns + r.sys_cpu_ns) as f64)
        })),
        wall_ns: estimate(&valid_values(case, |r| Some(r.wall_ns as f64))),
        work_ns_rounds: valid_rounds(case, |r| r.self_reported.get("work_ns").map(|v| *v as f64)),
        ratio_to_rust: None,
    })
}

fn seconds(e: &Estimate) -> String {
    estimate_with_level(e, 1e9, 3, "")
}

const KERNELS_METHOD: &str = "kernels: work = the process's own work_ns (monotonic clock, from just before the kernel to just after its checksum value, formatting and start-up excluded; self-reported), CPU = user + system from wait4 (start-up included); median over processes with the order-statistic interval and its coverage. One thread, the Benchmarks Game's algorithms as workloads/README.md writes them. Compiler flags: Go `go build -trimpath` (GOAMD64=v1, no FMA); Rust `cargo build --release` with the default release profile (opt-level 3, codegen-units 16, no LTO; workloads/rust/Cargo.toml sets none), no target-cpu=native, the same for every kernel";
const RATIO_METHOD: &str = "kernel ratio: median over rounds of work_ns(language) / work_ns(Rust) on the same kernel and n, the two processes of a round paired (each round runs every case once, the workloads in shuffled order and each one's cases back to back in shuffled order, so the two run seconds apart), with the order-statistic interval of the ratios and its coverage";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::claims::Verdict;

    fn case(language: &str, kernel: &str, n: u64, work_ms: &[f64]) -> KernelCase {
        let ns: Vec<f64> = work_ms.iter().map(|m| m * 1e6).collect();
        KernelCase {
            variant: format!("{language}/{kernel}"),
            language: language.into(),
            kernel: kernel.into(),
            n,
            work_ns: estimate(&ns),
            cpu_ns: estimate(&ns),
            wall_ns: estimate(&ns),
            work_ns_rounds: ns.iter().enumerate().map(|(i, v)| (i as u32 + 1, *v)).collect(),
            ratio_to_rust: None,
        }
    }

    fn claim(kernels: &[&str]) -> KernelsClaim {
        KernelsClaim::SpeedRatioNear {
            slower: "go".into(),
            faster: "rust".into(),
            kernels: kernels.iter().map(|k| k.to_string()).collect(),
            expected: 1.5,
            tolerance: 0.2,
        }
    }

    #[test]
    fn checksums_come_from_the_reference_and_unknown_kernels_fail() {
        let n7: Params = [("n".to_string(), 7)].into_iter().collect();
        assert_eq!(
            Kernels.expected_checksum("fannkuch-redux", &n7),
            Ok(Some("228:16".into()))
        );
        assert!(Kernels.expected_checksum("mandelbrot", &n7).is_err());
        assert!(Kernels.expected_checksum("nbody", &Params::new()).is_err());
    }

    #[test]
    fn the_claim_is_judged_per_kernel_on_paired_intervals() {
        let rust = |k| case("rust", k, 10, &[100.0; 8]);
        let rows = vec![
            rust("nbody"),
            case(
                "go",
                "nbody",
                10,
                &[150.0, 151.0, 149.0, 150.0, 152.0, 148.0, 150.0, 150.0],
            ),
            rust("binary-trees"),
            case("go", "binary-trees", 10, &[300.0; 8]),
        ];
        let v = |kernels: &[&str]| {
            Kernels
                .judge_claim(&claim(kernels), &rows, &ClaimContext { logical_cores: 2 })
                .verdict
        };
        assert_eq!(v(&["nbody"]), Verdict::Supported);
        assert_eq!(
            v(&["binary-trees"]),
            Verdict::Contradicted,
            "3× is outside 1.2–1.8"
        );
        assert_eq!(v(&["nbody", "binary-trees"]), Verdict::Contradicted);
        assert_eq!(v(&["spectral-norm"]), Verdict::NotEnoughEvidence, "not measured");
        let other_n = vec![rust("nbody"), case("go", "nbody", 20, &[150.0; 8])];
        let judged = Kernels.judge_claim(&claim(&["nbody"]), &other_n, &ClaimContext { logical_cores: 2 });
        assert_eq!(
            judged.verdict,
            Verdict::NotEnoughEvidence,
            "different sizes are never compared"
        );
    }
}
