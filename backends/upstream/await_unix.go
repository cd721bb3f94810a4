//go:build unix

package upstream

import "syscall"

// writeAwaiting writes b, the whole of a GET or HEAD on a connection with
// nothing left to read, and returns once the service's answer can be read
// (or the write deadline passed, or the connection failed: the read that
// follows finds out).
//
// A read right after writing a request finds nothing yet: the system call
// fails with EAGAIN and only then does the goroutine wait for the answer,
// one wasted system call per call. Waiting first is safe only when the
// runtime's readiness flag was cleared before the request went out (an
// answer that arrived in between would be missed), which is what
// RawConn.Read does before calling its function: the write happens
// inside it, then the function reports "not done" and the runtime waits
// until the connection is readable. The wait is bounded by the call's
// write deadline, never later than its read deadline (both come from
// read_timeout and the call's deadline).
func (c *liveConn) writeAwaiting(b []byte) (int, error) {
	raw := c.rawConn()
	until := c.writeDeadline.asked
	if raw == nil || until.IsZero() || c.SetReadDeadline(until) != nil {
		return c.Conn.Write(b)
	}
	if c.await == nil {
		c.await = func(uintptr) bool {
			if c.pending == nil {
				return true // readable: the answer is there
			}
			c.written, c.writeErr = c.Conn.Write(c.pending)
			c.pending = nil
			return c.writeErr != nil
		}
	}
	c.pending, c.written, c.writeErr = b, 0, nil
	_ = raw.Read(c.await) // a timeout or error shows again on the read
	c.pending = nil
	return c.written, c.writeErr
}

// rawConn is the connection's syscall.RawConn, made once, or nil.
func (c *liveConn) rawConn() syscall.RawConn {
	if c.raw == nil {
		sc, ok := c.Conn.(syscall.Conn)
		if !ok {
			return nil
		}
		raw, err := sc.SyscallConn()
		if err != nil {
			return nil
		}
		c.raw = raw
	}
	return c.raw
}

// awaitState is what writeAwaiting keeps per connection, so that a call
// allocates nothing.
type awaitState struct {
	await    func(uintptr) bool
	pending  []byte
	written  int
	writeErr error
}
