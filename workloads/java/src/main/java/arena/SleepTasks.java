// SleepTasks owns the java/threads and java/virtual variants of sleep-tasks: one thread per
// task (platform or virtual), each counting itself alive, sleeping H ms on its own
// Thread.sleep, counting itself done and storing its index; ready via a CountDownLatch. After
// `ready` (and a pause that lets the harness read the memory first) it runs one full collection
// (System.gc) and reports the live heap after it in `result` (heap_live_bytes), if no task had
// finished by then, so that the heap the N tasks hold is stated beside the RSS the harness
// reads. The collection runs after ready, never before: at 100k virtual threads it took 1.4 s
// here, longer than the hold has left.
// It must not poll, start any task before t0, or wait for started tasks after a thread could
// not be created (it halts with exit code 3 instead).
package arena;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

final class SleepTasks {

    private SleepTasks() {}

    /** java/threads: a platform (OS) thread per task. */
    static void runPlatformThreads(Protocol.Params params) throws InterruptedException {
        run(Thread.ofPlatform(), params);
    }

    /** java/virtual: a virtual thread per task. */
    static void runVirtualThreads(Protocol.Params params) throws InterruptedException {
        run(Thread.ofVirtual(), params);
    }

    private static void run(Thread.Builder threadBuilder, Protocol.Params params) throws InterruptedException {
        int tasks = params.get("tasks");
        long holdMs = params.get("hold_ms");

        var alive = new AtomicLong();
        var done = new AtomicLong();
        var allAlive = new CountDownLatch(tasks);
        var yielded = new long[tasks]; // task i stores its value at index i; join() publishes it
        var threads = new Thread[tasks];

        long start = System.nanoTime();
        for (int task = 0; task < tasks; task++) {
            int index = task;
            Runnable body = () -> {
                alive.incrementAndGet();
                allAlive.countDown();
                try {
                    Thread.sleep(holdMs);
                } catch (InterruptedException interrupted) {
                    // Nothing interrupts these tasks; if something does, done stays short of N
                    // and the harness rejects the run.
                    Thread.currentThread().interrupt();
                    return;
                }
                done.incrementAndGet();
                yielded[index] = index;
            };
            try {
                threads[task] = threadBuilder.start(body);
            } catch (OutOfMemoryError cannotStart) {
                exitAtResourceLimit(task, cannotStart);
            }
        }

        allAlive.await();
        long spawnNs = System.nanoTime() - start;
        Protocol.event("ready")
                .integer("alive", alive.get())
                .integer("done", done.get())
                .integer("spawn_ns", spawnNs)
                .emit();
        long heapLiveBytes = liveHeapWhileAllAlive(done);

        for (var thread : threads) {
            thread.join();
        }
        long checksum = 0;
        for (long value : yielded) {
            checksum += value;
        }
        long totalNs = System.nanoTime() - start;

        var result = Protocol.event("result")
                .checksum("checksum", checksum)
                .integer("ops", tasks)
                .integer("done", done.get())
                .integer("total_ns", totalNs)
                .integer("spawn_ns", spawnNs);
        if (heapLiveBytes >= 0) {
            result.integer("heap_live_bytes", heapLiveBytes);
        }
        result.emit();
    }

    /** The harness reads the tree RSS when it gets `ready`; the collection waits this long so
     * that its own pages (mark bitmaps) do not enter that read. */
    private static final long READ_GRACE_MS = 100;

    /**
     * The heap in use after a full collection while every task is still sleeping: what they
     * hold (their Thread objects, a virtual thread's stack chunk) plus the program's constant
     * live set. -1 if a task had finished by the time it was read (the figure would miss it).
     */
    private static long liveHeapWhileAllAlive(AtomicLong done) throws InterruptedException {
        Thread.sleep(READ_GRACE_MS);
        if (done.get() != 0) {
            return -1;
        }
        System.gc();
        var runtime = Runtime.getRuntime();
        long used = runtime.totalMemory() - runtime.freeMemory();
        return done.get() == 0 ? used : -1;
    }

    /**
     * Reports that thread number {@code started} could not be created (e.g. "unable to create
     * native thread") and halts at once, without waiting for the threads already running.
     */
    private static void exitAtResourceLimit(int started, OutOfMemoryError cause) {
        try {
            Protocol.event("error")
                    .text("kind", "resource_limit")
                    .integer("alive", started)
                    .text("message", String.valueOf(cause.getMessage()))
                    .emit();
        } finally {
            Runtime.getRuntime().halt(Protocol.EXIT_RESOURCE_LIMIT);
        }
    }
}
