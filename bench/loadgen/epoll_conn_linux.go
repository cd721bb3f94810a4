package loadgen

import (
	"errors"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The epoll engine's connections (epoll_linux.go runs the loop): how a
// request finds one, how one is opened, written, read and closed, and
// what becomes of its request when it ends.

// endpoint is one address the requests go to, and its connections.
type endpoint struct {
	addr       string
	sa         unix.Sockaddr
	family     int
	err        error   // resolving the address failed
	idle       []*conn // connections with nothing in flight
	queue      []pending
	connecting int
}

// conn is one connection, with at most one request in flight.
type conn struct {
	fd, gen    int32
	ep         *endpoint
	connecting bool
	idle       bool
	busy       bool
	closed     bool
	since      time.Duration // when the connect or the request in flight started
	cur        pending
	out        []byte // the rest of the request to write
	ans        answer
	retry      *pending      // the request this connection was opened for, until it is open
	served     int           // answers read
	rx         time.Duration // when the last bytes read arrived, since start
}

// dispatch takes up the request due at at: it goes on an idle connection,
// or waits for one (a new one is opened when the pool can grow).
func (l *loop) dispatch(at time.Duration) {
	r, _ := l.p.pick()
	w := r.wire
	if w == nil {
		w = newWire(&r, l.p.cred) // a write: its body changes every time
	}
	ep := l.endpoint(w.addr)
	pd := pending{due: at, r: r, w: w}
	if ep.err != nil {
		l.fail(&pd, "dial: "+ep.err.Error())
		return
	}
	if n := len(ep.idle); n > 0 {
		c := ep.idle[n-1] // the most recently used: its cache lines are warm
		ep.idle, c.idle = ep.idle[:n-1], false
		l.send(c, pd)
		return
	}
	ep.queue = append(ep.queue, pd)
	l.waiting++
	l.grow(ep)
}

// grow opens connections for the requests waiting on ep, one each, up to
// -max-connections in all.
func (l *loop) grow(ep *endpoint) {
	for ep.connecting < len(ep.queue) && l.open < l.o.maxConns {
		l.connect(ep, nil)
	}
}

// connect starts opening a connection to ep, for the requests waiting
// there or, given one (retry), for that request alone; the end of the
// opening is an event.
func (l *loop) connect(ep *endpoint, retry *pending) {
	fd, err := unix.Socket(ep.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		l.dialFailed(ep, retry, err)
		return
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) // see run
	if err := unix.Connect(fd, ep.sa); err != nil && !errors.Is(err, unix.EINPROGRESS) {
		unix.Close(fd)
		l.dialFailed(ep, retry, err)
		return
	}
	l.gen++
	c := &conn{fd: int32(fd), gen: l.gen, ep: ep, connecting: true, since: l.now(), retry: retry}
	// Edge-triggered: an event each time bytes arrive or the connection
	// opens, ends or can be written again, with no epoll_ctl to change
	// what is watched.
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET, Fd: c.fd, Pad: c.gen}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		unix.Close(fd)
		l.dialFailed(ep, retry, err)
		return
	}
	for len(l.conns) <= fd {
		l.conns = append(l.conns, nil)
	}
	l.conns[fd] = c
	if retry == nil {
		ep.connecting++
	}
	l.open++
	l.peak = max(l.peak, l.open)
}

// dialFailed fails retry, or else the first request waiting on ep if
// any, with err: as with a client library, a request whose connection
// cannot be opened fails.
func (l *loop) dialFailed(ep *endpoint, retry *pending, err error) {
	if retry != nil {
		l.retrying--
		l.fail(retry, "dial: "+err.Error())
		return
	}
	if len(ep.queue) == 0 {
		return
	}
	pd := ep.queue[0]
	ep.queue = ep.queue[1:]
	l.waiting--
	l.fail(&pd, "dial: "+err.Error())
}

// event handles what epoll says of c.
func (l *loop) event(c *conn, ev uint32) {
	if c.connecting {
		l.connected(c, ev)
		return
	}
	if ev&unix.EPOLLOUT != 0 && len(c.out) > 0 {
		l.write(c)
	}
	if ev&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 && !c.closed {
		l.read(c, ev&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0)
	}
}

// connected ends the opening of c: it takes a waiting request, or joins
// the idle ones.
func (l *loop) connected(c *conn, ev uint32) {
	if ev&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
		return
	}
	c.connecting = false
	if c.retry == nil {
		c.ep.connecting--
	}
	errno, err := unix.GetsockoptInt(int(c.fd), unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && errno != 0 {
		err = unix.Errno(errno)
	}
	if err != nil {
		l.closeConn(c)
		l.dialFailed(c.ep, c.retry, err)
		l.grow(c.ep)
		return
	}
	if pd := c.retry; pd != nil {
		c.retry = nil
		l.retrying--
		l.send(c, *pd)
		return
	}
	l.ready(c)
}

// ready gives an open connection with nothing in flight the oldest
// waiting request, or makes it idle.
func (l *loop) ready(c *conn) {
	ep := c.ep
	if len(ep.queue) > 0 {
		pd := ep.queue[0]
		ep.queue = ep.queue[1:]
		l.waiting--
		l.send(c, pd)
		return
	}
	c.idle = true
	ep.idle = append(ep.idle, c)
}

// send writes pd on c.
func (l *loop) send(c *conn, pd pending) {
	c.cur, c.busy, c.out, c.since = pd, true, pd.w.bytes, l.now()
	c.ans.reset(pd.r.method)
	l.busy++
	l.write(c)
}

// write writes what is left of c's request; the rest, if the socket's
// buffer is full, when epoll says it can take more.
func (l *loop) write(c *conn) {
	for len(c.out) > 0 {
		n, err := unix.Write(int(c.fd), c.out)
		switch {
		case n > 0:
			c.out = c.out[n:]
		case err == unix.EAGAIN:
			return
		case err != unix.EINTR:
			l.lost(c, err)
			return
		}
	}
}

// read reads what c has received, and parses it. Edge-triggered epoll
// reports new bytes once: read until a read comes back short (the socket
// is then empty), and when the peer closed (hup), until the end.
func (l *loop) read(c *conn, hup bool) {
	for !c.closed {
		n, oobn, _, _, err := unix.Recvmsg(int(c.fd), l.buf, l.oob[:], 0)
		switch {
		case n > 0:
			c.rx = l.received(oobn)
			l.parse(c, l.buf[:n])
			if n < len(l.buf) && !hup {
				return
			}
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR:
		default: // 0, the end, or an error
			l.lost(c, err)
			return
		}
	}
}

// received is when the bytes of the last recvmsg arrived, since start:
// the kernel's timestamp of the last of them, in its control message
// (oobn bytes of l.oob), or now when it has none.
func (l *loop) received(oobn int) time.Duration {
	h := (*unix.Cmsghdr)(unsafe.Pointer(&l.oob[0]))
	if oobn < unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{}))) || h.Level != unix.SOL_SOCKET || h.Type != unix.SCM_TIMESTAMPNS {
		return l.now()
	}
	ts := (*unix.Timespec)(unsafe.Pointer(&l.oob[unix.CmsgLen(0)]))
	return min(time.Duration(ts.Nano()-l.wallBase), l.now())
}

// parse feeds the bytes c received to its answer.
func (l *loop) parse(c *conn, data []byte) {
	for len(data) > 0 && !c.closed {
		if !c.busy {
			l.closeConn(c) // bytes no request asked for: the stream is lost
			l.grow(c.ep)
			return
		}
		n, done, err := c.ans.feed(data)
		data = data[n:]
		switch {
		case err != nil:
			l.failConn(c, "a malformed answer: "+err.Error())
		case done:
			l.answered(c)
		}
	}
}

// answered records the answer c has read, and passes c on to a waiting
// request (or closes it, when the answer said so).
func (l *loop) answered(c *conn) {
	pd := c.cur
	// No earlier than the request was sent: the wall clock behind the
	// timestamp may have been stepped.
	res := result{method: pd.r.method, url: pd.r.url, latency: max(c.rx, c.since) - pd.due}
	res.judge(pd.r.method, c.ans.code, c.ans.jsonDocument())
	if pd.r.method == "POST" {
		res.body = append([]byte(nil), c.ans.body...)
	}
	c.busy, c.cur = false, pending{}
	l.busy--
	c.served++
	if c.ans.close {
		l.closeConn(c)
		l.grow(c.ep)
	} else {
		l.ready(c) // the next request goes out before this one is counted
	}
	l.record(&res)
}

// lost handles the end of c, or an error on it. A request whose answer
// had not begun, on a connection that had answered before (which the
// server may close between two requests as it pleases, and the loop sees
// it only at its next wake), is sent again once if it is a read, on a
// new connection (which cannot have been closed that way); any other
// request in flight fails.
func (l *loop) lost(c *conn, err error) {
	switch {
	case !c.busy:
	case c.ans.eof():
		c.ans.close = true
		l.answered(c)
		return
	case !c.ans.started() && c.served > 0 && !c.cur.retried && (c.cur.r.method == "GET" || c.cur.r.method == "HEAD"):
		pd := c.cur
		pd.retried = true
		c.busy = false
		l.busy--
		l.closeConn(c)
		l.retrying++
		l.connect(c.ep, &pd)
		return
	default:
		msg := "the server closed the connection before the answer's end"
		if err != nil {
			msg = err.Error()
		}
		l.failConn(c, msg)
		return
	}
	l.closeConn(c)
	l.grow(c.ep)
}

// failConn fails c's request with msg and closes c.
func (l *loop) failConn(c *conn, msg string) {
	if c.busy {
		pd := c.cur
		c.busy = false
		l.busy--
		l.fail(&pd, msg)
	}
	l.closeConn(c)
	l.grow(c.ep)
}

// fail records pd as failed, with no answer.
func (l *loop) fail(pd *pending, msg string) {
	l.record(&result{method: pd.r.method, url: pd.r.url, latency: l.now() - pd.due, err: msg})
}

// closeConn closes c (which has nothing in flight).
func (l *loop) closeConn(c *conn) {
	if c.closed {
		return
	}
	c.closed = true
	unix.Close(int(c.fd))
	l.conns[c.fd] = nil
	l.open--
	if c.connecting && c.retry == nil {
		c.ep.connecting--
	}
	if c.idle {
		ep := c.ep
		for i, x := range ep.idle {
			if x == c {
				ep.idle = append(ep.idle[:i], ep.idle[i+1:]...)
				break
			}
		}
	}
}

// expire fails the requests in flight for longer than -timeout, and gives
// up the connections that take that long to open.
func (l *loop) expire(now time.Duration) {
	if now < l.checkAt {
		return
	}
	l.checkAt = now + checkEvery
	for _, c := range l.conns {
		switch {
		case c == nil || now-c.since <= l.o.timeout:
		case c.busy:
			l.failConn(c, "timeout: no answer within -timeout")
		case c.connecting:
			l.closeConn(c)
			l.dialFailed(c.ep, c.retry, errors.New("timeout"))
			l.grow(c.ep)
		}
	}
}
