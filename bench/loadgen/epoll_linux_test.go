package loadgen

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/valyala/fasthttp"
)

// epollRun drives the epoll engine at rate for d, GETs of urls picked at
// random, and returns what it collected.
func epollRun(t *testing.T, rate int, d time.Duration, urls ...string) *collector {
	t.Helper()
	return epollRunCapped(t, rate, maxOpenConns, d, urls...)
}

// epollRunCapped is epollRun with at most maxConns connections.
func epollRunCapped(t *testing.T, rate, maxConns int, d time.Duration, urls ...string) *collector {
	t.Helper()
	var reqs []request
	for _, u := range urls {
		reqs = append(reqs, request{method: "GET", url: u})
	}
	p := rawPlan("test", reqs)
	o := &options{rate: rate, conns: min(2, maxConns), maxConns: maxConns, timeout: 2 * time.Second}
	col := &collector{p: p}
	if !p.buildWires() {
		t.Fatal("not plain HTTP")
	}
	l, err := newLoop(p, o, &col.pacing, col.add)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	l.run(context.Background(), d)
	return col
}

// statuses is the collector's count of answers by status ("0": none, or
// a bad body).
func statuses(col *collector) map[string]int { return col.all.status }

func TestEpollSendsTheSchedule(t *testing.T) {
	url := testkit.Serve(t, func(c *fasthttp.RequestCtx) { c.SetBodyString(`{"ok":true}`) })
	col := epollRun(t, 2000, 250*time.Millisecond, url+"/a", url+"/b?x=1")
	s := col.pacing.schedule(maxOpenConns)
	if col.all.requests != 500 || col.all.success != 500 || s.Scheduled != 500 || s.Sent != 500 || s.Workers < 1 {
		t.Fatalf("requests %d, success %d, schedule %+v, errors %v", col.all.requests, col.all.success, s, col.all.errors)
	}
	if l := col.all.latencies.quantile(0.5); l <= 0 || l > time.Second {
		t.Fatalf("median latency %v", l)
	}
}

// A server slower than the schedule gets -max-connections connections at
// most: the requests beyond them wait, are answered late, and the run is
// reported saturated.
func TestEpollKeepsToMaxConnections(t *testing.T) {
	url := testkit.Serve(t, func(c *fasthttp.RequestCtx) {
		time.Sleep(20 * time.Millisecond)
		c.SetBodyString(`{"ok":true}`)
	})
	col := epollRunCapped(t, 500, 3, 200*time.Millisecond, url+"/a")
	s := col.pacing.schedule(3)
	if col.all.success != 100 || s.Workers != 3 || !s.Saturated {
		t.Fatalf("success %d, schedule %+v, errors %v", col.all.success, s, col.all.errors)
	}
	// 100 requests over 3 connections at 20 ms each take about 670 ms:
	// the last ones waited for a connection, and their latency shows it.
	if l := col.all.latencies.max(); l < 400*time.Millisecond {
		t.Fatalf("the slowest answer took %v: requests did not wait for a connection", l)
	}
}

func TestEpollCountsWrongAnswersAsFailed(t *testing.T) {
	url := testkit.Serve(t, func(c *fasthttp.RequestCtx) {
		switch string(c.Path()) {
		case "/status":
			c.SetStatusCode(fasthttp.StatusInternalServerError)
			c.SetBodyString(`{"name":"error"}`)
		case "/text":
			c.SetBodyString("not JSON")
		default:
			c.SetBodyString(`[]`)
		}
	})
	col := epollRun(t, 1000, 300*time.Millisecond, url+"/status", url+"/text", url+"/ok")
	st := statuses(col)
	if st["500"] == 0 || st["0"] == 0 || st["200"] == 0 || st["500"]+st["0"]+st["200"] != 300 {
		t.Fatalf("statuses %v", st)
	}
	if int(col.failed.Load()) != st["500"]+st["0"] || len(col.all.errors) != 2 {
		t.Fatalf("%d failed, errors %q", col.failed.Load(), col.all.errors)
	}
}

func TestEpollFollowsAServerThatClosesConnections(t *testing.T) {
	url := testkit.Serve(t, func(c *fasthttp.RequestCtx) {
		c.SetConnectionClose()
		c.SetBodyString(`{}`)
	})
	col := epollRun(t, 1000, 200*time.Millisecond, url+"/")
	if col.all.requests != 200 || col.all.success != 200 {
		t.Fatalf("requests %d, success %d, errors %v", col.all.requests, col.all.success, col.all.errors)
	}
}

// rawServer answers each request on a connection with answer's pieces,
// written apart (so that they arrive in separate reads), then closes the
// connection when closeAfter.
func rawServer(t *testing.T, closeAfter bool, pieces ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					for { // the request's head; GETs have no body
						line, err := r.ReadString('\n')
						if err != nil {
							return
						}
						if line == "\r\n" {
							break
						}
					}
					for _, p := range pieces {
						if _, err := c.Write([]byte(p)); err != nil {
							return
						}
						time.Sleep(2 * time.Millisecond)
					}
					if closeAfter {
						return
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

func TestEpollReadsAnswersCutAcrossReads(t *testing.T) {
	for name, pieces := range map[string][]string{
		"length":  {"HTTP/1.1 200 OK\r\nContent-Le", "ngth: 9\r\n\r", "\n{\"a\":", "[1]}"},
		"chunked": {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"", "\r\n5\r\n:[1]}\r", "\n0\r\n\r\n"},
	} {
		t.Run(name, func(t *testing.T) {
			url := rawServer(t, false, pieces...)
			col := epollRun(t, 200, 250*time.Millisecond, url+"/")
			if col.all.requests != 50 || col.all.success != 50 {
				t.Fatalf("requests %d, success %d, errors %v", col.all.requests, col.all.success, col.all.errors)
			}
			// Latency runs to the last piece, after the pauses of 2ms.
			if l := col.all.latencies.quantile(0.5); l < time.Duration(len(pieces)-1)*2*time.Millisecond {
				t.Fatalf("median latency %v, under the server's pauses", l)
			}
		})
	}
}

func TestEpollHandlesServersThatCloseUnannounced(t *testing.T) {
	// Answered, then closed without Connection: close: the next
	// requests go on other connections.
	url := rawServer(t, true, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
	col := epollRun(t, 500, 200*time.Millisecond, url+"/")
	if col.all.requests != 100 || col.all.success != 100 {
		t.Fatalf("requests %d, success %d, errors %v", col.all.requests, col.all.success, col.all.errors)
	}
	// Closed before the answer's end: every request fails, none is lost.
	url = rawServer(t, true, "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{}")
	col = epollRun(t, 500, 200*time.Millisecond, url+"/")
	if col.all.requests != 100 || col.all.success != 0 || !strings.Contains(strings.Join(col.all.errors, ";"), "closed") {
		t.Fatalf("requests %d, success %d, errors %v", col.all.requests, col.all.success, col.all.errors)
	}
}

func TestEpollFailsRequestsNobodyAnswers(t *testing.T) {
	addr := testkit.FreeAddr(t) // nothing listens there
	col := epollRun(t, 500, 100*time.Millisecond, "http://"+addr+"/")
	if col.all.requests != 50 || col.all.success != 0 || !strings.Contains(strings.Join(col.all.errors, ";"), "dial") {
		t.Fatalf("requests %d, success %d, errors %v", col.all.requests, col.all.success, col.all.errors)
	}
}
