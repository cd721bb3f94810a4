//go:build unix

package upstream

import (
	"errors"
	"syscall"
)

// peerClosed reports whether the peer of conn has closed or reset it,
// without waiting and without consuming anything: a peek that finds the
// end of the stream or an error. Pending data is not a close (a TLS peer
// may send a session ticket at any time). The raw connection and the peek
// are made once per connection, on its first check, so that a check
// allocates nothing.
func (c *liveConn) peerClosed() bool {
	raw := c.rawConn()
	if raw == nil {
		return false
	}
	if c.peek == nil {
		c.peek = func(fd uintptr) bool {
			n, _, err := syscall.Recvfrom(int(fd), c.peekBuf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			switch {
			case err == nil:
				c.closed = n == 0
			case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EWOULDBLOCK), errors.Is(err, syscall.EINTR):
			default:
				c.closed = true
			}
			return true
		}
	}
	c.closed = false
	return raw.Read(c.peek) == nil && c.closed
}

// peerState is what peerClosed keeps per connection (raw is rawConn's).
type peerState struct {
	raw     syscall.RawConn
	peek    func(fd uintptr) bool
	peekBuf [1]byte
	closed  bool
}
