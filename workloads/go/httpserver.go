// httpserver.go owns the plumbing shared by the server workloads (http-io, loop-blocking; see
// ../README.md, "Server workloads: common rules"): a net/http http.Server (a goroutine per
// connection) on an explicit 127.0.0.1 listener, the ready event, timeouts left off so idle
// keep-alive connections stay open, routing by exact path, the query-integer rule (bad → 400),
// 404, every response's Content-Length, the request counter and GET /stats.
// It must not know what a route computes, delay /stats, cache a response body, write to stdout
// after ready, or set GOMAXPROCS (the runner sets it; /stats only reports it).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
)

const (
	listenHost = "127.0.0.1" // the contract: never 0.0.0.0
	statsPath  = "/stats"

	jsonContentType = "application/json"
	textContentType = "text/plain"
)

// route is what one path computes. handle reads its query parameters with queryInteger before
// it does anything else (a *badRequest error becomes a 400), may wait or compute, and returns
// the exact response body. It runs on the connection's goroutine, as net/http calls it.
type route struct {
	contentType string
	handle      func(query url.Values) ([]byte, error)
}

// badRequest is a query parameter that is missing, not a decimal integer, or out of range.
type badRequest struct{ message string }

func (e *badRequest) Error() string { return e.message }

// queryInteger returns query parameter `name` as an integer in 0..max. Only ASCII digits are
// accepted (no sign, no spaces, no exponent; leading zeros are fine); when the parameter
// appears more than once the first value counts, as url.Values.Get does.
func queryInteger(query url.Values, name string, max uint64) (uint64, error) {
	values, present := query[name]
	if !present || len(values) == 0 {
		return 0, &badRequest{fmt.Sprintf("missing query parameter %q", name)}
	}
	raw := values[0]
	if raw == "" {
		return 0, &badRequest{fmt.Sprintf("query parameter %q is empty", name)}
	}
	for _, r := range raw {
		if r < '0' || r > '9' {
			return 0, &badRequest{fmt.Sprintf("query parameter %s=%q is not a non-negative decimal integer", name, raw)}
		}
	}
	value, err := strconv.ParseUint(raw, 10, 64)
	if err != nil || value > max {
		return 0, &badRequest{fmt.Sprintf("query parameter %s=%s exceeds %d", name, raw, max)}
	}
	return value, nil
}

// serverStats is the /stats body; field order fixes the key order. The harness reads only
// `requests`; the other counters are recorded (gomaxprocs shows the runner's setting applied).
type serverStats struct {
	Requests   int64 `json:"requests"`
	Goroutines int   `json:"goroutines"`
	GOMAXPROCS int   `json:"gomaxprocs"`
}

// routedHandler is the single http.Handler of a server workload: exact-path routing over
// routes, plus /stats and 404.
type routedHandler struct {
	routes map[string]route
	// Responses to every path but /stats (404s and 400s included), counted before the
	// response is written, so a client that has its answer always sees itself counted.
	requestsCompleted atomic.Int64
}

func newRoutedHandler(routes map[string]route) *routedHandler {
	return &routedHandler{routes: routes}
}

// ServeHTTP routes on the path alone: the harness sends only GET, so the method is not checked.
func (h *routedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path == statsPath {
		h.answerStats(w)
		return
	}
	chosen, found := h.routes[path]
	if !found {
		h.answer(w, http.StatusNotFound, textContentType, []byte("not found"))
		return
	}
	body, err := chosen.handle(r.URL.Query())
	var invalid *badRequest
	switch {
	case errors.As(err, &invalid):
		h.answer(w, http.StatusBadRequest, textContentType, []byte(invalid.message))
	case err != nil:
		// No route returns other errors today; a new one must not pass as a 200.
		h.answer(w, http.StatusInternalServerError, textContentType, []byte(err.Error()))
	default:
		h.answer(w, http.StatusOK, chosen.contentType, body)
	}
}

func (h *routedHandler) answer(w http.ResponseWriter, status int, contentType string, body []byte) {
	h.requestsCompleted.Add(1)
	writeResponse(w, status, contentType, body)
}

func (h *routedHandler) answerStats(w http.ResponseWriter) {
	body, err := json.Marshal(serverStats{
		Requests:   h.requestsCompleted.Load(),
		Goroutines: runtime.NumGoroutine(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	})
	if err != nil {
		// Three integers always encode; keep the contract's one required field regardless.
		body = []byte(`{"requests":` + strconv.FormatInt(h.requestsCompleted.Load(), 10) + `}`)
	}
	writeResponse(w, http.StatusOK, jsonContentType, body)
}

// writeResponse sets Content-Length itself so the response is never chunked, whatever the body
// size, and Content-Type so net/http does not sniff the body for one.
func writeResponse(w http.ResponseWriter, status int, contentType string, body []byte) {
	header := w.Header()
	header.Set("Content-Type", contentType)
	header.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	// A failed write means the client went away; net/http closes that connection itself and
	// there is no one left to answer.
	_, _ = w.Write(body)
}

// serverReady is the one event a server prints: the port it actually listens on.
type serverReady struct {
	Event string `json:"event"`
	Port  int    `json:"port"`
}

// serve listens on 127.0.0.1:port (0: the OS chooses), prints the ready event once the socket
// listens, and serves routes until the process is killed; it returns only by exiting.
func serve(port int, routes map[string]route) {
	// net.Listen passes the kernel's net.core.somaxconn as the backlog (4096 on current Linux),
	// above the contract's minimum of 1024; the Go API takes no backlog argument.
	listener, err := net.Listen("tcp", net.JoinHostPort(listenHost, strconv.Itoa(port)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "arena-go: cannot listen on %s port %d: %v\n", listenHost, port, err)
		os.Exit(exitServerFailure)
	}

	server := &http.Server{
		Handler: newRoutedHandler(routes),
		// ReadTimeout, ReadHeaderTimeout, WriteTimeout and IdleTimeout stay zero, which means
		// none: an idle keep-alive connection lives until the client closes it (the contract
		// wants >= 120 s), and a request queued behind a long /cpu computation is answered
		// late rather than cut off. ErrorLog stays nil: net/http logs to stderr.
	}

	// The listener already accepts into its backlog, so a client that connects as soon as it
	// reads ready is served once Serve starts below.
	emit(serverReady{Event: "ready", Port: listener.Addr().(*net.TCPAddr).Port})

	// Serve retries temporary accept errors (such as EMFILE) itself and returns only on a
	// permanent failure.
	err = server.Serve(listener)
	fmt.Fprintf(os.Stderr, "arena-go: server stopped: %v\n", err)
	os.Exit(exitServerFailure)
}
