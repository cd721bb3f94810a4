package proxy

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aposproxy/aposproxy/config"
	"github.com/valyala/fasthttp"
	"golang.org/x/time/rate"
)

// admission decides at the front door whether a request is answered now:
// at most server.max_in_flight requests at once, and, when
// server.rate_limit is set, so many requests per second from one address.
// A refusal is fast and cheap, so that an overloaded proxy keeps
// answering instead of queueing until memory runs out.
type admission struct {
	inFlight atomic.Int64
	max      int64
	rates    *addressRates // nil: no rate limit
}

func newAdmission(s config.Server) *admission {
	a := &admission{max: int64(s.MaxInFlight)}
	if s.RateLimit > 0 {
		a.rates = newAddressRates(rate.Limit(s.RateLimit), s.RateBurst, maxRateAddresses)
	}
	return a
}

// The refusals, written once. Both name Apostrophe's generic error, as
// every transport status does (docs/api-rules.md, errors).
var (
	busyBody      = []byte(`{"name":"error","data":{},"message":"The server is busy; try again later."}`)
	tooManyBody   = []byte(`{"name":"error","data":{},"message":"Too many requests; try again later."}`)
	retryAfter    = []byte("Retry-After")
	retryAfterOne = []byte("1")
)

// enter admits the request of ctx, or answers it with 503 (too many in
// flight) or 429 (its address is over the rate) and returns false. An
// admitted request must leave.
func (a *admission) enter(ctx *fasthttp.RequestCtx) bool {
	if a.inFlight.Add(1) > a.max {
		a.inFlight.Add(-1)
		refuse(ctx, fasthttp.StatusServiceUnavailable, busyBody)
		return false
	}
	if a.rates != nil && !a.rates.allow(ctx.RemoteIP(), time.Now()) {
		a.inFlight.Add(-1)
		refuse(ctx, fasthttp.StatusTooManyRequests, tooManyBody)
		return false
	}
	return true
}

func (a *admission) leave() { a.inFlight.Add(-1) }

func refuse(ctx *fasthttp.RequestCtx, status int, body []byte) {
	ctx.Response.Header.SetCanonical(retryAfter, retryAfterOne)
	writeJSON(ctx, status, body)
}

// maxRateAddresses bounds the addresses whose rate is followed at once.
const maxRateAddresses = 16384

// addressRates holds a token bucket per client address, at most max of
// them: when full it first forgets the addresses whose bucket has filled
// up again (which is what a new bucket holds), then arbitrary ones, down
// to three quarters, so that a crowd of addresses costs bounded memory
// and the sweep runs rarely.
type addressRates struct {
	mu     sync.Mutex
	limit  rate.Limit
	burst  int
	max    int
	byAddr map[netip.Addr]*rate.Limiter
}

func newAddressRates(limit rate.Limit, burst, max int) *addressRates {
	return &addressRates{limit: limit, burst: burst, max: max, byAddr: make(map[netip.Addr]*rate.Limiter)}
}

// allow takes one token of ip's bucket at now, if it has one.
func (r *addressRates) allow(ip []byte, now time.Time) bool {
	addr, _ := netip.AddrFromSlice(ip)
	addr = addr.Unmap()
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.byAddr[addr]
	if !ok {
		if len(r.byAddr) >= r.max {
			r.sweep(now)
		}
		l = rate.NewLimiter(r.limit, r.burst)
		r.byAddr[addr] = l
	}
	return l.AllowN(now, 1)
}

// sweep makes room in byAddr (see addressRates).
func (r *addressRates) sweep(now time.Time) {
	for addr, l := range r.byAddr {
		if l.TokensAt(now) >= float64(r.burst) {
			delete(r.byAddr, addr)
		}
	}
	for addr := range r.byAddr {
		if len(r.byAddr) <= r.max*3/4 {
			break
		}
		delete(r.byAddr, addr)
	}
}
