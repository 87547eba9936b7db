// jitwarmup.go owns Go's variants of jit-warmup (see ../README.md, "Workload jit-warmup"):
// model default-<benchmark> runs K iterations of one kernels kernel (nbody, spectral-norm or
// fannkuch-redux: the kernels workload's own code and its maxN), each from scratch and timed
// alone, an iter event after each (outside the timed region), then the result. Go compiles
// ahead of time, so this is a control expected to be flat.
// It must not cache anything between iterations, change a kernel (nbody.go, spectralnorm.go and
// fannkuch.go own them), or print inside the timed region.
package main

import (
	"fmt"
	"time"
)

// jitWarmupKeys are the parameters of every jit-warmup model.
var jitWarmupKeys = []string{"iterations", "n"}

type jitWarmupIter struct {
	Event string `json:"event"`
	I     int    `json:"i"`
	Ns    int64  `json:"ns"`
}

type jitWarmupResult struct {
	Event    string `json:"event"`
	Checksum string `json:"checksum"`
	Ops      int    `json:"ops"`
	TotalNs  int64  `json:"total_ns"`
}

// jitWarmupModel returns the run function of jit-warmup default-<benchmark>.
func jitWarmupModel(chosen kernel) func(params map[string]int) {
	return func(params map[string]int) {
		iterations, n := params["iterations"], params["n"]
		if n > chosen.maxN {
			usageError(fmt.Sprintf("n=%d exceeds this kernel's limit of %d", n, chosen.maxN))
		}
		var last checksumValue
		var totalNs int64
		for i := range iterations {
			start := time.Now()
			last, _ = chosen.compute(n) // builds new bodies, vectors or permutations every time
			ns := time.Since(start).Nanoseconds()
			totalNs += ns
			emit(jitWarmupIter{Event: "iter", I: i, Ns: ns})
		}
		emit(jitWarmupResult{
			Event:    "result",
			Checksum: last.checksum(),
			Ops:      iterations,
			TotalNs:  totalNs,
		})
	}
}
