package openapi

import (
	"embed"
	"sync"

	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/endpoint"
)

// uiVersion is the vendored swagger-ui-dist's version (ui/README.md).
const uiVersion = "5.35.0"

//go:embed ui/index.html ui/init.js ui/swagger-ui-bundle.js ui/swagger-ui.css
var ui embed.FS

// Lister lists the routes a server serves; proxy.Server is one.
type Lister interface {
	Routes() map[string][]string
}

// Routes are GET <prefix>/openapi.json, the document of what api serves
// (built at its first request, when every route is registered), and
// GET <prefix>/docs, the API reference page (Swagger UI, vendored) with
// its script and style sheet. Anyone may read them, as they only tell
// what anonymous callers can find out by trying (docs/api-rules.md#243).
func Routes(cfg *config.Config, api Lister) []endpoint.Route {
	var once sync.Once
	var doc []byte
	var err error
	prefix := cfg.Server.Prefix
	routes := []endpoint.Route{{
		Name: "openapi", Method: "GET", Path: prefix + "/openapi.json",
		Handler: func(r *endpoint.Request) ([]byte, error) {
			once.Do(func() { doc, err = Build(cfg, api.Routes()) })
			if err != nil {
				return nil, err // masked as a 500 with an id in the log
			}
			r.SetHeader("Cache-Control", "no-cache")
			return doc, nil
		},
	}, static(prefix+"/docs", "ui/index.html", "text/html; charset=utf-8")}
	for file, ct := range map[string]string{
		"init.js":              "text/javascript; charset=utf-8",
		"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
		"swagger-ui.css":       "text/css; charset=utf-8",
	} {
		routes = append(routes, static(prefix+"/docs/"+file, "ui/"+file, ct))
	}
	return routes
}

// static serves an embedded file.
func static(path, file, contentType string) endpoint.Route {
	data, err := ui.ReadFile(file)
	if err != nil {
		panic(err) // the files are embedded: a missing one is a build mistake
	}
	etag := `"swagger-ui-` + uiVersion + `"`
	return endpoint.Route{Name: "openapi", Method: "GET", Path: path, ContentType: contentType,
		Handler: func(r *endpoint.Request) ([]byte, error) {
			r.SetHeader("Cache-Control", "public, max-age=3600")
			r.SetHeader("X-Content-Type-Options", "nosniff")
			r.SetHeader("ETag", etag) // changes with the vendored version
			return data, nil
		}}
}
