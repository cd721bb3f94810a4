package loadgen

import (
	"context"
	"net"
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

// loop is the epoll engine: one goroutine, its connections in an epoll
// set of its own, and a timerfd it sleeps on. Everything here runs on
// that goroutine.
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

	// busy counts the requests in flight, waiting those queued for a
	// connection, retrying those waiting for a connection of their own.
	open, busy, waiting, retrying, peak int
	checkAt                             time.Duration // when to look for requests past -timeout next
	// wallBase is the wall clock's reading at start, as of the last
	// poll: it turns the kernel's receive timestamps into times since
	// start.
	wallBase int64
	oob      [64]byte // a recvmsg's control message: the timestamp
}

// pending is a request taken up from the schedule.
type pending struct {
	due     time.Duration // its time in the schedule, since start
	r       request
	w       *wire
	retried bool // sent again after its connection closed unanswered
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
	// Blocking: the loop sleeps in its read.
	tfd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	l := &loop{epfd: epfd, tfd: tfd, buf: make([]byte, 64<<10), p: p, o: o, pc: pc, record: record}
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
//
// While the schedule runs, the loop wakes once per request, on a
// timerfd, and never for an answer: it reads the answers that arrived
// since its last wake (epoll, polled), sends what is due, and sleeps in
// the timer's read. Each answer's time is the kernel's receive timestamp
// of its last bytes (SO_TIMESTAMPNS), not the time the loop read it, so
// that reading late costs the measure nothing. Waking is what costs on a
// small VM (a context switch, tens of µs): one wake a request, where
// waking for each answer too would double it. Once the schedule is sent,
// the loop waits for the last answers in epoll_wait.
func (l *loop) run(ctx context.Context, d time.Duration) {
	// The loop keeps its P for the whole run (its sleeps do not give it
	// back, see epollWait); locked, it keeps its thread too, rather than
	// move to another one each time sysmon preempts it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := processCPU()
	l.connectFirst()
	interval := float64(time.Second) / float64(l.o.rate)
	total := int(d.Seconds() * float64(l.o.rate))
	l.pc.scheduled.Add(uint64(total))
	l.start = time.Now()
	ticking := true
	l.checkAt = checkEvery
	for next := 0; ; {
		l.poll(0)
		if ctx.Err() != nil {
			total = next // sends no more: the run is reported cut short
		}
		// Every request whose time has come goes now, however late the
		// loop woke.
		now := l.now()
		for ; next < total; next++ {
			at := time.Duration(float64(next) * interval)
			if now = l.now(); at > now {
				break
			}
			l.pc.lag.record(now - at)
			l.dispatch(at)
		}
		l.expire(now)
		if next == total {
			break
		}
		wake := time.Duration(float64(next) * interval)
		if !ticking {
			time.Sleep(wake - l.now())
		} else if l.sleep(wake) != nil {
			ticking = false
		}
	}
	for l.busy+l.waiting+l.retrying > 0 {
		l.poll(int(checkEvery / time.Millisecond))
		l.expire(l.now())
	}
	l.pc.workers = max(l.pc.workers, l.peak)
	l.pc.cpu += processCPU() - cpu0
}

// sleep waits until wake, since start, on the timerfd: set afresh for
// each request (a periodic timer would drift from the schedule's
// fractional intervals), then read. The read is made without telling
// Go's scheduler (see epollWait).
func (l *loop) sleep(wake time.Duration) error {
	rel := wake - l.now()
	if rel <= 0 {
		return nil
	}
	if err := unix.TimerfdSettime(l.tfd, 0, &unix.ItimerSpec{Value: unix.NsecToTimespec(int64(rel))}, nil); err != nil {
		return err
	}
	var ticks [8]byte
	for {
		_, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(l.tfd), uintptr(unsafe.Pointer(&ticks[0])), 8)
		if errno != unix.EINTR {
			if errno != 0 {
				return errno
			}
			return nil
		}
	}
}

// connectFirst opens -connections connections to each endpoint before the
// schedule starts, and waits (up to -timeout) until they are open, so
// that the first requests do not wait for them.
func (l *loop) connectFirst() {
	l.start = time.Now()
	for _, ep := range l.eps {
		for range min(l.o.conns, l.o.maxConns-l.open) {
			l.connect(ep, nil)
		}
	}
	for l.connecting() > 0 && l.now() < l.o.timeout {
		l.poll(int(checkEvery / time.Millisecond))
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

// poll handles the connections that are ready, waiting for one up to
// msec milliseconds (-1: for ever, 0: not at all).
func (l *loop) poll(msec int) {
	n, err := epollWait(l.epfd, l.events[:], msec)
	if err != nil {
		return // EINTR
	}
	now := time.Now()
	l.wallBase = now.UnixNano() - int64(now.Sub(l.start))
	for i := range n {
		ev := &l.events[i]
		if int(ev.Fd) < len(l.conns) {
			if c := l.conns[ev.Fd]; c != nil && c.gen == ev.Pad {
				l.event(c, ev.Events)
			}
		}
	}
}

// epollWait is epoll_wait(2) made without telling Go's scheduler, which
// would otherwise, with GOMAXPROCS=1, hand the loop's P to another thread
// whenever the loop sleeps longer than sysmon's 20 µs tick, and back when
// it wakes: thread wake-ups, the cost this engine is there to avoid (the
// plain call cost 15 to 20% more CPU a request, measured at 5,000 to
// 20,000 requests a second). Nothing else of the process needs to run while the loop
// waits; sysmon still preempts it every 10 ms (the signal interrupts the
// wait), so the garbage collector and the other goroutines get the P.
func epollWait(epfd int, events []unix.EpollEvent, msec int) (int, error) {
	n, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), uintptr(msec), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}
