package auth_test

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkRequest measures what authenticating costs a GET over loopback:
// a bearer token or a session is one store read and one users-table read
// (both SQLite here) on top of the anonymous request, the baseline.
func BenchmarkRequest(b *testing.B) {
	s := start(b, "1h", "")
	token := s.login(b)
	for _, c := range []struct{ name, header, value string }{
		{"anonymous", "", ""},
		{"bearer", "Authorization", "Bearer " + token},
	} {
		b.Run(c.name, func(b *testing.B) {
			req, _ := http.NewRequest("GET", s.base+"/note", nil)
			if c.header != "" {
				req.Header.Set(c.header, c.value)
			}
			for b.Loop() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatal(resp.Status)
				}
			}
		})
	}
}
