// HttpIo owns the java/pool and java/virtual variants of http-io: the routes /json and /io on the
// HttpCommon server, with handlers on a fixed pool of `pool` platform threads or on a virtual
// thread per request, and the /io wait as a blocking Thread.sleep on the handler's thread.
// It must not cache /io bodies (each is computed from its request's id), wait by any other
// means, or write to stdout (HttpCommon prints the ready event).
package arena;

import java.io.IOException;
import java.util.concurrent.Executors;

final class HttpIo {

    private static final String HELLO_BODY = "{\"message\":\"Hello, World!\"}";
    // Multiplicative hashing: the contract's H = N × 2654435761 mod 2^32 (int arithmetic wraps).
    private static final int KNUTH_MULTIPLIER = (int) 2654435761L;

    private HttpIo() {}

    /** java/pool: Executors.newFixedThreadPool(pool); a sleeping request holds its platform thread. */
    static void runFixedThreadPool(Protocol.Params params) throws IOException {
        var handlerThreads = Executors.newFixedThreadPool(params.get("pool"));
        HttpCommon.serve(params.get(Protocol.PORT_KEY), handlerThreads, HttpIo::respond);
    }

    /** java/virtual: a virtual thread per request; a sleeping request parks it and frees its carrier. */
    static void runVirtualThreads(Protocol.Params params) throws IOException {
        var handlerThreads = Executors.newVirtualThreadPerTaskExecutor();
        HttpCommon.serve(params.get(Protocol.PORT_KEY), handlerThreads, HttpIo::respond);
    }

    private static HttpCommon.Response respond(String path, HttpCommon.Query query)
            throws HttpCommon.BadRequest, InterruptedException {
        return switch (path) {
            case "/json" -> HttpCommon.Response.json(HELLO_BODY);
            case "/io" -> {
                int id = query.integer("id");
                int delayMs = query.integer("delay_ms");
                if (delayMs > 0) {
                    Thread.sleep(delayMs); // blocking, as a blocking database driver would be
                }
                yield HttpCommon.Response.json(ioBody(id));
            }
            default -> HttpCommon.Response.notFound();
        };
    }

    /** {@code {"id":N,"hash":H}} with H = (N × 2654435761) mod 2^32 in decimal. */
    static String ioBody(int id) {
        long hash = Integer.toUnsignedLong(id * KNUTH_MULTIPLIER);
        return "{\"id\":" + id + ",\"hash\":" + hash + "}";
    }
}
