// CpuScale owns the java/threads and java/forkjoin variants of cpu-scale: C chunks of the
// ChunkHash kernel processed by W workers, partials summed in chunk order into a long, and work_ns taken
// from just before the pool is created to just after the last partial is summed.
// It must not change the kernel, reorder the sum, reuse a pool across runs or print anything
// except through Protocol.
package arena;

import java.io.Serial;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.RecursiveTask;

final class CpuScale {

    private CpuScale() {}

    /** The cpu-scale parameters: W workers over C chunks of {@code items} kernel steps each. */
    private record Shape(int workers, int chunks, int items) {
        static Shape from(Protocol.Params params) {
            return new Shape(params.get("workers"), params.get("chunks"), params.get("items"));
        }

        long ops() {
            return (long) chunks * items;
        }
    }

    /** java/threads: Executors.newFixedThreadPool(W), one Callable per chunk, futures read in chunk order. */
    static void runFixedThreadPool(Protocol.Params params) throws InterruptedException, ExecutionException {
        var shape = Shape.from(params);

        long start = System.nanoTime();
        long checksum = 0;
        long workNs;
        // close() shuts the pool down and waits for its threads to finish.
        try (var pool = Executors.newFixedThreadPool(shape.workers())) {
            var partials = new ArrayList<Future<Long>>(shape.chunks());
            for (int chunk = 0; chunk < shape.chunks(); chunk++) {
                int thisChunk = chunk;
                partials.add(pool.submit(() -> ChunkHash.partial(thisChunk, shape.items())));
            }
            for (var partial : partials) {
                checksum += partial.get();
            }
            workNs = System.nanoTime() - start;
        }

        emitResult(shape, checksum, workNs);
    }

    /** java/forkjoin: new ForkJoinPool(W) invoking a RecursiveTask that halves the chunk range. */
    static void runForkJoinPool(Protocol.Params params) {
        var shape = Shape.from(params);

        long start = System.nanoTime();
        long checksum;
        long workNs;
        // close() shuts the pool down and waits for its threads to finish.
        try (var pool = new ForkJoinPool(shape.workers())) {
            checksum = pool.invoke(new ChunkRangeSum(0, shape.chunks(), shape.items()));
            workNs = System.nanoTime() - start;
        }

        emitResult(shape, checksum, workNs);
    }

    /**
     * The sum of the partials of chunks [firstChunk, endChunk): split in halves down to single
     * chunks, the result is left + right, so partials are combined in chunk order.
     */
    private static final class ChunkRangeSum extends RecursiveTask<Long> {
        @Serial
        private static final long serialVersionUID = 1L;

        private final int firstChunk;
        private final int endChunk;
        private final int items;

        ChunkRangeSum(int firstChunk, int endChunk, int items) {
            this.firstChunk = firstChunk;
            this.endChunk = endChunk;
            this.items = items;
        }

        @Override
        protected Long compute() {
            if (endChunk - firstChunk == 1) {
                return ChunkHash.partial(firstChunk, items);
            }
            int middle = firstChunk + (endChunk - firstChunk) / 2;
            var left = new ChunkRangeSum(firstChunk, middle, items);
            var right = new ChunkRangeSum(middle, endChunk, items);
            right.fork(); // may be stolen by an idle worker
            long leftSum = left.compute();
            long rightSum = right.join();
            return leftSum + rightSum;
        }
    }

    private static void emitResult(Shape shape, long checksum, long workNs) {
        Protocol.event("result")
                .checksum("checksum", checksum)
                .integer("ops", shape.ops())
                .integer("workers", shape.workers())
                .integer("work_ns", workNs)
                .emit();
    }
}
