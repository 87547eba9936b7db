//! The cpu-scale kernel exactly as the workload contract defines it: an FNV-1a style mix with
//! an xorshift over one chunk, all arithmetic on `u32` wrapping modulo 2^32, and the in-order
//! 64-bit sum of the partials. It must not know about workers, scheduling, timing or output,
//! and must take no shortcuts (every item of every chunk is mixed, in order).

const FNV_OFFSET_BASIS: u32 = 2_166_136_261;
const FNV_PRIME: u32 = 16_777_619;

/// Mixes the items of chunk `chunk`: the values `chunk * items + i` (mod 2^32) for
/// `i` in `0..items`. The `as u32` casts are the contract's "mod 2^32" truncations.
pub fn partial(chunk: usize, items: usize) -> u32 {
    let base = (chunk as u32).wrapping_mul(items as u32);
    let mut hash = FNV_OFFSET_BASIS;
    for i in 0..items {
        let value = base.wrapping_add(i as u32);
        hash = (hash ^ value).wrapping_mul(FNV_PRIME);
        hash ^= hash >> 15;
    }
    hash
}

/// Adds the partials as 64-bit unsigned integers, chunk 0 first.
pub fn sum_in_chunk_order(partials: &[u32]) -> u64 {
    partials.iter().map(|&partial| u64::from(partial)).sum()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The contract's test vectors: (chunks, items, checksum).
    pub(crate) const CHECKSUM_VECTORS: [(usize, usize, u64); 4] = [
        (1, 1, 84_694_791),
        (4, 1000, 14_385_195_142),
        (16, 1000, 47_801_991_433),
        (16, 100_000, 25_229_320_511),
    ];

    #[test]
    fn sequential_kernel_matches_the_contract_vectors() {
        for (chunks, items, expected) in CHECKSUM_VECTORS {
            let partials: Vec<u32> = (0..chunks).map(|chunk| partial(chunk, items)).collect();
            assert_eq!(
                sum_in_chunk_order(&partials),
                expected,
                "chunks={chunks} items={items}"
            );
        }
    }

    #[test]
    fn chunk_base_wraps_modulo_2_pow_32() {
        // chunk * items = 2^32 wraps to base 0, so this chunk mixes the same values as chunk 0.
        assert_eq!(partial(1 << 16, 1 << 16), partial(0, 1 << 16));
    }
}
