// httpio.go owns the go/net-http variant of http-io (see ../README.md, "Workload http-io"):
// the exact bodies of /json and /io, and the /io wait as a time.Sleep on the request's own
// goroutine (which parks it, as a blocking database driver call would).
// It must not cache an /io body (it is computed from the request's id every time), answer
// outside httpserver.go's plumbing, or set GOMAXPROCS (the runner sets it).
package main

import (
	"math"
	"net/url"
	"strconv"
	"time"
)

// helloBody is the constant /json body (27 bytes).
const helloBody = `{"message":"Hello, World!"}`

const (
	ioHashMultiplier uint32 = 2654435761

	// The contract's id range is 0 <= N < 2^31.
	maxIOID = math.MaxInt32
	// The same bound as the other languages' timers (Node's setTimeout cannot wait longer);
	// it also keeps delay_ms * time.Millisecond far from overflowing a time.Duration.
	maxIODelayMs = math.MaxInt32
)

// ioHash is H = (id × 2654435761) mod 2^32: uint32 multiplication wraps modulo 2^32.
func ioHash(id uint32) uint32 {
	return id * ioHashMultiplier
}

// ioBody is the exact /io body for id: {"id":N,"hash":H}.
func ioBody(id uint32) []byte {
	body := make([]byte, 0, 40)
	body = append(body, `{"id":`...)
	body = strconv.AppendUint(body, uint64(id), 10)
	body = append(body, `,"hash":`...)
	body = strconv.AppendUint(body, uint64(ioHash(id)), 10)
	return append(body, '}')
}

func handleJSON(url.Values) ([]byte, error) {
	return []byte(helloBody), nil
}

func handleIO(query url.Values) ([]byte, error) {
	id, err := queryInteger(query, "id", maxIOID)
	if err != nil {
		return nil, err
	}
	delayMs, err := queryInteger(query, "delay_ms", maxIODelayMs)
	if err != nil {
		return nil, err
	}
	if delayMs > 0 {
		time.Sleep(time.Duration(delayMs) * time.Millisecond)
	}
	return ioBody(uint32(id)), nil
}

// httpIORoutes builds the route table when the workload runs, not at package init, so another
// workload (startup above all) does none of this one's setup.
func httpIORoutes() map[string]route {
	return map[string]route{
		"/json": {contentType: jsonContentType, handle: handleJSON},
		"/io":   {contentType: jsonContentType, handle: handleIO},
	}
}

// runHTTPIONetHTTP is model net-http: http.Server with a goroutine per connection.
func runHTTPIONetHTTP(params map[string]int) {
	serve(params[portKey], httpIORoutes())
}
