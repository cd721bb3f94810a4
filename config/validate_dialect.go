package config

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

// validateIdentity checks that every answer can be checked against the
// document, locale and mode it was asked for, so that a service that
// ignores a parameter can never serve one variant as another: items must
// say their locale when the service holds several, and a type whose
// variants are records of their own (group) must say both.
func (t *Type) validateIdentity(path string, errs *errorList) {
	s := t.Service
	if t.ServesAllLocales() && t.Locale.Column == "" {
		errs.addf(path+".locale.column", "is required for a service that holds several locales: each answer is checked against the requested locale, so that another locale's record is never served as this one")
	}
	if s.Group == "" {
		return
	}
	gp := path + ".service.group"
	switch {
	case !upstreamColumn.re.MatchString(s.Group):
		errs.addf(gp, "%s", upstreamColumn.msg)
	case s.Group == t.Key:
		errs.addf(gp, "must not be the key: the key is each record's own id, the group ties the records of one document")
	case !*t.Localized:
		errs.addf(gp, "is only used by localized types: it ties the locale and mode variants of one document")
	case t.Locale.Column == "" && t.Mode.Column == "":
		errs.addf(gp, "needs locale.column or mode.column: the variants of a group are told apart by them")
	}
}

// validateBodies checks the body templates of publish and unpublish: JSON
// once each placeholder is filled, with placeholders inside strings only.
func (t *Type) validateBodies(sp string, errs *errorList) {
	allowed := []PathVar{VarKey, VarLocale, VarMode}
	if t.Service.Group != "" {
		allowed = append(allowed, VarGroup)
	}
	for _, o := range t.Service.operations() {
		bp := sp + "." + o.key + ".body"
		switch {
		case o.op.Body == "":
			continue
		case o.key != "publish" && o.key != "unpublish":
			errs.addf(bp, "is only sent by publish and unpublish")
			continue
		case o.op.Path == "":
			errs.addf(bp, "needs a path")
			continue
		}
		parts := parseBody(o.op.Body)
		if v, ok := foreignVar(parts, allowed); ok {
			errs.addf(bp, "placeholder {%s} is not available here (%s)", v, varList(allowed))
			continue
		}
		var filled strings.Builder
		for _, p := range parts {
			if p.Var != "" {
				filled.WriteString("x")
			}
			filled.WriteString(p.Text)
		}
		if !json.Valid([]byte(filled.String())) {
			errs.addf(bp, "must be JSON, with placeholders such as {key} inside its strings")
		}
	}
	if t.Storage != string(apos.Columns) {
		for _, o := range []serviceOp{{key: "publish", op: &t.Service.Publish}, {key: "unpublish", op: &t.Service.Unpublish}} {
			if o.op.Path != "" {
				errs.addf(sp+"."+o.key+".path", `is only used with storage "columns": the type has no drafts`)
			}
		}
	}
}

// validateSort checks the sort mapping, and that the type's default sort
// is one the service can do: otherwise every list would answer 400.
func (t *Type) validateSort(path string, errs *errorList) {
	s := t.Service.Sort
	if s != nil {
		sp := path + ".service.sort"
		if s.Param == "" {
			errs.addf(sp+".param", "is required: the parameter that names the sort fields, such as _sort")
		}
		if len(s.Fields) == 0 {
			errs.addf(sp+".fields", "is required: the fields the service can sort by")
		}
		for i, name := range s.Fields {
			switch f := t.field(name); {
			case f == nil:
				errs.addf(indexKey(sp+".fields", i), "no field named %s in the type's fields", name)
			case f.Kind == string(apos.JSON):
				errs.addf(indexKey(sp+".fields", i), "json fields cannot be sorted")
			}
		}
	}
	if name := strings.TrimPrefix(t.Sort, "-"); t.Sort != "" && (s == nil || !slices.Contains(s.Fields, name)) {
		errs.addf(path+".sort", "the service cannot sort by %s: list it in service.sort.fields", name)
	}
}

// filterOps are the operators the proxy uses on each kind of field
// (docs/api-rules.md#23; prefix is autocomplete's).
var filterOps = map[apos.Kind][]string{
	apos.String:   {"contains", "prefix"},
	apos.Select:   {"in", "equal"},
	apos.Integer:  {"equal", "range"},
	apos.Float:    {"equal", "range"},
	apos.Date:     {"equal", "range"},
	apos.DateTime: {"equal", "range"},
	apos.Boolean:  {"equal"},
}

// filterVars are the placeholders each operator's template may use; it
// must use one of them, and range both.
var filterVars = map[string][]PathVar{
	"equal":    {VarValue},
	"contains": {VarValue},
	"prefix":   {VarValue},
	"in":       {VarValue, VarValues},
	"range":    {VarMin, VarMax},
}

// validateFilters checks that each filter is a field of the type, and
// that each template is one the field's kind uses, with its placeholders.
func (t *Type) validateFilters(fp string, errs *errorList) {
	for _, name := range slices.Sorted(maps.Keys(t.Service.Filters)) {
		p := joinKey(fp, name)
		f, field := t.Service.Filters[name], t.field(name)
		if field == nil {
			errs.addf(p, "no field named %s in the type's fields", name)
			continue
		}
		ops := f.Ops()
		switch {
		case f.Param != "":
			continue
		case len(ops) == 0:
			errs.addf(p, "names no query parameter")
			continue
		case !slices.Contains(escapes, f.Escape):
			errs.addf(p+".escape", "must be none, regex or like")
		}
		kind := apos.Kind(field.Kind)
		for _, o := range ops {
			validateFilterOp(p+"."+o.Key, kind, o, errs)
		}
	}
}

// validateFilterOp checks one operator's template.
func validateFilterOp(op string, kind apos.Kind, o FilterOp, errs *errorList) {
	if !slices.Contains(filterOps[kind], o.Key) {
		errs.addf(op, "is never used: %s fields are filtered with %s", kind, orNone(filterOps[kind]))
		return
	}
	q, err := parseQuery(o.Template)
	if err != nil {
		errs.addf(op, "%v", err)
		return
	}
	vars := queryVars(q)
	for _, v := range vars {
		if !slices.Contains(filterVars[o.Key], v) {
			errs.addf(op, "placeholder {%s} is not available here (%s)", v, varList(filterVars[o.Key]))
			return
		}
	}
	switch {
	case o.Key == "range" && (!slices.Contains(vars, VarMin) || !slices.Contains(vars, VarMax)):
		errs.addf(op, "must use {min} and {max}")
	case len(vars) == 0:
		errs.addf(op, "must use %s", strings.ReplaceAll(varList(filterVars[o.Key])[4:], ", ", " or "))
	}
}

// orNone lists operators for a message.
func orNone(ops []string) string {
	if len(ops) == 0 {
		return "nothing"
	}
	return strings.Join(ops, " and ")
}

// validateSearch checks that the search covers exactly the searchable
// fields, and that a search without a parameter has a field's filter to
// search with.
func (t *Type) validateSearch(sp string, errs *errorList) {
	s := t.Service.Search
	if !slices.Contains(escapes, s.Escape) {
		errs.addf(sp+".escape", "must be none, regex or like")
	}
	if len(s.Fields) == 0 {
		if s.Param == "" && s.Escape != "" {
			errs.addf(sp+".param", "is required: the parameter that carries the text, such as q")
		}
		return
	}
	var searchable []string
	for _, f := range t.Fields {
		if f.Searchable {
			searchable = append(searchable, f.Name)
		}
	}
	for i, name := range s.Fields {
		if f := t.field(name); f == nil || !f.Searchable {
			errs.addf(indexKey(sp+".fields", i), "%s is not a searchable field of the type", name)
		}
	}
	for _, name := range searchable {
		if !slices.Contains(s.Fields, name) {
			errs.addf(sp+".fields", "must list every searchable field: %s is missing", name)
		}
	}
	if s.Param != "" {
		return
	}
	if s.Escape != "" {
		errs.addf(sp+".escape", "is only used with param: a field's filter escapes its own values")
	}
	if len(s.Fields) > 1 {
		errs.addf(sp+".fields", "can only name one field without param: the service's filters match all of them, not any")
	} else if f := t.Service.Filters[s.Fields[0]]; f.Contains == "" {
		errs.addf(sp+".fields", "searches with the contains filter of %s: map service.filters.%s.contains", s.Fields[0], s.Fields[0])
	}
}

// field returns the type's field named name, or nil.
func (t *Type) field(name string) *Field {
	for i := range t.Fields {
		if t.Fields[i].Name == name {
			return &t.Fields[i]
		}
	}
	return nil
}
