package main

import (
	"slices"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/modules"
)

// newMyDatabase is the guide's module: restApiRoutes getAll, getOne, post,
// put, patch and delete on /api/v1/mydatabase[/:_id], and the apiRoutes
// POST /api/v1/mydatabase/merge, over an in-memory store (a project would
// reach its own backend here). The routes the recorded Apostrophe site
// also had (post secret, get hello, get invalid) show custom errors and a
// route's query.
//
// Unlike the guide's module, which leaves security to its author, the
// roles are said here: reads and the demonstration routes are public,
// merge needs an editor, and the other writes need admin (the default).
func newMyDatabase() *modules.Module {
	db := newStore()
	return &modules.Module{
		Name: "mydatabase",
		// GET /api/v1/mydatabase
		GetAll: func(req *modules.Request) (any, error) {
			var user any // null for anonymous callers, as req.user is
			if u := req.User(); u != nil {
				user = u.Title
			}
			return map[string]any{"results": db.all(), "user": user}, nil
		},
		// GET /api/v1/mydatabase/:_id
		GetOne: func(req *modules.Request, id string) (any, error) { return db.get(id) },
		// POST /api/v1/mydatabase
		Post: func(req *modules.Request) (any, error) {
			body, err := req.Body()
			if err != nil {
				return nil, err
			}
			created, err := db.insert(body)
			return map[string]any{"created": created}, err
		},
		// PUT /api/v1/mydatabase/:_id replaces an object.
		Put: func(req *modules.Request, id string) (any, error) {
			body, err := req.Body()
			if err != nil {
				return nil, err
			}
			return db.update(id, body, true)
		},
		// PATCH /api/v1/mydatabase/:_id modifies an object.
		Patch: func(req *modules.Request, id string) (any, error) {
			body, err := req.Body()
			if err != nil {
				return nil, err
			}
			return db.update(id, body, false)
		},
		// DELETE /api/v1/mydatabase/:_id
		Delete:    func(req *modules.Request, id string) (any, error) { return nil, db.remove(id) },
		APIRoutes: apiRoutes(),
		Roles: map[string]apos.Role{
			"getAll": apos.Anonymous, "getOne": apos.Anonymous,
			"get hello": apos.Anonymous, "get invalid": apos.Anonymous, "post secret": apos.Anonymous,
			"post merge": apos.Editor,
		},
	}
}

// apiRoutes are the module's apiRoutes: POST merge, and the routes that
// show custom errors and a route's query.
func apiRoutes() modules.APIRoutes {
	return modules.APIRoutes{
		"post": {
			"merge": merge,
			// POST /api/v1/mydatabase/secret: a handler's own check,
			// answered with data, as Apostrophe's apos.error does.
			"secret": func(req *modules.Request) (any, error) {
				if req.User() == nil {
					return nil, apos.NewError("forbidden", "You must be logged in", map[string]any{"hint": "login first"})
				}
				return map[string]bool{"ok": true}, nil
			},
		},
		"get": {
			// GET /api/v1/mydatabase/hello?name=x wins over getOne.
			"hello": func(req *modules.Request) (any, error) {
				return map[string]string{"hello": req.Query("name")}, nil
			},
			"invalid": func(req *modules.Request) (any, error) {
				return nil, apos.NewError("invalid", "Bad thing", map[string]any{"field": "x"})
			},
		},
	}
}

// merge serves POST /api/v1/mydatabase/merge: {"a":[1,2],"b":[3]} gives
// {"merged":[1,2,3]}, as the recorded site answered.
func merge(req *modules.Request) (any, error) {
	body, err := req.Body()
	if err != nil {
		return nil, err
	}
	a, b := body.Get("a"), body.Get("b")
	if !a.IsArray() || !b.IsArray() {
		return nil, apos.Invalid("a", "invalid", "a and b must be arrays.")
	}
	merged := slices.Concat(a.Value().([]any), b.Value().([]any))
	return map[string]any{"merged": merged}, nil
}
