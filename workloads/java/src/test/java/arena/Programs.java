// Programs owns how the tests launch the workloads as the harness does: this JDK's bin/java, the
// catalogue's JVM flags (plus a test's own), -cp <a jar of the compiled classes>, arena.Main
// <workload> <model> key=value ...; and the strict reading of their stdout as protocol events.
// It must not start anything but arena.Main, and it keeps every launched process bounded in
// time (a hung program fails its test instead of hanging the build).
package arena;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

final class Programs {

    /** workloads/catalog.toml's [runtime_args] java: what every harness launch starts with. */
    static final List<String> CATALOGUE_FLAGS =
            List.of("-XX:+UseG1GC", "-Xlog:disable", "-Xlog:all=warning:stderr:uptime,level,tags");

    private static final long TIMEOUT_SECONDS = 120;

    // A jar, as the harness launches, not the classes folder: CDS and AOT archive classes from
    // jars only ("non-empty directory" on the class path refuses to dump).
    private static Path jar;

    private Programs() {}

    /** A finished run: its exit code, its stdout lines and its stderr. */
    record Finished(int exitCode, List<String> stdout, String stderr) {
        /** The stdout lines as events; fails the test if one is not a flat JSON object. */
        List<Map<String, Object>> events() {
            var events = new ArrayList<Map<String, Object>>();
            for (var line : stdout) {
                events.add(event(line));
            }
            return events;
        }
    }

    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** The command line: java, the catalogue's flags, then {@code jvmFlags}, the jar, arena.Main, {@code args}. */
    static List<String> command(List<String> jvmFlags, List<String> args) {
        var command = new ArrayList<String>();
        command.add(java().toString());
        command.addAll(CATALOGUE_FLAGS);
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(jar().toString());
        command.add("arena.Main");
        command.addAll(args);
        return command;
    }

    /** Runs arena.Main to its end and collects what it wrote. */
    static Finished run(List<String> jvmFlags, String... args) {
        try {
            var stderr = Files.createTempFile("arena-java-test", ".stderr");
            try {
                var process = new ProcessBuilder(command(jvmFlags, List.of(args)))
                        .redirectError(stderr.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .start();
                var lines = new ArrayList<String>();
                try (var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        lines.add(line);
                    }
                }
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail("arena.Main " + String.join(" ", args) + " did not exit within " + TIMEOUT_SECONDS + " s");
                }
                return new Finished(process.exitValue(), lines, Files.readString(stderr));
            } finally {
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Starts arena.Main (a server) with stdout piped and stderr inherited; the caller ends it. */
    static Process start(List<String> jvmFlags, String... args) throws IOException {
        return new ProcessBuilder(command(jvmFlags, List.of(args)))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /** Ends a started process and waits for it. */
    static void stop(Process process) throws InterruptedException {
        process.destroy(); // SIGTERM, as the harness sends
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static final Pattern FIELD =
            Pattern.compile("\"([a-z_]+)\":(-?[0-9]+|\"[^\"\\\\]*\"|\\[(?:[0-9]+(?:,[0-9]+)*)?\\])");

    /**
     * One protocol line as a map (integers as Long, strings as String, arrays of non-negative
     * integers as List of Long), in field order; fails unless the line is exactly a flat JSON
     * object of such fields, which is all the protocol uses, with "event" first.
     */
    static Map<String, Object> event(String line) {
        assertTrue(line.startsWith("{") && line.endsWith("}"), "not a JSON object: " + line);
        var fields = new LinkedHashMap<String, Object>();
        var matcher = FIELD.matcher(line);
        int at = 1;
        while (at < line.length() - 1) {
            if (!fields.isEmpty()) {
                assertTrue(line.charAt(at) == ',', "expected , at " + at + ": " + line);
                at++;
            }
            assertTrue(matcher.find(at) && matcher.start() == at, "bad field at " + at + ": " + line);
            var value = matcher.group(2);
            var previous = fields.put(matcher.group(1), value.startsWith("\"")
                    ? value.substring(1, value.length() - 1)
                    : value.startsWith("[") ? integers(value) : (Object) Long.valueOf(value));
            assertTrue(previous == null, "repeated key " + matcher.group(1) + ": " + line);
            at = matcher.end();
        }
        assertTrue(fields.keySet().iterator().hasNext() && fields.keySet().iterator().next().equals("event"),
                "\"event\" must come first: " + line);
        return fields;
    }

    /** A JSON array of integers, already matched by {@link #FIELD}, as a list. */
    private static List<Long> integers(String array) {
        var values = new ArrayList<Long>();
        var inside = array.substring(1, array.length() - 1);
        if (!inside.isEmpty()) {
            for (var number : inside.split(",")) {
                values.add(Long.valueOf(number));
            }
        }
        return values;
    }

    /** The jar of the compiled classes (target/classes), made once per test JVM. */
    static synchronized Path jar() {
        if (jar == null) {
            try {
                var classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                var made = Files.createTempFile("arena-workloads-test", ".jar");
                made.toFile().deleteOnExit();
                var manifest = new Manifest();
                manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
                try (var out = new JarOutputStream(Files.newOutputStream(made), manifest);
                        var files = Files.walk(classes)) {
                    for (var file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                        out.write(Files.readAllBytes(file));
                        out.closeEntry();
                    }
                }
                jar = made;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return jar;
    }
}
