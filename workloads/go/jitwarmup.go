// jitwarmup.go owns the go/default variant of jit-warmup (see ../README.md, "Workload
// jit-warmup"): K iterations of the nbody kernel, each from fresh bodies and timed alone, an
// iter event after each (outside the timed region), then the result. Go compiles ahead of
// time, so this is a control expected to be flat.
// It must not cache anything between iterations, change the kernel (nbody.go owns it), or
// print inside the timed region.
package main

import (
	"time"
)

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

func runJITWarmup(params map[string]int) {
	iterations, steps := params["iterations"], params["n"]

	var lastEnergy float64
	var totalNs int64
	for i := range iterations {
		start := time.Now()
		lastEnergy = nbodyEnergyAfter(steps) // builds new body records every time
		ns := time.Since(start).Nanoseconds()
		totalNs += ns
		emit(jitWarmupIter{Event: "iter", I: i, Ns: ns})
	}

	emit(jitWarmupResult{
		Event:    "result",
		Checksum: floatChecksum(lastEnergy).checksum(),
		Ops:      iterations,
		TotalNs:  totalNs,
	})
}
