// jitwarmup_test.go owns the test of the jit-warmup event sequence: K iter events numbered
// from 0 with positive times, then one result whose checksum is the benchmark's and whose
// total_ns is the sum of the iteration times. It must not weaken the contract's sequence.
package main

import (
	"testing"
)

func TestJITWarmupEventSequence(t *testing.T) {
	checkJITWarmup(t, nbodyKernel, 1000, "-0.169087605")
}

func TestJITWarmupSpectralNormAndFannkuch(t *testing.T) {
	checkJITWarmup(t, spectralNormKernel, 100, "1.274219991")
	checkJITWarmup(t, fannkuchReduxKernel, 7, "228:16")
}

func checkJITWarmup(t *testing.T, chosen kernel, n int, checksum string) {
	t.Helper()
	const iterations = 5
	run := jitWarmupModel(chosen)
	lines := captureEvents(t, func() { run(map[string]int{"iterations": iterations, "n": n}) })
	if len(lines) != iterations+1 {
		t.Fatalf("printed %d lines, want %d iter events and one result: %q", len(lines), iterations, lines)
	}

	var sum int64
	for i, line := range lines[:iterations] {
		event := decodeEvent(t, line)
		if event["event"] != "iter" || len(event) != 3 || integerField(t, event, "i") != int64(i) {
			t.Errorf("line %d: %s, want {\"event\":\"iter\",\"i\":%d,\"ns\":...}", i, line, i)
			continue
		}
		ns := integerField(t, event, "ns")
		if ns <= 0 {
			t.Errorf("line %d: %s has no positive ns", i, line)
		}
		sum += ns
	}

	result := decodeEvent(t, lines[iterations])
	if result["event"] != "result" || result["checksum"] != checksum || len(result) != 4 ||
		integerField(t, result, "ops") != iterations || integerField(t, result, "total_ns") != sum {
		t.Errorf("result %s, want checksum %s, ops %d, total_ns %d (the sum of the iterations)",
			lines[iterations], checksum, iterations, sum)
	}
}
