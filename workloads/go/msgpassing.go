// msgpassing.go owns the go variants of msg-passing (see ../README.md, "Workload
// msg-passing"): phase 1, a ring of P goroutines passing one token M hops through their
// inbox channels; phase 2, one producer and one consumer goroutine passing N values through
// one channel. go/unbuffered uses make(chan uint32) everywhere (a rendezvous: the capacity
// parameter is ignored and reported as 0); go/buffered uses make(chan uint32, Q) everywhere.
// It must not set GOMAXPROCS (the runner sets it to the core count), use any primitive other
// than the variant's channel for a hand-off, or start a phase's clock before its tasks exist.
package main

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const (
	ringSeed       = 2166136261
	ringMultiplier = 16777619
)

type msgPassingResult struct {
	Event     string `json:"event"`
	Checksum  string `json:"checksum"`
	Ops       int    `json:"ops"`
	Tasks     int    `json:"tasks"`
	Capacity  int    `json:"capacity"`
	RingNs    int64  `json:"ring_ns"`
	PairNs    int64  `json:"pair_ns"`
	RingCPUNs int64  `json:"ring_cpu_ns"`
	PairCPUNs int64  `json:"pair_cpu_ns"`
}

// channelKind is a variant's hand-off primitive: it makes every inbox, the queue, and the
// channels that carry the final token and the consumer's fold back to the main goroutine.
type channelKind struct {
	newChannel func() chan uint32
	capacity   int // reported: Q, or 0 for a rendezvous
}

// msgPassingModel returns the run function of one model; capacity is the parameter Q, which
// the unbuffered model reads only to check it and then ignores.
func msgPassingModel(buffered bool) func(params map[string]int) {
	return func(params map[string]int) {
		tasks, hops, messages, capacity := params["tasks"], params["hops"], params["messages"], params["capacity"]
		if tasks < 2 {
			usageError(fmt.Sprintf("tasks=%d: the ring needs at least 2 tasks", tasks))
		}
		if hops > math.MaxInt-messages {
			usageError("hops+messages does not fit in an int")
		}
		kind := channelKind{newChannel: func() chan uint32 { return make(chan uint32) }, capacity: 0}
		if buffered {
			kind = channelKind{newChannel: func() chan uint32 { return make(chan uint32, capacity) }, capacity: capacity}
		}
		runMsgPassing(kind, tasks, hops, messages)
	}
}

func runMsgPassing(kind channelKind, tasks, hops, messages int) {
	token, ringNs, ringCPUNs := runRing(kind, tasks, hops)
	acc, pairNs, pairCPUNs := runPair(kind, messages)
	emit(msgPassingResult{
		Event:     "result",
		Checksum:  strconv.FormatUint(uint64(token), 10) + ":" + strconv.FormatUint(uint64(acc), 10),
		Ops:       hops + messages,
		Tasks:     tasks,
		Capacity:  kind.capacity,
		RingNs:    ringNs,
		PairNs:    pairNs,
		RingCPUNs: ringCPUNs,
		PairCPUNs: pairCPUNs,
	})
}

// runRing is phase 1. Task k does hops h = k, k+P, k+2P, ... < M: it receives a token from its
// inbox, mixes in k+1 and sends the result on to task (k+1) mod P, or, at the last hop, to the
// main goroutine. It returns the final token, ring_ns and ring_cpu_ns.
func runRing(kind channelKind, tasks, hops int) (uint32, int64, int64) {
	inboxes := make([]chan uint32, tasks)
	for k := range inboxes {
		inboxes[k] = kind.newChannel()
	}
	final := kind.newChannel()

	// waiting is done once every task is about to wait on its inbox (or has ended, having no
	// hop), so the clock covers hand-offs only, not goroutine creation.
	var waiting, ended sync.WaitGroup
	waiting.Add(tasks)
	ended.Add(tasks)
	for k := range tasks {
		go func() {
			defer ended.Done()
			inbox, next := inboxes[k], inboxes[(k+1)%tasks]
			mix := uint32(k + 1)
			waiting.Done()
			for h := k; h < hops; h += tasks {
				token := (<-inbox ^ mix) * ringMultiplier
				if h == hops-1 {
					final <- token
				} else {
					next <- token
				}
			}
		}()
	}
	waiting.Wait()

	cpuBefore := processCPUNs()
	start := time.Now()
	inboxes[0] <- ringSeed
	token := <-final
	ringNs := time.Since(start).Nanoseconds()
	ended.Wait()
	return token, ringNs, processCPUNs() - cpuBefore
}

// runPair is phase 2: the producer sends 0 .. N-1 once the start signal is given, the
// consumer folds exactly N values in arrival order and sends its acc to the main goroutine,
// which stops the clock when it has that value. It returns acc, pair_ns and pair_cpu_ns.
func runPair(kind channelKind, messages int) (uint32, int64, int64) {
	queue := kind.newChannel()
	folded := kind.newChannel()
	startSignal := make(chan struct{})

	var waiting, ended sync.WaitGroup
	waiting.Add(2)
	ended.Add(2)
	go func() { // the producer
		defer ended.Done()
		waiting.Done()
		<-startSignal
		for v := range messages {
			queue <- uint32(v) // v mod 2^32: the fold is mod 2^32 too
		}
	}()
	go func() { // the consumer
		defer ended.Done()
		waiting.Done()
		acc := uint32(0)
		for range messages {
			acc = acc*31 + <-queue
		}
		folded <- acc
	}()
	waiting.Wait()

	cpuBefore := processCPUNs()
	start := time.Now()
	close(startSignal)
	acc := <-folded
	pairNs := time.Since(start).Nanoseconds()
	ended.Wait()
	return acc, pairNs, processCPUNs() - cpuBefore
}

// processCPUNs is the process's user + system CPU time so far (every thread), in ns. The
// kernel reports it in microseconds. Go starts no child processes here, so RUSAGE_SELF is all.
func processCPUNs() int64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		panic(fmt.Sprintf("getrusage: %v", err))
	}
	return usage.Utime.Nano() + usage.Stime.Nano()
}
