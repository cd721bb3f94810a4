package oembed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// reserved are the address blocks that are neither loopback, private,
// link-local, multicast nor unspecified (netip's predicates cover those)
// and still are no public internet host: "this network", carrier-grade
// NAT, the IETF, documentation and benchmarking blocks, the reserved
// 240/4 with the broadcast address, and the IPv6 forms that embed or
// translate an IPv4 address (IPv4-compatible, NAT64, 6to4, Teredo) or
// are deprecated site-local (docs/api-rules.md#212).
var reserved = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
		"::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32",
		"2002::/16", "fec0::/10",
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

// public reports whether a is an address the proxy may connect to on a
// caller's behalf: a unicast address of the public internet. An
// IPv4-mapped IPv6 address is judged as the IPv4 address it maps.
func public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// errRefused is the dialer's refusal of an address that is not public.
var errRefused = errors.New("oembed: address is not public")

// guard opens the outbound connections. The address is checked in the
// dialer's Control hook, on the socket about to connect, after name
// resolution: what is checked is what is connected to, so a DNS answer
// that changes between a check and the connection (DNS rebinding) cannot
// slip through, and every redirect's connection is checked the same way.
// Hosts named in private are trusted by the configuration and dialed
// without the check.
type guard struct {
	strict  net.Dialer
	open    net.Dialer
	private map[string]bool
	log     *slog.Logger
	refused atomic.Int64 // connections refused, for the tests
}

func newGuard(timeout time.Duration, private []string, log *slog.Logger) *guard {
	g := &guard{private: map[string]bool{}, log: log}
	for _, h := range private {
		g.private[canonicalHost(h)] = true
	}
	g.strict = net.Dialer{Timeout: timeout, Control: g.control}
	g.open = net.Dialer{Timeout: timeout}
	return g
}

// canonicalHost is a host name as it is compared: lowercase, without a
// trailing dot or IPv6 brackets.
func canonicalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
}

// control refuses a connection to an address that is not public.
func (g *guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err == nil && public(ap.Addr()) {
		return nil
	}
	g.refused.Add(1)
	g.log.Warn("oembed: refused a connection to an address that is not public", "network", network, "address", address)
	return fmt.Errorf("%w: %s", errRefused, address)
}

// dial is the transport's DialContext: addr is the URL's host:port.
func (g *guard) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if g.private[canonicalHost(host)] {
		return g.open.DialContext(ctx, network, addr)
	}
	return g.strict.DialContext(ctx, network, addr)
}
