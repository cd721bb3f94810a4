package proxy

import (
	"fmt"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
)

// This file is what the packages that add routes (modules, and the routes
// a configuration declares) need from the front end beyond AddRoute: the
// API prefix, the roles of types, the scope rules of _id routes, and
// documents rendered as the type routes render them. They ask for it with
// interfaces of their own, which *Server implements.

// Prefix is the prefix the API is served under (server.prefix).
func (s *Server) Prefix() string { return s.cfg.Server.Prefix }

// ViewRole returns the lowest role that may read the type named typeName;
// ok is false when the proxy serves no such type.
func (s *Server) ViewRole(typeName string) (r apos.Role, ok bool) {
	d, ok := s.types[typeName]
	if !ok {
		return apos.Anonymous, false
	}
	return d.viewRole, true
}

// ScopeOf resolves the locale and mode of an extra route whose path
// carries an _id, as the type routes do (docs/api-rules.md#3 to #6): a query parameter
// beats the _id's part, which beats the default; an unknown locale or mode
// inside the _id is notfound, and draft mode needs the view-draft
// permission (forbidden). id is the parsed _id (zero for a bare or
// foreign one).
func (s *Server) ScopeOf(r *endpoint.Request, id apos.DocID) (apos.Scope, error) {
	return s.scopeFor(readScopeParams(r.QueryArgs()), id, r.Who)
}

// Document reads the document rawID (an _id or a bare aposDocId) of the
// type typeName for r's caller, and renders it exactly as
// GET <prefix>/<type>/<rawID> with r's query would: the type's view role
// (notfound below it), the scope rules and the permission annotations.
func (s *Server) Document(r *endpoint.Request, typeName, rawID string) ([]byte, error) {
	d, ok := s.types[typeName]
	if !ok {
		return nil, fmt.Errorf("no type %q is served", typeName)
	}
	if r.Who.Role < d.viewRole {
		return nil, apos.ErrNotFound
	}
	docID, scope, err := s.resolveID(d, rawID, readScopeParams(r.QueryArgs()), r.Who)
	if err != nil {
		return nil, err
	}
	rec, err := d.backend.Get(r.Context, scope, docID)
	if err != nil {
		return nil, err
	}
	doc := d.appendDoc(nil, rec, r.Who, nil)
	if !withRelationships(r.QueryArgs()) {
		return doc, nil
	}
	// With its relationships, as GET renders it (docs/api-rules.md#178).
	c := &call{who: r.Who, params: readScopeParams(r.QueryArgs()), bctx: r.Context}
	rel, err := s.loadRelated(c, d, []adapters.Record{*rec}, false, nil)
	if err != nil {
		return nil, err
	}
	return rel.appendTo(doc, rec.DocID, r.Who), nil
}
