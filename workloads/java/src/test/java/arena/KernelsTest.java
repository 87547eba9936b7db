// KernelsTest owns the checks of the kernels workload: every kernel's checksum against the
// README's test vectors (the small ones in process, the verify sizes through the command line as
// the harness runs them), the %.9f formatting rule, and the result line's fields.
// It must not run the largest vectors (nbody n = 50,000,000, spectral-norm n = 5500,
// fannkuch-redux n = 12): they take seconds to minutes and are checked by hand.
package arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KernelsTest {

    @Test
    void nbodyMatchesTheVector() {
        assertEquals("-0.169087605", Protocol.nineDecimals(NBody.run(1000)));
    }

    @Test
    void nbodyStartsFromNewBodiesOnEveryRun() {
        // jit-warmup's iterations must not see each other: the same n gives the same bits.
        assertEquals(NBody.run(1000), NBody.run(1000));
        assertEquals(NBody.run(0), NBody.energy(NBody.newSystem()));
    }

    @Test
    void spectralNormMatchesTheVector() {
        assertEquals("1.274219991", Protocol.nineDecimals(SpectralNorm.run(100)));
    }

    @Test
    void fannkuchReduxMatchesTheVectors() {
        assertEquals(new FannkuchRedux.Result(228, 16, 5040), FannkuchRedux.run(7));
        assertEquals("228:16", FannkuchRedux.run(7).text());
        var ten = FannkuchRedux.run(10);
        assertEquals("73196:38", ten.text());
        assertEquals(3_628_800, ten.permutations()); // 10!
    }

    @Test
    void binaryTreesMatchesTheVectors() {
        assertEquals(4398, BinaryTrees.run(6));
        assertEquals(135_854, BinaryTrees.run(10));
        // Below min_depth + 2 the depths are those of n = 6.
        assertEquals(BinaryTrees.run(6), BinaryTrees.run(1));
    }

    @Test
    void nineDecimalsRoundsTheExactBinaryValueLikeCPrintf() {
        // 1.2345678905 is stored as 1.23456789049999...; C's %.9f (and Python's) give ...890,
        // where rounding the shortest decimal "1.2345678905" half-up would give ...891.
        assertEquals("1.234567890", Protocol.nineDecimals(1.2345678905));
        assertEquals("1.000000001", Protocol.nineDecimals(1.0000000005));
        assertEquals("2.000000000", Protocol.nineDecimals(2));
    }

    @ParameterizedTest
    @CsvSource({
        "nbody,          1000, -0.169087605, 1000",
        "spectral-norm,  100,  1.274219991,  100",
        "fannkuch-redux, 7,    228:16,       5040",
        "binary-trees,   6,    4398,         4398",
    })
    void resultLineAtTheVerifySize(String kernel, int n, String checksum, long ops) {
        var run = Programs.run(List.of(), "kernels", kernel, "n=" + n);
        assertEquals(0, run.exitCode(), run.stderr());
        var events = run.events();
        assertEquals(1, events.size(), run.stdout().toString());
        var result = events.get(0);
        assertEquals(List.of("event", "checksum", "ops", "work_ns"), List.copyOf(result.keySet()));
        assertEquals("result", result.get("event"));
        assertEquals(checksum, result.get("checksum"));
        assertEquals(ops, result.get("ops"));
        assertTrue((Long) result.get("work_ns") > 0, run.stdout().toString());
    }

    @Test
    void sizeMustBeAPositiveInteger() {
        for (var bad : List.of("n=0", "n=-1", "n=1.5", "m=3")) {
            var run = Programs.run(List.of(), "kernels", "nbody", bad);
            assertEquals(2, run.exitCode(), bad);
            assertEquals(List.of(), run.stdout(), bad);
            assertTrue(run.stderr().contains("usage error"), run.stderr());
        }
        assertEquals(2, Programs.run(List.of(), "kernels", "mandelbrot", "n=10").exitCode());
    }
}
