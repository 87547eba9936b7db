// main.go owns the command line: it maps `arena-go <workload> <model> key=value ...` to the
// function that runs that workload variant, and turns usage errors into exit code 2.
// It must not measure anything, print to stdout, or change runtime knobs such as GOMAXPROCS
// (those are set by the runner through the environment). It must not do any workload's setup
// before dispatch: the table holds only function values, and each workload builds its own data
// (route tables included) when it runs, so `startup` runs nothing but argument parsing and its
// result line. (Go links every workload into one binary; the linked packages' init functions,
// net/http's among them, are part of the artifact, as ../README.md says.)
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
	// The runtime-cost workloads: for startup, first-response and jit-warmup the model is a
	// runtime configuration set by the runner, and Go has one (the binary), so one model each;
	// for kernels the model names the kernel.
	"first-response": {
		"default": {keys: []string{portKey}, run: runFirstResponse},
	},
	// gc-pause: the three models are GOGC/GOMEMLIMIT settings the runner puts in the
	// environment, so they run the same code.
	"gc-pause": {
		"gogc-100": {keys: gcPauseKeys, run: runGCPause},
		"gogc-400": {keys: gcPauseKeys, run: runGCPause},
		"gogc-off": {keys: gcPauseKeys, run: runGCPause},
	},
	"http-io": {
		"net-http": {keys: []string{portKey}, run: runHTTPIONetHTTP},
	},
	"jit-warmup": {
		"default-nbody":          {keys: jitWarmupKeys, run: jitWarmupModel(nbodyKernel)},
		"default-spectral-norm":  {keys: jitWarmupKeys, run: jitWarmupModel(spectralNormKernel)},
		"default-fannkuch-redux": {keys: jitWarmupKeys, run: jitWarmupModel(fannkuchReduxKernel)},
	},
	"kernels": {
		"nbody":          {keys: []string{"n"}, run: kernelModel(nbodyKernel)},
		"spectral-norm":  {keys: []string{"n"}, run: kernelModel(spectralNormKernel)},
		"fannkuch-redux": {keys: []string{"n"}, run: kernelModel(fannkuchReduxKernel)},
		"binary-trees":   {keys: []string{"n"}, run: kernelModel(binaryTreesKernel)},
	},
	"loop-blocking": {
		"gomaxprocs-1": {keys: []string{portKey}, run: loopBlockingModel(1)},
		"gomaxprocs-2": {keys: []string{portKey}, run: loopBlockingModel(2)},
	},
	"msg-passing": {
		"unbuffered": {keys: msgPassingKeys, run: msgPassingModel(false)},
		"buffered":   {keys: msgPassingKeys, run: msgPassingModel(true)},
	},
	"sleep-tasks": {
		"goroutines": {keys: []string{"tasks", "hold_ms"}, run: runSleepTasksGoroutines},
	},
	"startup": {
		"default": {keys: []string{"seed"}, run: runStartup},
	},
}

// The parameter keys of the workloads whose models share them.
var (
	gcPauseKeys    = []string{"records", "rate", "duration_ms"}
	msgPassingKeys = []string{"tasks", "hops", "messages", "capacity"}
)

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
