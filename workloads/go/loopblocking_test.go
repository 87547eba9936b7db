// loopblocking_test.go owns the tests of the loop-blocking bodies: /ping and /cpu served
// through the real handler (the contract's /cpu example, byte for byte), 400 and 404.
// The kernel itself is test-vectored in kernel_test.go.
package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestLoopBlockingEndpoints(t *testing.T) {
	server := httptest.NewServer(newRoutedHandler(loopBlockingRoutes()))
	defer server.Close()

	cases := []struct {
		path   string
		status int
		body   string // compared only when the status is 200
	}{
		{"/ping", http.StatusOK, "pong"},
		{"/cpu?items=1000&chunk=3", http.StatusOK, "3978560205"}, // the contract's example
		{"/cpu?chunk=0&items=1", http.StatusOK, "84694791"},      // cpu-scale vector (1, 1)
		{"/cpu?items=1000&chunk=4294967295", http.StatusOK, strconv.FormatUint(uint64(partial(4294967295, 1000)), 10)},
		{"/nope", http.StatusNotFound, ""},
		{"/cpu?items=x&chunk=3", http.StatusBadRequest, ""},
		{"/cpu?items=1000", http.StatusBadRequest, ""},
		{"/cpu?chunk=3", http.StatusBadRequest, ""},
		{"/cpu?items=1000&chunk=4294967296", http.StatusBadRequest, ""},
	}
	for _, c := range cases {
		status, body := fetch(t, server, c.path)
		if status != c.status || (c.status == http.StatusOK && body != c.body) {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, status, body, c.status, c.body)
		}
	}
	expectStatsRequests(t, server, int64(len(cases)))
}
