package upstream

import (
	"errors"
	"net"
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
type liveConn struct {
	net.Conn
	// check is set once an answer has been read: the next write starts a
	// new request on a connection that may have sat idle.
	check bool
	peerState
}

func (c *liveConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.check = true
	}
	return n, err
}

func (c *liveConn) Write(b []byte) (int, error) {
	if c.check {
		c.check = false
		if c.peerClosed() {
			return 0, errIdleClosed
		}
	}
	return c.Conn.Write(b)
}
