// firstresponse.go owns the go/default variant of first-response (see ../README.md, "Workload
// first-response"): a minimal net/http server with its defaults, answering GET /ping with
// `pong`; /stats, 404, Content-Length, keep-alive and the ready line come from the shared
// plumbing in httpserver.go.
// It must not warm anything up before listening, add routes, or answer outside httpserver.go's
// plumbing: the harness measures the time to the first /ping and the memory held then.
package main

import (
	"net/url"
)

// firstResponsePong is the exact /ping body (4 bytes).
const firstResponsePong = "pong"

func handleFirstResponsePing(url.Values) ([]byte, error) {
	return []byte(firstResponsePong), nil
}

// firstResponseRoutes builds the route table when the workload runs, not at package init.
func firstResponseRoutes() map[string]route {
	return map[string]route{
		"/ping": {contentType: textContentType, handle: handleFirstResponsePing},
	}
}

// runFirstResponse listens on the harness's port (any value 0..65535, like the other servers)
// and serves until the process is killed.
func runFirstResponse(params map[string]int) {
	serve(params[portKey], firstResponseRoutes())
}
