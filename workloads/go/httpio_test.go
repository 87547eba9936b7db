// httpio_test.go owns the tests of the http-io bodies: the /io hash against the contract's
// example and hand-checked values, and every http-io endpoint served through the real handler
// (bodies byte for byte, 400, 404). It must not weaken a contract value.
package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestIOHashAndBody(t *testing.T) {
	cases := []struct {
		id   uint32
		hash uint32
		body string
	}{
		{id: 0, hash: 0, body: `{"id":0,"hash":0}`},
		{id: 1, hash: 2654435761, body: `{"id":1,"hash":2654435761}`},
		{id: 7, hash: 1401181143, body: `{"id":7,"hash":1401181143}`}, // the contract's example
		// (2^31 - 1) × 2654435761 ≡ 2^31 − 2654435761 (mod 2^32), since the multiplier is odd.
		{id: 2147483647, hash: 3788015183, body: `{"id":2147483647,"hash":3788015183}`},
	}
	for _, c := range cases {
		if got := ioHash(c.id); got != c.hash {
			t.Errorf("ioHash(%d) = %d, want %d", c.id, got, c.hash)
		}
		if got := string(ioBody(c.id)); got != c.body {
			t.Errorf("ioBody(%d) = %s, want %s", c.id, got, c.body)
		}
	}
}

func TestHTTPIOEndpoints(t *testing.T) {
	server := httptest.NewServer(newRoutedHandler(httpIORoutes()))
	defer server.Close()

	cases := []struct {
		path   string
		status int
		body   string // compared only when the status is 200
	}{
		{"/json", http.StatusOK, `{"message":"Hello, World!"}`},
		{"/io?id=7&delay_ms=10", http.StatusOK, `{"id":7,"hash":1401181143}`},
		{"/io?id=2147483647&delay_ms=0", http.StatusOK, `{"id":2147483647,"hash":3788015183}`},
		{"/io?delay_ms=0&id=0", http.StatusOK, `{"id":0,"hash":0}`},
		{"/nope", http.StatusNotFound, ""},
		{"/json/", http.StatusNotFound, ""},
		{"/io?id=x&delay_ms=1", http.StatusBadRequest, ""},
		{"/io?id=7", http.StatusBadRequest, ""},
		{"/io?delay_ms=1", http.StatusBadRequest, ""},
		{"/io?id=-7&delay_ms=1", http.StatusBadRequest, ""},
		{"/io?id=2147483648&delay_ms=0", http.StatusBadRequest, ""}, // N < 2^31
		{"/io?id=1&delay_ms=2147483648", http.StatusBadRequest, ""},
	}
	for _, c := range cases {
		status, body := fetch(t, server, c.path)
		if status != c.status || (c.status == http.StatusOK && body != c.body) {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, status, body, c.status, c.body)
		}
	}
	expectStatsRequests(t, server, int64(len(cases)))
}

func TestIOWaitsDelay(t *testing.T) {
	server := httptest.NewServer(newRoutedHandler(httpIORoutes()))
	defer server.Close()

	start := time.Now()
	fetch(t, server, "/io?id=1&delay_ms=50")
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Errorf("/io with delay_ms=50 answered after %v", elapsed)
	}
}
