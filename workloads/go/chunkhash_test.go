// chunkhash_test.go owns the contract's cpu-scale test vectors: it checks the sequential kernel
// and the goroutine variant (several worker counts) against them. It must not weaken a vector.
package main

import "testing"

var checksumVectors = []struct {
	chunks, items int
	want          uint64
}{
	{chunks: 1, items: 1, want: 84694791},
	{chunks: 4, items: 1000, want: 14385195142},
	{chunks: 16, items: 1000, want: 47801991433},
	{chunks: 16, items: 100000, want: 25229320511},
}

func TestKernelMatchesVectors(t *testing.T) {
	for _, vector := range checksumVectors {
		partials := make([]uint32, vector.chunks)
		for chunk := range vector.chunks {
			partials[chunk] = partial(chunk, vector.items)
		}
		if got := sumInChunkOrder(partials); got != vector.want {
			t.Errorf("chunks=%d items=%d: checksum %d, want %d", vector.chunks, vector.items, got, vector.want)
		}
	}
}

func TestGoroutinePartialsMatchVectors(t *testing.T) {
	for _, workers := range []int{1, 2, 4, 7} {
		for _, vector := range checksumVectors {
			got := sumInChunkOrder(computePartials(workers, vector.chunks, vector.items))
			if got != vector.want {
				t.Errorf("workers=%d chunks=%d items=%d: checksum %d, want %d",
					workers, vector.chunks, vector.items, got, vector.want)
			}
		}
	}
}
