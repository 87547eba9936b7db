// LoopBlocking owns the java/inline and java/pool variants of loop-blocking: the routes /ping
// and /cpu on the HttpCommon server, /cpu computing ChunkHash.partial(chunk, items) either on the
// server's single dispatcher thread (inline: it stalls every other request, on purpose) or on a
// fixed pool of `workers` platform threads.
// It must not use any kernel but ChunkHash.partial, cache results, or write to stdout (HttpCommon
// prints the ready event).
package arena;

import java.io.IOException;
import java.util.concurrent.Executors;

final class LoopBlocking {

    private LoopBlocking() {}

    /** java/inline: no executor, so HttpServer runs every handler on its dispatcher thread. */
    static void runInline(Protocol.Params params) throws IOException {
        HttpCommon.serve(params.get(Protocol.PORT_KEY), null, LoopBlocking::respond);
    }

    /** java/pool: Executors.newFixedThreadPool(workers) platform threads run the handlers. */
    static void runFixedThreadPool(Protocol.Params params) throws IOException {
        var handlerThreads = Executors.newFixedThreadPool(params.get("workers"));
        HttpCommon.serve(params.get(Protocol.PORT_KEY), handlerThreads, LoopBlocking::respond);
    }

    private static HttpCommon.Response respond(String path, HttpCommon.Query query) throws HttpCommon.BadRequest {
        return switch (path) {
            case "/ping" -> HttpCommon.Response.text("pong");
            case "/cpu" -> {
                int items = query.integer("items");
                int chunk = query.integer("chunk");
                yield HttpCommon.Response.text(Long.toString(ChunkHash.partial(chunk, items)));
            }
            default -> HttpCommon.Response.notFound();
        };
    }
}
