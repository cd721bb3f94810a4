package sqldb

import (
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestBoundedDialer checks that the dialer of bounded PostgreSQL pools
// sets TCP_USER_TIMEOUT and keepalive on its connections.
func TestBoundedDialer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := boundedDialer(5020*time.Millisecond).DialContext(t.Context(), "tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var user, keep, idle int
	var gerr error
	_ = raw.Control(func(fd uintptr) {
		if user, gerr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT); gerr != nil {
			return
		}
		if keep, gerr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_KEEPALIVE); gerr != nil {
			return
		}
		idle, gerr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_KEEPIDLE)
	})
	if gerr != nil {
		t.Fatal(gerr)
	}
	if user != 5020 || keep == 0 || idle != 3 {
		t.Errorf("TCP_USER_TIMEOUT %dms, SO_KEEPALIVE %d, TCP_KEEPIDLE %ds; want 5020ms, on, 3s", user, keep, idle)
	}
}
