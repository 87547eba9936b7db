//! The fannkuch-redux kernel exactly as the workload contract writes the Benchmarks Game's
//! sequential algorithm: every permutation of 0..n in the order of its counter-based
//! generator, each one's pancake flips counted, the alternating checksum and the maximum.
//! It must not time, format or print anything, skip or reorder permutations, or use threads.

/// What one run found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fannkuch {
    /// The sum of the flip counts, added for even and subtracted for odd permutation indices.
    pub checksum: i64,
    pub max_flips: u32,
    /// How many permutations were visited (n!).
    pub permutations: u64,
}

pub fn fannkuch(n: usize) -> Fannkuch {
    let mut perm1: Vec<usize> = (0..n).collect();
    let mut perm = vec![0; n];
    let mut count = vec![0; n];
    let mut r = n;
    let mut checksum: i64 = 0;
    let mut max_flips: u32 = 0;
    let mut perm_count: u64 = 0;
    loop {
        while r != 1 {
            count[r - 1] = r;
            r -= 1;
        }

        perm.copy_from_slice(&perm1);
        let mut flips: u32 = 0;
        let mut k = perm[0];
        while k != 0 {
            perm[..=k].reverse();
            flips += 1;
            k = perm[0];
        }
        max_flips = max_flips.max(flips);
        checksum += if perm_count.is_multiple_of(2) {
            i64::from(flips)
        } else {
            -i64::from(flips)
        };

        // The next permutation.
        loop {
            if r == n {
                return Fannkuch {
                    checksum,
                    max_flips,
                    permutations: perm_count + 1,
                };
            }
            // perm1[0..r] = perm1[1..=r], perm1[r] = the old perm1[0].
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

impl Fannkuch {
    /// The contract's checksum string: `"<checksum>:<max_flips>"`.
    pub fn checksum_text(&self) -> String {
        format!("{}:{}", self.checksum, self.max_flips)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factorial(n: u64) -> u64 {
        (1..=n).product()
    }

    #[test]
    fn matches_the_contract_vectors() {
        for (n, expected) in [(7, "228:16"), (10, "73196:38")] {
            let found = fannkuch(n);
            assert_eq!(found.checksum_text(), expected, "n={n}");
            assert_eq!(found.permutations, factorial(n as u64), "n={n}");
        }
    }

    /// About a minute in release on a shared 2-core machine: run with
    /// `cargo test --release -- --ignored`.
    #[test]
    #[ignore = "the contract's large vector takes about a minute"]
    fn matches_the_large_contract_vector() {
        assert_eq!(fannkuch(12).checksum_text(), "3968050:65");
    }

    #[test]
    fn visits_every_permutation_once() {
        for n in 1..=6 {
            assert_eq!(fannkuch(n).permutations, factorial(n as u64), "n={n}");
        }
        assert_eq!(fannkuch(1).checksum_text(), "0:0");
    }
}
