// gcpause_test.go owns the tests of gc-pause: the contract's test vectors under every
// catalogue model's runtime environment (each run as a child process, as the runner launches
// it), the events' shape and order (hiccups, gc_pauses, result), the conversion of the
// runtime's pause histogram to a list of pauses, and the usage errors. It must not weaken a
// contract value.
package main

import (
	"math"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type gcPauseVector struct {
	records, rate, durationMs int
	checksum                  string
}

var gcPauseVectors = []gcPauseVector{
	{records: 1000, rate: 10, durationMs: 50, checksum: "348783320"}, // arena verify's size
	{records: 10, rate: 3, durationMs: 7, checksum: "704356060"},
}

// gcPauseModelEnv is each catalogue model's environment, as the runner sets it
// (workloads/catalog.toml, {cores} being the core count).
var gcPauseModelEnv = map[string][]string{
	"gogc-100": {"GOGC=100", "GOMAXPROCS=" + strconv.Itoa(runtime.NumCPU())},
	"gogc-400": {"GOGC=400", "GOMAXPROCS=" + strconv.Itoa(runtime.NumCPU())},
	"gogc-off": {"GOGC=off", "GOMEMLIMIT=4GiB", "GOMAXPROCS=" + strconv.Itoa(runtime.NumCPU())},
}

func (vector gcPauseVector) args(model string) []string {
	return []string{"gc-pause", model, "records=" + strconv.Itoa(vector.records),
		"rate=" + strconv.Itoa(vector.rate), "duration_ms=" + strconv.Itoa(vector.durationMs)}
}

// checkGCPauseEvents checks the three lines of a run: the hiccups, the runtime's pauses, and
// the result with its fields in the contract's order and its invariants.
func checkGCPauseEvents(t *testing.T, name string, vector gcPauseVector, lines []string) {
	t.Helper()
	if len(lines) != 3 {
		t.Fatalf("%s: printed %q, want hiccups, gc_pauses and result", name, lines)
	}

	hiccups := decodeEvent(t, lines[0])
	if hiccups["event"] != "hiccups" || len(hiccups) != 3 || integerField(t, hiccups, "interval_ns") != 1_000_000 {
		t.Errorf("%s: line 1 %s, want {\"event\":\"hiccups\",\"interval_ns\":1000000,\"ns\":[...]}", name, lines[0])
	}
	if samples := nonNegativeIntegers(t, name, hiccups, "ns"); len(samples) == 0 {
		t.Errorf("%s: no hiccup sample: %s", name, lines[0])
	}

	pauses := decodeEvent(t, lines[1])
	if pauses["event"] != "gc_pauses" || len(pauses) != 3 || pauses["source"] != pauseSource {
		t.Errorf("%s: line 2 %s, want {\"event\":\"gc_pauses\",\"source\":%q,\"ns\":[...]}", name, lines[1], pauseSource)
	}
	nonNegativeIntegers(t, name, pauses, "ns") // may be empty, never null

	// Key order is fixed: event, checksum, ops, records, build_ns, work_ns.
	prefix := `{"event":"result","checksum":"` + vector.checksum + `","ops":` + strconv.Itoa(vector.rate*vector.durationMs) +
		`,"records":` + strconv.Itoa(vector.records) + `,"build_ns":`
	result := decodeEvent(t, lines[2])
	if !strings.HasPrefix(lines[2], prefix) || len(result) != 6 {
		t.Errorf("%s: result %s, want it to start with %s and end with work_ns", name, lines[2], prefix)
	}
	if integerField(t, result, "build_ns") <= 0 {
		t.Errorf("%s: result %s has no positive build_ns", name, lines[2])
	}
	if workNs := integerField(t, result, "work_ns"); workNs < int64(vector.durationMs-1)*1_000_000 {
		t.Errorf("%s: work_ns %d is shorter than duration_ms - 1 ms", name, workNs)
	}
}

// nonNegativeIntegers returns event[key] as a list, failing unless it is a JSON array (not
// null) of non-negative integers.
func nonNegativeIntegers(t *testing.T, name string, event map[string]any, key string) []int64 {
	t.Helper()
	list, ok := event[key].([]any)
	if !ok {
		t.Fatalf("%s: %v: %q is not an array", name, event, key)
	}
	values := make([]int64, 0, len(list))
	for _, item := range list {
		value, err := strconv.ParseInt(stringOf(item), 10, 64)
		if err != nil || value < 0 {
			t.Fatalf("%s: %q holds %v, not a non-negative integer", name, key, item)
		}
		values = append(values, value)
	}
	return values
}

func stringOf(item any) string {
	if number, ok := item.(interface{ String() string }); ok {
		return number.String() // a json.Number
	}
	return "not a number"
}

func TestGCPauseEventsInProcess(t *testing.T) {
	for _, vector := range gcPauseVectors {
		lines := captureEvents(t, func() {
			runGCPause(map[string]int{"records": vector.records, "rate": vector.rate, "duration_ms": vector.durationMs})
		})
		checkGCPauseEvents(t, "in process "+strings.Join(vector.args("")[2:], " "), vector, lines)
	}
}

// Every catalogue model, in its own runtime environment, gives the vectors' checksums.
func TestGCPauseVectorsEveryModel(t *testing.T) {
	for _, model := range sortedKeys(gcPauseModelEnv) {
		if _, ok := workloads["gc-pause"][model]; !ok {
			t.Errorf("gc-pause/%s is not in the dispatcher", model)
			continue
		}
		for _, vector := range gcPauseVectors {
			args := vector.args(model)
			run := runProgram(t, gcPauseModelEnv[model], args...)
			if run.exitCode != 0 {
				t.Errorf("%v: exit %d, stderr %q", args, run.exitCode, run.stderr)
				continue
			}
			checkGCPauseEvents(t, strings.Join(args, " "), vector, run.stdout)
		}
	}
	if len(workloads["gc-pause"]) != len(gcPauseModelEnv) {
		t.Errorf("the dispatcher has gc-pause models %v, the catalogue %v",
			sortedKeys(workloads["gc-pause"]), sortedKeys(gcPauseModelEnv))
	}
}

func TestPausesBetween(t *testing.T) {
	buckets := []float64{math.Inf(-1), 0, 1e-6, 2.5e-6, math.Inf(1)}
	before := &metrics.Float64Histogram{Counts: []uint64{0, 1, 0, 4}, Buckets: buckets}
	after := &metrics.Float64Histogram{Counts: []uint64{1, 3, 1, 6}, Buckets: buckets}
	// Each pause at its bucket's upper bound; the last bucket's at its lower bound (2.5 µs);
	// the first bucket, [-Inf, 0), at 0 (pauses are never negative).
	want := []int64{0, 1000, 1000, 2500, 2500, 2500}
	if got := pausesBetween(before, after); !slices.Equal(got, want) {
		t.Errorf("pausesBetween = %v, want %v", got, want)
	}
	if got := pausesBetween(after, after); got == nil || len(got) != 0 {
		t.Errorf("pausesBetween of one read twice = %#v, want an empty, non-nil list", got)
	}
}

// A collection forced between the two reads shows up: Go's cycle stops the world twice
// (sweep termination, mark termination).
func TestPauseHistogramSeesAForcedCollection(t *testing.T) {
	before := readPauseHistogram()
	runtime.GC()
	pauses := pausesBetween(before, readPauseHistogram())
	if len(pauses) < 2 {
		t.Fatalf("runtime.GC() added %v to %s, want at least two pauses", pauses, pauseMetric)
	}
	for _, ns := range pauses {
		if ns <= 0 {
			t.Errorf("pause %d ns in %v is not positive", ns, pauses)
		}
	}
}

func TestGCPauseWorkMatchesVectors(t *testing.T) {
	// The record and the mix on their own, from the contract's definitions.
	rec := newRecord(7, math.MaxUint32-2)
	if rec.key != 7 || !slices.Equal(rec.data, []uint32{math.MaxUint32 - 2, math.MaxUint32 - 1, math.MaxUint32, 0, 1, 2, 3, 4}) {
		t.Errorf("newRecord(7, 2^32-3) = {%d %v}, want data wrapping modulo 2^32", rec.key, rec.data)
	}
	if got := xorshift32(gcPauseSeed); got != 723471715 { // one step from the seed, by hand from the definition
		t.Errorf("xorshift32(%d) = %d, want 723471715", uint32(gcPauseSeed), got)
	}
}

func TestGCPauseUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"gc-pause", "gogc-50", "records=10", "rate=3", "duration_ms=7"},               // unknown model
		{"gc-pause", "gogc-100", "records=10", "rate=3"},                               // missing key
		{"gc-pause", "gogc-100", "records=10", "rate=3", "duration_ms=7", "workers=2"}, // unknown key
		{"gc-pause", "gogc-100", "records=0", "rate=3", "duration_ms=7"},               // not positive
		{"gc-pause", "gogc-off", "records=10", "rate=3", "duration_ms=7ms"},            // not an integer
		{"gc-pause", "gogc-400", "records=10", "rate=9223372036854775807", "duration_ms=2"},
	} {
		checkUsageError(t, args...)
	}
}
