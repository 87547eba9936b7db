// JitWarmup owns the jit-warmup workload (models <configuration>-<benchmark>: default, xint and
// c1 run this same code, the runner's JVM flags choose the compilers): K iterations of one
// kernels kernel (NBody, SpectralNorm or FannkuchRedux, the kernels workload's own classes),
// each from scratch, each timed alone with System.nanoTime and reported as
// {"event":"iter","i":i,"ns":t} after it, outside its timed region; then the result with the
// last iteration's checksum and the sum of the K times.
// It must not carry anything from one iteration to the next (bodies, vectors, permutations,
// results), run untimed warm-up iterations, or print anything except through Protocol.
package arena;

import java.util.function.Function;
import java.util.function.IntFunction;

final class JitWarmup {

    private JitWarmup() {}

    static void runNbody(Protocol.Params params) {
        run(params, NBody::run, energy -> Protocol.nineDecimals((Double) energy));
    }

    static void runSpectralNorm(Protocol.Params params) {
        run(params, SpectralNorm::run, norm -> Protocol.nineDecimals((Double) norm));
    }

    static void runFannkuchRedux(Protocol.Params params) {
        run(params, FannkuchRedux::run, found -> ((FannkuchRedux.Result) found).text());
    }

    /** K timed runs of `kernel` at n; the last value is formatted after the clock stops. */
    private static void run(Protocol.Params params, IntFunction<Object> kernel, Function<Object, String> format) {
        int iterations = params.get("iterations");
        int n = params.get("n");

        Object value = null;
        long totalNs = 0;
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            value = kernel.apply(n);
            long ns = System.nanoTime() - start;
            totalNs += ns;
            Protocol.event("iter").integer("i", i).integer("ns", ns).emit();
        }

        Protocol.event("result")
                .checksum("checksum", format.apply(value))
                .integer("ops", iterations)
                .integer("total_ns", totalNs)
                .emit();
    }
}
