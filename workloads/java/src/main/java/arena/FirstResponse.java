// FirstResponse owns the first-response workload (java/default, cds, aot and c1 run this same
// code; the runner's JVM flags make the difference): the JDK's HttpServer with its defaults
// (no executor, so handlers run on its dispatcher thread; default backlog and idle limits) on
// 127.0.0.1:<port>, answering GET /ping with "pong", GET /stats with {"requests":R} and anything
// else with a 404, every response with a Content-Length so connections stay keep-alive. With
// train=1 it is the build step's training run instead (README, workload startup): it sends
// itself one GET /ping over a plain socket, runs the startup program's path and exits with 0.
// It must not use HttpCommon (whose tuned limits, query parsing and thread counting belong to
// the load-test servers and would add classes the first response does not need), warm anything
// up before ready, or write to stdout except through Protocol.
package arena;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

final class FirstResponse {

    /** The optional flag of the training run; only train=1 is meaningful. A constant for Main. */
    static final String TRAIN_KEY = "train";

    // A literal, not InetAddress.getLoopbackAddress(), which turns into ::1 under
    // -Djava.net.preferIPv6Addresses: the contract binds 127.0.0.1 only.
    private static final String LISTEN_HOST = "127.0.0.1";
    // 0 asks HttpServer.create for the JDK's default backlog: this workload keeps the defaults.
    private static final int DEFAULT_BACKLOG = 0;

    private static final byte[] PONG = "pong".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_FOUND = "not found".getBytes(StandardCharsets.US_ASCII);

    /** Requests to every path but /stats completed so far (the contract's R). */
    private static final AtomicLong REQUESTS = new AtomicLong();

    private FirstResponse() {}

    static void run(Protocol.Params params) throws IOException, Protocol.UsageError {
        boolean training = params.has(TRAIN_KEY);
        if (training && params.get(TRAIN_KEY) != 1) {
            throw new Protocol.UsageError("%s=%d: the training flag takes 1 only".formatted(TRAIN_KEY, params.get(TRAIN_KEY)));
        }

        var server = HttpServer.create(new InetSocketAddress(LISTEN_HOST, params.get(Protocol.PORT_KEY)), DEFAULT_BACKLOG);
        // One context for every path, routing by exact path in answer(): a JDK context also
        // takes the paths below its own ("/ping/x"), which must be 404s.
        server.createContext("/", FirstResponse::answer);
        server.start();
        int port = server.getAddress().getPort();
        Protocol.event("ready").integer("port", port).emit();

        if (training) {
            train(server, port);
        }
        // Otherwise return: the server's non-daemon dispatcher thread keeps the JVM alive until
        // the harness ends the process.
    }

    private static void answer(HttpExchange exchange) throws IOException {
        // Closing the exchange ends the response; the connection then goes back to keep-alive.
        try (exchange) {
            boolean get = exchange.getRequestMethod().equals("GET");
            String path = exchange.getRequestURI().getRawPath();
            int status = 200;
            String contentType = "text/plain";
            byte[] body;
            if (get && path.equals("/stats")) {
                contentType = "application/json";
                body = ("{\"requests\":" + REQUESTS.get() + "}").getBytes(StandardCharsets.US_ASCII);
            } else {
                if (get && path.equals("/ping")) {
                    body = PONG;
                } else {
                    status = 404;
                    body = NOT_FOUND;
                }
                REQUESTS.incrementAndGet(); // counted as completed before the response is written
            }
            exchange.getResponseHeaders().set("Content-Type", contentType);
            // Every body is non-empty, so this length is sent as Content-Length (0 would mean chunked).
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    /**
     * The training run's client half: one GET /ping on a plain socket (Connection: close, so the
     * reply ends at EOF), then the startup program's output path, then a stopped server, so the
     * JVM exits with code 0 and -XX:ArchiveClassesAtExit / -XX:AOTMode=record see a normal exit.
     */
    private static void train(HttpServer server, int port) throws IOException {
        String reply;
        try (var socket = new Socket(LISTEN_HOST, port)) {
            var request = "GET /ping HTTP/1.1\r\nHost: " + LISTEN_HOST + ":" + port + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
        if (!reply.startsWith("HTTP/1.1 200") || !reply.endsWith("\r\n\r\npong")) {
            throw new IOException("training run: unexpected reply to GET /ping: " + reply);
        }
        server.stop(0);
        Startup.emitResult(0);
    }
}
