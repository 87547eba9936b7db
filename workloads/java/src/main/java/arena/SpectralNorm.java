// SpectralNorm owns the spectral-norm kernel of the contract (README, workload kernels): ten
// rounds of v = AᵀA·u, u = AᵀA·v with A(i, j) = 1 / ((i+j)(i+j+1)/2 + i + 1), then
// sqrt(u·v / v·v).
// It must not store A (every entry is computed where it is used, as the contract's loops do),
// reorder a sum (each runs j ascending from 0.0), use more than one thread, or do I/O.
package arena;

import java.util.Arrays;

final class SpectralNorm {

    private static final int ROUNDS = 10;

    private SpectralNorm() {}

    /** The spectral norm of the n × n matrix A. */
    static double run(int n) {
        var u = new double[n];
        var v = new double[n];
        var scratch = new double[n]; // A·x inside AᵀA·x, reused: only the arithmetic is measured
        Arrays.fill(u, 1.0);
        for (int round = 0; round < ROUNDS; round++) {
            multiplyAtAv(u, scratch, v);
            multiplyAtAv(v, scratch, u);
        }
        double vBv = 0.0;
        double vv = 0.0;
        for (int i = 0; i < n; i++) {
            vBv += u[i] * v[i];
            vv += v[i] * v[i];
        }
        return Math.sqrt(vBv / vv);
    }

    /**
     * A(i, j): the denominator in integer arithmetic, then one division in floating point. In
     * long, so (i + j)(i + j + 1) cannot overflow whatever n is (int would from n ≈ 32,768).
     */
    private static double a(long i, long j) {
        return 1.0 / ((i + j) * (i + j + 1) / 2 + i + 1);
    }

    /** out = A·v. */
    private static void multiplyAv(double[] v, double[] out) {
        int n = v.length;
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int j = 0; j < n; j++) {
                sum += a(i, j) * v[j];
            }
            out[i] = sum;
        }
    }

    /** out = Aᵀ·v. */
    private static void multiplyAtv(double[] v, double[] out) {
        int n = v.length;
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int j = 0; j < n; j++) {
                sum += a(j, i) * v[j];
            }
            out[i] = sum;
        }
    }

    /** out = Aᵀ·(A·v), with A·v in scratch. */
    private static void multiplyAtAv(double[] v, double[] scratch, double[] out) {
        multiplyAv(v, scratch);
        multiplyAtv(scratch, out);
    }
}
