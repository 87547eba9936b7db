// fannkuch.go owns the fannkuch-redux kernel: the Benchmarks Game's sequential algorithm
// exactly as ../README.md writes it (the count[] permutation generator, prefix reversals
// counted per permutation, the alternating-sign checksum and the maximum flip count).
// It must not skip permutations, split the work across goroutines, or know about timing and
// output.
package main

import (
	"strconv"
)

// fannkuchOutcome is the kernel's raw result: the alternating checksum, the most flips seen
// and the number of permutations visited (n!).
type fannkuchOutcome struct {
	sum          int
	maxFlips     int
	permutations int64
}

// checksum is "<checksum>:<max_flips>".
func (outcome fannkuchOutcome) checksum() string {
	return strconv.Itoa(outcome.sum) + ":" + strconv.Itoa(outcome.maxFlips)
}

func fannkuchRedux(n int) fannkuchOutcome {
	perm1 := make([]int, n)
	for i := range perm1 {
		perm1[i] = i
	}
	perm := make([]int, n)
	count := make([]int, n)
	r := n
	checksum, maxFlips := 0, 0
	var permCount int64

	for {
		for ; r != 1; r-- {
			count[r-1] = r
		}

		copy(perm, perm1)
		flips := 0
		for k := perm[0]; k != 0; k = perm[0] {
			for lo, hi := 0, k; lo < hi; lo, hi = lo+1, hi-1 {
				perm[lo], perm[hi] = perm[hi], perm[lo]
			}
			flips++
		}
		maxFlips = max(maxFlips, flips)
		if permCount%2 == 0 {
			checksum += flips
		} else {
			checksum -= flips
		}

		// Next permutation: rotate the first r+1 elements left until a count is left over.
		for {
			if r == n {
				// permCount counts the permutations before this last one.
				return fannkuchOutcome{sum: checksum, maxFlips: maxFlips, permutations: permCount + 1}
			}
			perm0 := perm1[0]
			for i := 0; i < r; i++ {
				perm1[i] = perm1[i+1]
			}
			perm1[r] = perm0
			count[r]--
			if count[r] > 0 {
				break
			}
			r++
		}
		permCount++
	}
}

// fannkuchReduxKernel is kernels model fannkuch-redux: ops = n!, which fits an int64 up to
// n = 20 (and n = 20 would already run for centuries).
var fannkuchReduxKernel = kernel{
	maxN: 20,
	compute: func(n int) (checksumValue, int64) {
		outcome := fannkuchRedux(n)
		return outcome, outcome.permutations
	},
}
