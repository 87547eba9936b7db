// loopblocking.go owns the go/gomaxprocs-1 and go/gomaxprocs-2 variants of loop-blocking (see
// ../README.md, "Workload loop-blocking"): one program whose /cpu calls the cpu-scale kernel
// directly in the handler goroutine, so whether /ping waits for it is up to the Go scheduler
// and the GOMAXPROCS the runner puts in the environment. It owns the exact /ping and /cpu bodies.
// It must not set GOMAXPROCS, hand /cpu to another goroutine or pool, change the kernel, or
// answer outside httpserver.go's plumbing.
package main

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"runtime"
	"strconv"
)

const pongBody = "pong"

// The kernel works on unsigned 32-bit values; larger chunk or items values are not integers it
// takes (and such an items count would run for hours), so they are answered 400.
const maxKernelArgument = math.MaxUint32

func handlePing(url.Values) ([]byte, error) {
	return []byte(pongBody), nil
}

func handleCPU(query url.Values) ([]byte, error) {
	items, err := queryInteger(query, "items", maxKernelArgument)
	if err != nil {
		return nil, err
	}
	chunk, err := queryInteger(query, "chunk", maxKernelArgument)
	if err != nil {
		return nil, err
	}
	return strconv.AppendUint(nil, uint64(partial(int(chunk), int(items))), 10), nil
}

// loopBlockingRoutes builds the route table when the workload runs, not at package init, so
// another workload (startup above all) does none of this one's setup.
func loopBlockingRoutes() map[string]route {
	return map[string]route{
		"/ping": {contentType: textContentType, handle: handlePing},
		"/cpu":  {contentType: textContentType, handle: handleCPU},
	}
}

// loopBlockingModel returns the run function of model gomaxprocs-<expected>. Every model is
// the same program; the model name records the GOMAXPROCS the runner is meant to set.
func loopBlockingModel(expectedGOMAXPROCS int) func(params map[string]int) {
	return func(params map[string]int) {
		if actual := runtime.GOMAXPROCS(0); actual != expectedGOMAXPROCS {
			// Only a diagnostic: the runner owns the setting, and /stats reports the real value.
			fmt.Fprintf(os.Stderr, "arena-go: warning: model gomaxprocs-%d runs with GOMAXPROCS=%d (set it in the environment)\n",
				expectedGOMAXPROCS, actual)
		}
		serve(params[portKey], loopBlockingRoutes())
	}
}
