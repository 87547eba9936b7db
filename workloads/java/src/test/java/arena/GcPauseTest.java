// GcPauseTest owns the checks of the gc-pause workload: the README's test vectors under every
// model's JVM flags (the catalogue's: G1 fixed and default heap, Parallel, ZGC, each with its
// safepoint log), the events' order and fields (hiccups, then gc_pauses exactly when the log
// flag is given, then result), that the log file is deleted, how the log flag and lines are
// read, that a live set that does not fit exits non-zero with the message on stderr, and usage
// errors.
// It must not judge pause or hiccup sizes (those are the harness's measurement).
package arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GcPauseTest {

    private static final String SAMPLE_LINE = "[0.647s][info][safepoint] Safepoint \"G1CollectForAllocation\", "
            + "Time since last: 619647355 ns, Reaching safepoint: 5431 ns, At safepoint: 8367570 ns, "
            + "Leaving safepoint: 16383 ns, Total: 8389384 ns, Threads: 0 runnable, 10 total";

    /** workloads/catalog.toml's runtime_args of each java gc-pause model, without the log flag. */
    private static List<String> collectorFlags(String model) {
        return switch (model) {
            case "g1-fixed" -> List.of("-Xms4g", "-Xmx4g");
            case "g1-default" -> List.of();
            case "parallel" -> List.of("-XX:-UseG1GC", "-XX:+UseParallelGC", "-Xms4g", "-Xmx4g");
            case "zgc" -> List.of("-XX:-UseG1GC", "-XX:+UseZGC", "-Xms4g", "-Xmx4g");
            default -> throw new IllegalArgumentException(model);
        };
    }

    @ParameterizedTest
    @CsvSource({
        "g1-fixed,   1000, 10, 50, 348783320",
        "g1-fixed,   10,   3,  7,  704356060",
        "g1-default, 1000, 10, 50, 348783320",
        "g1-default, 10,   3,  7,  704356060",
        "parallel,   1000, 10, 50, 348783320",
        "parallel,   10,   3,  7,  704356060",
        "zgc,        1000, 10, 50, 348783320",
        "zgc,        10,   3,  7,  704356060",
    })
    void everyModelMatchesTheVectorsAndPrintsTheThreeEvents(String model, long records, long rate, long ticks,
            String checksum, @TempDir Path dir) {
        var flags = new ArrayList<>(collectorFlags(model));
        flags.add("-Xlog:safepoint=info:file=" + dir.resolve("safepoint-%p.log"));
        var run = Programs.run(flags, "gc-pause", model,
                "records=" + records, "rate=" + rate, "duration_ms=" + ticks);
        assertEquals(0, run.exitCode(), run.stderr());
        var events = run.events();
        assertEquals(3, events.size(), run.stdout().toString());

        var hiccups = events.get(0);
        assertEquals(List.of("event", "interval_ns", "ns"), List.copyOf(hiccups.keySet()));
        assertEquals("hiccups", hiccups.get("event"));
        assertEquals(1_000_000L, hiccups.get("interval_ns"));
        assertFalse(((List<?>) hiccups.get("ns")).isEmpty(), "at least one hiccup sample");

        var pauses = events.get(1);
        assertEquals(List.of("event", "source", "ns"), List.copyOf(pauses.keySet()));
        assertEquals("gc_pauses", pauses.get("event"));
        assertEquals(SafepointLog.SOURCE, pauses.get("source"));

        var result = events.get(2);
        assertEquals(List.of("event", "checksum", "ops", "records", "build_ns", "work_ns"),
                List.copyOf(result.keySet()));
        assertEquals("result", result.get("event"));
        assertEquals(checksum, result.get("checksum"));
        assertEquals(rate * ticks, result.get("ops"));
        assertEquals(records, result.get("records"));
        assertTrue((Long) result.get("build_ns") > 0, run.stdout().toString());
        assertTrue((Long) result.get("work_ns") >= ticks * 1_000_000 - 1_000_000, run.stdout().toString());

        assertEquals(List.of(), listFiles(dir), "the safepoint log is deleted");
    }

    @Test
    void withoutTheSafepointLogFlagThereIsNoGcPausesEvent() {
        var run = Programs.run(List.of(), "gc-pause", "g1-default", "records=10", "rate=3", "duration_ms=7");
        assertEquals(0, run.exitCode(), run.stderr());
        var events = run.events();
        assertEquals(List.of("hiccups", "result"), events.stream().map(e -> e.get("event")).toList());
        assertEquals("704356060", events.get(1).get("checksum"));
    }

    @Test
    void aLiveSetThatDoesNotFitExitsNonZeroWithTheMessage(@TempDir Path dir) {
        // About 76 bytes per record: 3 million do not fit a 32 MB heap.
        var run = Programs.run(List.of("-Xmx32m", "-Xlog:safepoint=info:file=" + dir.resolve("sp-%p.log")),
                "gc-pause", "g1-default", "records=3000000", "rate=1", "duration_ms=1");
        assertNotEquals(0, run.exitCode());
        assertEquals(List.of(), run.stdout());
        assertTrue(run.stderr().contains("OutOfMemoryError"), run.stderr());
        assertEquals(List.of(), listFiles(dir), "the safepoint log is deleted");
    }

    @Test
    void findsTheLogFileInTheJvmArguments() {
        var common = List.of("-XX:+UseG1GC", "-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags");
        assertEquals(Optional.empty(), SafepointLog.logFile(common, 42));
        assertEquals(Optional.of(Path.of("/a/safepoint-42.log")), SafepointLog.logFile(
                concat(common, "-Xms4g", "-Xlog:safepoint=info:file=/a/safepoint-%p.log"), 42));
        assertEquals(Optional.of(Path.of("/a/sp.log")),
                SafepointLog.logFile(List.of("-Xlog:safepoint:file=/a/sp.log:uptime,level"), 42));
        assertEquals(Optional.of(Path.of("/a:b/sp-7.log")),
                SafepointLog.logFile(List.of("-Xlog:gc=info,safepoint=info:file=\"/a:b/sp-%p.log\":uptime"), 7));
        // Another tag set, or the safepoint log on stderr, is not the file.
        assertEquals(Optional.empty(), SafepointLog.logFile(List.of("-Xlog:safepoint+stats=info:file=/a/x.log"), 1));
        assertEquals(Optional.empty(), SafepointLog.logFile(List.of("-Xlog:safepoint=info:stderr"), 1));
    }

    @Test
    void takesEachGcSafepointsTotal() {
        var lines = SAMPLE_LINE + "\n[0.700s][info][safepoint] something else\n"
                + SAMPLE_LINE.replace("Total: 8389384 ns", "Total: 17 ns") + "\n"
                // Not a collection: a safepoint for a handshake or a cleanup is not a GC pause.
                + SAMPLE_LINE.replace("G1CollectForAllocation", "HandshakeAllThreads").replace("8389384", "99") + "\n"
                + SAMPLE_LINE.replace("G1CollectForAllocation", "Cleanup").replace("8389384", "98") + "\n"
                + SAMPLE_LINE.replace("G1CollectForAllocation", "ZMarkStartYoung").replace("8389384", "5") + "\n";
        assertEquals("[8389384, 17, 5]", Arrays.toString(SafepointLog.totals(lines)));
        assertEquals(0, SafepointLog.totals("").length);
    }

    @Test
    void onlyCollectorsOperationsArePauses() {
        for (var gc : List.of("G1CollectForAllocation", "G1CollectFull", "G1PauseRemark", "G1PauseCleanup",
                "G1TryInitiateConcMark", "G1Concurrent", "ZMarkStart", "ZMarkStartYoungAndOld", "ZMarkEndOld",
                "ZRelocateStartYoung", "ZRendezvousGCThreads", "ParallelCollectForAllocation", "ParallelGCCollect",
                "ParallelGCFailedAllocation", "SerialCollectForAllocation", "GenCollectForAllocation",
                "ShenandoahInitMark", "CollectForMetadataAllocation", "CollectForCodeCacheAllocation")) {
            assertTrue(SafepointLog.isCollection(gc), gc);
        }
        for (var other : List.of("Cleanup", "HandshakeAllThreads", "ICBufferFull", "ThreadDump", "Deoptimize",
                "ZombieAll", "ZVerifyOld", "RedefineClasses", "GC_HeapInspection", "None", "")) {
            assertFalse(SafepointLog.isCollection(other), other);
        }
    }

    @Test
    void recordsAreFreshAndHoldTheSeededData() {
        var rec = GcPause.record(5, -2); // seed 2^32 - 2: data wraps to 0 after two steps
        assertEquals(5, rec.key());
        assertEquals("[-2, -1, 0, 1, 2, 3, 4, 5]", Arrays.toString(rec.data()));
        assertNotSame(GcPause.record(1, 1).data(), GcPause.record(1, 1).data());
    }

    @Test
    void badParametersAreUsageErrors() {
        assertEquals(2, Programs.run(List.of(), "gc-pause", "g1-fixed", "records=10", "rate=3").exitCode());
        assertEquals(2, Programs.run(List.of(), "gc-pause", "g1-fixed", "records=0", "rate=3", "duration_ms=7")
                .exitCode());
        var unknown = Programs.run(List.of(), "gc-pause", "shenandoah", "records=10", "rate=3", "duration_ms=7");
        assertEquals(2, unknown.exitCode());
        assertEquals(List.of(), unknown.stdout());
        assertEquals(2, Programs.run(List.of(), "gc-pause", "zgc", "records=10", "rate=3", "duration_ms=7", "x=1")
                .exitCode());
    }

    private static List<String> concat(List<String> first, String... more) {
        var all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    private static List<Path> listFiles(Path dir) {
        try (var files = Files.list(dir)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
