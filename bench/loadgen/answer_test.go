package loadgen

import (
	"fmt"
	"strings"
	"testing"
)

// wantAnswer is what answer must read of one response.
type wantAnswer struct {
	method string
	code   int
	json   bool
	close  bool
	body   string // kept for a POST only
}

// A stream of answers, several of one kind of framing each, cut at every
// size of read: each answer ends where it should, whatever the reads.
func TestAnswerReadsAStreamCutAnywhere(t *testing.T) {
	stream := "HTTP/1.1 100 Continue\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n {} " +
		"HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\n{\"a\r\n5\r\n\":1} \r\n0\r\nX-Trailer: y\r\n\r\n" +
		"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!" +
		"HTTP/1.1 204 No Content\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n[1,2,3]" +
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, Close\r\n\r\n[]"
	want := []wantAnswer{
		{"GET", 200, true, false, ""},
		{"POST", 201, true, false, `{"a":1} `},
		{"GET", 500, false, false, ""},
		{"DELETE", 204, false, false, ""},
		{"HEAD", 200, false, false, ""}, // Content-Length of the GET it would be, no body
		{"GET", 200, true, true, ""},
	}
	// The HEAD's answer has no body: take the 7 bytes out of the stream.
	stream = strings.Replace(stream, "[1,2,3]", "", 1)
	for size := 1; size <= len(stream); size++ {
		var a answer
		i := 0
		a.reset(want[0].method)
		for off := 0; off < len(stream); off += size {
			data := []byte(stream[off:min(off+size, len(stream))])
			for len(data) > 0 {
				n, done, err := a.feed(data)
				if err != nil {
					t.Fatalf("reads of %d: answer %d: %v", size, i, err)
				}
				data = data[n:]
				if !done {
					continue
				}
				w := want[i]
				if a.code != w.code || a.jsonDocument() != w.json || a.close != w.close || w.method == "POST" && string(a.body) != w.body {
					t.Fatalf("reads of %d: answer %d: code %d json %v close %v body %q; want %+v",
						size, i, a.code, a.jsonDocument(), a.close, a.body, w)
				}
				if i++; i == len(want) {
					if len(data) > 0 || off+size < len(stream) {
						t.Fatalf("reads of %d: bytes left after the last answer", size)
					}
					break
				}
				a.reset(want[i].method)
			}
		}
		if i != len(want) {
			t.Fatalf("reads of %d: %d answers of %d", size, i, len(want))
		}
	}
}

func TestAnswerEndsWithTheConnection(t *testing.T) {
	for _, tc := range []struct{ head, body string }{
		{"HTTP/1.0 200 OK\r\n\r\n", `{"x": 1}`},
		{"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", `[]`},
	} {
		var a answer
		a.reset("GET")
		n, done, err := a.feed([]byte(tc.head + tc.body))
		if err != nil || done || n != len(tc.head)+len(tc.body) {
			t.Fatalf("%q: n %d done %v err %v", tc.head, n, done, err)
		}
		if !a.eof() || !a.close || a.code != 200 || !a.jsonDocument() {
			t.Fatalf("%q: at the end: code %d close %v json %v", tc.head, a.code, a.close, a.jsonDocument())
		}
	}
	var a answer
	a.reset("GET")
	a.feed([]byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}"))
	if a.eof() || !a.started() {
		t.Fatal("an answer cut short ended with the connection")
	}
}

func TestAnswerRefusesGarbage(t *testing.T) {
	for _, s := range []string{
		"HTTP/2 200 OK\r\n\r\n",
		"SSH-2.0-OpenSSH_9.6\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Long: "+strings.Repeat("a", 1000)+"\r\n", 70),
	} {
		var a answer
		a.reset("GET")
		if _, _, err := a.feed([]byte(s)); err == nil {
			t.Errorf("%.40q: no error", s)
		}
	}
}

func TestAnswerChecksTheBodyAsTheClientDoes(t *testing.T) {
	for _, body := range []string{"{}", " [1] \n", "{", "x", "", "  ", `{"a":1}x`, "[}", "\t{\"a\":[]}\r\n"} {
		for _, cut := range []int{0, min(1, len(body)), len(body) / 2, len(body)} {
			var a answer
			a.reset("GET")
			a.feed(fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:cut]))
			_, done, _ := a.feed([]byte(body[cut:]))
			if !done && body != "" {
				t.Fatalf("%q: not done", body)
			}
			if got, want := a.jsonDocument(), jsonDocument([]byte(body)); got != want {
				t.Errorf("%q cut at %d: %v, want %v", body, cut, got, want)
			}
		}
	}
}

func TestWireIsTheRequestTheClientSends(t *testing.T) {
	get := request{method: "GET", url: "http://127.0.0.1:3000/api/v1/product?sort[price]=-1#x", auth: true}
	w := newWire(&get, "ApiKey k")
	want := "GET /api/v1/product?sort[price]=-1 HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nUser-Agent: aposproxy-bench\r\nAuthorization: ApiKey k\r\n\r\n"
	if w.addr != "127.0.0.1:3000" || w.https || string(w.bytes) != want {
		t.Fatalf("%s %v %q", w.addr, w.https, w.bytes)
	}
	post := request{method: "POST", url: "https://example.com?aposLocale=en", body: []byte(`{}`), header: map[string][]string{"X-A": {"1"}}}
	w = newWire(&post, "ApiKey k")
	want = "POST /?aposLocale=en HTTP/1.1\r\nHost: example.com\r\nUser-Agent: aposproxy-bench\r\nX-A: 1\r\n" +
		"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
	if w.addr != "example.com:443" || !w.https || string(w.bytes) != want {
		t.Fatalf("%s %v %q", w.addr, w.https, w.bytes)
	}
}
