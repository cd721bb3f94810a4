package proxy

import (
	"crypto/rand"
	"crypto/subtle"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// Sharing a draft (docs/api-rules.md#70): POST :_id/share {"share": true}
// gives the draft a random key, shown on the draft as aposShareKey with
// aposShareExpiresAt; {"share": false} removes it. Anyone who has the key
// reads that one draft, as its published document would be shown to an
// anonymous caller, with GET /api/v1/<type>/<aposDocId>?aposShareId=<the
// draft's _id>&aposShareKey=<key>, until it expires or is removed.

// The query parameters of a shared read, Apostrophe's.
const (
	shareKeyArg = "aposShareKey"
	shareIDArg  = "aposShareId"
)

// hiddenFromShares are the draft's members a shared read does not show:
// who submitted it, and the grant itself.
var hiddenFromShares = map[string]bool{"submitted": true, "aposShareKey": true, "aposShareExpiresAt": true}

// share serves POST :_id/share: the draft with its new grant, or without
// one. The _id must resolve to a draft (404 otherwise), which the caller
// may edit.
func (s *Server) share(c *call, d *docType) error {
	docID, scope, err := s.target(c, d)
	if err != nil {
		return err
	}
	if scope.Mode != apos.Draft {
		return apos.ErrNotFound
	}
	if !d.canWrite(c.who, apos.Draft) {
		return apos.ErrForbidden
	}
	body, err := endpoint.JSONBody(c.ctx)
	if err != nil {
		return err
	}
	var grant *adapters.ShareGrant
	if on := body.Get("share"); on.Type == gjson.True || on.Type == gjson.String && launderBool(on.Str) || on.Type == gjson.Number && on.Num != 0 {
		grant = &adapters.ShareGrant{Key: newShareKey(), Expires: time.Now().UTC().Add(s.cfg.Auth.ShareLifetime.Duration)}
	}
	rec, err := d.backend.(adapters.Sharer).Share(c.bctx, scope.Locale, docID, grant)
	if err != nil {
		return err
	}
	return s.sendWritten(c, d, rec)
}

// getShared serves GET /:_id?aposShareId=&aposShareKey=: the shared draft
// whose aposDocId the path names, to anyone, rendered as its published
// document for an anonymous caller (as Apostrophe hides the user of a
// shared read), never cached. A missing, wrong, expired or removed key
// finds nothing.
func (s *Server) getShared(c *call, d *docType) error {
	args := c.ctx.QueryArgs()
	raw, _ := c.ctx.UserValue("id").(string)
	path, okPath := apos.ParseID(raw)
	id, okID := apos.ParseID(string(args.Peek(shareIDArg)))
	if _, ok := d.backend.(adapters.Sharer); !ok || !okPath || !okID || !d.hasDrafts() ||
		id.Mode != apos.Draft || id.DocID != path.DocID || !s.locales.has(id.Locale) {
		return apos.ErrNotFound
	}
	rec, err := d.backend.Get(c.bctx, apos.Scope{Locale: id.Locale, Mode: apos.Draft}, id.DocID)
	if err != nil {
		return err
	}
	if !grantValid(rec.Extra, args.Peek(shareKeyArg), time.Now()) {
		return apos.ErrNotFound
	}
	rec.Scope.Mode, rec.Modified, rec.Extra = apos.Published, adapters.Unknown, sharedMembers(rec.Extra)
	c.ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
	sendCacheable(c.ctx, d.appendDoc(nil, rec, apos.Nobody, nil))
	return nil
}

// grantValid reports whether a draft's members hold a grant for key that
// has not expired at now. Keys are compared in constant time.
func grantValid(extra, key []byte, now time.Time) bool {
	obj := gjson.ParseBytes(append(append([]byte{'{'}, extra...), '}'))
	k, exp := obj.Get(shareKeyArg), obj.Get("aposShareExpiresAt")
	if k.Type != gjson.String || len(key) == 0 || subtle.ConstantTimeCompare([]byte(k.Str), key) != 1 {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, exp.Str)
	return err == nil && now.Before(t)
}

// sharedMembers returns the members of a shared draft without those a
// shared read hides.
func sharedMembers(extra []byte) []byte {
	var out []byte
	gjson.ParseBytes(append(append([]byte{'{'}, extra...), '}')).ForEach(func(k, v gjson.Result) bool {
		if !hiddenFromShares[k.Str] {
			if len(out) > 0 {
				out = append(out, ',')
			}
			out = append(append(append(out, k.Raw...), ':'), v.Raw...)
		}
		return true
	})
	return out
}

// newShareKey makes a share key: 32 lowercase letters and digits from
// crypto/rand (about 165 bits).
func newShareKey() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	key := make([]byte, 0, 32)
	var buf [64]byte
	for len(key) < cap(key) {
		rand.Read(buf[:])
		for _, b := range buf {
			// Bytes past the last whole multiple are dropped, so that the
			// characters stay uniform.
			if len(key) < cap(key) && int(b) < 256-256%len(alphabet) {
				key = append(key, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(key)
}
