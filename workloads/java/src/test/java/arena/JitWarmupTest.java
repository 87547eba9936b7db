// JitWarmupTest owns the checks of the jit-warmup workload: the event sequence (K iter events
// numbered from 0, then one result whose total is the sum of their times), the last energy's
// checksum of each benchmark, and that the configurations run the same program under their JVM
// flags.
// It must not judge the times themselves (warm-up curves are the harness's measurement).
package arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class JitWarmupTest {

    @ParameterizedTest
    @CsvSource({
        "default-nbody,          '',                       1000, -0.169087605",
        "xint-nbody,             -Xint,                    1000, -0.169087605",
        "c1-nbody,               -XX:TieredStopAtLevel=1,  1000, -0.169087605",
        "default-spectral-norm,  '',                       100,  1.274219991",
        "c1-fannkuch-redux,      -XX:TieredStopAtLevel=1,  7,    228:16",
    })
    void iterEventsThenTheResult(String model, String flag, int n, String checksum) {
        var flags = flag.isEmpty() ? List.<String>of() : List.of(flag);
        var run = Programs.run(flags, "jit-warmup", model, "iterations=5", "n=" + n);
        assertEquals(0, run.exitCode(), run.stderr());
        var events = run.events();
        assertEquals(6, events.size(), run.stdout().toString());
        long sum = 0;
        for (int i = 0; i < 5; i++) {
            var iter = events.get(i);
            assertEquals(List.of("event", "i", "ns"), List.copyOf(iter.keySet()));
            assertEquals("iter", iter.get("event"));
            assertEquals((long) i, iter.get("i"));
            long ns = (Long) iter.get("ns");
            assertTrue(ns > 0, run.stdout().toString());
            sum += ns;
        }
        var result = events.get(5);
        assertEquals(List.of("event", "checksum", "ops", "total_ns"), List.copyOf(result.keySet()));
        assertEquals("result", result.get("event"));
        assertEquals(checksum, result.get("checksum"));
        assertEquals(5L, result.get("ops"));
        assertEquals(sum, result.get("total_ns"));
    }

    @Test
    void everyParameterIsRequired() {
        assertEquals(2, Programs.run(List.of(), "jit-warmup", "default-nbody", "iterations=5").exitCode());
        assertEquals(2, Programs.run(List.of(), "jit-warmup", "default-nbody", "iterations=0", "n=10").exitCode());
        assertEquals(2, Programs.run(List.of(), "jit-warmup", "default", "iterations=1", "n=10").exitCode());
        assertEquals(2, Programs.run(List.of(), "jit-warmup", "jitless", "iterations=1", "n=10").exitCode());
    }
}
