// main.go owns the command line: it maps `arena-go <workload> <model> key=value ...` to the
// function that runs that workload variant, and turns usage errors into exit code 2.
// It must not measure anything, print to stdout, or change runtime knobs such as GOMAXPROCS
// (those are set by the runner through the environment).
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// variant is one runnable (workload, model) pair: the parameter keys it requires and its body.
type variant struct {
	keys []string
	run  func(params map[string]int)
}

// workloads lists every workload this program implements and, per workload, its models.
var workloads = map[string]map[string]variant{
	"cpu-scale": {
		"goroutines": {keys: []string{"workers", "chunks", "items"}, run: runCPUScaleGoroutines},
	},
	"http-io": {
		"net-http": {keys: []string{portKey}, run: runHTTPIONetHTTP},
	},
	"loop-blocking": {
		"gomaxprocs-1": {keys: []string{portKey}, run: loopBlockingModel(1)},
		"gomaxprocs-2": {keys: []string{portKey}, run: loopBlockingModel(2)},
	},
	"sleep-tasks": {
		"goroutines": {keys: []string{"tasks", "hold_ms"}, run: runSleepTasksGoroutines},
	},
}

func main() {
	args := os.Args[1:]
	if len(args) < 2 {
		usageError("expected <workload> <model> key=value ...")
	}
	workloadName, modelName := args[0], args[1]

	models, ok := workloads[workloadName]
	if !ok {
		usageError(fmt.Sprintf("unknown workload %q (known: %s)", workloadName, strings.Join(sortedKeys(workloads), ", ")))
	}
	chosen, ok := models[modelName]
	if !ok {
		usageError(fmt.Sprintf("unknown model %q for workload %q (known: %s)", modelName, workloadName, strings.Join(sortedKeys(models), ", ")))
	}

	params, err := parseParams(args[2:], chosen.keys)
	if err != nil {
		usageError(err.Error())
	}
	chosen.run(params)
}

// usageError prints the problem and the invocation form on stderr and exits with code 2.
func usageError(message string) {
	fmt.Fprintf(os.Stderr, "arena-go: usage error: %s\n", message)
	fmt.Fprintln(os.Stderr, "usage: arena-go <workload> <model> key=value [key=value ...]")
	os.Exit(exitUsage)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
