// ChunkHash owns the cpu-scale integer kernel of the contract (an FNV-1a style mix with an
// xorshift), all arithmetic modulo 2^32: Java int multiplication and addition wrap, >>> is
// the logical shift. It must not take shortcuts (no caching, no closed forms), not depend on
// how chunks are scheduled, and not do I/O.
package arena;

final class ChunkHash {

    private static final int FNV_OFFSET_BASIS = 0x811C9DC5; // 2166136261 as an unsigned 32-bit value
    private static final int FNV_PRIME = 16777619;

    private ChunkHash() {}

    /** The partial of chunk {@code chunk}, as the unsigned 32-bit value it denotes. */
    static long partial(int chunk, int items) {
        int hash = FNV_OFFSET_BASIS;
        int base = chunk * items; // wraps: (c * items) mod 2^32
        for (int i = 0; i < items; i++) {
            int value = base + i; // wraps: (base + i) mod 2^32
            hash = (hash ^ value) * FNV_PRIME;
            hash ^= hash >>> 15;
        }
        return Integer.toUnsignedLong(hash);
    }
}
