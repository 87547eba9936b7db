// chunkhash.go owns the cpu-scale kernel exactly as the contract defines it: an FNV-1a style mix
// with an xorshift over one chunk, all arithmetic on uint32 (wrapping modulo 2^32).
// It must not know about workers, scheduling, timing or output, and must take no shortcuts
// (every item of every chunk is mixed in order).
package main

const (
	fnvOffsetBasis uint32 = 2166136261
	fnvPrime       uint32 = 16777619
)

// partial mixes the items of chunk c: values c*items, c*items+1, ..., c*items+items-1 (mod 2^32).
func partial(chunk, items int) uint32 {
	hash := fnvOffsetBasis
	base := uint32(chunk) * uint32(items)
	for i := 0; i < items; i++ {
		value := base + uint32(i)
		hash = (hash ^ value) * fnvPrime
		hash ^= hash >> 15
	}
	return hash
}

// sumInChunkOrder adds the partials as 64-bit unsigned integers, chunk 0 first.
func sumInChunkOrder(partials []uint32) uint64 {
	var sum uint64
	for _, p := range partials {
		sum += uint64(p)
	}
	return sum
}
