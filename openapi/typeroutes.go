package openapi

import (
	"strings"

	"github.com/aposproxy/aposproxy/config"
)

// typeOp is the operation of one route of type typ; rest is the path
// after the type's URL.
func (g *generator) typeOp(typ, method, rest, rel string) obj {
	t := g.cfg.Types[typ]
	c := compName(typ)
	var o obj
	switch {
	case rest == "":
		o = collectionOp(t, c, method)
	case !strings.Contains(rest[1:], "/") && strings.HasPrefix(rest, "/{"):
		o = documentOp(t, c, method)
	case strings.HasPrefix(rest, "/{"):
		o = documentAction(t, c, method, rest[strings.Index(rest[1:], "/")+2:])
	case method == "POST":
		o = batchOp(t, rest[1:])
	}
	if o == nil {
		o = generic(method, rel)
	} else {
		o["parameters"] = append(pathParams(rel), params(o)...)
	}
	o["tags"] = []any{typ}
	return o
}

// params returns an operation's parameters.
func params(o obj) []any {
	ps, _ := o["parameters"].([]any)
	return ps
}

// roleOp completes an operation for the lowest role that may call it.
func roleOp(o obj, role, what string) obj {
	o["security"] = security(role == "anonymous")
	o["description"] = strings.TrimSpace(what + " Needs the " + role + " role or above.")
	return o
}

// scope are the parameters choosing a type's locale and mode.
func scope(t *config.Type) []any {
	if t.Localized == nil || !*t.Localized {
		return nil
	}
	ps := parameters()
	return []any{ps["AposMode"], ps["AposLocale"]}
}

// collectionOp is GET (a page of the list) or POST (create) on the type's URL.
func collectionOp(t *config.Type, c, method string) obj {
	switch method {
	case "GET":
		if t.IsPageTree() {
			return roleOp(obj{"summary": "The page tree", "operationId": c + "_tree",
				"parameters": append(pageParams(), scope(t)...),
				"responses": responses(answer("The home page with its _children (all=1: the whole tree; flat=1: results, every page); with type=, a page of a list.",
					obj{"anyOf": []any{ref("schemas", c), ref("schemas", c+".list"), obj{"type": "object", "required": []any{"results"},
						"properties": obj{"results": obj{"type": "array", "items": ref("schemas", c)}}}}}))}, t.ViewRole,
				"The home page, or the whole tree with all=1, or a list of one page type with type=.")
		}
		ps := []any{ref("parameters", "Page"), ref("parameters", "PerPage"), ref("parameters", "Search"),
			ref("parameters", "Autocomplete"), ref("parameters", "Sort"), ref("parameters", "Project"),
			ref("parameters", "Count"), ref("parameters", "Choices")}
		ps = append(append(ps, scope(t)...), filters(t)...)
		return roleOp(obj{"summary": "List " + t.Name, "operationId": c + "_list", "parameters": ps,
			"responses": responses(answer("A page of documents.", ref("schemas", c+".list")))}, t.ViewRole,
			"A page of the documents the caller may see, in the default or the asked sort order.")
	case "POST":
		return roleOp(obj{"summary": "Create a " + t.Name, "operationId": c + "_create", "parameters": scope(t),
			"requestBody": body(ref("schemas", c+".write")),
			"responses":   responses(answer("The new document.", ref("schemas", c)))}, t.EditRole, "")
	}
	return nil
}

// filters are the list's filters, one per field that can be compared.
func filters(t *config.Type) []any {
	var out []any
	for _, f := range t.Fields {
		switch f.Kind {
		case "json", "password":
			continue
		}
		out = append(out, obj{"name": f.Name, "in": "query", "required": false,
			"description": "Only documents whose " + f.Name + " is this value (repeat it, or write " + f.Name + "[]=, for any of several).",
			"schema":      str()})
	}
	return out
}

// documentOp is GET, PUT, PATCH or DELETE on one document.
func documentOp(t *config.Type, c, method string) obj {
	doc := responses(answer("The document.", ref("schemas", c)))
	ifMatch := obj{"name": "If-Match", "in": "header", "required": false, "schema": str(),
		"description": "The document's ETag as read: the write is refused (412) if it changed since."}
	switch method {
	case "GET":
		return roleOp(obj{"summary": "Get a " + t.Name, "operationId": c + "_get", "parameters": scope(t), "responses": doc},
			t.ViewRole, "One document by _id; answers with an ETag, and 304 to a matching If-None-Match.")
	case "PUT":
		return roleOp(obj{"summary": "Replace a " + t.Name, "operationId": c + "_replace", "parameters": append(scope(t), ifMatch),
			"requestBody": body(ref("schemas", c+".write")), "responses": doc}, t.EditRole, "")
	case "PATCH":
		return roleOp(obj{"summary": "Patch a " + t.Name, "operationId": c + "_patch", "parameters": append(scope(t), ifMatch),
			"requestBody": body(ref("schemas", c+".patch")), "responses": doc}, t.EditRole, "Changes the fields the body names.")
	case "DELETE":
		return roleOp(obj{"summary": "Delete a " + t.Name, "operationId": c + "_delete", "parameters": scope(t),
			"responses": responses(anyJSON("The document was deleted."))}, t.EditRole, "")
	}
	return nil
}

// documentActions are the per-document workflow routes: the role they
// need (edit or publish) and what they take and answer.
var documentActions = map[string]struct {
	publish     bool
	summary     string
	requestBody obj
}{
	"publish":                      {true, "Publish the draft", nil},
	"unpublish":                    {true, "Remove the published copy", nil},
	"revert-draft-to-published":    {false, "Reset the draft to the published copy", nil},
	"revert-published-to-previous": {true, "Restore the previously published copy", nil},
	"submit":                       {false, "Submit the draft for review", nil},
	"dismiss-submission":           {false, "Dismiss the draft's submission", nil},
	"share":                        {false, "Share the draft with a link, or stop sharing it", obj{"type": "object", "properties": obj{"share": obj{"type": "boolean"}}}},
	"localize": {false, "Make the document's draft in another locale", obj{"type": "object", "required": []any{"toLocale"},
		"properties": obj{"toLocale": str(), "update": obj{"type": "boolean"}}}},
}

// documentAction is a route below one document, action being what follows
// /{id}/.
func documentAction(t *config.Type, c, method, action string) obj {
	switch {
	case method == "GET" && action == "locales":
		return roleOp(obj{"summary": "The locales the document exists in", "operationId": c + "_locales",
			"responses": responses(answer("The document's locales.", obj{"type": "object",
				"properties": obj{"results": obj{"type": "array", "items": obj{"type": "object"}}}}))}, t.ViewRole, "")
	case method == "GET" && strings.HasPrefix(action, "locale/"):
		return roleOp(obj{"summary": "The document in another locale", "operationId": c + "_inLocale",
			"responses": responses(anyJSON("The document's _id in that locale (with a 302 to it)."))}, t.ViewRole, "")
	}
	a, ok := documentActions[action]
	if !ok || method != "POST" {
		return nil
	}
	role := t.EditRole
	if a.publish {
		role = t.PublishRole
	}
	o := obj{"summary": a.summary, "operationId": c + "_" + action, "parameters": scope(t),
		"responses": responses(answer("The document after the change.", ref("schemas", c)))}
	if a.requestBody != nil {
		o["requestBody"] = body(a.requestBody)
	}
	return roleOp(o, role, "")
}

// batchOp is a batch route (publish, archive, restore, localize) of the
// type: a job over _ids.
func batchOp(t *config.Type, action string) obj {
	role := t.EditRole
	if action == "publish" {
		role = t.PublishRole
	}
	return roleOp(obj{"summary": "Batch " + action, "operationId": compName(t.Name) + "_batch-" + action,
		"requestBody": body(ref("schemas", "IDs")),
		"responses":   responses(answer("The job that runs it.", ref("schemas", "JobStarted")))}, role,
		"Starts a job that runs "+action+" on each of _ids; read it at /@apostrophecms/job/{jobId}.")
}
