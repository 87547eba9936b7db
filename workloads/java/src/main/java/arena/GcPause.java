// GcPause owns the gc-pause workload (java/g1-fixed, g1-default, parallel and zgc run this same
// code; the runner's JVM flags choose the collector and the heap): a live set of R records, then
// rate x T allocating ops on the main thread paced to 1 ms ticks with LockSupport.parkNanos,
// a hiccup meter on its own platform thread (Thread.sleep(1), overshoots recorded), and the
// safepoint log's pauses over the same interval (SafepointLog); then the final checksum pass and
// the hiccups, gc_pauses and result events.
// It must not pool, reuse or pre-allocate records or their data arrays (every op allocates both),
// call System.gc, tune the collector, or print anything except through Protocol. A live set that
// does not fit is a crash: the message on stderr and a non-zero exit, never a hang.
package arena;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

final class GcPause {

    private static final long TICK_NS = 1_000_000;
    private static final int YOUNG_SLOTS = 64;
    private static final int DATA_LENGTH = 8;
    private static final int X_SEED = (int) 2463534242L;

    /** A record: two heap objects, this one and its data array (values are the low 32 bits). */
    record Rec(int key, int[] data) {}

    private GcPause() {}

    static void run(Protocol.Params params) throws IOException, InterruptedException {
        try {
            measure(params.get("records"), params.get("rate"), params.get("duration_ms"));
        } catch (OutOfMemoryError outOfMemory) {
            // measure's frames are gone, so the live set is garbage again and the message can be
            // allocated. halt: nothing may keep this JVM alive after the failure. The safepoint
            // log is removed too (best effort), as a finished run removes it.
            try {
                System.err.println("arena-java: gc-pause: " + outOfMemory);
                var log = SafepointLog.find();
                if (log.isPresent()) {
                    log.get().delete();
                }
            } finally {
                Runtime.getRuntime().halt(Protocol.EXIT_FAILURE);
            }
        }
    }

    /** record(key, seed): data[j] = seed + j (mod 2^32); a new record and a new array every time. */
    static Rec record(int key, int seed) {
        var data = new int[DATA_LENGTH];
        for (int j = 0; j < DATA_LENGTH; j++) {
            data[j] = seed + j;
        }
        return new Rec(key, data);
    }

    private static void measure(int records, int rate, int ticks) throws IOException, InterruptedException {
        var safepoints = SafepointLog.find();

        long buildStart = System.nanoTime();
        var live = new Rec[records];
        for (int k = 0; k < records; k++) {
            live[k] = record(k, k * 8);
        }
        var young = new Rec[YOUNG_SLOTS];
        long buildNs = System.nanoTime() - buildStart;

        var meter = HiccupMeter.start(ticks);
        if (safepoints.isPresent()) {
            safepoints.get().markStart();
        }
        long t0 = System.nanoTime();

        int x = X_SEED;
        int acc = 0;
        long op = 0;
        for (int tick = 0; tick < ticks; tick++) {
            for (int n = 0; n < rate; n++, op++) {
                x ^= x << 13;
                x ^= x >>> 17;
                x ^= x << 5;
                var rec = record((int) op, x);
                int slot = (x >>> 8) % records; // x >>> 8 < 2^24: non-negative, so % is mod
                if ((x & 3) == 0) {
                    live[slot] = rec;
                } else {
                    young[(int) (op % YOUNG_SLOTS)] = rec;
                }
                var old = live[slot];
                acc = acc * 31 + old.key() + old.data()[(int) (op % DATA_LENGTH)];
            }
            // Sleep until t0 + (tick + 1) ms if that is still ahead; a late tick runs at once.
            // parkNanos may return early (spuriously), so park again until the deadline.
            long deadline = t0 + (tick + 1) * TICK_NS;
            for (long ahead = deadline - System.nanoTime(); ahead > 0; ahead = deadline - System.nanoTime()) {
                LockSupport.parkNanos(ahead);
            }
        }
        long workNs = System.nanoTime() - t0;

        meter.stop();
        // Read before the checksum pass, so the pauses cover the ticks' interval only.
        long[] pauses = null;
        if (safepoints.isPresent()) {
            pauses = safepoints.get().pausesSinceOpened();
            safepoints.get().delete();
        }

        for (int k = 0; k < records; k++) {
            acc = acc * 31 + live[k].data()[k % DATA_LENGTH];
        }

        Protocol.event("hiccups")
                .integer("interval_ns", TICK_NS)
                .integers("ns", meter.samples, meter.count)
                .emit();
        if (pauses != null) {
            Protocol.event("gc_pauses")
                    .text("source", SafepointLog.SOURCE)
                    .integers("ns", pauses, pauses.length)
                    .emit();
        }
        Protocol.event("result")
                .checksum("checksum", Integer.toUnsignedString(acc))
                .integer("ops", op)
                .integer("records", records)
                .integer("build_ns", buildNs)
                .integer("work_ns", workNs)
                .emit();
    }

    /**
     * jHiccup's idea: a platform thread that only reads the clock, sleeps 1 ms with Thread.sleep
     * and records how much later than 1 ms it woke up (0 when on time). It sees every stall of its
     * thread, GC or not. Samples go into a primitive array sized for T ms (grown if needed), so the
     * meter itself allocates next to nothing while it runs.
     */
    private static final class HiccupMeter implements Runnable {
        private final CountDownLatch started = new CountDownLatch(1);
        private volatile boolean stopping;
        private long[] samples;
        private int count;
        private Thread thread;

        private HiccupMeter(int expectedSamples) {
            // About one sample per tick; capped so that a huge T cannot overflow the size.
            samples = new long[Math.min(expectedSamples, 1 << 20) + 16];
        }

        /** Starts the meter and returns once its thread is running, so it covers t0. */
        static HiccupMeter start(int expectedSamples) throws InterruptedException {
            var meter = new HiccupMeter(expectedSamples);
            meter.thread = Thread.ofPlatform()
                    .name("hiccup-meter")
                    // Daemon: a crash of the main thread (OutOfMemoryError) must end the JVM.
                    .daemon(true)
                    .uncaughtExceptionHandler(GcPause::haltOnCrash)
                    .start(meter);
            meter.started.await();
            return meter;
        }

        @Override
        public void run() {
            started.countDown();
            while (!stopping) {
                long before = System.nanoTime();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException interrupted) {
                    throw new IllegalStateException("the hiccup meter was interrupted", interrupted);
                }
                long overshoot = Math.max(0, System.nanoTime() - before - TICK_NS);
                if (count == samples.length) {
                    samples = Arrays.copyOf(samples, samples.length * 2);
                }
                samples[count++] = overshoot;
            }
        }

        /** Ends the meter after its current sample; join() publishes samples and count. */
        void stop() throws InterruptedException {
            stopping = true;
            thread.join();
        }
    }

    /** A crash of the meter thread (an OutOfMemoryError too) ends the run at once, non-zero. */
    private static void haltOnCrash(Thread thread, Throwable failure) {
        try {
            System.err.println("arena-java: gc-pause: " + thread.getName() + ": " + failure);
            failure.printStackTrace();
        } finally {
            Runtime.getRuntime().halt(Protocol.EXIT_FAILURE);
        }
    }
}
