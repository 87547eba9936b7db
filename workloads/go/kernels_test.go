// kernels_test.go owns the contract's kernels test vectors (checksum and ops of every kernel)
// and the result line of the kernels frame. The three vectors that take seconds to minutes
// (nbody n=50,000,000, spectral-norm n=5500, fannkuch-redux n=12) run only with
// ARENA_LARGE_VECTORS=1, so the default `go test ./...` stays quick. It must not weaken a vector.
package main

import (
	"os"
	"strings"
	"testing"
)

type kernelVector struct {
	name     string
	kernel   kernel
	n        int
	checksum string
	ops      int64
}

var kernelVectors = []kernelVector{
	{"nbody", nbodyKernel, 1000, "-0.169087605", 1000},
	{"spectral-norm", spectralNormKernel, 100, "1.274219991", 100},
	{"fannkuch-redux", fannkuchReduxKernel, 7, "228:16", 5040},
	{"fannkuch-redux", fannkuchReduxKernel, 10, "73196:38", 3628800},
	{"binary-trees", binaryTreesKernel, 6, "4398", 4398},
	{"binary-trees", binaryTreesKernel, 10, "135854", 135854},
}

var largeKernelVectors = []kernelVector{
	{"nbody", nbodyKernel, 50_000_000, "-0.169059907", 50_000_000},
	{"spectral-norm", spectralNormKernel, 5500, "1.274224153", 5500},
	{"fannkuch-redux", fannkuchReduxKernel, 12, "3968050:65", 479001600},
}

func checkKernelVectors(t *testing.T, vectors []kernelVector) {
	t.Helper()
	for _, vector := range vectors {
		value, ops := vector.kernel.compute(vector.n)
		if got := value.checksum(); got != vector.checksum || ops != vector.ops {
			t.Errorf("%s n=%d: checksum %s, ops %d; want %s, %d", vector.name, vector.n, got, ops, vector.checksum, vector.ops)
		}
	}
}

func TestKernelsMatchVectors(t *testing.T) {
	checkKernelVectors(t, kernelVectors)
}

func TestKernelsMatchLargeVectors(t *testing.T) {
	if os.Getenv("ARENA_LARGE_VECTORS") != "1" {
		t.Skip("set ARENA_LARGE_VECTORS=1 to run the large vectors (about a minute or more)")
	}
	checkKernelVectors(t, largeKernelVectors)
}

// Each run builds its own state: a second run gives the same checksum as the first.
func TestKernelsKeepNoState(t *testing.T) {
	for _, vector := range kernelVectors {
		first, _ := vector.kernel.compute(vector.n)
		second, _ := vector.kernel.compute(vector.n)
		if first.checksum() != second.checksum() {
			t.Errorf("%s n=%d: %s then %s", vector.name, vector.n, first.checksum(), second.checksum())
		}
	}
}

func TestFloatChecksumFormat(t *testing.T) {
	for _, c := range []struct {
		value float64
		want  string
	}{
		{1.0, "1.000000000"},
		{-0.1690876052, "-0.169087605"},
		// Rounding is from the exact binary value, not from the shortest decimal: 0.1234567895
		// is 0.12345678949999999707... in binary, so it rounds down, and 1.5e-9 is
		// 1.49999999999999999002...e-9.
		{0.1234567895, "0.123456789"},
		{1.5e-9, "0.000000001"},
		{2.0000000015, "2.000000002"}, // 2.00000000150000012411... in binary
	} {
		if got := floatChecksum(c.value).checksum(); got != c.want {
			t.Errorf("floatChecksum(%v) = %s, want %s", c.value, got, c.want)
		}
	}
}

func TestKernelResultLine(t *testing.T) {
	for _, vector := range kernelVectors {
		lines := captureEvents(t, func() { kernelModel(vector.kernel)(map[string]int{"n": vector.n}) })
		if len(lines) != 1 {
			t.Fatalf("%s n=%d: printed %q, want one result line", vector.name, vector.n, lines)
		}
		// Key order is fixed: event, checksum, ops, work_ns.
		prefix := `{"event":"result","checksum":"` + vector.checksum + `","ops":`
		if !strings.HasPrefix(lines[0], prefix) {
			t.Errorf("%s n=%d: %s does not start with %s", vector.name, vector.n, lines[0], prefix)
		}
		event := decodeEvent(t, lines[0])
		if len(event) != 4 || integerField(t, event, "ops") != vector.ops || integerField(t, event, "work_ns") <= 0 {
			t.Errorf("%s n=%d: %s, want exactly event, checksum, ops=%d and a positive work_ns",
				vector.name, vector.n, lines[0], vector.ops)
		}
	}
}
