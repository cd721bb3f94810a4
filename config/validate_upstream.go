package config

import (
	"maps"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

// validateService checks the service table of a type served by an
// upstream: everything about the mapping that can be known without
// calling the service, so that the upstream adapter only builds calls.
func (t *Type) validateService(path string, errs *errorList) {
	sp := path + ".service"
	s := t.Service
	if s == nil {
		errs.addf(sp, "is required for types with an upstream: it maps the type's operations onto the service's routes")
		return
	}
	t.validateRoutes(sp, errs)
	t.validateIdentity(path, errs)
	t.validateBodies(sp, errs)
	s.Paging.validate(sp+".paging", errs)
	t.validateSort(path, errs)
	t.validateFilters(sp+".filters", errs)
	t.validateSearch(sp+".search", errs)
	if s.Concurrency < 1 {
		errs.addf(sp+".concurrency", "must be at least 1")
	}
	s.Response.validate(sp+".response", errs)
	s.Errors.validate(sp+".errors", errs)
}

// validate checks the paths into successful answers.
func (r ServiceResponse) validate(rp string, errs *errorList) {
	required := func(key, path string) {
		if path == "" {
			errs.addf(rp+"."+key, "is required: a gjson path such as data.%s, or @this for the whole answer", key)
		}
	}
	required("items", r.Items)
	switch {
	case r.Total == "" && r.TotalHeader == "":
		errs.addf(rp+".total", "is required: a gjson path such as data.total, or total_header for a header such as X-Total-Count; without a total a list cannot say how many pages it has")
	case r.Total != "" && r.TotalHeader != "":
		errs.addf(rp+".total_header", "set either total or total_header")
	case r.TotalHeader != "" && !validHeaderName(r.TotalHeader):
		errs.addf(rp+".total_header", "must be a header name, such as X-Total-Count")
	}
	required("item", r.Item)
}

// validateRoutes checks each operation's method and path template, and
// that the path takes what the operation must send: the item's key, and
// the locale and mode the service keeps items by.
func (t *Type) validateRoutes(sp string, errs *errorList) {
	allLocales := t.ServesAllLocales()
	for _, o := range t.Service.operations() {
		op := sp + "." + o.key
		if o.op.Method != "" && !slices.Contains(httpMethods, o.op.Method) {
			errs.addf(op+".method", "must be one of %s", strings.Join(httpMethods, ", "))
		}
		switch {
		case o.key == "get" && t.Service.Group != "":
			if o.op.Path != "" {
				errs.addf(op+".path", "is not used with group: a variant is found by listing with %s=<aposDocId>", t.Service.Group)
			}
			continue
		case o.op.Path != "":
		case o.key == "list" || o.key == "get":
			errs.addf(op+".path", "is required: a path template such as /v2/items/{key}")
			continue
		case o.key != "publish" && o.key != "unpublish" && !t.ReadOnly:
			errs.addf(op+".path", "is required unless the type is read_only: a path template such as /v2/items/{key}")
			continue
		default:
			continue
		}
		parts, err := parseTemplate(o.op.Path)
		if err != nil {
			errs.addf(op+".path", "%v", err)
			continue
		}
		allowed, needed := t.routeVars(o, allLocales)
		if v, ok := foreignVar(parts, allowed); ok {
			errs.addf(op+".path", "placeholder {%s} is not available here (%s)", v, varList(allowed))
			continue
		}
		for _, v := range needed {
			if !usesVar(parts, v) {
				errs.addf(op+".path", "must use {%s}", v)
			}
		}
	}
}

// routeVars says which placeholders an operation's path may use and which
// it must. The locale and mode must reach the service, in the path or,
// for create, in the body when items have a locale or mode field; publish
// makes a draft the published variant, so it names no mode. A record
// found by its own key (service.group) needs nothing else.
func (t *Type) routeVars(o serviceOp, allLocales bool) (allowed, needed []PathVar) {
	pinned := t.Service.Group != "" && o.one
	if o.one {
		allowed, needed = append(allowed, VarKey), append(needed, VarKey)
	}
	if pinned {
		allowed = append(allowed, VarGroup)
	}
	if *t.Localized {
		allowed = append(allowed, VarLocale)
		if allLocales && !pinned && o.key != "unpublish" && (o.key != "create" || t.Locale.Column == "") {
			needed = append(needed, VarLocale)
		}
	}
	if t.Storage == string(apos.Columns) && o.key != "publish" {
		allowed = append(allowed, VarMode)
		if !pinned && o.key != "unpublish" && (o.key != "create" || t.Mode.Column == "") {
			needed = append(needed, VarMode)
		}
	}
	return allowed, needed
}

// foreignVar returns the first placeholder of parts that is not allowed.
func foreignVar(parts []PathPart, allowed []PathVar) (PathVar, bool) {
	for _, p := range parts {
		if p.Var != "" && !slices.Contains(allowed, p.Var) {
			return p.Var, true
		}
	}
	return "", false
}

// varList says which placeholders a path may use, for messages.
func varList(vars []PathVar) string {
	if len(vars) == 0 {
		return "this path takes none"
	}
	s := make([]string, len(vars))
	for i, v := range vars {
		s[i] = "{" + string(v) + "}"
	}
	return "use " + strings.Join(s, ", ")
}

// validate checks how a list asks for one page.
func (pg ServicePaging) validate(pp string, errs *errorList) {
	styles := 0
	for _, pair := range [][2]string{{pg.Offset, pg.Limit}, {pg.Page, pg.Size}, {pg.Start, pg.End}} {
		if pair[0] != "" || pair[1] != "" {
			styles++
		}
	}
	switch {
	case styles != 1:
		errs.addf(pp, "set one pair: offset and limit, page and size, or start and end")
	case (pg.Offset != "" || pg.Limit != "") && (pg.Offset == "" || pg.Limit == ""):
		errs.addf(pp, "offset and limit go together")
	case (pg.Page != "" || pg.Size != "") && (pg.Page == "" || pg.Size == ""):
		errs.addf(pp, "page and size go together")
	case (pg.Start != "" || pg.End != "") && (pg.Start == "" || pg.End == ""):
		errs.addf(pp, "start and end go together")
	}
	if pg.Max < 0 {
		errs.addf(pp+".max", "must not be negative")
	}
}

// validate checks how error answers translate.
func (e *ServiceErrors) validate(ep string, errs *errorList) {
	names := make([]string, len(serviceErrors))
	for i, se := range serviceErrors {
		names[i] = se.Name
	}
	for _, code := range slices.Sorted(maps.Keys(e.Codes)) {
		if serviceError(e.Codes[code]) == nil {
			errs.addf(joinKey(ep+".codes", code), "must be one of %s", strings.Join(names, ", "))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(e.Statuses)) {
		if _, ok := errorStatus(key); !ok {
			errs.addf(joinKey(ep+".statuses", key), "must be an error status from 400 to 599")
		} else if serviceError(e.Statuses[key]) == nil {
			errs.addf(joinKey(ep+".statuses", key), "must be one of %s", strings.Join(names, ", "))
		}
	}
	if (e.Codes != nil || e.Stale != "") && e.Code == "" {
		errs.addf(ep+".code", "is required by codes and stale: the gjson path of the error's code")
	}
}
