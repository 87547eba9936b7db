// protocol.go owns the workload contract's edges: the stdout JSON-lines events (one object
// per line, flushed as soon as written), the exit codes, and key=value parameter parsing
// (including the one exception to "positive": `port` may be 0).
// It must not contain workload logic, and nothing else in this program may write to stdout.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Exit codes from the contract (0 is a normal return from main).
const (
	exitWriteFailure  = 1
	exitServerFailure = 1 // listening or serving failed: "other" (a failure) in the contract
	exitUsage         = 2
)

// portKey is the server workloads' TCP port parameter. It alone may be 0, which asks the OS
// for a free port; every other parameter is a size and must be at least 1.
const (
	portKey = "port"
	maxPort = 65535
)

var stdout = bufio.NewWriter(os.Stdout)

// emit writes one event as a single JSON line and flushes it immediately.
// Struct field order (json tags) fixes the key order on the line.
func emit(event any) {
	line, err := json.Marshal(event)
	if err != nil {
		fmt.Fprintf(os.Stderr, "arena-go: cannot encode event: %v\n", err)
		os.Exit(exitWriteFailure)
	}
	line = append(line, '\n')
	if _, err := stdout.Write(line); err == nil {
		err = stdout.Flush()
		if err == nil {
			return
		}
	}
	fmt.Fprintln(os.Stderr, "arena-go: cannot write event to stdout")
	os.Exit(exitWriteFailure)
}

// parseParams reads key=value arguments. Every key in required must appear exactly once,
// no other key may appear, and each value must be a positive decimal integer (digits only),
// except `port`, which may be 0 and must not exceed 65535.
func parseParams(args []string, required []string) (map[string]int, error) {
	allowed := make(map[string]bool, len(required))
	for _, key := range required {
		allowed[key] = true
	}

	params := make(map[string]int, len(required))
	for _, arg := range args {
		key, value, found := strings.Cut(arg, "=")
		if !found || key == "" {
			return nil, fmt.Errorf("argument %q is not key=value", arg)
		}
		if !allowed[key] {
			return nil, fmt.Errorf("unknown key %q (expected: %v)", key, required)
		}
		if _, seen := params[key]; seen {
			return nil, fmt.Errorf("key %q given more than once", key)
		}
		var number int
		var err error
		if key == portKey {
			number, err = parsePort(value)
		} else {
			number, err = parsePositiveDecimal(value)
		}
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %v", key, value, err)
		}
		params[key] = number
	}

	for _, key := range required {
		if _, ok := params[key]; !ok {
			return nil, fmt.Errorf("missing key %q (expected: %v)", key, required)
		}
	}
	return params, nil
}

// parsePositiveDecimal accepts only ASCII digits (no sign, no spaces) with a value >= 1.
func parsePositiveDecimal(text string) (int, error) {
	number, err := parseDecimal(text)
	if err != nil {
		return 0, err
	}
	if number < 1 {
		return 0, fmt.Errorf("must be a positive integer")
	}
	return number, nil
}

// parsePort accepts only ASCII digits with a value in 0..65535 (0: the OS chooses the port).
func parsePort(text string) (int, error) {
	number, err := parseDecimal(text)
	if err != nil {
		return 0, err
	}
	if number > maxPort {
		return 0, fmt.Errorf("exceeds %d", maxPort)
	}
	return number, nil
}

// parseDecimal accepts only ASCII digits (no sign, no spaces) with a value that fits an int.
func parseDecimal(text string) (int, error) {
	if text == "" {
		return 0, fmt.Errorf("empty value, expected a decimal integer")
	}
	for _, r := range text {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("not a decimal integer")
		}
	}
	number, err := strconv.Atoi(text)
	if err != nil {
		return 0, fmt.Errorf("out of range")
	}
	return number, nil
}
