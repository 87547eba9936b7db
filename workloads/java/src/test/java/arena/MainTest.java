// MainTest owns the checks of the dispatcher: each workload loads its own classes and no other
// workload's (the runtime-cost workloads measure class loading, README "Runtime-cost
// workloads: common rules"), and the older workloads still answer as before.
// It must not depend on which JDK classes load: it looks at this program's classes only.
package arena;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MainTest {

    /** Every class that belongs to one workload rather than to the dispatcher and the protocol. */
    private static final Set<String> WORKLOAD_CLASSES = Set.of(
            "CpuScale", "ChunkHash", "SleepTasks", "HttpCommon", "HttpIo", "LoopBlocking",
            "Startup", "FirstResponse", "Kernels", "NBody", "SpectralNorm", "FannkuchRedux",
            "BinaryTrees", "JitWarmup", "GcPause", "SafepointLog", "MsgPassing");

    private static final Pattern LOADED_ARENA_CLASS = Pattern.compile(" arena\\.([A-Za-z0-9]+)[ $]");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "startup default seed=7                          | Startup",
        "kernels nbody n=10                              | Kernels NBody",
        "kernels spectral-norm n=10                      | Kernels SpectralNorm",
        "kernels fannkuch-redux n=5                      | Kernels FannkuchRedux",
        "kernels binary-trees n=4                        | Kernels BinaryTrees",
        "jit-warmup default-nbody iterations=1 n=10      | JitWarmup NBody",
        "first-response default port=0 train=1           | FirstResponse Startup",
        "cpu-scale threads workers=1 chunks=1 items=1    | CpuScale ChunkHash",
        "sleep-tasks virtual tasks=1 hold_ms=1           | SleepTasks",
        "gc-pause g1-fixed records=10 rate=1 duration_ms=1 | GcPause SafepointLog",
        "msg-passing virtual-sync tasks=2 hops=1 messages=1 capacity=1 | MsgPassing",
    })
    void loadsOnlyTheChosenWorkloadsClasses(String args, String expected, @TempDir Path dir) throws IOException {
        var log = dir.resolve("classes.log");
        var run = Programs.run(List.of("-Xlog:class+load=info:file=" + log), args.split(" "));
        assertEquals(0, run.exitCode(), run.stderr());

        var loaded = new TreeSet<String>();
        for (var line : Files.readAllLines(log)) {
            var matcher = LOADED_ARENA_CLASS.matcher(line);
            if (matcher.find() && WORKLOAD_CLASSES.contains(matcher.group(1))) {
                loaded.add(matcher.group(1));
            }
        }
        assertEquals(new TreeSet<>(Arrays.asList(expected.split(" "))), loaded, args);
    }

    @Test
    void olderWorkloadsAnswerAsBefore() {
        var threads = Programs.run(List.of(), "cpu-scale", "threads", "workers=2", "chunks=4", "items=1000");
        assertEquals(0, threads.exitCode(), threads.stderr());
        assertEquals("14385195142", threads.events().get(0).get("checksum"));
        var forkJoin = Programs.run(List.of(), "cpu-scale", "forkjoin", "workers=2", "chunks=16", "items=1000");
        assertEquals("47801991433", forkJoin.events().get(0).get("checksum"));
        var sleep = Programs.run(List.of(), "sleep-tasks", "threads", "tasks=10", "hold_ms=200");
        assertEquals(0, sleep.exitCode(), sleep.stderr());
        assertEquals("45", sleep.events().get(1).get("checksum"));
    }

    @Test
    void unknownNamesAreUsageErrors() {
        var workload = Programs.run(List.of(), "nope", "default");
        assertEquals(2, workload.exitCode());
        assertEquals(List.of(), workload.stdout());
        var model = Programs.run(List.of(), "cpu-scale", "virtual", "workers=1", "chunks=1", "items=1");
        assertEquals(2, model.exitCode());
        assertEquals(2, Programs.run(List.of(), "startup").exitCode());
    }
}
