// jitwarmup_test.go owns the test of the jit-warmup event sequence: K iter events numbered
// from 0 with positive times, then one result whose checksum is the nbody energy and whose
// total_ns is the sum of the iteration times. It must not weaken the contract's sequence.
package main

import (
	"testing"
)

func TestJITWarmupEventSequence(t *testing.T) {
	const iterations = 5 // arena verify's size: iterations=5 n=1000
	lines := captureEvents(t, func() { runJITWarmup(map[string]int{"iterations": iterations, "n": 1000}) })
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
	if result["event"] != "result" || result["checksum"] != "-0.169087605" || len(result) != 4 ||
		integerField(t, result, "ops") != iterations || integerField(t, result, "total_ns") != sum {
		t.Errorf("result %s, want checksum -0.169087605, ops %d, total_ns %d (the sum of the iterations)",
			lines[iterations], iterations, sum)
	}
}
