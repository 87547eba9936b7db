// Protocol owns the workload contract's edges: the stdout JSON-lines events (one object per
// line, flushed as soon as it is written), the exit codes, and key=value parameter parsing.
// It must not contain workload logic, and nothing else in this program may write to stdout.
// It runs in every workload, the startup one included, so it uses no lambdas or streams.
package arena;

import java.io.Serial;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

final class Protocol {

    /** Exit code for a crash or an event that could not be written to stdout. */
    static final int EXIT_FAILURE = 1;
    /** Exit code for a usage error; the message goes to stderr. */
    static final int EXIT_USAGE = 2;
    /** Exit code right after an {@code error} event of kind {@code resource_limit}. */
    static final int EXIT_RESOURCE_LIMIT = 3;

    /**
     * The TCP port of a server workload: the one parameter that may be 0 ("let the OS choose",
     * the only value the harness passes), and at most {@link #MAX_PORT}.
     */
    static final String PORT_KEY = "port";
    private static final int MAX_PORT = 65535;

    private Protocol() {}

    /**
     * A bad command line: unknown workload, model or key, a missing or repeated key, or a value
     * that is not a positive decimal integer ({@code port}: 0 to 65535).
     */
    static final class UsageError extends Exception {
        @Serial
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /**
     * Validated parameters: exactly the required keys and any of the optional ones, each a
     * positive int ({@code port}: 0 to 65535).
     */
    record Params(Map<String, Integer> values) {
        Params {
            values = Map.copyOf(values);
        }

        int get(String key) {
            var value = values.get(key);
            if (value == null) {
                throw new IllegalArgumentException("parameter " + key + " was not declared by this variant");
            }
            return value;
        }

        /** Whether an optional key was given. */
        boolean has(String key) {
            return values.containsKey(key);
        }
    }

    /** Prints the problem and the invocation form on stderr and exits with code 2. */
    static void exitWithUsageError(String message) {
        System.err.println("arena-java: usage error: " + message);
        System.err.println("usage: java -cp <classes> arena.Main <workload> <model> key=value [key=value ...]");
        System.exit(EXIT_USAGE);
    }

    /** {@link #parseParams(List, List, List)} without optional keys. */
    static Params parseParams(List<String> arguments, List<String> requiredKeys) throws UsageError {
        return parseParams(arguments, requiredKeys, List.of());
    }

    /**
     * Reads key=value arguments. Every required key must appear exactly once, an optional key at
     * most once, no other key may appear, and each value must be a positive decimal integer
     * (ASCII digits only) that fits an int; {@code port} may also be 0 and must not exceed 65535.
     */
    static Params parseParams(List<String> arguments, List<String> requiredKeys, List<String> optionalKeys)
            throws UsageError {
        var values = new HashMap<String, Integer>();
        for (var argument : arguments) {
            int equals = argument.indexOf('=');
            if (equals <= 0) {
                throw new UsageError("argument \"%s\" is not key=value".formatted(argument));
            }
            var key = argument.substring(0, equals);
            var text = argument.substring(equals + 1);
            if (!requiredKeys.contains(key) && !optionalKeys.contains(key)) {
                throw new UsageError(optionalKeys.isEmpty()
                        ? "unknown key \"%s\" (expected: %s)".formatted(key, requiredKeys)
                        : "unknown key \"%s\" (expected: %s, optional: %s)".formatted(key, requiredKeys, optionalKeys));
            }
            if (values.containsKey(key)) {
                throw new UsageError("key \"%s\" given more than once".formatted(key));
            }
            values.put(key, key.equals(PORT_KEY) ? parsePort(text) : parsePositiveDecimal(key, text));
        }
        for (var key : requiredKeys) {
            if (!values.containsKey(key)) {
                throw new UsageError("missing key \"%s\" (expected: %s)".formatted(key, requiredKeys));
            }
        }
        return new Params(values);
    }

    private static int parsePositiveDecimal(String key, String text) throws UsageError {
        int number = parseDecimal(key, text);
        if (number < 1) {
            throw new UsageError("%s=\"%s\": must be a positive integer".formatted(key, text));
        }
        return number;
    }

    private static int parsePort(String text) throws UsageError {
        int port = parseDecimal(PORT_KEY, text);
        if (port > MAX_PORT) {
            throw new UsageError("%s=\"%s\": out of range (at most %d)".formatted(PORT_KEY, text, MAX_PORT));
        }
        return port;
    }

    /** A non-negative decimal integer that fits an int, written with ASCII digits only. */
    private static int parseDecimal(String key, String text) throws UsageError {
        // A plain loop, not chars().allMatch(lambda): this runs in the startup workload, where a
        // first lambda would load the stream and invokedynamic machinery the program never needs.
        boolean digitsOnly = !text.isEmpty();
        for (int index = 0; index < text.length() && digitsOnly; index++) {
            char ch = text.charAt(index);
            digitsOnly = ch >= '0' && ch <= '9';
        }
        if (!digitsOnly) {
            throw new UsageError("%s=\"%s\": not a decimal integer".formatted(key, text));
        }
        int number;
        try {
            number = Integer.parseInt(text);
        } catch (NumberFormatException tooLarge) {
            throw new UsageError("%s=\"%s\": out of range (at most %d)".formatted(key, text, Integer.MAX_VALUE));
        }
        return number;
    }

    /**
     * A floating-point checksum's text: the value with exactly 9 decimals, rounded half-even from
     * its exact binary value, as C's %.9f does. Not String.format, which rounds from the shortest
     * decimal that reads back as the same double, and so differs where that decimal is a tie.
     */
    static String nineDecimals(double value) {
        return new BigDecimal(value).setScale(9, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** Starts an event line: {@code {"event":"<name>"}} followed by the fields added to it. */
    static EventLine event(String name) {
        return new EventLine(name);
    }

    /** One protocol event, built field by field in the order the fields should appear. */
    static final class EventLine {
        private final StringBuilder json = new StringBuilder(128);

        private EventLine(String name) {
            json.append('{');
            appendKey("event");
            appendString(name);
        }

        /** Adds a JSON integer field. */
        EventLine integer(String key, long value) {
            appendKey(key);
            json.append(value);
            return this;
        }

        /** Adds a checksum: a JSON string of decimal digits. */
        EventLine checksum(String key, long nonNegative) {
            appendKey(key);
            appendString(Long.toString(nonNegative));
            return this;
        }

        /**
         * Adds a checksum that is not a plain integer (a float's {@code %.9f} text, fannkuch's
         * {@code "<checksum>:<max_flips>"}) as a JSON string.
         */
        EventLine checksum(String key, String text) {
            appendKey(key);
            appendString(text);
            return this;
        }

        /** Adds a floating-point checksum as {@link #nineDecimals(double)} writes it. */
        EventLine checksumNineDecimals(String key, double value) {
            return checksum(key, nineDecimals(value));
        }

        /**
         * Adds a JSON array of the first {@code count} integers of {@code values}, on the same
         * line (gc-pause's hiccups and pauses: README "Runtime-behaviour workloads").
         */
        EventLine integers(String key, long[] values, int count) {
            appendKey(key);
            json.append('[');
            for (int index = 0; index < count; index++) {
                if (index > 0) {
                    json.append(',');
                }
                json.append(values[index]);
            }
            json.append(']');
            return this;
        }

        /** Adds a free-text JSON string field, escaped. */
        EventLine text(String key, String value) {
            appendKey(key);
            appendString(value);
            return this;
        }

        /** Writes the event as one line on stdout and flushes it; exits with code 1 if it cannot. */
        void emit() {
            json.append("}\n");
            System.out.print(json);
            System.out.flush();
            if (System.out.checkError()) {
                System.err.println("arena-java: cannot write event to stdout");
                System.exit(EXIT_FAILURE);
            }
        }

        private void appendKey(String key) {
            if (json.length() > 1) {
                json.append(',');
            }
            appendString(key);
            json.append(':');
        }

        /** Appends a quoted JSON string; output stays ASCII (everything else is \\u-escaped). */
        private void appendString(String value) {
            json.append('"');
            for (int index = 0; index < value.length(); index++) {
                char ch = value.charAt(index);
                switch (ch) {
                    case '"' -> json.append("\\\"");
                    case '\\' -> json.append("\\\\");
                    case '\n' -> json.append("\\n");
                    case '\r' -> json.append("\\r");
                    case '\t' -> json.append("\\t");
                    default -> {
                        if (ch < 0x20 || ch > 0x7e) {
                            json.append("\\u%04x".formatted((int) ch));
                        } else {
                            json.append(ch);
                        }
                    }
                }
            }
            json.append('"');
        }
    }
}
