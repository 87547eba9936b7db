//! Deterministic synthetic series for the warmup tests: a seeded generator written here (so the
//! numbers never change with a dependency) and piecewise-constant series with relative noise.

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA
/// 2014) with Box–Muller normals.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]: the log stays finite
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// Pieces of (length, mean ns), each point mean × (1 + noise × N(0, 1)).
pub fn steps(seed: u64, pieces: &[(usize, f64)], noise: f64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    pieces
        .iter()
        .flat_map(|&(length, mean)| std::iter::repeat_n(mean, length))
        .map(|mean| mean * (1.0 + noise * rng.normal()))
        .collect()
}
