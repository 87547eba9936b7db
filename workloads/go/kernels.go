// kernels.go owns the kernels workload's frame (see ../README.md, "Workload kernels"): the
// model names the kernel, `n` sizes it, and the result line carries checksum, ops and work_ns,
// timed from just before the kernel starts to just after its checksum value is computed
// (formatting excluded). It also owns the floating-point checksum format (C's %.9f).
// It must not contain a kernel's algorithm (nbody.go, spectralnorm.go, fannkuch.go and
// binarytrees.go do), start goroutines, or set GOMAXPROCS: every kernel is single-threaded.
package main

import (
	"fmt"
	"strconv"
	"time"
)

// kernel is one kernels model: its computation and the largest n it accepts. compute returns
// the raw checksum value (formatted only after the clock stops) and the kernel's ops.
type kernel struct {
	// maxN is where the kernel's integer counts would overflow or its arrays could not be
	// indexed; a larger n is a usage error rather than a wrong checksum.
	maxN    int
	compute func(n int) (checksumValue, int64)
}

// checksumValue is a kernel's result before formatting.
type checksumValue interface {
	checksum() string
}

// floatChecksum is a floating-point result, formatted as the contract says.
type floatChecksum float64

// checksum formats with exactly 9 decimals, rounded from the exact binary value (C's %.9f):
// strconv's fixed-precision formatting is correctly rounded.
func (value floatChecksum) checksum() string {
	return strconv.FormatFloat(float64(value), 'f', 9, 64)
}

// integerChecksum is an integer result, formatted in decimal.
type integerChecksum int64

func (value integerChecksum) checksum() string {
	return strconv.FormatInt(int64(value), 10)
}

type kernelResult struct {
	Event    string `json:"event"`
	Checksum string `json:"checksum"`
	Ops      int64  `json:"ops"`
	WorkNs   int64  `json:"work_ns"`
}

// kernelModel returns the run function of one kernels model.
func kernelModel(chosen kernel) func(params map[string]int) {
	return func(params map[string]int) {
		n := params["n"]
		if n > chosen.maxN {
			usageError(fmt.Sprintf("n=%d exceeds this kernel's limit of %d", n, chosen.maxN))
		}
		start := time.Now()
		value, ops := chosen.compute(n)
		workNs := time.Since(start).Nanoseconds()
		emit(kernelResult{Event: "result", Checksum: value.checksum(), Ops: ops, WorkNs: workNs})
	}
}
