// msgpassing_test.go owns the tests of msg-passing: the contract's test vectors for both
// models (in process, and as a child process under the catalogue's GOMAXPROCS), a few edge
// sizes against a sequential reference of the two folds (more tasks than hops, a capacity
// larger than the messages), the result line's fields and order, and the usage errors. It
// must not weaken a contract value.
package main

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
)

type msgPassingVector struct {
	tasks, hops, messages, capacity int
	checksum                        string
}

var msgPassingVectors = []msgPassingVector{
	{tasks: 3, hops: 10, messages: 10, capacity: 2, checksum: "2055683726:165029893"}, // arena verify's size
	{tasks: 2, hops: 1, messages: 1, capacity: 1, checksum: "67918732:0"},
}

// msgPassingModels maps each catalogue model to whether its channels are buffered.
var msgPassingModels = map[string]bool{"unbuffered": false, "buffered": true}

// sequentialMsgPassing is the checksum computed without tasks, straight from the contract.
func sequentialMsgPassing(tasks, hops, messages int) string {
	token := uint32(ringSeed)
	for h := range hops {
		token = (token ^ uint32(h%tasks+1)) * ringMultiplier
	}
	acc := uint32(0)
	for v := range messages {
		acc = acc*31 + uint32(v)
	}
	return strconv.FormatUint(uint64(token), 10) + ":" + strconv.FormatUint(uint64(acc), 10)
}

func (vector msgPassingVector) params() map[string]int {
	return map[string]int{"tasks": vector.tasks, "hops": vector.hops, "messages": vector.messages, "capacity": vector.capacity}
}

func (vector msgPassingVector) args(model string) []string {
	return []string{"msg-passing", model, "tasks=" + strconv.Itoa(vector.tasks), "hops=" + strconv.Itoa(vector.hops),
		"messages=" + strconv.Itoa(vector.messages), "capacity=" + strconv.Itoa(vector.capacity)}
}

// checkMsgPassingResult checks the one result line: its fields in the contract's order, the
// checksum, the echoed sizes, the reported capacity (0 for the rendezvous) and the times.
func checkMsgPassingResult(t *testing.T, name string, vector msgPassingVector, buffered bool, lines []string) {
	t.Helper()
	if len(lines) != 1 {
		t.Fatalf("%s: printed %q, want one result line", name, lines)
	}
	capacity := 0
	if buffered {
		capacity = vector.capacity
	}
	prefix := `{"event":"result","checksum":"` + vector.checksum + `","ops":` + strconv.Itoa(vector.hops+vector.messages) +
		`,"tasks":` + strconv.Itoa(vector.tasks) + `,"capacity":` + strconv.Itoa(capacity) + `,"ring_ns":`
	result := decodeEvent(t, lines[0])
	if !strings.HasPrefix(lines[0], prefix) || len(result) != 9 {
		t.Errorf("%s: %s, want it to start with %s and carry ring_ns, pair_ns, ring_cpu_ns, pair_cpu_ns", name, lines[0], prefix)
	}
	for _, key := range []string{"ring_ns", "pair_ns"} {
		if integerField(t, result, key) <= 0 {
			t.Errorf("%s: %s has no positive %s", name, lines[0], key)
		}
	}
	for _, key := range []string{"ring_cpu_ns", "pair_cpu_ns"} {
		if integerField(t, result, key) < 0 {
			t.Errorf("%s: %s has a negative %s", name, lines[0], key)
		}
	}
}

func TestMsgPassingVectorsEveryModel(t *testing.T) {
	for _, model := range sortedKeys(msgPassingModels) {
		buffered := msgPassingModels[model]
		chosen, ok := workloads["msg-passing"][model]
		if !ok {
			t.Errorf("msg-passing/%s is not in the dispatcher", model)
			continue
		}
		for _, vector := range msgPassingVectors {
			if got := sequentialMsgPassing(vector.tasks, vector.hops, vector.messages); got != vector.checksum {
				t.Fatalf("the sequential reference gives %s for %v, the contract %s", got, vector, vector.checksum)
			}
			lines := captureEvents(t, func() { chosen.run(vector.params()) })
			checkMsgPassingResult(t, "in process "+strings.Join(vector.args(model), " "), vector, buffered, lines)

			// As the runner launches it, with the catalogue's GOMAXPROCS = cores.
			args := vector.args(model)
			run := runProgram(t, []string{"GOMAXPROCS=" + strconv.Itoa(runtime.NumCPU())}, args...)
			if run.exitCode != 0 {
				t.Errorf("%v: exit %d, stderr %q", args, run.exitCode, run.stderr)
				continue
			}
			checkMsgPassingResult(t, strings.Join(args, " "), vector, buffered, run.stdout)
		}
	}
	if len(workloads["msg-passing"]) != len(msgPassingModels) {
		t.Errorf("the dispatcher has msg-passing models %v, the catalogue %v",
			sortedKeys(workloads["msg-passing"]), sortedKeys(msgPassingModels))
	}
}

// Sizes the vectors do not cover: tasks that do no hop (P > M) end at once; a hop count that
// is not a multiple of P; a capacity larger than the number of messages; a larger ring.
func TestMsgPassingEdgeSizes(t *testing.T) {
	for _, size := range []struct{ tasks, hops, messages, capacity int }{
		{tasks: 5, hops: 2, messages: 3, capacity: 100},
		{tasks: 4, hops: 4, messages: 1, capacity: 1},
		{tasks: 7, hops: 1001, messages: 999, capacity: 3},
		{tasks: 64, hops: 10000, messages: 10000, capacity: 64},
	} {
		vector := msgPassingVector{size.tasks, size.hops, size.messages, size.capacity,
			sequentialMsgPassing(size.tasks, size.hops, size.messages)}
		for _, model := range sortedKeys(msgPassingModels) {
			lines := captureEvents(t, func() { workloads["msg-passing"][model].run(vector.params()) })
			checkMsgPassingResult(t, strings.Join(vector.args(model), " "), vector, msgPassingModels[model], lines)
		}
	}
}

func TestMsgPassingUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"msg-passing", "unbuffered", "tasks=1", "hops=10", "messages=10", "capacity=2"}, // P ≥ 2
		{"msg-passing", "buffered", "tasks=1", "hops=10", "messages=10", "capacity=2"},
		{"msg-passing", "rendezvous", "tasks=3", "hops=10", "messages=10", "capacity=2"},            // unknown model
		{"msg-passing", "unbuffered", "tasks=3", "hops=10", "messages=10"},                          // missing key, even if ignored
		{"msg-passing", "buffered", "tasks=3", "hops=10", "messages=10", "capacity=0"},              // not positive
		{"msg-passing", "buffered", "tasks=3", "hops=10", "messages=10", "capacity=2", "workers=2"}, // unknown key
		{"msg-passing", "unbuffered", "tasks=3", "hops=9223372036854775807", "messages=1", "capacity=2"},
	} {
		checkUsageError(t, args...)
	}
}
