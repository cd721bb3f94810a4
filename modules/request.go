package modules

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
)

// Request is one call to a module's route: Apostrophe's req. It embeds
// the front end's request, which gives the deadline (Context: use it for
// backend work), the caller (Who), the scope, path parameters (Param),
// the query (Query, QueryArgs), the body as JSON (Body), headers and
// cookies. It is valid only while the handler runs.
type Request struct {
	*endpoint.Request
	id    apos.DocID
	hasID bool
}

// Mode is the request's mode, draft or published (Apostrophe's req.mode):
// the aposMode parameter, else the _id's, else published. Draft requests
// of callers below contributor never reach a handler.
func (r *Request) Mode() apos.Mode { return r.Scope.Mode }

// Locale is the request's locale (Apostrophe's req.locale): the aposLocale
// parameter, else the _id's, else the default locale.
func (r *Request) Locale() string { return r.Scope.Locale }

// ID returns the parts of the route's _id (a REST handler's, or a named
// route's :_id): its aposDocId, and its locale and mode when it has them.
// ok is false when the route has no _id or it is not of Apostrophe's form.
func (r *Request) ID() (id apos.DocID, ok bool) { return r.id, r.hasID }

// User is the authenticated caller (Apostrophe's req.user), or nil for an
// anonymous one. API keys are the nameless "System Task".
func (r *Request) User() *apos.Principal {
	if !r.Who.Authenticated() {
		return nil
	}
	return r.Who
}

// Role is the caller's role (anonymous when not authenticated).
func (r *Request) Role() apos.Role { return r.Who.Role }

// serve adapts a module route to the front end: it resolves the _id's
// scope, calls the handler and encodes its result.
func (rt route) serve(s Server) func(*endpoint.Request) ([]byte, error) {
	return func(pr *endpoint.Request) ([]byte, error) {
		req := &Request{Request: pr}
		raw := ""
		if rt.hasID {
			raw = req.Param("_id")
			req.id, req.hasID = apos.ParseID(raw)
			if !req.hasID {
				req.id = apos.DocID{}
			}
			scope, err := s.ScopeOf(pr, req.id)
			if err != nil {
				return nil, err
			}
			pr.Scope = scope
		}
		var v any
		var err error
		if rt.rest != nil {
			v, err = rt.rest(req, raw)
		} else {
			v, err = rt.handler(req)
		}
		if err != nil {
			return nil, err
		}
		return encode(v)
	}
}

// encode renders a handler's result as Apostrophe's res.send does for the
// values a JSON API returns: nil (or a value that encodes as null) is an
// empty 200, json.RawMessage is sent as it is once checked, and anything
// else is encoded by encoding/json, without HTML escaping, as
// JSON.stringify writes it. A string is sent as a JSON string (Express
// would send it as HTML).
func encode(v any) ([]byte, error) {
	if raw, ok := v.(json.RawMessage); ok {
		if len(raw) == 0 || string(raw) == "null" {
			return nil, nil
		}
		if !json.Valid(raw) {
			return nil, fmt.Errorf("the handler returned invalid JSON")
		}
		return raw, nil
	}
	if v == nil {
		return nil, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the handler's result: %w", err)
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if string(out) == "null" {
		return nil, nil
	}
	return out, nil
}
