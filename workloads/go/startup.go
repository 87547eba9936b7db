// startup.go owns the go/default variant of startup (see ../README.md, "Workload startup"):
// once main.go has parsed the arguments, print the result line with the seed as checksum and
// return (exit code 0).
// It must not do any work, start timers or goroutines, or print anything else: what is
// measured is the runtime's cost before the first useful work.
package main

import (
	"strconv"
)

type startupResult struct {
	Event    string `json:"event"`
	Checksum string `json:"checksum"`
	Ops      int    `json:"ops"`
}

func runStartup(params map[string]int) {
	emit(startupResult{Event: "result", Checksum: strconv.Itoa(params["seed"]), Ops: 1})
}
