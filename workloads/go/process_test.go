// process_test.go owns running the program as a child process in tests: the test binary
// re-executes itself with ARENA_GO_TEST_MAIN=1 and the workload's arguments, and TestMain
// then runs main() instead of the tests, so a test sees what the runner sees: the exit code,
// the raw stdout (JSON lines only) and stderr, with the runtime environment a catalogue model
// sets (GOGC, GOMEMLIMIT, GOMAXPROCS), which cannot be changed inside a running test binary.
// It must not test a workload (each workload's own test file does).
package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const testMainEnv = "ARENA_GO_TEST_MAIN"

// TestMain runs main() when the test binary was started as the program (see runProgram);
// the arguments are the program's own, as the runner passes them.
func TestMain(m *testing.M) {
	if os.Getenv(testMainEnv) == "1" {
		main()
		os.Exit(0) // main returned: the workload finished (usage errors exit 2 inside main)
	}
	os.Exit(m.Run())
}

// programRun is what one child process did.
type programRun struct {
	exitCode int
	stdout   []string // lines, without their newlines
	stderr   string
}

// runProgram runs `arena-go args...` as a child process with env added to this process's
// environment (a later entry wins over an inherited one, as os/exec keeps the last value).
func runProgram(t *testing.T, env []string, args ...string) programRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), testMainEnv+"=1"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	run := programRun{stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		run.exitCode = exitErr.ExitCode()
	default:
		t.Fatalf("cannot run %v: %v", args, err)
	}
	if output := stdout.String(); output != "" {
		if !strings.HasSuffix(output, "\n") {
			t.Fatalf("%v: stdout %q does not end in a newline", args, output)
		}
		run.stdout = strings.Split(strings.TrimSuffix(output, "\n"), "\n")
	}
	return run
}

// checkUsageError checks that a run was refused as a usage error: exit code 2, nothing on
// stdout, and the message on stderr.
func checkUsageError(t *testing.T, args ...string) {
	t.Helper()
	run := runProgram(t, nil, args...)
	if run.exitCode != exitUsage || len(run.stdout) != 0 || !strings.Contains(run.stderr, "usage error") {
		t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2, no stdout, a usage error on stderr",
			args, run.exitCode, run.stdout, run.stderr)
	}
}
