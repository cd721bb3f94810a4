package upstream

import (
	"bytes"
	"errors"
	"net"
	"sync/atomic"
	"time"
)

// errIdleClosed is the error of a request that was about to be written on
// a pooled connection the service had already closed: nothing was sent, so
// the request can go again on a fresh connection, whatever its method.
var errIdleClosed = errors.New("the service had closed the idle connection; nothing was sent")

// liveConn is a pooled connection that checks, before writing a request
// after an answer, that the service has not closed it meanwhile. Servers
// close idle keep-alive connections on their own schedule (Node after 5s);
// a request written on such a connection would fail after the fact, with
// no way to tell whether the service got it.
//
// The check is a system call, and a request under load reuses a
// connection that answered a moment ago: a read (GET or HEAD) on a
// connection whose previous request began less than recentUse ago goes
// out unchecked. A service closes a connection that busy only when it
// stops (a restart) or without saying so after an answer, both rare; the
// read then fails with nothing answered and Client.send sends it once
// more, and every request checks its connection for the next recheckFor,
// so that the other connections of a stopped service are found closed
// before anything is written on them.
type liveConn struct {
	net.Conn
	// check is set once an answer has been read: the next write starts a
	// new request on a connection that may have sat idle.
	check bool
	// started is when the connection's previous request was written.
	started time.Time
	// recheck is the client's: until when (Unix nanoseconds) every
	// request checks its connection.
	recheck *atomic.Int64
	// readDeadline and writeDeadline are the deadlines set on Conn
	// (deadline.go).
	readDeadline, writeDeadline lazyDeadline
	peerState
	awaitState
}

const (
	// recentUse is how recently a connection must have started a request
	// for a read to skip the check: well below any service's keep-alive
	// timeout, well above the time between two requests under load.
	recentUse = 50 * time.Millisecond
	// recheckFor is how long every request checks its connection after
	// one was found closed.
	recheckFor = time.Second
)

func (c *liveConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.check = true
	}
	return n, err
}

func (c *liveConn) Write(b []byte) (int, error) {
	switch {
	case c.check:
		c.check = false
		now := time.Now()
		recent := now.Sub(c.started) < recentUse && now.UnixNano() >= c.recheck.Load() && safeRequest(b)
		c.started = now
		if !recent && c.peerClosed() {
			// The service may have closed the others too.
			c.recheck.Store(now.Add(recheckFor).UnixNano())
			return 0, errIdleClosed
		}
	case c.started.IsZero(): // the first request of a new connection
		c.started = time.Now()
	default: // the rest of a request
		return c.Conn.Write(b)
	}
	if wholeRead(b) {
		return c.writeAwaiting(b)
	}
	return c.Conn.Write(b)
}

// wholeRead reports whether b is the whole of a GET or HEAD without a
// body: its head, ending with the blank line.
func wholeRead(b []byte) bool {
	return safeRequest(b) && bytes.HasSuffix(b, []byte("\r\n\r\n"))
}

// safeRequest reports whether b begins a GET or HEAD, which may be sent
// again.
func safeRequest(b []byte) bool {
	return bytes.HasPrefix(b, []byte("GET ")) || bytes.HasPrefix(b, []byte("HEAD "))
}
