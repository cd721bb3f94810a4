// Package oembed serves Apostrophe's oEmbed proxy,
// GET /api/v1/@apostrophecms/oembed/query?url=: for a URL of an allowed
// site it answers the site's oEmbed description (the embed HTML, title,
// thumbnail), found through the site's known endpoint or the oEmbed link
// of its page, and cached (docs/api-rules.md#210). Since it fetches URLs a
// caller names, every connection it opens is checked where it is opened:
// no loopback, private, link-local or otherwise non-public address is
// ever connected to, unless the configuration trusts the host by name
// (docs/api-rules.md#212).
package oembed

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"golang.org/x/sync/singleflight"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/endpoint"
)

// queryPath is the route under the API prefix.
const queryPath = "/@apostrophecms/oembed/query"

// errInvalid is Apostrophe's answer to every failure, whatever it was:
// a client learns nothing of the provider or the network.
var errInvalid = apos.NewError("invalid", "Video URL invalid", nil)

// Options are what the program gives the service beyond the configuration.
type Options struct {
	Log *slog.Logger
	// Redis is the login store's client when auth.store is Redis (nil
	// otherwise); answers are then cached in it, under RedisPrefix, for
	// every instance that shares it.
	Redis       *redis.Client
	RedisPrefix string
}

// Service answers oEmbed queries.
type Service struct {
	path    string
	role    apos.Role
	sites   sites
	fetch   *fetcher
	cache   cache
	flight  singleflight.Group
	timeout time.Duration
	log     *slog.Logger
}

// New builds the service of cfg's [oembed].
func New(cfg *config.Config, opts Options) *Service {
	o := &cfg.OEmbed
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	role, _ := apos.ParseRole(o.Role)
	g := newGuard(o.ConnectTimeout.Duration, o.PrivateHosts, log)
	s := &Service{
		path:    cfg.Server.Prefix + queryPath,
		role:    role,
		sites:   newSites(o),
		fetch:   newFetcher(g, o.Timeout.Duration, o.MaxRedirects, o.MaxBodyBytes, o.MaxFetches, o.Referer),
		timeout: o.Timeout.Duration,
		log:     log,
	}
	if opts.Redis != nil {
		s.cache = &redisCache{c: opts.Redis, prefix: opts.RedisPrefix, lifetime: o.CacheLifetime.Duration, log: log}
	} else {
		s.cache = newMemoryCache(o.CacheLifetime.Duration, o.MaxCacheEntries)
	}
	return s
}

// Close drops the idle outbound connections.
func (s *Service) Close() { s.fetch.close() }

// Routes is the query route, for the front end to serve.
func (s *Service) Routes() []endpoint.Route {
	return []endpoint.Route{{Name: "oembed", Method: "GET", Path: s.path, MinRole: s.role, Handler: s.query}}
}

// query serves the route: one url parameter (Apostrophe launders a
// repeated one to nothing), and every failure is 400 Video URL invalid.
func (s *Service) query(r *endpoint.Request) ([]byte, error) {
	if len(r.QueryArgs().PeekMulti("url")) != 1 {
		return nil, errInvalid
	}
	b, err := s.Query(r.Context, r.Query("url"))
	if err != nil {
		return nil, errInvalid
	}
	return b, nil
}

// Query returns the oEmbed answer for raw, from the cache or from the
// provider. Concurrent queries of one URL share one fetch, which is
// bounded by oembed.timeout even when the first caller gives up.
func (s *Service) Query(ctx context.Context, raw string) ([]byte, error) {
	u, ok := launder(raw)
	if !ok || !s.sites.allowed(u) {
		return nil, errUnacceptable
	}
	key := u.String()
	if b, ok := s.cache.get(ctx, key); ok {
		return b, nil
	}
	ch := s.flight.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
		defer cancel()
		b, err := s.embed(fctx, u)
		if err != nil {
			s.log.Info("oembed: no answer", "url", key, "err", err)
			return nil, err
		}
		s.cache.set(fctx, key, b)
		return b, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.([]byte), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// embed asks u's provider: its known endpoint, else the one its page
// names.
func (s *Service) embed(ctx context.Context, u *url.URL) ([]byte, error) {
	ep := s.sites.endpoint(u)
	if ep == "" {
		var err error
		if ep, err = s.discover(ctx, u); err != nil {
			return nil, err
		}
	}
	b, err := s.fetch.getAll(ctx, ep)
	if err != nil {
		return nil, err
	}
	return answer(b)
}

// answer checks the provider's body (one JSON object, see
// endpoint.CheckJSON), compacts it as Apostrophe's JSON answer is, and
// makes the http:// URLs of html and thumbnail_url protocol-relative.
func answer(b []byte) ([]byte, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' || endpoint.CheckJSON(b) != nil {
		return nil, errNotAnOEmbed
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, errNotAnOEmbed
	}
	b = out.Bytes()
	for _, key := range []string{"thumbnail_url", "html"} {
		v := gjson.GetBytes(b, key)
		if v.Type != gjson.String {
			continue
		}
		if rel := protocolRelative(v.Str); rel != v.Str {
			var err error
			if b, err = sjson.SetRawBytes(b, key, jsonString(rel)); err != nil {
				return nil, errNotAnOEmbed
			}
		}
	}
	return b, nil
}

// jsonString is s as a JSON string, with <, > and & as they are: the
// answer's html reads as the provider's did, as Apostrophe's JSON does.
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// quotedHTTP is an http:// URL that starts an attribute value.
var quotedHTTP = regexp.MustCompile(`(["'])http://`)

// protocolRelative rewrites http:// at the start of s, and at the start
// of every quoted value in it, to //, so that the browser loads the
// embed over the page's own scheme (docs/api-rules.md#210).
func protocolRelative(s string) string {
	if rest, ok := strings.CutPrefix(s, "http://"); ok {
		s = "//" + rest
	}
	return quotedHTTP.ReplaceAllString(s, "${1}//")
}
