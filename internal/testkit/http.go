package testkit

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Response is one HTTP exchange's outcome.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Do sends a request and reads the whole answer. A body is sent as JSON;
// headers are name, value pairs, set last (APIKey and Bearer make them).
func Do(tb testing.TB, method, url, body string, headers ...string) Response {
	tb.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// APIKey is the header that sends key, or none for "" (anonymous).
func APIKey(key string) []string {
	if key == "" {
		return nil
	}
	return []string{"Authorization", "ApiKey " + key}
}

// Bearer is the header that sends a bearer token.
func Bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }
