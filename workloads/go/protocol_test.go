// protocol_test.go owns the test helpers for what a workload prints: capturing the events a
// run function emits (by pointing the protocol's stdout writer at a buffer) and decoding one
// line. It must not test a workload (each workload's own test file does).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// captureEvents runs run with the protocol's stdout writer pointed at a buffer and returns the
// lines it emitted, without their newlines. It fails the test if the output does not end in
// a newline (every event is a whole line). Tests do not run in parallel, so the swap is safe.
func captureEvents(t *testing.T, run func()) []string {
	t.Helper()
	var buffer bytes.Buffer
	saved := stdout
	stdout = bufio.NewWriter(&buffer)
	defer func() { stdout = saved }()

	run()

	output := buffer.String()
	if output == "" {
		return nil
	}
	if !strings.HasSuffix(output, "\n") {
		t.Fatalf("output %q does not end in a newline", output)
	}
	return strings.Split(strings.TrimSuffix(output, "\n"), "\n")
}

// decodeEvent parses one line as a JSON object, keeping numbers as json.Number so an integer
// field can be checked to be an integer.
func decodeEvent(t *testing.T, line string) map[string]any {
	t.Helper()
	decoder := json.NewDecoder(strings.NewReader(line))
	decoder.UseNumber()
	var event map[string]any
	if err := decoder.Decode(&event); err != nil {
		t.Fatalf("line %q is not a JSON object: %v", line, err)
	}
	return event
}

// integerField returns event[key] as an int64, failing the test unless it is a JSON integer.
func integerField(t *testing.T, event map[string]any, key string) int64 {
	t.Helper()
	number, ok := event[key].(json.Number)
	if !ok {
		t.Fatalf("event %v: %q is not a number", event, key)
	}
	value, err := number.Int64()
	if err != nil {
		t.Fatalf("event %v: %q is not an integer: %v", event, key, err)
	}
	return value
}

func TestEmitWritesOneLinePerEvent(t *testing.T) {
	lines := captureEvents(t, func() {
		emit(startupResult{Event: "result", Checksum: "1", Ops: 1})
		emit(jitWarmupIter{Event: "iter", I: 0, Ns: 5})
	})
	want := []string{`{"event":"result","checksum":"1","ops":1}`, `{"event":"iter","i":0,"ns":5}`}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("emitted %q, want %q", lines, want)
	}
}
