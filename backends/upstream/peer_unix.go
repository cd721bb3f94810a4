//go:build unix

package upstream

import (
	"errors"
	"net"
	"syscall"
)

// peerClosed reports whether the peer of conn has closed or reset it,
// without waiting and without consuming anything: a peek that finds the
// end of the stream or an error. Pending data is not a close (a TLS peer
// may send a session ticket at any time).
func peerClosed(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == nil:
			closed = n == 0
		case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EWOULDBLOCK), errors.Is(err, syscall.EINTR):
		default:
			closed = true
		}
		return true
	})
	return err == nil && closed
}
