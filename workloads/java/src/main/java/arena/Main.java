// Main owns the command line: it maps `arena.Main <workload> <model> key=value ...` to the
// method that runs that workload variant, and turns usage errors into exit code 2.
// It must not measure anything, write to stdout (events go through Protocol only), or change
// runtime knobs such as JVM flags (the runner sets those and the harness records them).
// It must not load the class of a workload that was not chosen either: the runtime-cost
// workloads (startup, first-response) measure the JVM's class loading, so the table of variants
// holds names and keys only, and the one switch in run() is the only place that names a
// workload's class. (A table of method references would resolve every class it names.)
package arena;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

public final class Main {

    private static final List<String> CPU_SCALE_KEYS = List.of("workers", "chunks", "items");
    private static final List<String> SLEEP_TASKS_KEYS = List.of("tasks", "hold_ms");
    // Server workloads: only the models with a thread pool take its size.
    private static final List<String> SERVER_KEYS = List.of(Protocol.PORT_KEY);
    private static final List<String> HTTP_IO_POOL_KEYS = List.of(Protocol.PORT_KEY, "pool");
    private static final List<String> LOOP_BLOCKING_POOL_KEYS = List.of(Protocol.PORT_KEY, "workers");
    private static final List<String> STARTUP_KEYS = List.of(Startup.SEED_KEY);
    // first-response also takes the build step's train=1 (README: the Java training run).
    private static final List<String> FIRST_RESPONSE_OPTIONAL_KEYS = List.of(FirstResponse.TRAIN_KEY);
    private static final List<String> KERNELS_KEYS = List.of("n");
    private static final List<String> JIT_WARMUP_KEYS = List.of("iterations", "n");
    private static final List<String> GC_PAUSE_KEYS = List.of("records", "rate", "duration_ms");
    private static final List<String> MSG_PASSING_KEYS = List.of("tasks", "hops", "messages", "capacity");

    /**
     * Every (workload, model) pair this program runs, with the parameter keys it takes. The models
     * of startup, first-response, jit-warmup and gc-pause are runtime configurations set by the
     * runner (JVM flags): several names, one body each (see run()).
     */
    private enum Variant {
        CPU_SCALE_THREADS("cpu-scale", "threads", CPU_SCALE_KEYS),
        CPU_SCALE_FORKJOIN("cpu-scale", "forkjoin", CPU_SCALE_KEYS),
        SLEEP_TASKS_THREADS("sleep-tasks", "threads", SLEEP_TASKS_KEYS),
        SLEEP_TASKS_VIRTUAL("sleep-tasks", "virtual", SLEEP_TASKS_KEYS),
        HTTP_IO_POOL("http-io", "pool", HTTP_IO_POOL_KEYS),
        HTTP_IO_VIRTUAL("http-io", "virtual", SERVER_KEYS),
        LOOP_BLOCKING_INLINE("loop-blocking", "inline", SERVER_KEYS),
        LOOP_BLOCKING_POOL("loop-blocking", "pool", LOOP_BLOCKING_POOL_KEYS),
        STARTUP_DEFAULT("startup", "default", STARTUP_KEYS),
        STARTUP_CDS("startup", "cds", STARTUP_KEYS),
        STARTUP_AOT("startup", "aot", STARTUP_KEYS),
        STARTUP_C1("startup", "c1", STARTUP_KEYS),
        FIRST_RESPONSE_DEFAULT("first-response", "default", SERVER_KEYS, FIRST_RESPONSE_OPTIONAL_KEYS),
        FIRST_RESPONSE_CDS("first-response", "cds", SERVER_KEYS, FIRST_RESPONSE_OPTIONAL_KEYS),
        FIRST_RESPONSE_AOT("first-response", "aot", SERVER_KEYS, FIRST_RESPONSE_OPTIONAL_KEYS),
        FIRST_RESPONSE_C1("first-response", "c1", SERVER_KEYS, FIRST_RESPONSE_OPTIONAL_KEYS),
        KERNELS_NBODY("kernels", "nbody", KERNELS_KEYS),
        KERNELS_SPECTRAL_NORM("kernels", "spectral-norm", KERNELS_KEYS),
        KERNELS_FANNKUCH_REDUX("kernels", "fannkuch-redux", KERNELS_KEYS),
        KERNELS_BINARY_TREES("kernels", "binary-trees", KERNELS_KEYS),
        JIT_WARMUP_DEFAULT_NBODY("jit-warmup", "default-nbody", JIT_WARMUP_KEYS),
        JIT_WARMUP_XINT_NBODY("jit-warmup", "xint-nbody", JIT_WARMUP_KEYS),
        JIT_WARMUP_C1_NBODY("jit-warmup", "c1-nbody", JIT_WARMUP_KEYS),
        JIT_WARMUP_DEFAULT_SPECTRAL_NORM("jit-warmup", "default-spectral-norm", JIT_WARMUP_KEYS),
        JIT_WARMUP_XINT_SPECTRAL_NORM("jit-warmup", "xint-spectral-norm", JIT_WARMUP_KEYS),
        JIT_WARMUP_C1_SPECTRAL_NORM("jit-warmup", "c1-spectral-norm", JIT_WARMUP_KEYS),
        JIT_WARMUP_DEFAULT_FANNKUCH_REDUX("jit-warmup", "default-fannkuch-redux", JIT_WARMUP_KEYS),
        JIT_WARMUP_XINT_FANNKUCH_REDUX("jit-warmup", "xint-fannkuch-redux", JIT_WARMUP_KEYS),
        JIT_WARMUP_C1_FANNKUCH_REDUX("jit-warmup", "c1-fannkuch-redux", JIT_WARMUP_KEYS),
        GC_PAUSE_G1_FIXED("gc-pause", "g1-fixed", GC_PAUSE_KEYS),
        GC_PAUSE_G1_DEFAULT("gc-pause", "g1-default", GC_PAUSE_KEYS),
        GC_PAUSE_PARALLEL("gc-pause", "parallel", GC_PAUSE_KEYS),
        GC_PAUSE_ZGC("gc-pause", "zgc", GC_PAUSE_KEYS),
        MSG_PASSING_PLATFORM_ABQ("msg-passing", "platform-abq", MSG_PASSING_KEYS),
        MSG_PASSING_PLATFORM_SYNC("msg-passing", "platform-sync", MSG_PASSING_KEYS),
        MSG_PASSING_VIRTUAL_ABQ("msg-passing", "virtual-abq", MSG_PASSING_KEYS),
        MSG_PASSING_VIRTUAL_SYNC("msg-passing", "virtual-sync", MSG_PASSING_KEYS);

        private final String workload;
        private final String model;
        private final List<String> requiredKeys;
        private final List<String> optionalKeys;

        Variant(String workload, String model, List<String> requiredKeys) {
            this(workload, model, requiredKeys, List.of());
        }

        Variant(String workload, String model, List<String> requiredKeys, List<String> optionalKeys) {
            this.workload = workload;
            this.model = model;
            this.requiredKeys = requiredKeys;
            this.optionalKeys = optionalKeys;
        }
    }

    private Main() {}

    public static void main(String[] args) {
        Variant chosen;
        Protocol.Params params;
        try {
            if (args.length < 2) {
                throw new Protocol.UsageError("expected <workload> <model> key=value ...");
            }
            chosen = chooseVariant(args[0], args[1]);
            params = Protocol.parseParams(
                    Arrays.asList(args).subList(2, args.length), chosen.requiredKeys, chosen.optionalKeys);
        } catch (Protocol.UsageError usage) {
            Protocol.exitWithUsageError(usage.getMessage());
            return;
        }

        try {
            run(chosen, params);
        } catch (Protocol.UsageError usage) {
            // A value the key syntax allows but the variant does not (first-response's train=2).
            Protocol.exitWithUsageError(usage.getMessage());
        } catch (Exception failure) {
            // A crash: the stack trace goes to stderr; exit at once even if worker threads live.
            failure.printStackTrace();
            System.exit(Protocol.EXIT_FAILURE);
        }
    }

    /**
     * Runs the variant's body. A server variant returns once it has printed ready; its server
     * threads keep the JVM running. Each workload class is named here only, so the JVM loads
     * the chosen one when this switch reaches it, and no other.
     */
    private static void run(Variant variant, Protocol.Params params) throws Exception {
        switch (variant) {
            case CPU_SCALE_THREADS -> CpuScale.runFixedThreadPool(params);
            case CPU_SCALE_FORKJOIN -> CpuScale.runForkJoinPool(params);
            case SLEEP_TASKS_THREADS -> SleepTasks.runPlatformThreads(params);
            case SLEEP_TASKS_VIRTUAL -> SleepTasks.runVirtualThreads(params);
            case HTTP_IO_POOL -> HttpIo.runFixedThreadPool(params);
            case HTTP_IO_VIRTUAL -> HttpIo.runVirtualThreads(params);
            case LOOP_BLOCKING_INLINE -> LoopBlocking.runInline(params);
            case LOOP_BLOCKING_POOL -> LoopBlocking.runFixedThreadPool(params);
            case STARTUP_DEFAULT, STARTUP_CDS, STARTUP_AOT, STARTUP_C1 -> Startup.run(params);
            case FIRST_RESPONSE_DEFAULT, FIRST_RESPONSE_CDS, FIRST_RESPONSE_AOT, FIRST_RESPONSE_C1 ->
                    FirstResponse.run(params);
            case KERNELS_NBODY -> Kernels.runNbody(params);
            case KERNELS_SPECTRAL_NORM -> Kernels.runSpectralNorm(params);
            case KERNELS_FANNKUCH_REDUX -> Kernels.runFannkuchRedux(params);
            case KERNELS_BINARY_TREES -> Kernels.runBinaryTrees(params);
            case JIT_WARMUP_DEFAULT_NBODY, JIT_WARMUP_XINT_NBODY, JIT_WARMUP_C1_NBODY -> JitWarmup.runNbody(params);
            case JIT_WARMUP_DEFAULT_SPECTRAL_NORM, JIT_WARMUP_XINT_SPECTRAL_NORM, JIT_WARMUP_C1_SPECTRAL_NORM ->
                    JitWarmup.runSpectralNorm(params);
            case JIT_WARMUP_DEFAULT_FANNKUCH_REDUX, JIT_WARMUP_XINT_FANNKUCH_REDUX, JIT_WARMUP_C1_FANNKUCH_REDUX ->
                    JitWarmup.runFannkuchRedux(params);
            case GC_PAUSE_G1_FIXED, GC_PAUSE_G1_DEFAULT, GC_PAUSE_PARALLEL, GC_PAUSE_ZGC -> GcPause.run(params);
            case MSG_PASSING_PLATFORM_ABQ -> MsgPassing.runPlatformArrayBlockingQueue(params);
            case MSG_PASSING_PLATFORM_SYNC -> MsgPassing.runPlatformSynchronousQueue(params);
            case MSG_PASSING_VIRTUAL_ABQ -> MsgPassing.runVirtualArrayBlockingQueue(params);
            case MSG_PASSING_VIRTUAL_SYNC -> MsgPassing.runVirtualSynchronousQueue(params);
        }
    }

    private static Variant chooseVariant(String workloadName, String modelName) throws Protocol.UsageError {
        for (var variant : Variant.values()) {
            if (variant.workload.equals(workloadName) && variant.model.equals(modelName)) {
                return variant;
            }
        }
        // Only a usage error pays for the sorted name lists.
        var workloads = new TreeSet<String>();
        var models = new TreeSet<String>();
        for (var variant : Variant.values()) {
            workloads.add(variant.workload);
            if (variant.workload.equals(workloadName)) {
                models.add(variant.model);
            }
        }
        if (models.isEmpty()) {
            throw new Protocol.UsageError("unknown workload \"%s\" (known: %s)"
                    .formatted(workloadName, String.join(", ", workloads)));
        }
        throw new Protocol.UsageError("unknown model \"%s\" for workload \"%s\" (known: %s)"
                .formatted(modelName, workloadName, String.join(", ", models)));
    }
}
