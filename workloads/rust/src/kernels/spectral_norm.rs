//! The spectral-norm kernel exactly as the workload contract defines it (Benchmarks Game,
//! sequential): the matrix A(i, j) = 1 / ((i+j)(i+j+1)/2 + i + 1) computed on the fly, ten
//! rounds of u → AᵀAu → AᵀAv, and sqrt(vBv / vv), every sum accumulated from 0.0 in ascending
//! index order. It must not time, format or print anything, store the matrix, reassociate
//! sums (no `Iterator::sum`, no SIMD reductions), or use threads.

/// One matrix entry: integer arithmetic, then a single floating-point division.
fn a(i: usize, j: usize) -> f64 {
    let ij = i + j;
    1.0 / ((ij * (ij + 1) / 2 + i + 1) as f64)
}

/// The dot product of `v` with the entries `entry(0), entry(1), ...`, j ascending, from 0.0.
/// A fold rather than `Iterator::sum`, whose starting value is not part of the contract.
fn row_times(v: &[f64], entry: impl Fn(usize) -> f64) -> f64 {
    v.iter()
        .enumerate()
        .fold(0.0, |sum, (j, &v_j)| sum + entry(j) * v_j)
}

/// `out = A v`.
fn mul_av(v: &[f64], out: &mut [f64]) {
    for (i, out_i) in out.iter_mut().enumerate() {
        *out_i = row_times(v, |j| a(i, j));
    }
}

/// `out = Aᵀ v`.
fn mul_atv(v: &[f64], out: &mut [f64]) {
    for (i, out_i) in out.iter_mut().enumerate() {
        *out_i = row_times(v, |j| a(j, i));
    }
}

/// `out = Aᵀ (A v)`, with `scratch` holding `A v`.
fn mul_atav(v: &[f64], out: &mut [f64], scratch: &mut [f64]) {
    mul_av(v, scratch);
    mul_atv(scratch, out);
}

/// The spectral norm of the n × n matrix A by the power method.
pub fn spectral_norm(n: usize) -> f64 {
    let mut u = vec![1.0; n];
    let mut v = vec![0.0; n];
    let mut scratch = vec![0.0; n];
    for _ in 0..10 {
        mul_atav(&u, &mut v, &mut scratch);
        mul_atav(&v, &mut u, &mut scratch);
    }
    let v_bv = u.iter().zip(&v).fold(0.0, |sum, (&u_i, &v_i)| sum + u_i * v_i);
    let vv = v.iter().fold(0.0, |sum, &v_i| sum + v_i * v_i);
    (v_bv / vv).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::float_checksum;

    #[test]
    fn matrix_entries_follow_the_contract() {
        assert_eq!(a(0, 0), 1.0);
        assert_eq!(a(0, 1), 1.0 / 2.0);
        assert_eq!(a(1, 0), 1.0 / 3.0);
        assert_eq!(a(2, 3), 1.0 / 18.0);
    }

    #[test]
    fn matches_the_small_contract_vector() {
        assert_eq!(float_checksum(spectral_norm(100)), "1.274219991");
    }

    /// Several seconds in release: run with `cargo test --release -- --ignored`.
    #[test]
    #[ignore = "the contract's large vector takes seconds"]
    fn matches_the_large_contract_vector() {
        assert_eq!(float_checksum(spectral_norm(5500)), "1.274224153");
    }
}
