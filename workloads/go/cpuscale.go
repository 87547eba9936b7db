// cpuscale.go owns the go/goroutines variant of cpu-scale: W goroutines pull chunk indices
// from a channel, store each partial by chunk index, and the main goroutine sums them in
// chunk order. It must not set GOMAXPROCS (the runner sets the environment variable; this
// file only reports runtime.GOMAXPROCS(0)) and must not change the kernel.
package main

import (
	"math"
	"runtime"
	"strconv"
	"sync"
	"time"
)

type cpuScaleResult struct {
	Event      string `json:"event"`
	Checksum   string `json:"checksum"`
	Ops        int    `json:"ops"`
	Workers    int    `json:"workers"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	WorkNs     int64  `json:"work_ns"`
}

func runCPUScaleGoroutines(params map[string]int) {
	workers, chunks, items := params["workers"], params["chunks"], params["items"]
	if chunks > math.MaxInt/items {
		usageError("chunks*items does not fit in an int")
	}

	start := time.Now()
	partials := computePartials(workers, chunks, items)
	checksum := sumInChunkOrder(partials)
	workNs := time.Since(start).Nanoseconds()

	emit(cpuScaleResult{
		Event:      "result",
		Checksum:   strconv.FormatUint(checksum, 10),
		Ops:        chunks * items,
		Workers:    workers,
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		WorkNs:     workNs,
	})
}

// computePartials runs `workers` goroutines that take chunk indices from an unbuffered
// channel (one at a time, in order) and store partial(c, items) at partials[c].
func computePartials(workers, chunks, items int) []uint32 {
	partials := make([]uint32, chunks)
	chunkIndices := make(chan int)

	var finished sync.WaitGroup
	finished.Add(workers)
	for range workers {
		go func() {
			defer finished.Done()
			for chunk := range chunkIndices {
				partials[chunk] = partial(chunk, items)
			}
		}()
	}

	for chunk := range chunks {
		chunkIndices <- chunk
	}
	close(chunkIndices)
	finished.Wait()
	return partials
}
