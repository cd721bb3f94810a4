package proxy

// Routes lists the registered routes, path patterns (fasthttp/router's
// syntax, from the site root) by method, HEAD and OPTIONS included: the
// OpenAPI document (package openapi) describes what is actually served.
func (s *Server) Routes() map[string][]string { return s.router.List() }
