// Package openapi generates the OpenAPI 3.1 description of what a running
// aposproxy serves, from its configuration and its registered routes
// (docs/api-rules.md#240), and serves it with a reference page
// (GET <prefix>/openapi.json, GET <prefix>/docs).
package openapi

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/config"
)

// obj is a JSON object of the document.
type obj = map[string]any

// Version is the version of the API the document describes.
const Version = "4.32"

// Build returns the OpenAPI 3.1 document (JSON) of cfg's API, with a path
// for every route of routes (path patterns by method, as
// proxy.Server.Routes lists them). Routes it knows (the type, workflow,
// batch, login, i18n, job and declared routes) get typed operations; any
// other route gets a generic one (its path parameters, a JSON answer and
// the error envelope), so that routes added later are described at once.
func Build(cfg *config.Config, routes map[string][]string) ([]byte, error) {
	g := &generator{cfg: cfg, prefix: cfg.Server.Prefix, schemas: obj{}, paths: obj{}, tags: []any{}}
	g.types()
	g.core()
	for _, method := range slices.Sorted(maps.Keys(routes)) {
		if method == "HEAD" || method == "OPTIONS" {
			continue
		}
		for _, path := range routes[method] {
			g.route(method, path)
		}
	}
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "aposproxy: ApostropheCMS REST API",
			"version": Version,
			"description": "ApostropheCMS's headless REST API, served by aposproxy from its configuration. " +
				"Every document type, its fields and kinds, and every route the proxy serves are listed here. " +
				"Authenticate with an API key (the `apikey` query parameter or `Authorization: ApiKey <key>`), " +
				"a bearer token from `POST /@apostrophecms/login/login`, or a session cookie.",
		},
		"servers": []any{obj{"url": g.prefix, "description": "this server"}},
		"tags":    g.tags,
		"paths":   g.paths,
		"components": obj{
			"schemas":         g.schemas,
			"parameters":      parameters(),
			"responses":       errorResponses(),
			"securitySchemes": securitySchemes(cfg),
		},
	}
	return json.MarshalIndent(doc, "", " ")
}

// generator builds one document.
type generator struct {
	cfg     *config.Config
	prefix  string
	schemas obj
	paths   obj
	tags    []any
}

// op adds an operation at path (relative to the prefix) for method.
func (g *generator) op(path, method string, o obj) {
	item, _ := g.paths[path].(obj)
	if item == nil {
		item = obj{}
		g.paths[path] = item
	}
	if _, dup := item[strings.ToLower(method)]; dup {
		return
	}
	if o["operationId"] == nil {
		o["operationId"] = operationID(method, path)
	}
	if ps := params(o); len(ps) == 0 {
		delete(o, "parameters")
	}
	if o["responses"] == nil {
		o["responses"] = responses(anyJSON("The answer."))
	}
	item[strings.ToLower(method)] = o
}

// tag adds a tag to the document's list.
func (g *generator) tag(name, description string) {
	g.tags = append(g.tags, obj{"name": name, "description": description})
}

var notIDChars = regexp.MustCompile(`[^A-Za-z0-9]+`)

// operationID makes an id of a method and path: get-product-id.
func operationID(method, path string) string {
	return strings.ToLower(method) + "-" + strings.Trim(notIDChars.ReplaceAllString(path, "-"), "-")
}

// compName is a components key for a type name: @apostrophecms/user ->
// apostrophecms-user.
func compName(typeName string) string {
	return strings.Trim(notIDChars.ReplaceAllString(typeName, "-"), "-")
}

func ref(kind, name string) obj { return obj{"$ref": "#/components/" + kind + "/" + name} }

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
