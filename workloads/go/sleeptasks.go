// sleeptasks.go owns the go/goroutines variant of sleep-tasks: one goroutine per task, each
// counting itself alive, sleeping on its own time.Sleep, counting itself done and yielding
// its index; ready is a channel closed by the N-th task to become alive.
// It must not poll, must not start any task before t0, and must not set GOMAXPROCS.
package main

import (
	"math"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type sleepTasksReady struct {
	Event   string `json:"event"`
	Alive   int64  `json:"alive"`
	Done    int64  `json:"done"`
	SpawnNs int64  `json:"spawn_ns"`
}

type sleepTasksResult struct {
	Event      string `json:"event"`
	Checksum   string `json:"checksum"`
	Ops        int    `json:"ops"`
	Done       int64  `json:"done"`
	TotalNs    int64  `json:"total_ns"`
	SpawnNs    int64  `json:"spawn_ns"`
	GOMAXPROCS int    `json:"gomaxprocs"`
}

// Go offers no recoverable failure for starting a goroutine (exhausting memory is a fatal
// runtime error), so this variant has no resource_limit path.
func runSleepTasksGoroutines(params map[string]int) {
	tasks, holdMs := params["tasks"], params["hold_ms"]
	if int64(holdMs) > math.MaxInt64/int64(time.Millisecond) {
		usageError("hold_ms does not fit in a time.Duration")
	}
	hold := time.Duration(holdMs) * time.Millisecond

	var alive, done atomic.Int64
	allAlive := make(chan struct{})
	yielded := make([]int64, tasks) // task i stores its value at index i
	var finished sync.WaitGroup
	finished.Add(tasks)

	start := time.Now()
	for i := range tasks {
		go func() {
			defer finished.Done()
			if alive.Add(1) == int64(tasks) {
				close(allAlive)
			}
			time.Sleep(hold)
			done.Add(1)
			yielded[i] = int64(i)
		}()
	}

	<-allAlive
	spawnNs := time.Since(start).Nanoseconds()
	emit(sleepTasksReady{Event: "ready", Alive: alive.Load(), Done: done.Load(), SpawnNs: spawnNs})

	finished.Wait()
	var sum int64
	for _, value := range yielded {
		sum += value
	}
	totalNs := time.Since(start).Nanoseconds()

	emit(sleepTasksResult{
		Event:      "result",
		Checksum:   strconv.FormatInt(sum, 10),
		Ops:        tasks,
		Done:       done.Load(),
		TotalNs:    totalNs,
		SpawnNs:    spawnNs,
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	})
}
