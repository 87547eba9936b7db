// firstresponse_test.go owns the test of the first-response server: /ping, /stats and a 404
// served through the real handler on one keep-alive connection, each framed by Content-Length.
// It must not weaken a contract body.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestFirstResponseEndpointsOnOneConnection(t *testing.T) {
	server := httptest.NewServer(newRoutedHandler(firstResponseRoutes()))
	defer server.Close()

	// One raw connection for every request: the server must keep it alive between them.
	conn, err := net.Dial("tcp", server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	reader := bufio.NewReader(conn)

	get := func(path string) (int, string) {
		t.Helper()
		if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		response, err := http.ReadResponse(reader, nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer response.Body.Close()
		body, err := io.ReadAll(response.Body)
		if err != nil {
			t.Fatalf("GET %s: reading body: %v", path, err)
		}
		if len(response.TransferEncoding) != 0 || response.ContentLength != int64(len(body)) {
			t.Errorf("GET %s: Transfer-Encoding %v, Content-Length %d, body %d bytes",
				path, response.TransferEncoding, response.ContentLength, len(body))
		}
		if response.Close {
			t.Errorf("GET %s: the server closes the connection", path)
		}
		return response.StatusCode, string(body)
	}

	if status, body := get("/ping"); status != http.StatusOK || body != "pong" {
		t.Errorf("GET /ping: %d %q, want 200 \"pong\"", status, body)
	}
	if status, _ := get("/nope"); status != http.StatusNotFound {
		t.Errorf("GET /nope: %d, want 404", status)
	}
	if status, _ := get("/ping/"); status != http.StatusNotFound {
		t.Errorf("GET /ping/: %d, want 404", status)
	}
	// /ping and both 404s count; /stats itself does not.
	for range 2 {
		status, body := get("/stats")
		var stats map[string]int64
		if err := json.Unmarshal([]byte(body), &stats); status != http.StatusOK || err != nil || stats["requests"] != 3 {
			t.Errorf("GET /stats: %d %q, want 200 with requests=3", status, body)
		}
	}
}
