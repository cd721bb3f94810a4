package openapi

import (
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// core adds the tags of the routes that serve no type.
func (g *generator) core() {
	g.tag("@apostrophecms/login", "Log in for a bearer token or a session cookie, log out, and who the caller is.")
	g.tag("@apostrophecms/i18n", "The locales, switching locale, and which documents exist in a locale.")
	g.tag("@apostrophecms/job", "Progress of batch operations.")
	for _, name := range sortedKeys(g.cfg.Modules) {
		g.tag(name, "Routes declared in [modules."+name+"] of the configuration.")
	}
}

// coreOps are the operations of the login, i18n and job routes, by method
// and path below the prefix.
var coreOps = map[string]func() obj{
	"POST /@apostrophecms/login/login": func() obj {
		return obj{"summary": "Log in", "operationId": "login", "security": []any{},
			"description": "With session: true, sets a session cookie instead of answering a token.",
			"requestBody": body(obj{"type": "object", "required": []any{"username", "password"}, "properties": obj{
				"username": str(), "password": obj{"type": "string", "format": "password"}, "session": obj{"type": "boolean", "default": false}}}),
			"responses": responses(answer("Logged in.", obj{"type": "object", "properties": obj{"token": str()}}))}
	},
	"POST /@apostrophecms/login/logout": func() obj {
		return obj{"summary": "Log out", "operationId": "logout", "security": security(false),
			"responses": responses(answer("Logged out.", obj{"type": "object"}))}
	},
	"GET /@apostrophecms/login/whoami":   whoami,
	"POST /@apostrophecms/login/whoami":  whoami,
	"GET /@apostrophecms/login/context":  loginContext,
	"POST /@apostrophecms/login/context": loginContext,
	"POST /@apostrophecms/attachment/upload": func() obj {
		return obj{"summary": "Upload a file", "operationId": "attachment-upload", "security": security(false),
			"description": "Stores one file (the form field file) and answers its attachment; needs the contributor role or above.",
			"requestBody": obj{"required": true, "content": obj{"multipart/form-data": obj{"schema": obj{"type": "object",
				"required": []any{"file"}, "properties": obj{"file": obj{"type": "string", "format": "binary"}}}}}},
			"responses": responses(answer("The stored attachment.", ref("schemas", "Attachment")))}
	},
	"POST /@apostrophecms/attachment/crop": func() obj {
		return obj{"summary": "Crop an image", "operationId": "attachment-crop", "security": security(false),
			"description": "Adds a crop to an image attachment; needs the contributor role or above.",
			"requestBody": body(obj{"type": "object", "required": []any{"_id", "crop"}, "properties": obj{"_id": str(),
				"crop": obj{"type": "object", "required": []any{"top", "left", "width", "height"}, "properties": obj{
					"top": integer(), "left": integer(), "width": integer(), "height": integer()}}}}),
			"responses": responses(answer("The attachment with its crop.", ref("schemas", "Attachment")))}
	},
	"GET /@apostrophecms/i18n/locales": func() obj {
		return obj{"summary": "The locales", "operationId": "locales", "security": security(true),
			"responses": responses(answer("The locales the caller may see, by name.", obj{"type": "object",
				"additionalProperties": obj{"type": "object", "properties": obj{"label": str(), "prefix": str(), "private": obj{"type": "boolean"}}}}))}
	},
	"POST /@apostrophecms/i18n/locale": func() obj {
		return obj{"summary": "Switch locale", "operationId": "switch-locale", "security": security(true),
			"requestBody": body(obj{"type": "object", "required": []any{"locale"}, "properties": obj{"locale": str(), "_id": str()}}),
			"responses":   responses(answer("Where to go.", obj{"type": "object", "properties": obj{"redirectTo": str()}}))}
	},
	"POST /@apostrophecms/i18n/exist-in-locale": func() obj {
		return obj{"summary": "Which documents exist in a locale", "operationId": "exist-in-locale", "security": security(false),
			"requestBody": body(obj{"type": "object", "required": []any{"ids", "locale"}, "properties": obj{
				"ids": obj{"type": "array", "items": str()}, "locale": str(), "mode": obj{"type": "string", "enum": []any{"draft", "published"}}}}),
			"responses": responses(answer("The ids, split by whether they exist.", obj{"type": "object", "properties": obj{
				"originalLocaleIds": obj{"type": "array", "items": str()}, "newLocaleIds": obj{"type": "array", "items": str()}}}))}
	},
	"GET /@apostrophecms/job/{id}": func() obj {
		return obj{"summary": "A batch job's progress", "operationId": "job", "security": security(false),
			"responses": responses(answer("The job.", ref("schemas", "Job")))}
	},
}

// loginContext is what a login page needs: no requirements, and the
// Apostrophe release whose contract the proxy serves.
func loginContext() obj {
	return obj{"summary": "The login page's context", "security": security(true),
		"responses": responses(answer("The login context.", obj{"type": "object", "required": []any{"env", "name", "version", "requirementProps"},
			"properties": obj{"env": str(), "name": str(), "version": str(), "requirementProps": obj{"type": "object"}}}))}
}

func whoami() obj {
	return obj{"summary": "Who the caller is", "security": security(false),
		"responses": responses(answer("The logged-in user.", obj{"type": "object", "properties": obj{
			"_id": str(), "username": str(), "title": str(), "email": str()}}))}
}

// coreOp is the operation of a login, i18n or job route, or nil.
func coreOp(method, rel string) obj {
	f, ok := coreOps[method+" "+rel]
	if !ok {
		return nil
	}
	o := f()
	o["tags"] = []any{tagOf(rel)}
	o["parameters"] = pathParams(rel)
	return o
}

// declared is the operation of a route of [modules], or nil when path is
// no declared route: its role, its parameters with their kinds, and its
// answer (the document of a type, or any JSON).
func (g *generator) declared(method, path string) obj {
	for _, name := range sortedKeys(g.cfg.Modules) {
		var found *config.RouteRef
		g.cfg.Modules[name].EachRoute(func(rr config.RouteRef) {
			if rr.Method == method && config.RoutePath(g.prefix, name, rr.Name) == path {
				found = &rr
			}
		})
		if found != nil {
			return g.declaredOp(name, path, found)
		}
	}
	return nil
}

// declaredOp describes one declared route.
func (g *generator) declaredOp(module, path string, rr *config.RouteRef) obj {
	rt := rr.Route
	role := rt.Role
	if rt.Public {
		role = string(apos.RoleNames[apos.Anonymous])
	}
	o := obj{"summary": rr.Method + " " + strings.TrimPrefix(path, g.prefix), "tags": []any{module},
		"operationId": operationID(rr.Method, path), "security": security(rt.Public),
		"description": "Declared in modules." + module + "." + rr.Key + " of the configuration. Needs the " + role + " role or above.",
		"parameters":  pathParams(path)}
	props, required := obj{}, []any{}
	for _, pname := range sortedKeys(rt.Params) {
		p := rt.Params[pname]
		s := paramSchema(p.Kind)
		if p.Query != "" {
			o["parameters"] = append(params(o), obj{"name": p.Query, "in": "query", "required": p.Required, "schema": s})
			continue
		}
		top, _, _ := strings.Cut(p.Body, ".")
		props[top] = s
		if p.Required {
			required = append(required, top)
		}
	}
	if len(props) > 0 {
		b := obj{"type": "object", "properties": props}
		if len(required) > 0 {
			b["required"] = required
		}
		o["requestBody"] = body(b)
	}
	o["responses"] = responses(anyJSON("The route's answer (" + rt.Result + ")."))
	if rt.Document != nil {
		o["responses"] = responses(answer("The document.", ref("schemas", compName(rt.Document.Type))))
	}
	return o
}

// paramSchema is the schema of a declared parameter's kind.
func paramSchema(kind string) obj {
	switch apos.Kind(kind) {
	case apos.Integer:
		return obj{"type": "integer"}
	case apos.Float:
		return obj{"type": "number"}
	case apos.Boolean:
		return obj{"type": "boolean"}
	case apos.JSON:
		return obj{}
	}
	return str()
}
