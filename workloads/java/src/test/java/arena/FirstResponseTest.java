// FirstResponseTest owns the checks of the first-response server as the harness uses it: a
// port given on the command line, the ready line, GET /ping, GET /stats and a 404 on one
// keep-alive connection, each with Content-Length and the exact body bytes; the training run.
// It must not leave a server running: every started process is ended in a finally.
package arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FirstResponseTest {

    /** One parsed HTTP/1.1 response: status, headers (lower-case names) and body. */
    private record Reply(int status, Map<String, String> headers, String body) {}

    @ParameterizedTest
    @CsvSource({
        "default, ''",
        "c1,      -XX:TieredStopAtLevel=1",
    })
    void answersPingStatsAnd404OnOneKeepAliveConnection(String model, String flag) throws Exception {
        int port = freePort();
        var flags = flag.isEmpty() ? List.<String>of() : List.of(flag);
        var server = Programs.start(flags, "first-response", model, "port=" + port);
        try {
            var stdout = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("{\"event\":\"ready\",\"port\":" + port + "}", stdout.readLine());

            try (var socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                var stats = get(socket, "/stats");
                assertEquals(new Reply(200, stats.headers(), "{\"requests\":0}"), stats);

                var ping = get(socket, "/ping");
                assertEquals(200, ping.status());
                assertEquals("pong", ping.body());
                assertEquals("4", ping.headers().get("content-length"));

                for (var path : List.of("/nope", "/ping/x", "/")) {
                    var missing = get(socket, path);
                    assertEquals(404, missing.status(), path);
                }
                // /ping?x=1 is still /ping: only the path routes.
                assertEquals("pong", get(socket, "/ping?x=1").body());

                // Five requests to other paths were completed before this one; /stats is not counted.
                stats = get(socket, "/stats");
                assertEquals(200, stats.status());
                assertEquals("{\"requests\":5}", stats.body());
                assertEquals("14", stats.headers().get("content-length"));
            }
            // Nothing after ready: an event written while answering would be here by now.
            assertEquals(0, server.getInputStream().available());
        } finally {
            Programs.stop(server);
        }
    }

    @Test
    void trainingRunAnswersItselfAndExitsWithZero() {
        StartupTest.assertTrainingRunOutput(
                Programs.run(List.of(), "first-response", "default", "port=0", "train=1"));
    }

    @Test
    void usageErrorsExitWithTwo() {
        for (var args : List.of(
                List.of("first-response", "default"),
                List.of("first-response", "default", "port=0", "train=2"),
                List.of("first-response", "default", "port=70000"),
                List.of("first-response", "default", "port=0", "workers=2"))) {
            var run = Programs.run(List.of(), args.toArray(String[]::new));
            assertEquals(2, run.exitCode(), args.toString());
            assertEquals(List.of(), run.stdout(), args.toString());
        }
    }

    private static int freePort() throws IOException {
        try (var probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** Sends GET path on the open connection and reads one response framed by Content-Length. */
    private static Reply get(Socket socket, String path) throws IOException {
        var request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();

        var in = socket.getInputStream();
        var statusLine = readLine(in);
        assertTrue(statusLine.startsWith("HTTP/1.1 "), statusLine);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        var headers = new TreeMap<String, String>();
        for (String line; !(line = readLine(in)).isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        assertFalse(headers.containsKey("transfer-encoding"), headers.toString());
        assertFalse("close".equalsIgnoreCase(headers.get("connection")), headers.toString());
        assertTrue(headers.containsKey("content-length"), headers.toString());
        var body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        return new Reply(status, headers, new String(body, StandardCharsets.US_ASCII));
    }

    /** One CRLF-terminated header line, without the CRLF. */
    private static String readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed mid-response");
            }
            line.write(b);
        }
        var text = line.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
