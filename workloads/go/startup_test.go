// startup_test.go owns the test of the startup result line: exactly one line, byte for byte,
// with the seed as checksum. It must not weaken the contract's line.
package main

import (
	"testing"
)

func TestStartupResultLine(t *testing.T) {
	for _, c := range []struct {
		seed int
		want string
	}{
		{seed: 7, want: `{"event":"result","checksum":"7","ops":1}`}, // arena verify's seed
		{seed: 1, want: `{"event":"result","checksum":"1","ops":1}`},
		{seed: 9007199254740993, want: `{"event":"result","checksum":"9007199254740993","ops":1}`}, // not a float
	} {
		lines := captureEvents(t, func() { runStartup(map[string]int{"seed": c.seed}) })
		if len(lines) != 1 || lines[0] != c.want {
			t.Errorf("seed=%d: printed %q, want exactly %q", c.seed, lines, c.want)
		}
	}
}

func TestRuntimeCostModelsInDispatcher(t *testing.T) {
	for _, c := range []struct {
		workload, model string
		keys            []string
	}{
		{"startup", "default", []string{"seed"}},
		{"first-response", "default", []string{"port"}},
		{"jit-warmup", "default-nbody", []string{"iterations", "n"}},
		{"kernels", "nbody", []string{"n"}},
		{"kernels", "spectral-norm", []string{"n"}},
		{"kernels", "fannkuch-redux", []string{"n"}},
		{"kernels", "binary-trees", []string{"n"}},
	} {
		chosen, ok := workloads[c.workload][c.model]
		if !ok {
			t.Errorf("%s/%s is not in the dispatcher", c.workload, c.model)
			continue
		}
		if len(chosen.keys) != len(c.keys) {
			t.Errorf("%s/%s takes %v, want %v", c.workload, c.model, chosen.keys, c.keys)
			continue
		}
		for i := range c.keys {
			if chosen.keys[i] != c.keys[i] {
				t.Errorf("%s/%s takes %v, want %v", c.workload, c.model, chosen.keys, c.keys)
			}
		}
	}
}
