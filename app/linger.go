package app

import (
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// A connection answered before its request was read whole is closed by
// fasthttp right after the answer: by its ErrorHandler (headers over
// server.max_header_bytes, a malformed request), or after a handler that
// refused a body it left unread (over server.max_body_bytes, say).
// Closing a socket whose receive queue still holds the client's bytes
// sends a reset, and a client still writing its request then reports a
// broken pipe instead of reading the 431 or 413 it was sent. Such a
// connection closes by lingering instead, as Go's net/http and nginx
// (lingering_close) do: it sends its FIN, reads and discards what the
// client still sends, for at most lingerTime and lingerBytes, then
// closes. Other connections close as before (docs/api-rules.md, after
// the table of errors).

// lingerTime and lingerBytes bound what a lingering close waits for and
// reads: enough for a client to finish sending a body several times
// server.max_body_bytes over loopback or a LAN, while a client that never
// stops holds the connection 2 s at most (nginx's lingering_time is 30 s).
const (
	lingerTime  = 2 * time.Second
	lingerBytes = 64 << 20
)

// lingerListener hands out connections that can be marked to linger.
type lingerListener struct{ net.Listener }

func (l lingerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &lingerConn{Conn: c}, nil
}

// lingerConn is an accepted connection that lingers on Close once marked.
type lingerConn struct {
	net.Conn
	linger atomic.Bool
}

// lingerIfRefused marks the connection of ctx to linger when its request
// came with a body and was refused: the body may be left unread.
func lingerIfRefused(ctx *fasthttp.RequestCtx) {
	if ctx.Response.StatusCode() >= 400 && ctx.Request.Header.ContentLength() != 0 {
		lingerOnClose(ctx)
	}
}

// lingerOnClose marks the connection of ctx to linger when it closes.
func lingerOnClose(ctx *fasthttp.RequestCtx) {
	if c, ok := ctx.Conn().(*lingerConn); ok {
		c.linger.Store(true)
	}
}

func (c *lingerConn) Close() error {
	if c.linger.Load() {
		if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
			_ = c.Conn.SetReadDeadline(time.Now().Add(lingerTime))
			_, _ = io.CopyN(io.Discard, c.Conn, lingerBytes)
		}
	}
	return c.Conn.Close()
}

// ReadFrom lets file bodies go out through the connection's own ReadFrom
// (sendfile on TCP), which the wrapper would otherwise hide.
func (c *lingerConn) ReadFrom(r io.Reader) (int64, error) { return io.Copy(c.Conn, r) }
