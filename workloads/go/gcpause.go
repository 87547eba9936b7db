// gcpause.go owns the go variants of gc-pause (see ../README.md, "Workload gc-pause"): a live
// set of R records, rate × T paced operations on the main goroutine in 1 ms ticks, a hiccup
// meter goroutine, and the GC pauses the runtime itself reports through runtime/metrics. The
// three models (gogc-100, gogc-400, gogc-off) are runtime configurations the runner sets
// through GOGC/GOMEMLIMIT/GOMAXPROCS: every model runs this same code.
// It must not pool, free-list or reuse records or data arrays (every op allocates both), set
// GOGC, GOMEMLIMIT or GOMAXPROCS, or print before the last tick and the final checksum pass.
package main

import (
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"
)

// A record is two heap objects: the struct and its separate data array. Records are held by
// pointer (*record) so that the live set is R + R objects the collector must trace, as in the
// other collected languages.
type record struct {
	key  uint32
	data []uint32
}

const (
	recordDataLen = 8
	youngSlots    = 64
	gcPauseSeed   = 2463534242
	// pauseMetric is Go's histogram of GC stop-the-world pauses, from deciding to stop the
	// world until it is started again (the non-deprecated name of /gc/pauses:seconds).
	pauseMetric = "/sched/pauses/total/gc:seconds"
	// pauseSource is the gc_pauses event's `source` text.
	pauseSource = "runtime/metrics " + pauseMetric
)

type gcPauseHiccups struct {
	Event      string  `json:"event"`
	IntervalNs int64   `json:"interval_ns"`
	Ns         []int64 `json:"ns"`
}

type gcPausePauses struct {
	Event  string  `json:"event"`
	Source string  `json:"source"`
	Ns     []int64 `json:"ns"`
}

type gcPauseResult struct {
	Event    string `json:"event"`
	Checksum string `json:"checksum"`
	Ops      int    `json:"ops"`
	Records  int    `json:"records"`
	BuildNs  int64  `json:"build_ns"`
	WorkNs   int64  `json:"work_ns"`
}

// newRecord is record(key, seed): data[j] = seed + j (mod 2^32). It allocates a new struct
// and a new array on every call; both escape to the heap (the caller stores the pointer in
// the live or young slice; `go build -gcflags=-m` reports both `new(record)` and the
// `make([]uint32, 8)` as escaping).
func newRecord(key, seed uint32) *record {
	data := make([]uint32, recordDataLen)
	for j := range data {
		data[j] = seed + uint32(j)
	}
	return &record{key: key, data: data}
}

func xorshift32(x uint32) uint32 {
	x ^= x << 13
	x ^= x >> 17
	x ^= x << 5
	return x
}

func runGCPause(params map[string]int) {
	records, rate, ticks := params["records"], params["rate"], params["duration_ms"]
	if rate > math.MaxInt/ticks {
		usageError("rate*duration_ms does not fit in an int")
	}
	if int64(ticks) > math.MaxInt64/int64(time.Millisecond) {
		usageError("duration_ms does not fit in a time.Duration")
	}

	buildStart := time.Now()
	live := make([]*record, records)
	for k := range live {
		live[k] = newRecord(uint32(k), uint32(k)*recordDataLen)
	}
	var young [youngSlots]*record
	buildNs := time.Since(buildStart).Nanoseconds()

	pausesBefore := readPauseHistogram()
	meter := startHiccupMeter(ticks)

	// The ops, paced: tick t runs `rate` ops and then sleeps until t0 + (t+1) ms if that is
	// still ahead; a late tick starts at once (no tick is skipped). The young array stays a
	// local of this frame, but its elements are heap records like the live set's.
	x, acc := uint32(gcPauseSeed), uint32(0)
	op := 0
	t0 := time.Now()
	for tick := range ticks {
		for range rate {
			x = xorshift32(x)
			rec := newRecord(uint32(op), x)
			slot := int(x>>8) % records
			if x&3 == 0 {
				live[slot] = rec // a quarter of the ops replace a live record
			} else {
				young[op%youngSlots] = rec // the rest die young, overwritten 64 ops later
			}
			old := live[slot]
			acc = acc*31 + old.key + old.data[op%recordDataLen]
			op++
		}
		if ahead := time.Until(t0.Add(time.Duration(tick+1) * time.Millisecond)); ahead > 0 {
			time.Sleep(ahead)
		}
	}
	workNs := time.Since(t0).Nanoseconds()
	// Nothing reads young after its stores, and the compiler deletes stores to a local that is
	// never read (it did: the young records then died at once instead of 64 ops later). This
	// use keeps every store, so a young record stays reachable until it is overwritten.
	runtime.KeepAlive(&young)

	hiccups := meter.stop()
	pauses := pausesBetween(pausesBefore, readPauseHistogram())

	// The final pass over the live set, outside every timed region.
	for k, rec := range live {
		acc = acc*31 + rec.data[k%recordDataLen]
	}

	emit(gcPauseHiccups{Event: "hiccups", IntervalNs: int64(time.Millisecond), Ns: hiccups})
	emit(gcPausePauses{Event: "gc_pauses", Source: pauseSource, Ns: pauses})
	emit(gcPauseResult{
		Event:    "result",
		Checksum: strconv.FormatUint(uint64(acc), 10),
		Ops:      rate * ticks,
		Records:  records,
		BuildNs:  buildNs,
		WorkNs:   workNs,
	})
}

// hiccupMeter is the goroutine that sleeps 1 ms at a time and records how late it woke.
type hiccupMeter struct {
	stopping atomic.Bool
	finished chan []int64
}

// startHiccupMeter starts the meter and returns once it is running (its first clock read is
// about to happen), so that the interval it covers begins before the caller's t0. ticks only
// sizes the sample list up front, so that the meter does not allocate a growing list while
// it measures (samples are at least 1 ms apart, so a run of T ticks takes about T of them).
func startHiccupMeter(ticks int) *hiccupMeter {
	meter := &hiccupMeter{finished: make(chan []int64, 1)}
	running := make(chan struct{})
	go func() {
		samples := make([]int64, 0, ticks+16)
		close(running)
		// At least one sample, even when the caller stops the meter at once: the contract's
		// invariant is that every run has one.
		for {
			before := time.Now()
			time.Sleep(time.Millisecond)
			late := time.Since(before) - time.Millisecond
			samples = append(samples, max(0, late.Nanoseconds()))
			if meter.stopping.Load() {
				break
			}
		}
		meter.finished <- samples
	}()
	<-running
	return meter
}

// stop asks the meter to end after its current sample and waits for it; it returns every
// overshoot in order.
func (meter *hiccupMeter) stop() []int64 {
	meter.stopping.Store(true)
	return <-meter.finished
}

// readPauseHistogram returns the runtime's cumulative histogram of GC pauses so far.
func readPauseHistogram() *metrics.Float64Histogram {
	sample := []metrics.Sample{{Name: pauseMetric}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		// Every Go release since 1.22 has this metric; go.mod requires 1.22.
		panic(fmt.Sprintf("runtime/metrics has no histogram %s", pauseMetric))
	}
	return sample[0].Value.Float64Histogram()
}

// pausesBetween lists the pauses counted in after but not in before (two reads of the same
// cumulative histogram, so the buckets are the same), in bucket order: the runtime keeps
// counts per bucket, not the pauses themselves, so each pause is reported at its bucket's
// upper bound in ns (an overestimate of at most the bucket's width), or at the lower bound for
// the last bucket, whose upper bound is +Inf. The list is never nil (an empty JSON array).
func pausesBetween(before, after *metrics.Float64Histogram) []int64 {
	pauses := make([]int64, 0)
	for i, count := range after.Counts {
		added := count - before.Counts[i]
		bound := after.Buckets[i+1]
		if math.IsInf(bound, 1) {
			bound = after.Buckets[i]
		}
		ns := int64(0)
		if bound > 0 && !math.IsInf(bound, 0) {
			ns = int64(math.Round(bound * 1e9))
		}
		for range added {
			pauses = append(pauses, ns)
		}
	}
	return pauses
}
