package loadgen

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"
	"golang.org/x/sys/unix"
)

// runOpen is the open model on Linux: the epoll engine (open.go says why),
// or the worker model for what it cannot send (HTTPS).
func runOpen(ctx context.Context, c *fasthttp.Client, p *plan, o *options, d time.Duration, pc *pacing, record func(*result)) {
	if !p.buildWires() {
		runWorkers(ctx, c, p, o, d, pc, record)
		return
	}
	l, err := newLoop(p, o, pc, record)
	if err != nil {
		runWorkers(ctx, c, p, o, d, pc, record)
		return
	}
	defer l.close()
	l.run(ctx, d)
}

// loop is the epoll engine: one goroutine, its connections and a timerfd
// in an epoll set of its own. Everything here runs on that goroutine.
type loop struct {
	epfd, tfd int
	events    [256]unix.EpollEvent
	buf       []byte  // what a read(2) fills
	conns     []*conn // by file descriptor
	eps       []*endpoint
	gen       int32 // numbers the connections, so that an event finds its own

	p      *plan
	o      *options
	pc     *pacing
	record func(*result)
	start  time.Time

	open, busy, waiting, peak int
	// armedFor is the time (since start) the timer is set for, -1 for
	// none; fired says it went off since it was last set.
	armedFor time.Duration
	fired    bool
	checkAt  time.Duration // when to look for requests past -timeout next
}

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

// pending is a request taken up from the schedule.
type pending struct {
	due     time.Duration // its time in the schedule, since start
	r       request
	w       *wire
	retried bool // sent again after its connection closed unanswered
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
	served     int // answers read
}

// checkEvery is how often requests in flight are compared with -timeout.
const checkEvery = 100 * time.Millisecond

// newLoop makes the epoll set, its timer and the endpoints of p's
// requests.
func newLoop(p *plan, o *options, pc *pacing, record func(*result)) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	tfd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	l := &loop{epfd: epfd, tfd: tfd, buf: make([]byte, 64<<10), p: p, o: o, pc: pc, record: record, armedFor: -1}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(tfd), Pad: -1}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, tfd, &ev); err != nil {
		l.close()
		return nil, err
	}
	for _, pool := range p.pools {
		for i := range pool {
			l.endpoint(pool[i].wire.addr)
		}
	}
	return l, nil
}

// close closes every connection, the timer and the epoll set.
func (l *loop) close() {
	for _, c := range l.conns {
		if c != nil {
			unix.Close(int(c.fd))
		}
	}
	unix.Close(l.tfd)
	unix.Close(l.epfd)
}

// endpoint finds or adds the endpoint of addr (a run has one, or a few
// with a -targets file).
func (l *loop) endpoint(addr string) *endpoint {
	for _, ep := range l.eps {
		if ep.addr == addr {
			return ep
		}
	}
	ep := &endpoint{addr: addr}
	a, err := net.ResolveTCPAddr("tcp", addr)
	switch {
	case err != nil:
		ep.err = err
	case a.IP.To4() != nil:
		ep.family, ep.sa = unix.AF_INET, &unix.SockaddrInet4{Port: a.Port, Addr: [4]byte(a.IP.To4())}
	default:
		ep.family, ep.sa = unix.AF_INET6, &unix.SockaddrInet6{Port: a.Port, Addr: [16]byte(a.IP.To16())}
	}
	l.eps = append(l.eps, ep)
	return ep
}

// now is the time since the start of the schedule.
func (l *loop) now() time.Duration { return time.Since(l.start) }

// run sends o.rate requests a second for d, or until ctx ends, and waits
// for their answers.
func (l *loop) run(ctx context.Context, d time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := processCPU()
	l.connectFirst()
	interval := float64(time.Second) / float64(l.o.rate)
	total := int(d.Seconds() * float64(l.o.rate))
	l.pc.scheduled.Add(uint64(total))
	l.start = time.Now()
	l.checkAt = checkEvery
	for next := 0; ; {
		if ctx.Err() != nil {
			total = next // sends no more: the run is reported cut short
		}
		// Every request whose time has come goes now, however late the
		// loop woke.
		for ; next < total; next++ {
			at, now := time.Duration(float64(next)*interval), l.now()
			if at > now {
				break
			}
			l.pc.lag.record(now - at)
			l.dispatch(at)
		}
		if next == total && l.busy == 0 && l.waiting == 0 {
			break
		}
		wake := l.checkAt // requests in flight or waiting: the timeouts
		if next < total && (l.busy == 0 && l.waiting == 0 || time.Duration(float64(next)*interval) < wake) {
			wake = time.Duration(float64(next) * interval)
		}
		l.wait(wake)
		if now := l.now(); now >= l.checkAt {
			l.expire(now)
			l.checkAt = now + checkEvery
		}
	}
	l.pc.workers = max(l.pc.workers, l.peak)
	l.pc.cpu += processCPU() - cpu0
}

// connectFirst opens -connections connections to each endpoint before the
// schedule starts, and waits (up to -timeout) until they are open, so
// that the first requests do not wait for them.
func (l *loop) connectFirst() {
	l.start = time.Now()
	for _, ep := range l.eps {
		for range min(l.o.conns, maxOpenConns-l.open) {
			l.connect(ep)
		}
	}
	for l.connecting() > 0 && l.now() < l.o.timeout {
		l.wait(l.now() + checkEvery)
	}
	for _, c := range l.conns {
		if c != nil && c.connecting {
			l.closeConn(c)
		}
	}
}

// connecting counts the connections being opened.
func (l *loop) connecting() int {
	n := 0
	for _, ep := range l.eps {
		n += ep.connecting
	}
	return n
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
// maxOpenConns in all.
func (l *loop) grow(ep *endpoint) {
	for ep.connecting < len(ep.queue) && l.open < maxOpenConns {
		l.connect(ep)
	}
}

// connect starts opening a connection to ep; its end is an event.
func (l *loop) connect(ep *endpoint) {
	fd, err := unix.Socket(ep.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		l.dialFailed(ep, err)
		return
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if err := unix.Connect(fd, ep.sa); err != nil && !errors.Is(err, unix.EINPROGRESS) {
		unix.Close(fd)
		l.dialFailed(ep, err)
		return
	}
	l.gen++
	c := &conn{fd: int32(fd), gen: l.gen, ep: ep, connecting: true, since: l.now()}
	// Edge-triggered: an event each time bytes arrive or the connection
	// opens, ends or can be written again, with no epoll_ctl to change
	// what is watched.
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET, Fd: c.fd, Pad: c.gen}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		unix.Close(fd)
		l.dialFailed(ep, err)
		return
	}
	for len(l.conns) <= fd {
		l.conns = append(l.conns, nil)
	}
	l.conns[fd] = c
	ep.connecting++
	l.open++
	l.peak = max(l.peak, l.open)
}

// dialFailed fails the first request waiting on ep, if any, with err: as
// with a client library, a request whose connection cannot be opened
// fails.
func (l *loop) dialFailed(ep *endpoint, err error) {
	if len(ep.queue) == 0 {
		return
	}
	pd := ep.queue[0]
	ep.queue = ep.queue[1:]
	l.waiting--
	l.fail(&pd, "dial: "+err.Error())
}

// wait sleeps until wake (since start; -1 for no time) or until a
// connection is ready, and handles what is ready.
func (l *loop) wait(wake time.Duration) {
	msec := -1
	if now := l.now(); wake >= 0 && wake <= now {
		msec = 0
	} else if wake >= 0 && (wake != l.armedFor || l.fired) {
		// A timerfd, not epoll's timeout: that one counts whole
		// milliseconds.
		spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(wake - now))}
		if unix.TimerfdSettime(l.tfd, 0, &spec, nil) == nil {
			l.armedFor, l.fired = wake, false
		} else {
			msec = 1
		}
	}
	n, err := epollWait(l.epfd, l.events[:], msec)
	if err != nil {
		return // EINTR
	}
	for i := range n {
		ev := &l.events[i]
		if ev.Fd == int32(l.tfd) {
			l.fired = true
			continue
		}
		if int(ev.Fd) < len(l.conns) {
			if c := l.conns[ev.Fd]; c != nil && c.gen == ev.Pad {
				l.event(c, ev.Events)
			}
		}
	}
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
	c.ep.connecting--
	errno, err := unix.GetsockoptInt(int(c.fd), unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && errno != 0 {
		err = unix.Errno(errno)
	}
	if err != nil {
		l.closeConn(c)
		l.dialFailed(c.ep, err)
		l.grow(c.ep)
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
		n, err := unix.Read(int(c.fd), l.buf)
		switch {
		case n > 0:
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
	res := result{method: pd.r.method, url: pd.r.url, latency: l.now() - pd.due}
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
// server may close between two requests as it pleases), is sent again
// once if it is a read; any other request in flight fails.
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
		c.ep.queue = append([]pending{pd}, c.ep.queue...)
		l.waiting++
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
	if c.connecting {
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
	for _, c := range l.conns {
		switch {
		case c == nil || now-c.since <= l.o.timeout:
		case c.busy:
			l.failConn(c, "timeout: no answer within -timeout")
		case c.connecting:
			l.closeConn(c)
			l.dialFailed(c.ep, errors.New("timeout"))
			l.grow(c.ep)
		}
	}
}

// epollWait is epoll_wait(2) made without telling Go's scheduler, which
// would otherwise, with GOMAXPROCS=1, hand the loop's P to another thread
// whenever the loop sleeps longer than sysmon's 20 µs tick, and back when
// it wakes: two thread wake-ups per request, the cost this engine is
// there to avoid. Nothing else of the process needs to run while the loop
// waits; sysmon still preempts it every 10 ms (the signal interrupts the
// wait), so the garbage collector and the other goroutines get the P.
func epollWait(epfd int, events []unix.EpollEvent, msec int) (int, error) {
	if !rawEpollWait {
		return unix.EpollWait(epfd, events, msec)
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), uintptr(msec), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

var rawEpollWait = os.Getenv("LOADGEN_RAW") != ""
