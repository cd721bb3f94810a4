package upstream

import (
	"time"

	"github.com/aposproxy/aposproxy/config"
)

// fasthttp sets a pooled connection's write deadline before each request
// and its read deadline before each answer: two runtime timer updates per
// call (a lock, a timer heap change, a clock read), although under load
// the deadline moves by less than a millisecond from one call to the next
// on the same connection. liveConn keeps a deadline already set when it
// ends at most deadlineSlack after the one asked for, and sets a new one
// deadlineSlack later than asked, so that the connections of a busy
// service update their timers once every deadlineSlack or so rather than
// on every call. A call may then time out up to deadlineSlack late,
// never early: the bound the proxy already allows a request's deadline
// (config.DeadlineGrain).
const deadlineSlack = config.DeadlineGrain

// lazyDeadline is one deadline of a connection, as last set on it, and
// as last asked for.
type lazyDeadline struct{ set, asked time.Time }

// next returns the deadline to set on the connection for t, and whether
// the one set already does (t zero clears it, and is always set).
func (d *lazyDeadline) next(t time.Time) (time.Time, bool) {
	d.asked = t
	if t.IsZero() {
		d.set = t
		return t, false
	}
	if !d.set.IsZero() && !d.set.Before(t) && d.set.Sub(t) <= deadlineSlack {
		return d.set, true
	}
	d.set = t.Add(deadlineSlack)
	return d.set, false
}

func (c *liveConn) SetReadDeadline(t time.Time) error {
	t, kept := c.readDeadline.next(t)
	if kept {
		return nil
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *liveConn) SetWriteDeadline(t time.Time) error {
	t, kept := c.writeDeadline.next(t)
	if kept {
		return nil
	}
	return c.Conn.SetWriteDeadline(t)
}

// SetDeadline sets both deadlines exactly (a TLS handshake's, then none).
func (c *liveConn) SetDeadline(t time.Time) error {
	c.readDeadline = lazyDeadline{set: t, asked: t}
	c.writeDeadline = c.readDeadline
	return c.Conn.SetDeadline(t)
}
