//! The harness's own implementations of the four Benchmarks Game kernels (workloads/README.md,
//! "Workload `kernels`"), written from the contract and independent of every workload, so that
//! the expected checksum of any `n` is computed here and never taken from a program under test.
//! Shared by `kernels` (one kernel per case) and `jit-warmup` (its benchmarks). binary-trees
//! needs no allocation at all: its total has a closed form. Must not be used to time anything.

// The loops index the three coordinates as the contract writes them (x, y, z by k), which
// keeps the order of every floating-point operation visibly the contract's.
#![allow(clippy::needless_range_loop)]

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The kernels, in the contract's order.
pub const KERNELS: [&str; 4] = ["nbody", "spectral-norm", "fannkuch-redux", "binary-trees"];

/// The reference checksum of `kernel` at `n`, memoized: a suite asks for one size per language.
/// An unknown kernel or an `n` whose counts would overflow is an error naming the kernel.
pub fn checksum(kernel: &str, n: u64) -> Result<String, String> {
    static MEMO: OnceLock<Mutex<HashMap<(String, u64), String>>> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    if let Some(sum) = memo.lock().expect("memo lock").get(&(kernel.to_string(), n)) {
        return Ok(sum.clone());
    }
    let sum = match kernel {
        "nbody" => nbody(n),
        "spectral-norm" => spectral_norm(n),
        "fannkuch-redux" if n <= 20 => fannkuch_redux(n),
        "binary-trees" if n <= 60 => binary_trees(n),
        "fannkuch-redux" | "binary-trees" => return Err(format!("{kernel}: n = {n} is too large")),
        other => return Err(format!("no kernel {other:?} (known: {})", KERNELS.join(", "))),
    };
    memo.lock()
        .expect("memo lock")
        .insert((kernel.to_string(), n), sum.clone());
    Ok(sum)
}

/// `%.9f` of the energy after `n` steps.
pub fn nbody(n: u64) -> String {
    let mut bodies = initial_bodies();
    offset_momentum(&mut bodies);
    for _ in 0..n {
        advance(&mut bodies, 0.01);
    }
    format!("{:.9}", energy(&bodies))
}

#[derive(Clone, Copy)]
pub struct Body {
    pos: [f64; 3],
    vel: [f64; 3],
    mass: f64,
}

/// The contract's 3.141592653589793: the same f64.
const PI: f64 = std::f64::consts::PI;
const SOLAR_MASS: f64 = 4.0 * PI * PI;
const DAYS_PER_YEAR: f64 = 365.24;

#[allow(clippy::excessive_precision)]
pub fn initial_bodies() -> [Body; 5] {
    let body = |pos: [f64; 3], vel: [f64; 3], mass: f64| Body {
        pos,
        vel: vel.map(|v| v * DAYS_PER_YEAR),
        mass: mass * SOLAR_MASS,
    };
    [
        body([0.0; 3], [0.0; 3], 1.0),
        body(
            [
                4.84143144246472090e+00,
                -1.16032004402742839e+00,
                -1.03622044471123109e-01,
            ],
            [
                1.66007664274403694e-03,
                7.69901118419740425e-03,
                -6.90460016972063023e-05,
            ],
            9.54791938424326609e-04,
        ),
        body(
            [
                8.34336671824457987e+00,
                4.12479856412430479e+00,
                -4.03523417114321381e-01,
            ],
            [
                -2.76742510726862411e-03,
                4.99852801234917238e-03,
                2.30417297573763929e-05,
            ],
            2.85885980666130812e-04,
        ),
        body(
            [
                1.28943695621391310e+01,
                -1.51111514016986312e+01,
                -2.23307578892655734e-01,
            ],
            [
                2.96460137564761618e-03,
                2.37847173959480950e-03,
                -2.96589568540237556e-05,
            ],
            4.36624404335156298e-05,
        ),
        body(
            [
                1.53796971148509165e+01,
                -2.59193146099879641e+01,
                1.79258772950371181e-01,
            ],
            [
                2.68067772490389322e-03,
                1.62824170038242295e-03,
                -9.51592254519715870e-05,
            ],
            5.15138902046611451e-05,
        ),
    ]
}

fn offset_momentum(bodies: &mut [Body; 5]) {
    let mut p = [0.0f64; 3];
    for b in bodies.iter() {
        for k in 0..3 {
            p[k] += b.vel[k] * b.mass;
        }
    }
    for k in 0..3 {
        bodies[0].vel[k] = -p[k] / SOLAR_MASS;
    }
}

fn advance(bodies: &mut [Body; 5], dt: f64) {
    for i in 0..5 {
        for j in i + 1..5 {
            let d = [0, 1, 2].map(|k| bodies[i].pos[k] - bodies[j].pos[k]);
            let d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            let mag = dt / (d2 * d2.sqrt());
            let (mi, mj) = (bodies[i].mass, bodies[j].mass);
            for k in 0..3 {
                bodies[i].vel[k] -= d[k] * mj * mag;
            }
            for k in 0..3 {
                bodies[j].vel[k] += d[k] * mi * mag;
            }
        }
    }
    for b in bodies.iter_mut() {
        for k in 0..3 {
            b.pos[k] += dt * b.vel[k];
        }
    }
}

fn energy(bodies: &[Body; 5]) -> f64 {
    let mut e = 0.0;
    for i in 0..5 {
        let b = &bodies[i];
        e += 0.5 * b.mass * (b.vel[0] * b.vel[0] + b.vel[1] * b.vel[1] + b.vel[2] * b.vel[2]);
        for other in &bodies[i + 1..] {
            let d = [0, 1, 2].map(|k| b.pos[k] - other.pos[k]);
            e -= (b.mass * other.mass) / (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        }
    }
    e
}

/// `%.9f` of the spectral norm of the n×n matrix A.
pub fn spectral_norm(n: u64) -> String {
    let n = n as usize;
    let a = |i: usize, j: usize| 1.0 / (((i + j) * (i + j + 1) / 2 + i + 1) as f64);
    let av = |v: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| (0..n).fold(0.0, |sum, j| sum + a(i, j) * v[j]))
            .collect()
    };
    let atv = |v: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| (0..n).fold(0.0, |sum, j| sum + a(j, i) * v[j]))
            .collect()
    };
    let mut u = vec![1.0; n];
    let mut v = Vec::new();
    for _ in 0..10 {
        v = atv(&av(&u));
        u = atv(&av(&v));
    }
    let vbv = (0..n).fold(0.0, |s, i| s + u[i] * v[i]);
    let vv = (0..n).fold(0.0, |s, i| s + v[i] * v[i]);
    format!("{:.9}", (vbv / vv).sqrt())
}

/// `"<checksum>:<max flips>"` over every permutation of n, the Benchmarks Game's order.
pub fn fannkuch_redux(n: u64) -> String {
    let n = n as usize;
    let mut perm1: Vec<usize> = (0..n).collect();
    let mut count = vec![0usize; n];
    let mut perm = vec![0usize; n];
    let (mut checksum, mut max_flips, mut perm_count, mut r) = (0i64, 0u32, 0u64, n);
    loop {
        while r != 1 {
            count[r - 1] = r;
            r -= 1;
        }
        perm.copy_from_slice(&perm1);
        let mut flips = 0u32;
        let mut k = perm[0];
        while k != 0 {
            perm[..=k].reverse();
            flips += 1;
            k = perm[0];
        }
        max_flips = max_flips.max(flips);
        checksum += if perm_count % 2 == 0 {
            i64::from(flips)
        } else {
            -i64::from(flips)
        };
        loop {
            if r == n {
                return format!("{checksum}:{max_flips}");
            }
            perm1[..=r].rotate_left(1);
            count[r] -= 1;
            if count[r] > 0 {
                break;
            }
            r += 1;
        }
        perm_count += 1;
    }
}

/// The total of every check: a tree of depth d has 2^(d+1) − 1 nodes.
pub fn binary_trees(n: u64) -> String {
    let nodes = |d: u64| (1u128 << (d + 1)) - 1;
    let min_depth = 4;
    let max_depth = n.max(min_depth + 2);
    let mut total = nodes(max_depth + 1) + nodes(max_depth);
    let mut d = min_depth;
    while d <= max_depth {
        total += (1u128 << (max_depth - d + min_depth)) * nodes(d);
        d += 2;
    }
    total.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_vectors() {
        assert_eq!(nbody(1000), "-0.169087605");
        assert_eq!(spectral_norm(100), "1.274219991");
        assert_eq!(fannkuch_redux(7), "228:16");
        assert_eq!(fannkuch_redux(10), "73196:38");
        assert_eq!(binary_trees(6), "4398");
        assert_eq!(binary_trees(10), "135854");
    }

    #[test]
    fn helpers_agree_at_a_middle_size() {
        // Values the Rust and Go helpers' programs printed at these sizes (their reports),
        // computed here independently.
        assert_eq!(binary_trees(16), "14985902");
        assert_eq!(fannkuch_redux(1), "0:0");
    }

    #[test]
    fn checksum_names_the_kernel_and_refuses_overflowing_sizes() {
        assert_eq!(checksum("fannkuch-redux", 7), Ok("228:16".into()));
        assert!(checksum("fannkuch-redux", 21)
            .unwrap_err()
            .contains("fannkuch-redux"));
        assert!(checksum("mandelbrot", 7).unwrap_err().contains("mandelbrot"));
    }
}
