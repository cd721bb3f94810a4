package app

import (
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// sensitiveWords are what a field's name says when its values are
// personal or secret; a field whose name contains one (in any case) is
// worth a warning when anonymous callers can read it.
var sensitiveWords = []string{"email", "password", "passwd", "token", "secret", "phone"}

func sensitive(name string) bool {
	lower := strings.ToLower(name)
	return slices.ContainsFunc(sensitiveWords, func(w string) bool { return strings.Contains(lower, w) })
}

// exposure is a type or route anonymous callers can read, and its fields
// whose names look personal or secret.
type exposure struct {
	where  string // types.customer, modules.customer.api_routes.get.":_id/orders"
	fields []string
}

// exposures lists what anonymous callers can read of cfg that looks
// personal or secret: the fields (by name or column) of the types whose
// view_role is anonymous, and the columns and aliases named in the SQL (or
// the call) of the routes that say public = true. A route answering a
// type's document shows what its type shows, and is not listed again.
func exposures(cfg *config.Config) []exposure {
	var out []exposure
	for _, name := range cfg.TypeOrder {
		t := cfg.Types[name]
		if t.ViewRole != apos.Anonymous.String() {
			continue
		}
		var fields []string
		for _, f := range t.Fields {
			if sensitive(f.Name) || sensitive(f.Column) {
				fields = append(fields, f.Name)
			}
		}
		if len(fields) > 0 {
			out = append(out, exposure{where: "types." + name, fields: fields})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Modules)) {
		m := cfg.Modules[name]
		m.EachRoute(func(ref config.RouteRef) {
			if !ref.Route.Public {
				return
			}
			if fields := routeFields(ref.Route); len(fields) > 0 {
				out = append(out, exposure{where: config.ModulePath(name) + "." + ref.Key, fields: fields})
			}
		})
	}
	return out
}

// identifier is a word of SQL text or of a call's path.
var identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// routeFields are the sensitive-looking identifiers a route's statements
// or call name, once each.
func routeFields(r *config.ModuleRoute) []string {
	var text []string
	for _, st := range r.SQL {
		text = append(text, st.Text)
	}
	if r.Call != nil {
		text = append(text, r.Call.Path, r.Call.Pick)
	}
	var fields []string
	for _, word := range identifier.FindAllString(strings.Join(text, " "), -1) {
		if sensitive(word) && !slices.Contains(fields, word) {
			fields = append(fields, word)
		}
	}
	return fields
}

// warnExposures logs a warning at start for each exposure of cfg.
func warnExposures(cfg *config.Config, log *slog.Logger) {
	for _, e := range exposures(cfg) {
		log.Warn("anonymous callers can read fields that look personal or secret; "+
			"raise view_role, or drop public = true", "where", e.where, "fields", strings.Join(e.fields, ","))
	}
}
