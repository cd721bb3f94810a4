//go:build !unix

package upstream

import "net"

// peerClosed cannot peek without waiting on this system: a connection the
// service closed while idle is found when the request fails, and only
// requests safe to repeat are sent again.
func peerClosed(net.Conn) bool { return false }
