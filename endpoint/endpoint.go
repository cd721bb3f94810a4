// Package endpoint is what a package needs to add routes to the front end
// without depending on it: a Route, the Request its handler receives, and
// the request conventions the front end and its extensions share (the JSON
// body, the API key). The login routes (auth), the Go modules (modules)
// and the configured modules (modules/declared) define endpoint.Route
// values; the front end (proxy) serves them through its one request
// pipeline, and the program (app) wires the two together.
package endpoint

import "github.com/aposproxy/aposproxy/apos"

// Route is a route served with the front end's authentication, draft
// gate, role check, deadline and error shapes.
type Route struct {
	// Name says who defines the route, for the errors of a route that
	// collides with another, such as "module customer: getAll".
	Name   string
	Method string // GET, POST, PUT, PATCH or DELETE
	// Path is a fasthttp/router pattern from the site root, such as
	// "/api/v1/customer/merge" or "/api/v1/product/{_id}/publish". Static
	// segments win over parameters, so named routes win over /:_id.
	Path string
	// MinRole is the lowest role allowed; lower callers get 403 forbidden.
	MinRole apos.Role
	// StreamBody lets the handler read a body larger than
	// server.max_body_bytes as a stream (Request.BodyStream), such as an
	// upload; every other route gets 413 for it before it runs.
	StreamBody bool
	// Handler answers with a JSON body (nil: an empty 200) or an error,
	// rendered like every other error of the API.
	Handler func(*Request) ([]byte, error)
	// ContentType is the Content-Type of the body Handler answers with;
	// default application/json. The API reference page's HTML, script
	// and style sheet set theirs (package openapi).
	ContentType string
}
