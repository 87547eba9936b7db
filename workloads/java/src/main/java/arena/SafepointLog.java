// SafepointLog owns gc-pause's "what the runtime reports" for Java: HotSpot's safepoint log,
// which the runner asks for with -Xlog:safepoint=info:file=<path with %p>. It finds that flag
// among the JVM's own input arguments, notes the file's length just before t0, and afterwards parses
// the complete lines written since, taking the "Total: N ns" of each safepoint whose operation is a
// collector's (G1..., Z(Mark|Relocate|Rendezvous)..., Parallel..., Serial..., Gen..., Shenandoah...,
// CollectFor...); other safepoints (Cleanup, handshakes, deoptimisation, ...) are not GC pauses and
// are left out. Then it deletes the file.
// It must not turn logging on or off itself (the runner owns JVM flags): without the flag there
// is no log and gc-pause prints no gc_pauses event.
package arena;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

final class SafepointLog {

    /** The gc_pauses event's {@code source} field. */
    static final String SOURCE =
            "HotSpot safepoint log (-Xlog:safepoint): Total per GC safepoint (a collector's operation; other safepoints left out)";

    private static final String XLOG = "-Xlog:";
    private static final String SAFEPOINT_TAG = "safepoint";
    private static final String FILE_OUTPUT = "file=";

    // JDK 25 writes, for every safepoint (one line, decorations first):
    // [0.647s][info][safepoint] Safepoint "G1CollectForAllocation", Time since last: 619647355 ns,
    //   Reaching safepoint: 5431 ns, At safepoint: 8367570 ns, Leaving safepoint: 16383 ns,
    //   Total: 8389384 ns, Threads: 0 runnable, 10 total
    private static final Pattern TOTAL = Pattern.compile("Safepoint \"([^\"]*)\", .*Total: ([0-9]+) ns");

    // The VM operations of HotSpot's collectors, by name (vmOperation.hpp, JDK 17 to 25):
    // G1CollectForAllocation, G1CollectFull, G1PauseRemark, G1PauseCleanup, G1TryInitiateConcMark,
    // G1Concurrent; ZMarkStart(Young(AndOld)), ZMarkEnd(Young|Old), ZRelocateStart(Young|Old),
    // ZMarkFlushOperation, ZRendezvousGCThreads; ParallelCollectForAllocation, ParallelGCCollect,
    // ParallelGCFailedAllocation, ParallelGCSystemGC; SerialCollectForAllocation, SerialGCCollect;
    // GenCollectFull, GenCollectForAllocation; Shenandoah...; CollectForMetadataAllocation,
    // CollectForCodeCacheAllocation. Not ZVerify... (a debug check) nor ZombieAll (code cache).
    private static final Pattern COLLECTION = Pattern.compile(
            "G1[A-Z]\\w*|Z(Mark|Relocate|Rendezvous)\\w*|Parallel(GC|Collect)\\w*|Serial(GC|Collect)\\w*"
                    + "|GenCollect\\w*|Shenandoah\\w*|CollectFor\\w*");

    private final Path file;
    private long startOffset;

    private SafepointLog(Path file) {
        this.file = file;
    }

    /**
     * The log this JVM writes, or empty when it was started without a safepoint log file. Call it
     * before anything is timed: the management classes it needs load here.
     */
    static Optional<SafepointLog> find() {
        var path = logFile(ManagementFactory.getRuntimeMXBean().getInputArguments(), ProcessHandle.current().pid());
        return path.map(SafepointLog::new);
    }

    /**
     * Notes the file's current length (call just before t0). A flag whose file does not exist is
     * a failure (NoSuchFileException), not a silent absence of pauses.
     */
    void markStart() throws IOException {
        startOffset = Files.size(file);
    }

    /**
     * The file named by the first {@code -Xlog:safepoint...:file=PATH...} argument, with %p
     * replaced by {@code pid}. The -Xlog syntax is {@code -Xlog:what:output:decorators:options};
     * "what" must select the plain safepoint tag (safepoint, safepoint=info, ...), and output is
     * {@code file=PATH}, PATH ending at the next ':' or the end, or inside double quotes.
     */
    static Optional<Path> logFile(List<String> jvmArguments, long pid) {
        for (var argument : jvmArguments) {
            if (!argument.startsWith(XLOG)) {
                continue;
            }
            var rest = argument.substring(XLOG.length());
            int colon = rest.indexOf(':');
            if (colon < 0 || !selectsSafepoint(rest.substring(0, colon))) {
                continue;
            }
            var output = rest.substring(colon + 1);
            if (!output.startsWith(FILE_OUTPUT)) {
                continue;
            }
            var value = output.substring(FILE_OUTPUT.length());
            String name;
            if (value.startsWith("\"")) {
                int close = value.indexOf('"', 1);
                name = close < 0 ? value.substring(1) : value.substring(1, close);
            } else {
                int end = value.indexOf(':');
                name = end < 0 ? value : value.substring(0, end);
            }
            if (!name.isEmpty()) {
                return Optional.of(Path.of(name.replace("%p", Long.toString(pid))));
            }
        }
        return Optional.empty();
    }

    /** Whether a "what" list (comma-separated tag-set=level selectors) has the safepoint tag alone. */
    private static boolean selectsSafepoint(String what) {
        for (var selector : what.split(",")) {
            int equals = selector.indexOf('=');
            var tags = equals < 0 ? selector : selector.substring(0, equals);
            if (tags.equals(SAFEPOINT_TAG)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The Total of every GC safepoint logged since {@link #markStart()}, in order. Only complete
     * lines count: a line the VM thread is still writing belongs after the interval.
     */
    long[] pausesSinceOpened() throws IOException {
        byte[] bytes;
        try (var in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length < startOffset) {
                // -Xlog rotates a file at 20 MB by default: the lines before the rotation are in
                // another file, and a partial list would under-report.
                throw new IOException("%s shrank from %d to %d bytes during the run (rotated?)"
                        .formatted(file, startOffset, length));
            }
            bytes = new byte[Math.toIntExact(length - startOffset)];
            in.seek(startOffset);
            in.readFully(bytes);
        }
        int complete = bytes.length;
        while (complete > 0 && bytes[complete - 1] != '\n') {
            complete--;
        }
        return totals(new String(bytes, 0, complete, StandardCharsets.UTF_8));
    }

    /**
     * The "Total: N ns" of each safepoint line whose operation is a collector's, in order; other
     * safepoints and other lines are skipped.
     */
    static long[] totals(String lines) {
        return lines.lines()
                .map(TOTAL::matcher)
                .filter(matcher -> matcher.find() && isCollection(matcher.group(1)))
                .mapToLong(matcher -> Long.parseLong(matcher.group(2)))
                .toArray();
    }

    /** Whether a safepoint's VM operation is one of a collector's (a GC pause). */
    static boolean isCollection(String operation) {
        return COLLECTION.matcher(operation).matches();
    }

    /** Deletes the log file: the contract makes the program clean up after itself. */
    void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
