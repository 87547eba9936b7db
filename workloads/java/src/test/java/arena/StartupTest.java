// StartupTest owns the checks of the startup workload: the one result line and exit code 0 for
// every model name, usage errors, and that the build step's training run (first-response
// train=1) makes the CDS archive and the AOT cache that java/cds and java/aot start from, and
// that those hold the startup program's classes.
// It must not time anything: start-up time is the harness's measurement.
package arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StartupTest {

    private static final String SEVEN = "{\"event\":\"result\",\"checksum\":\"7\",\"ops\":1}";

    @ParameterizedTest
    @CsvSource({
        "default, ''",
        "cds,     ''",
        "aot,     ''",
        "c1,      -XX:TieredStopAtLevel=1",
    })
    void printsTheSeedAndExitsWithZero(String model, String flag) {
        var flags = flag.isEmpty() ? List.<String>of() : List.of(flag);
        var run = Programs.run(flags, "startup", model, "seed=7");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(List.of(SEVEN), run.stdout());
        assertEquals("", run.stderr());
    }

    @Test
    void theSeedIsReadAtRunTime() {
        var run = Programs.run(List.of(), "startup", "default", "seed=2147483647");
        assertEquals(List.of("{\"event\":\"result\",\"checksum\":\"2147483647\",\"ops\":1}"), run.stdout());
    }

    @Test
    void usageErrorsExitWithTwo() {
        for (var args : List.of(
                List.of("startup", "default"),
                List.of("startup", "default", "seed=0"),
                List.of("startup", "default", "seed=x"),
                List.of("startup", "default", "seed=1", "seed=2"),
                List.of("startup", "default", "seed=1", "port=0"),
                List.of("startup", "snapshot", "seed=1"))) {
            var run = Programs.run(List.of(), args.toArray(String[]::new));
            assertEquals(2, run.exitCode(), args.toString());
            assertEquals(List.of(), run.stdout(), args.toString());
            assertTrue(run.stderr().contains("usage error"), run.stderr());
        }
    }

    @Test
    void trainingRunMakesTheCdsArchiveOfJavaCds(@TempDir Path dir) {
        var archive = dir.resolve("startup.jsa");
        var training = Programs.run(List.of("-XX:ArchiveClassesAtExit=" + archive),
                "first-response", "default", "port=0", "train=1");
        assertTrainingRunOutput(training);
        assertTrue(Files.isRegularFile(archive), "no archive at " + archive + ": " + training.stderr());

        var log = dir.resolve("classes.log");
        var run = Programs.run(
                List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Xlog:class+load=info:file=" + log),
                "startup", "cds", "seed=7");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(List.of(SEVEN), run.stdout());
        assertLoadedFromArchive(log, "arena.Startup");
        assertLoadedFromArchive(log, "arena.Main");
    }

    @Test
    void trainingRunMakesTheAotCacheOfJavaAot(@TempDir Path dir) {
        assumeTrue(Runtime.version().feature() >= 24, "-XX:AOTMode (JEP 483) needs JDK 24+");
        var configuration = dir.resolve("startup.aotconf");
        var cache = dir.resolve("startup.aot");
        // The record run's JVM prints "AOTConfiguration recorded: ..." on stdout at exit, past
        // -Xlog; DisplayVMOutputToStderr moves that VM output off the protocol stream.
        var training = Programs.run(
                List.of("-XX:+DisplayVMOutputToStderr", "-XX:AOTMode=record", "-XX:AOTConfiguration=" + configuration),
                "first-response", "default", "port=0", "train=1");
        assertTrainingRunOutput(training);
        // create: no program runs; the JVM writes the cache from the recorded configuration.
        var create = Programs.run(
                List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + configuration, "-XX:AOTCache=" + cache),
                "first-response", "default", "port=0", "train=1");
        assertEquals(0, create.exitCode(), create.stderr());
        assertTrue(Files.isRegularFile(cache), "no AOT cache: " + create.stderr());

        var log = dir.resolve("classes.log");
        var run = Programs.run(
                List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on", "-Xlog:class+load=info:file=" + log),
                "startup", "aot", "seed=7");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(List.of(SEVEN), run.stdout());
        assertLoadedFromArchive(log, "arena.Startup");
    }

    /** The training run: ready on an OS-chosen port, then the result with checksum "0", exit 0. */
    static void assertTrainingRunOutput(Programs.Finished training) {
        assertEquals(0, training.exitCode(), training.stderr());
        var events = training.events();
        assertEquals(2, events.size(), training.stdout().toString());
        assertEquals("ready", events.get(0).get("event"));
        assertTrue((Long) events.get(0).get("port") > 0, training.stdout().toString());
        assertEquals("{\"event\":\"result\",\"checksum\":\"0\",\"ops\":1}", training.stdout().get(1));
    }

    private static void assertLoadedFromArchive(Path log, String className) {
        try {
            var line = Files.readAllLines(log).stream()
                    .filter(l -> l.contains(" " + className + " "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(className + " not loaded"));
            assertTrue(line.contains("source: shared objects file"), line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
