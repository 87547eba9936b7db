// MsgPassing owns the msg-passing workload's four Java variants: platform or virtual threads
// (Thread.ofPlatform / Thread.ofVirtual) handing boxed Integers through ArrayBlockingQueue(Q) or
// SynchronousQueue (put / take). Phase 1: a ring of P tasks passes one token M hops, the last
// hop sending it to the main thread through one more queue of the same kind. Phase 2: a producer
// and a consumer share one queue; the consumer folds N values and is joined. Each phase reports
// its wall time (System.nanoTime) and the process's CPU time (getProcessCpuTime).
// It must not use any hand-off but the variant's queue (no shared fields between tasks while a
// phase runs, no spinning), start a phase's clock before its tasks exist, or print anything
// except through Protocol.
package arena;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;

final class MsgPassing {

    private static final int RING_START = (int) 2166136261L;
    private static final int FNV_PRIME = 16777619;

    private MsgPassing() {}

    /** java/platform-abq: platform threads, ArrayBlockingQueue(Q). */
    static void runPlatformArrayBlockingQueue(Protocol.Params params) throws Exception {
        run(Thread.ofPlatform(), false, params);
    }

    /** java/platform-sync: platform threads, SynchronousQueue (capacity reported as 0). */
    static void runPlatformSynchronousQueue(Protocol.Params params) throws Exception {
        run(Thread.ofPlatform(), true, params);
    }

    /** java/virtual-abq: virtual threads, ArrayBlockingQueue(Q). */
    static void runVirtualArrayBlockingQueue(Protocol.Params params) throws Exception {
        run(Thread.ofVirtual(), false, params);
    }

    /** java/virtual-sync: virtual threads, SynchronousQueue (capacity reported as 0). */
    static void runVirtualSynchronousQueue(Protocol.Params params) throws Exception {
        run(Thread.ofVirtual(), true, params);
    }

    /** One hop's step: t' = ((t XOR (k + 1)) * 16777619) mod 2^32. */
    static int hop(int token, int task) {
        return (token ^ (task + 1)) * FNV_PRIME;
    }

    /** The queue of the variant's kind: a rendezvous, or an array-backed queue of capacity Q. */
    private record Kind(boolean rendezvous, int capacity) {
        BlockingQueue<Integer> newQueue() {
            return rendezvous ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(capacity);
        }

        int reportedCapacity() {
            return rendezvous ? 0 : capacity;
        }
    }

    private static void run(Thread.Builder threads, boolean rendezvous, Protocol.Params params) throws Exception {
        int tasks = params.get("tasks");
        int hops = params.get("hops");
        int messages = params.get("messages");
        var kind = new Kind(rendezvous, params.get("capacity"));
        if (tasks < 2) {
            throw new Protocol.UsageError("tasks=%d: a ring needs at least 2 tasks".formatted(tasks));
        }
        // A task that fails (it cannot: nothing interrupts them) would leave the main thread
        // waiting forever for a token: end the run at once instead.
        threads.uncaughtExceptionHandler(MsgPassing::haltOnCrash);
        // The bean (and the classes behind it) once, before either phase is timed.
        var os = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

        // Phase 1, the ring.
        var inboxes = new ArrayList<BlockingQueue<Integer>>(tasks);
        for (int k = 0; k < tasks; k++) {
            inboxes.add(kind.newQueue());
        }
        // The final token comes back through one more queue of the same kind.
        var toMain = kind.newQueue();
        var ringWaiting = new CountDownLatch(tasks);
        var ring = new ArrayList<Thread>(tasks);
        for (int k = 0; k < tasks; k++) {
            int task = k;
            ring.add(threads.start(() -> ringTask(task, tasks, hops, inboxes, toMain, ringWaiting)));
        }
        // Every task has reached its inbox (a thread's start-up is not a hand-off).
        ringWaiting.await();
        long ringCpuStart = os.getProcessCpuTime();
        long ringStart = System.nanoTime();
        inboxes.get(0).put(RING_START);
        int token = toMain.take();
        long ringNs = System.nanoTime() - ringStart;
        for (var thread : ring) {
            thread.join();
        }
        long ringCpuNs = os.getProcessCpuTime() - ringCpuStart;

        // Phase 2, the queue.
        var queue = kind.newQueue();
        var pairWaiting = new CountDownLatch(2);
        var go = new CountDownLatch(1);
        var folded = new int[1]; // written by the consumer, read after join(), which publishes it
        var producer = threads.start(() -> produce(queue, messages, pairWaiting, go));
        var consumer = threads.start(() -> folded[0] = consume(queue, messages, pairWaiting));
        pairWaiting.await();
        long pairCpuStart = os.getProcessCpuTime();
        long pairStart = System.nanoTime();
        go.countDown();
        consumer.join();
        long pairNs = System.nanoTime() - pairStart;
        producer.join();
        long pairCpuNs = os.getProcessCpuTime() - pairCpuStart;

        Protocol.event("result")
                .checksum("checksum", Integer.toUnsignedString(token) + ":" + Integer.toUnsignedString(folded[0]))
                .integer("ops", (long) hops + messages)
                .integer("tasks", tasks)
                .integer("capacity", kind.reportedCapacity())
                .integer("ring_ns", ringNs)
                .integer("pair_ns", pairNs)
                .integer("ring_cpu_ns", ringCpuNs)
                .integer("pair_cpu_ns", pairCpuNs)
                .emit();
    }

    /**
     * Task k of the ring: hops h = k, k + P, ... below M, each receiving from its own inbox and
     * sending to the next task's, or to the main thread after the last hop.
     */
    private static void ringTask(int task, int tasks, int hops, List<BlockingQueue<Integer>> inboxes,
            BlockingQueue<Integer> toMain, CountDownLatch waiting) {
        var inbox = inboxes.get(task);
        var next = inboxes.get((task + 1) % tasks);
        waiting.countDown();
        try {
            for (long h = task; h < hops; h += tasks) {
                int token = hop(inbox.take(), task);
                (h == hops - 1 ? toMain : next).put(token);
            }
        } catch (InterruptedException interrupted) {
            throw new IllegalStateException("ring task " + task + " was interrupted", interrupted);
        }
    }

    /** The producer: waits for the start signal, then sends 0 .. N-1. */
    private static void produce(BlockingQueue<Integer> queue, int messages, CountDownLatch waiting,
            CountDownLatch go) {
        waiting.countDown();
        try {
            go.await();
            for (int value = 0; value < messages; value++) {
                queue.put(value);
            }
        } catch (InterruptedException interrupted) {
            throw new IllegalStateException("the producer was interrupted", interrupted);
        }
    }

    /** The consumer: receives exactly N values, acc = acc * 31 + v (mod 2^32) in arrival order. */
    private static int consume(BlockingQueue<Integer> queue, int messages, CountDownLatch waiting) {
        waiting.countDown();
        int acc = 0;
        try {
            for (int received = 0; received < messages; received++) {
                acc = acc * 31 + queue.take();
            }
        } catch (InterruptedException interrupted) {
            throw new IllegalStateException("the consumer was interrupted", interrupted);
        }
        return acc;
    }

    private static void haltOnCrash(Thread thread, Throwable failure) {
        try {
            System.err.println("arena-java: msg-passing: a task failed: " + failure);
            failure.printStackTrace();
        } finally {
            Runtime.getRuntime().halt(Protocol.EXIT_FAILURE);
        }
    }
}
