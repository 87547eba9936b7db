// httpserver_test.go owns the tests of the shared server plumbing: query-integer parsing, the
// port rule of parameter parsing, and (for the workload tests) a helper that fetches a path
// from an httptest server and checks the response is framed by Content-Length, never chunked.
// It must not test what a route computes (the workload tests do).
package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestQueryInteger(t *testing.T) {
	cases := []struct {
		query   string
		max     uint64
		want    uint64
		wantBad bool
	}{
		{query: "n=0", max: 10, want: 0},
		{query: "n=7", max: 10, want: 7},
		{query: "n=10", max: 10, want: 10},
		{query: "n=007", max: 10, want: 7},
		{query: "n=4294967295", max: 4294967295, want: 4294967295},
		{query: "n=1&n=2", max: 10, want: 1}, // the first value counts
		{query: "n=11", max: 10, wantBad: true},
		{query: "n=99999999999999999999999", max: 10, wantBad: true}, // overflows uint64
		{query: "", max: 10, wantBad: true},
		{query: "m=1", max: 10, wantBad: true},
		{query: "n", max: 10, wantBad: true},
		{query: "n=", max: 10, wantBad: true},
		{query: "n=x", max: 10, wantBad: true},
		{query: "n=-1", max: 10, wantBad: true},
		{query: "n=%2B1", max: 10, wantBad: true}, // "+1"
		{query: "n=1.0", max: 10, wantBad: true},
		{query: "n=1e3", max: 10, wantBad: true},
		{query: "n=%201", max: 10, wantBad: true}, // " 1"
	}
	for _, c := range cases {
		query, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", c.query, err)
		}
		got, err := queryInteger(query, "n", c.max)
		var invalid *badRequest
		switch {
		case c.wantBad && !errors.As(err, &invalid):
			t.Errorf("%q: got %d, %v; want a badRequest", c.query, got, err)
		case !c.wantBad && (err != nil || got != c.want):
			t.Errorf("%q: got %d, %v; want %d", c.query, got, err, c.want)
		}
	}
}

func TestParseParamsPort(t *testing.T) {
	cases := []struct {
		args    []string
		keys    []string
		want    map[string]int
		wantErr bool
	}{
		{args: []string{"port=0"}, keys: []string{"port"}, want: map[string]int{"port": 0}},
		{args: []string{"port=8080"}, keys: []string{"port"}, want: map[string]int{"port": 8080}},
		{args: []string{"port=65535"}, keys: []string{"port"}, want: map[string]int{"port": 65535}},
		{args: []string{"port=65536"}, keys: []string{"port"}, wantErr: true},
		{args: []string{"port=-1"}, keys: []string{"port"}, wantErr: true},
		{args: []string{"port="}, keys: []string{"port"}, wantErr: true},
		{args: []string{}, keys: []string{"port"}, wantErr: true},
		{args: []string{"port=0", "workers=0"}, keys: []string{"port", "workers"}, wantErr: true}, // only port may be 0
		{args: []string{"workers=0"}, keys: []string{"workers"}, wantErr: true},
		{args: []string{"port=0", "extra=1"}, keys: []string{"port"}, wantErr: true},
	}
	for _, c := range cases {
		got, err := parseParams(c.args, c.keys)
		if c.wantErr {
			if err == nil {
				t.Errorf("%v: got %v, want an error", c.args, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.args, err)
			continue
		}
		for key, value := range c.want {
			if got[key] != value || len(got) != len(c.want) {
				t.Errorf("%v: got %v, want %v", c.args, got, c.want)
			}
		}
	}
}

func TestNotFoundAndStatsCounting(t *testing.T) {
	routes := map[string]route{
		"/ok": {contentType: textContentType, handle: func(url.Values) ([]byte, error) { return []byte("ok"), nil }},
		"/needs-n": {contentType: textContentType, handle: func(query url.Values) ([]byte, error) {
			_, err := queryInteger(query, "n", 10)
			return []byte("fine"), err
		}},
	}
	server := httptest.NewServer(newRoutedHandler(routes))
	defer server.Close()

	expectStatsRequests(t, server, 0)
	for _, c := range []struct {
		path   string
		status int
		body   string
	}{
		{"/ok", http.StatusOK, "ok"},
		{"/nope", http.StatusNotFound, "not found"},
		{"/ok/", http.StatusNotFound, "not found"},
		{"/needs-n?n=3", http.StatusOK, "fine"},
	} {
		if status, body := fetch(t, server, c.path); status != c.status || body != c.body {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, status, body, c.status, c.body)
		}
	}
	if status, _ := fetch(t, server, "/needs-n?n=x"); status != http.StatusBadRequest {
		t.Errorf("GET /needs-n?n=x: status %d, want 400", status)
	}
	// Every request but /stats counts, 404 and 400 included; /stats itself never does.
	expectStatsRequests(t, server, 5)
	expectStatsRequests(t, server, 5)
}

// expectStatsRequests fetches /stats and checks its `requests` and that the runtime counters
// are present.
func expectStatsRequests(t *testing.T, server *httptest.Server, want int64) {
	t.Helper()
	status, body := fetch(t, server, "/stats")
	if status != http.StatusOK {
		t.Fatalf("GET /stats: status %d", status)
	}
	var stats map[string]int64
	if err := json.Unmarshal([]byte(body), &stats); err != nil {
		t.Fatalf("GET /stats: %q is not a JSON object of integers: %v", body, err)
	}
	if stats["requests"] != want {
		t.Errorf("GET /stats: %s, want requests=%d", body, want)
	}
	if stats["goroutines"] < 1 || stats["gomaxprocs"] < 1 {
		t.Errorf("GET /stats: %s lacks goroutines or gomaxprocs", body)
	}
}

// fetch GETs path from server and returns the status and body, failing the test unless the
// response carries a Content-Length equal to the body length and no Transfer-Encoding.
func fetch(t *testing.T, server *httptest.Server, path string) (int, string) {
	t.Helper()
	response, err := server.Client().Get(server.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", path, err)
	}
	if len(response.TransferEncoding) != 0 {
		t.Errorf("GET %s: Transfer-Encoding %v, want none", path, response.TransferEncoding)
	}
	if response.ContentLength != int64(len(body)) {
		t.Errorf("GET %s: Content-Length %d, body %d bytes", path, response.ContentLength, len(body))
	}
	return response.StatusCode, string(body)
}
