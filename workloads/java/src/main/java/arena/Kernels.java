// Kernels owns the kernels workload: the model names the kernel (nbody, spectral-norm,
// fannkuch-redux, binary-trees), `n` sizes it, and the result line carries the checksum, ops
// and work_ns, taken from just before the kernel starts to just after its checksum value is
// computed (the checksum's text is formatted outside that window).
// It must not run more than the chosen kernel, warm it up, use more than one thread, or print
// anything except through Protocol. Each kernel lives in its own class (NBody, SpectralNorm,
// FannkuchRedux, BinaryTrees), loaded only when chosen.
package arena;

final class Kernels {

    private static final String SIZE_KEY = "n";

    private Kernels() {}

    /** kernels/nbody: the energy after n steps; ops = n. */
    static void runNbody(Protocol.Params params) {
        int steps = params.get(SIZE_KEY);
        long start = System.nanoTime();
        double energy = NBody.run(steps);
        long workNs = System.nanoTime() - start;
        report(Protocol.nineDecimals(energy), steps, workNs);
    }

    /** kernels/spectral-norm: the norm of the n × n matrix; ops = n. */
    static void runSpectralNorm(Protocol.Params params) {
        int n = params.get(SIZE_KEY);
        long start = System.nanoTime();
        double norm = SpectralNorm.run(n);
        long workNs = System.nanoTime() - start;
        report(Protocol.nineDecimals(norm), n, workNs);
    }

    /** kernels/fannkuch-redux: "<checksum>:<max_flips>"; ops = the permutations visited (n!). */
    static void runFannkuchRedux(Protocol.Params params) {
        int n = params.get(SIZE_KEY);
        long start = System.nanoTime();
        var result = FannkuchRedux.run(n);
        long workNs = System.nanoTime() - start;
        report(result.text(), result.permutations(), workNs);
    }

    /** kernels/binary-trees: the total of the checks; ops = the nodes allocated, the same number. */
    static void runBinaryTrees(Protocol.Params params) {
        int n = params.get(SIZE_KEY);
        long start = System.nanoTime();
        long total = BinaryTrees.run(n);
        long workNs = System.nanoTime() - start;
        report(Long.toString(total), total, workNs);
    }

    /** The result line every kernel prints; formatting happens after the timed region. */
    private static void report(String checksum, long ops, long workNs) {
        Protocol.event("result")
                .checksum("checksum", checksum)
                .integer("ops", ops)
                .integer("work_ns", workNs)
                .emit();
    }
}
