// Main owns the command line: it maps `arena.Main <workload> <model> key=value ...` to the
// method that runs that workload variant, and turns usage errors into exit code 2.
// It must not measure anything, write to stdout (events go through Protocol only), or change
// runtime knobs such as JVM flags (the runner sets those and the harness records them).
package arena;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

public final class Main {

    /**
     * The body of one workload variant, given its validated parameters. A server variant returns
     * once it has printed ready; its server threads keep the JVM running.
     */
    @FunctionalInterface
    private interface VariantBody {
        void run(Protocol.Params params) throws Exception;
    }

    /** One runnable (workload, model) pair: the parameter keys it requires and its body. */
    private record Variant(List<String> requiredKeys, VariantBody body) {}

    private static final List<String> CPU_SCALE_KEYS = List.of("workers", "chunks", "items");
    private static final List<String> SLEEP_TASKS_KEYS = List.of("tasks", "hold_ms");
    // Server workloads: only the models with a thread pool take its size.
    private static final List<String> SERVER_KEYS = List.of(Protocol.PORT_KEY);
    private static final List<String> HTTP_IO_POOL_KEYS = List.of(Protocol.PORT_KEY, "pool");
    private static final List<String> LOOP_BLOCKING_POOL_KEYS = List.of(Protocol.PORT_KEY, "workers");

    /** Every workload this program implements and, per workload, its models. */
    private static final Map<String, Map<String, Variant>> WORKLOADS = Map.of(
            "cpu-scale", Map.of(
                    "threads", new Variant(CPU_SCALE_KEYS, CpuScale::runFixedThreadPool),
                    "forkjoin", new Variant(CPU_SCALE_KEYS, CpuScale::runForkJoinPool)),
            "sleep-tasks", Map.of(
                    "threads", new Variant(SLEEP_TASKS_KEYS, SleepTasks::runPlatformThreads),
                    "virtual", new Variant(SLEEP_TASKS_KEYS, SleepTasks::runVirtualThreads)),
            "http-io", Map.of(
                    "pool", new Variant(HTTP_IO_POOL_KEYS, HttpIo::runFixedThreadPool),
                    "virtual", new Variant(SERVER_KEYS, HttpIo::runVirtualThreads)),
            "loop-blocking", Map.of(
                    "inline", new Variant(SERVER_KEYS, LoopBlocking::runInline),
                    "pool", new Variant(LOOP_BLOCKING_POOL_KEYS, LoopBlocking::runFixedThreadPool)));

    private Main() {}

    public static void main(String[] args) {
        Variant chosen;
        Protocol.Params params;
        try {
            if (args.length < 2) {
                throw new Protocol.UsageError("expected <workload> <model> key=value ...");
            }
            chosen = chooseVariant(args[0], args[1]);
            params = Protocol.parseParams(Arrays.asList(args).subList(2, args.length), chosen.requiredKeys());
        } catch (Protocol.UsageError usage) {
            Protocol.exitWithUsageError(usage.getMessage());
            return;
        }

        try {
            chosen.body().run(params);
        } catch (Exception failure) {
            // A crash: the stack trace goes to stderr; exit at once even if worker threads live.
            failure.printStackTrace();
            System.exit(Protocol.EXIT_FAILURE);
        }
    }

    private static Variant chooseVariant(String workloadName, String modelName) throws Protocol.UsageError {
        var models = WORKLOADS.get(workloadName);
        if (models == null) {
            throw new Protocol.UsageError("unknown workload \"%s\" (known: %s)"
                    .formatted(workloadName, sortedNames(WORKLOADS)));
        }
        var chosen = models.get(modelName);
        if (chosen == null) {
            throw new Protocol.UsageError("unknown model \"%s\" for workload \"%s\" (known: %s)"
                    .formatted(modelName, workloadName, sortedNames(models)));
        }
        return chosen;
    }

    private static String sortedNames(Map<String, ?> byName) {
        return String.join(", ", new TreeSet<>(byName.keySet()));
    }
}
