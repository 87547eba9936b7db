// HttpCommon owns what every server workload (http-io, loop-blocking) shares on the wire: the
// JDK HttpServer on 127.0.0.1 with the limits that keep idle keep-alive connections open, the
// ready event, routing by exact path, the query-integer rule (bad → 400), 404/501, every
// response's Content-Length, the request counter and GET /stats.
// It must not know what a route computes, wait, cache a response, delay /stats on purpose, or
// write to stdout except the ready event (through Protocol).
package arena;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serial;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

final class HttpCommon {

    // Never 0.0.0.0: the benchmark must not be reachable from outside. A literal, not
    // InetAddress.getLoopbackAddress(), which turns into ::1 under -Djava.net.preferIPv6Addresses.
    private static final String LISTEN_HOST = "127.0.0.1";
    // The contract asks for >= 1024; Linux caps it at net.core.somaxconn (4096 by default).
    private static final int LISTEN_BACKLOG = 4096;

    // The JDK server (sun.net.httpserver.ServerConfig, read once when its class initialises at
    // the first HttpServer.create) closes a connection idle for idleInterval seconds (default 30;
    // 0 or less means the default, so "never" is not expressible) and closes, instead of keeping,
    // every connection that turns idle while maxIdleConnections (default 200) are idle already.
    // The contract wants >= 10,000 idle connections kept >= 120 s. jdk.httpserver.maxConnections
    // (open connections) and maxReqTime/maxRspTime are unlimited by default and stay so.
    private static final long IDLE_INTERVAL_SECONDS = 24 * 60 * 60; // longer than any run
    private static final int MAX_IDLE_CONNECTIONS = Integer.MAX_VALUE;

    private static final String STATS_PATH = "/stats";
    // The root thread group: its activeCount() counts every live platform thread. Not
    // Thread.activeCount(), which counts the caller's group: 0 on a virtual thread.
    private static final ThreadGroup ALL_THREADS = rootThreadGroup();

    private HttpCommon() {}

    /** A query parameter is missing, not a decimal integer, or above 2^31 − 1: answered with 400. */
    static final class BadRequest extends Exception {
        @Serial
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false); // no stack trace: a normal outcome, not a crash
        }
    }

    /** One complete answer: status, Content-Type and the exact body bytes. */
    record Response(int status, String contentType, byte[] body) {
        static Response json(String body) {
            return new Response(200, "application/json", body.getBytes(StandardCharsets.US_ASCII));
        }

        static Response text(String body) {
            return new Response(200, "text/plain", body.getBytes(StandardCharsets.US_ASCII));
        }

        static Response notFound() {
            return new Response(404, "text/plain", "not found".getBytes(StandardCharsets.US_ASCII));
        }

        static Response badRequest() {
            return new Response(400, "text/plain", "bad request".getBytes(StandardCharsets.US_ASCII));
        }

        static Response notImplemented() {
            return new Response(501, "text/plain", "only GET is served".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * The query of one request, split on {@code &} and {@code =} without percent-decoding: every
     * parameter of the contract is a plain decimal integer, so an encoded value is not one and
     * gets a 400. A repeated name keeps its last value.
     */
    static final class Query {
        // Integer.MAX_VALUE has 10 digits; longer text is out of range whatever its value.
        private static final int MAX_INTEGER_DIGITS = 10;

        private final Map<String, String> values = new HashMap<>();

        private Query(String rawQuery) {
            if (rawQuery == null || rawQuery.isEmpty()) {
                return;
            }
            for (var pair : rawQuery.split("&")) {
                int equals = pair.indexOf('=');
                if (equals < 0) {
                    values.put(pair, "");
                } else {
                    values.put(pair.substring(0, equals), pair.substring(equals + 1));
                }
            }
        }

        /**
         * The parameter {@code name} as an int in 0 ..= 2^31 − 1, written with ASCII digits only
         * (Integer.parseInt alone would also take "+7" and non-ASCII digits).
         */
        int integer(String name) throws BadRequest {
            var text = values.get(name);
            if (text == null
                    || text.isEmpty()
                    || text.length() > MAX_INTEGER_DIGITS
                    || !text.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw new BadRequest("query parameter " + name + " is missing or not an integer");
            }
            long value = Long.parseLong(text);
            if (value > Integer.MAX_VALUE) {
                throw new BadRequest("query parameter " + name + " exceeds " + Integer.MAX_VALUE);
            }
            return (int) value;
        }
    }

    /**
     * A workload's routes: the response to a GET of {@code path} (every path but /stats, so also
     * the 404), computed on the thread the server model runs handlers on. It may block there
     * (Thread.sleep, the kernel) when the model says so.
     */
    @FunctionalInterface
    interface Routes {
        Response respond(String path, Query query) throws BadRequest, InterruptedException;
    }

    /**
     * Starts an HttpServer on 127.0.0.1:{@code port} that runs its handlers on {@code handlerThreads}
     * ({@code null}: on the server's own dispatcher thread), then prints the ready event with the
     * real port. Returns at once; the server's non-daemon dispatcher thread keeps the JVM alive
     * until the harness ends the process.
     */
    static void serve(int port, Executor handlerThreads, Routes routes) throws IOException {
        // Before HttpServer.create: that is what loads and initialises the JDK's ServerConfig.
        System.setProperty("sun.net.httpserver.idleInterval", Long.toString(IDLE_INTERVAL_SECONDS));
        System.setProperty("sun.net.httpserver.maxIdleConnections", Integer.toString(MAX_IDLE_CONNECTIONS));

        var server = HttpServer.create(new InetSocketAddress(LISTEN_HOST, port), LISTEN_BACKLOG);
        var requests = new AtomicLong();
        // One context for every path, routing by exact path here: a JDK context also takes the
        // paths below its own ("/json" would answer "/json/x"), which must be 404s.
        server.createContext("/", exchange -> answer(exchange, requests, routes));
        server.setExecutor(handlerThreads);
        server.start();

        Protocol.event("ready").integer("port", server.getAddress().getPort()).emit();
    }

    private static void answer(HttpExchange exchange, AtomicLong requests, Routes routes) throws IOException {
        // Closing the exchange ends the response; the connection then goes back to idle keep-alive.
        try (exchange) {
            Response response;
            if (!exchange.getRequestMethod().equals("GET")) {
                response = Response.notImplemented(); // not counted: the contract only sends GET
            } else if (exchange.getRequestURI().getRawPath().equals(STATS_PATH)) {
                response = stats(requests.get());
            } else {
                response = respondCounted(exchange, requests, routes);
            }
            send(exchange, response);
        }
    }

    private static Response respondCounted(HttpExchange exchange, AtomicLong requests, Routes routes)
            throws InterruptedIOException {
        var uri = exchange.getRequestURI();
        Response response;
        try {
            response = routes.respond(uri.getRawPath(), new Query(uri.getRawQuery()));
        } catch (BadRequest badRequest) {
            response = Response.badRequest();
        } catch (InterruptedException interrupted) {
            // Nothing interrupts handler threads; if something does, drop the connection.
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("handler interrupted");
        }
        requests.incrementAndGet(); // counted as completed before the response is written
        return response;
    }

    /**
     * {@code {"requests":R,"threads":T}}: T is every live platform thread of the JVM (handler pool,
     * dispatcher, timers, virtual-thread carriers, JDK service threads; virtual threads are not
     * counted), as ThreadMXBean.getThreadCount() would say without loading java.management.
     */
    private static Response stats(long requests) {
        return Response.json("{\"requests\":%d,\"threads\":%d}".formatted(requests, ALL_THREADS.activeCount()));
    }

    private static ThreadGroup rootThreadGroup() {
        var group = Thread.currentThread().getThreadGroup();
        while (group.getParent() != null) {
            group = group.getParent();
        }
        return group;
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        // A length of 0 would mean "chunked" to sendResponseHeaders; every body here is non-empty,
        // so the response always carries Content-Length: body.length.
        exchange.sendResponseHeaders(response.status(), response.body().length);
        exchange.getResponseBody().write(response.body());
    }
}
