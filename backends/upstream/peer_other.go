//go:build !unix

package upstream

// peerClosed cannot peek without waiting on this system: a connection the
// service closed while idle is found when the request fails, and only
// requests safe to repeat are sent again.
func (c *liveConn) peerClosed() bool { return false }

// peerState is what peerClosed keeps per connection: nothing here.
type peerState struct{}
