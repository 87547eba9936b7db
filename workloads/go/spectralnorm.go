// spectralnorm.go owns the spectral-norm kernel exactly as ../README.md writes it: the matrix
// A(i, j) computed on the fly (integer arithmetic, then one float division), ten rounds of
// u -> AtAv(u) -> AtAv(v), every sum accumulated from 0.0 with the index ascending.
// It must not cache A, reorder or fuse the sums, split the loops across goroutines, or know
// about timing and output.
package main

import (
	"math"
)

// spectralA is A(i, j) = 1 / ((i+j)(i+j+1)/2 + i + 1).
func spectralA(i, j int) float64 {
	return 1.0 / float64((i+j)*(i+j+1)/2+i+1)
}

// The float64(...) around each product keeps the compiler from fusing it with the sum into a
// multiply-add (allowed by the Go spec, done by gc on arm64): the bits must match every language.

// multiplyAv stores A·v in out.
func multiplyAv(v, out []float64) {
	for i := range out {
		sum := 0.0
		for j := range v {
			sum += float64(spectralA(i, j) * v[j])
		}
		out[i] = sum
	}
}

// multiplyAtv stores Aᵀ·v in out.
func multiplyAtv(v, out []float64) {
	for i := range out {
		sum := 0.0
		for j := range v {
			sum += float64(spectralA(j, i) * v[j])
		}
		out[i] = sum
	}
}

// multiplyAtAv stores Aᵀ·(A·v) in out, using scratch for A·v.
func multiplyAtAv(v, out, scratch []float64) {
	multiplyAv(v, scratch)
	multiplyAtv(scratch, out)
}

// spectralNorm returns sqrt(vBv / vv) after the ten power-method rounds.
func spectralNorm(n int) float64 {
	u := make([]float64, n)
	for i := range u {
		u[i] = 1.0
	}
	v := make([]float64, n)
	scratch := make([]float64, n)
	for range 10 {
		multiplyAtAv(u, v, scratch)
		multiplyAtAv(v, u, scratch)
	}
	vBv, vv := 0.0, 0.0
	for i := range n {
		vBv += float64(u[i] * v[i])
		vv += float64(v[i] * v[i])
	}
	return math.Sqrt(vBv / vv)
}

// spectralNormKernel is kernels model spectral-norm: ops = n. Below 2^31 the integer
// (i+j)(i+j+1)/2 + i + 1 fits an int64 with room to spare.
var spectralNormKernel = kernel{
	maxN: math.MaxInt32,
	compute: func(n int) (checksumValue, int64) {
		return floatChecksum(spectralNorm(n)), int64(n)
	},
}
