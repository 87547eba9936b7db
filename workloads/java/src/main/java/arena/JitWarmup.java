// JitWarmup owns the jit-warmup workload (java/default, xint and c1 run this same code; the
// runner's JVM flags choose the compilers): K iterations of the nbody kernel, each from new
// bodies (NBody.run: build, offset momentum, advance n steps, energy), each timed alone with
// System.nanoTime and reported as {"event":"iter","i":i,"ns":t} after it, outside its timed
// region; then the result with the last energy and the sum of the K times.
// It must not carry anything from one iteration to the next (bodies, results), run untimed
// warm-up iterations, or print anything except through Protocol.
package arena;

final class JitWarmup {

    private JitWarmup() {}

    static void run(Protocol.Params params) {
        int iterations = params.get("iterations");
        int steps = params.get("n");

        double energy = 0;
        long totalNs = 0;
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            energy = NBody.run(steps);
            long ns = System.nanoTime() - start;
            totalNs += ns;
            Protocol.event("iter").integer("i", i).integer("ns", ns).emit();
        }

        Protocol.event("result")
                .checksumNineDecimals("checksum", energy)
                .integer("ops", iterations)
                .integer("total_ns", totalNs)
                .emit();
    }
}
