//go:build !unix

package upstream

// writeAwaiting writes b: on this system, the read that follows waits for
// the answer.
func (c *liveConn) writeAwaiting(b []byte) (int, error) { return c.Conn.Write(b) }

// awaitState is what writeAwaiting keeps per connection: nothing here.
type awaitState struct{}
