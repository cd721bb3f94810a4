package proxy

import (
	"fmt"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/valyala/fasthttp"
)

// AddRoutes registers extra routes (login, modules, declared routes) in
// order; see AddRoute.
func (s *Server) AddRoutes(routes ...endpoint.Route) error {
	for _, rt := range routes {
		if err := s.AddRoute(rt); err != nil {
			return err
		}
	}
	return nil
}

// AddRoute registers an extra route, served through the pipeline like the
// type routes. A route that collides with one already registered is an
// error, so that a configuration mistake stops the start.
func (s *Server) AddRoute(rt endpoint.Route) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("route %s %s: %v", rt.Method, rt.Path, p)
			if rt.Name != "" {
				err = fmt.Errorf("%s: %w", rt.Name, err)
			}
		}
	}()
	h := s.pipeline(rt.MinRole, apos.ErrForbidden, s.endpointHandler(rt))
	s.router.Handle(rt.Method, rt.Path, h)
	if rt.StreamBody {
		s.streams[rt.Path] = true
	}
	if rt.Method == fasthttp.MethodGet {
		s.router.Handle(fasthttp.MethodHead, rt.Path, h)
	}
	return nil
}

// endpointHandler is the end of an extra route's pipeline: it resolves the
// scope the query asks for, calls the route's handler with the request,
// and sends the JSON body it answers with.
func (s *Server) endpointHandler(rt endpoint.Route) handler {
	contentType := contentTypeJSON
	if rt.ContentType != "" {
		contentType = []byte(rt.ContentType)
	}
	return func(c *call) error {
		scope, err := s.scopeFor(c.params, apos.DocID{}, c.who)
		if err != nil {
			return err
		}
		body, err := rt.Handler(endpoint.NewRequest(c.ctx, c.bctx, c.who, scope))
		if err != nil {
			return err
		}
		if body != nil {
			c.ctx.SetContentTypeBytes(contentType)
			c.ctx.SetBody(body)
		}
		return nil
	}
}
