package config

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

var (
	typeName  = regexp.MustCompile(`^[A-Za-z0-9@/_-]+$`)
	fieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// reservedFields are the document properties the proxy sets itself
	// (docs/api-rules.md#24); "archived" may be mapped.
	reservedFields = []string{"_id", "aposDocId", "aposLocale", "aposMode", "type", "metaType", "modified"}
)

// columnRule says what a backend column name may look like. SQL
// identifiers are spliced into queries (docs/api-rules.md#61), so they are held to
// plain identifiers; upstream columns are JSON field names or dotted paths
// into nested objects (warehouse.code), read with gjson and written with
// sjson, so they hold nothing either would read as syntax.
type columnRule struct {
	re  *regexp.Regexp
	msg string
	// nested says a column may hold others: a path must not lie inside
	// another, since writing one would overwrite the other.
	nested bool
}

var (
	sqlColumn = columnRule{
		regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`),
		"must be a plain SQL identifier: letters, digits and _, not starting with a digit",
		false,
	}
	upstreamColumn = columnRule{
		regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`),
		"must be a JSON field name or a dotted path such as warehouse.code",
		true,
	}
)

// validate records the mistakes of one type; c gives the databases,
// upstreams and locales it refers to.
func (t *Type) validate(c *Config, errs *errorList) {
	path := joinKey("types", t.Name)
	if !typeName.MatchString(t.Name) || strings.HasPrefix(t.Name, "@apostrophecms/") && coreTypes[t.Name] == nil {
		errs.addf(path, "a type name is letters, digits, @, /, _ or -, and not one of Apostrophe's own @apostrophecms/ types but %s", coreTypeNames())
	}
	t.validateCore(path, errs)
	t.validateStore(path, errs)
	if t.Store && c.Databases[t.Database].ReadOnly {
		errs.addf(path+".store", "a store type keeps its table in its database, and %s is read_only", t.Database)
	}
	rule := t.validateBackend(c, path, errs)
	t.validateModes(c, path, errs)
	t.validateKeys(path, errs)
	if t.MaxPerPage < 1 {
		errs.addf(path+".max_per_page", "must be at least 1")
	} else if t.PerPage < 1 || t.PerPage > t.MaxPerPage {
		errs.addf(path+".per_page", "must be between 1 and max_per_page (%d)", t.MaxPerPage)
	}
	for _, r := range [][2]string{{"view_role", t.ViewRole}, {"edit_role", t.EditRole}, {"publish_role", t.PublishRole}} {
		if !roleAtLeast(r[1], apos.Anonymous) {
			errs.addf(path+"."+r[0], "must be one of %s", rolesFrom(apos.Anonymous))
		}
	}
	t.validateFields(path, errs)
	t.validateColumns(path, rule, errs)
	t.validateLastPublished(path, errs)
	t.validateTree(path, errs)
}

// validateLastPublished checks last_published_at: a datetime or date
// field of a localized SQL type, or a column of its table.
func (t *Type) validateLastPublished(path string, errs *errorList) {
	name := t.LastPublishedAt
	p := path + ".last_published_at"
	switch {
	case name == "":
	case t.Upstream != "":
		errs.addf(p, "is only for types with a database")
	case t.Localized != nil && !*t.Localized:
		errs.addf(p, "is only for localized types: unlocalized documents are not published")
	default:
		for _, f := range t.Fields {
			if f.Name == name {
				if k := apos.Kind(f.Kind); k != apos.DateTime && k != apos.Date {
					errs.addf(p, "field %s is a %s field; it must be a datetime or date field", name, f.Kind)
				}
				return
			}
		}
		if !sqlColumn.re.MatchString(name) {
			errs.addf(p, "names no field, and as a column it %s", sqlColumn.msg)
		}
	}
}

// validateBackend checks that the type names exactly one existing backend
// and returns the rule its column names follow.
func (t *Type) validateBackend(c *Config, path string, errs *errorList) columnRule {
	switch {
	case t.Database != "" && t.Upstream != "":
		errs.addf(path, "set either database or upstream, not both")
	case t.Database == "" && t.Upstream == "":
		errs.addf(path, "needs a database (from [databases]) or an upstream (from [upstreams])")
	}
	if t.Upstream != "" {
		if _, ok := c.Upstreams[t.Upstream]; !ok {
			errs.addf(path+".upstream", "no upstream named %q in [upstreams]", t.Upstream)
		}
		if t.Table != "" {
			errs.addf(path+".table", "is only for types with a database")
		}
		if t.CountCache.Duration != 0 {
			errs.addf(path+".count_cache", "is only for types with a database")
		}
		t.validateService(path, errs)
		return upstreamColumn
	}
	if t.Database != "" {
		if _, ok := c.Databases[t.Database]; !ok {
			errs.addf(path+".database", "no database named %q in [databases]", t.Database)
		}
	}
	if t.Service != nil {
		errs.addf(path+".service", "is only for types with an upstream")
	}
	switch {
	case t.Table == "":
		errs.addf(path+".table", "is required for types with a database")
	case !sqlColumn.re.MatchString(t.Table):
		errs.addf(path+".table", "%s", sqlColumn.msg)
	}
	return sqlColumn
}

// validateModes checks how the type stores modes and locales (docs/api-rules.md#12).
func (t *Type) validateModes(c *Config, path string, errs *errorList) {
	switch apos.Storage(t.Storage) {
	case apos.Columns:
		if t.Mode.Column == "" {
			errs.addf(path+".storage", `storage "columns" needs mode.column`)
		}
	case apos.Autopublish:
		if t.Mode.Column != "" {
			errs.addf(path+".mode.column", `is only used with storage "columns"`)
		}
	case apos.Overlay:
		t.validateOverlay(path, errs)
	default:
		errs.addf(path+".storage", "must be %s or %s", oneOf(storages[:len(storages)-1]), storages[len(storages)-1])
	}
	if !*t.Localized && (t.Locale.Column != "" || t.Mode.Column != "") {
		errs.addf(path+".localized", "an unlocalized type cannot have a locale or mode column")
	}
	names := make([]string, len(c.Locales.List))
	for i, l := range c.Locales.List {
		names[i] = l.Name
	}
	validateValueMap(path+".locale", t.Locale, names, errs)
	validateValueMap(path+".mode", t.Mode, modes, errs)
}

// validateValueMap checks that a backend-to-API value map only gives
// allowed API values, each from one backend value. Since unlisted backend
// values pass through unchanged, it also refuses a map that sends a
// backend value named like an API value elsewhere while nothing else
// stands for that API value: writes of it would have no backend value.
func validateValueMap[T ~string](path string, m ValueMap, allowed []T, errs *errorList) {
	if m.Column == "" && len(m.Values) > 0 {
		errs.addf(path+".values", "needs %s.column", path[strings.LastIndexByte(path, '.')+1:])
		return
	}
	from := map[string]string{} // API value -> backend value
	for _, k := range slices.Sorted(maps.Keys(m.Values)) {
		v := m.Values[k]
		p := joinKey(path+".values", k)
		if !isOneOf(v, allowed) {
			errs.addf(p, "must be one of %s", oneOf(allowed))
		} else if prev, ok := from[v]; ok {
			errs.addf(p, "%s is already mapped from %s", v, prev)
		} else {
			from[v] = k
		}
	}
	for _, api := range allowed {
		a := string(api)
		if to, ok := m.Values[a]; ok && from[a] == "" {
			errs.addf(joinKey(path+".values", a), "backend value %s reads as %s, so %s needs a backend value of its own", a, to, a)
		}
	}
}

// validateFields checks the API fields and the default sort.
func (t *Type) validateFields(path string, errs *errorList) {
	if len(t.Fields) == 0 {
		errs.addf(path+".fields", "a type needs at least one field")
	}
	names := map[string]bool{}
	for i, f := range t.Fields {
		fp := indexKey(path+".fields", i)
		switch {
		case f.Name == "":
			errs.addf(fp+".name", "is required")
		case !fieldName.MatchString(f.Name):
			errs.addf(fp+".name", "must be letters, digits and _, not starting with a digit")
		case slices.Contains(reservedFields, f.Name):
			errs.addf(fp+".name", "%s is set by the proxy and cannot be mapped", f.Name)
		case names[f.Name]:
			errs.addf(fp+".name", "field %s is declared twice", f.Name)
		}
		names[f.Name] = true
		if f.isRelationship() {
			continue // validateRelationships
		}
		if !isOneOf(f.Kind, fieldKinds) {
			errs.addf(fp+".kind", "must be one of %s", oneOf(fieldKinds))
		}
		validateChoices(fp, f, errs)
		validateAuto(fp, f, errs)
		t.validateFieldExtras(fp, f, errs)
		t.validateFieldMapping(fp, f, errs)
	}
	if t.Sort != "" && !names[strings.TrimPrefix(t.Sort, "-")] {
		errs.addf(path+".sort", "must name a field, optionally after - for descending order")
	}
}

// validateAuto checks what sets the field on writes: a time for datetime
// fields, the writer for string fields.
func validateAuto(fp string, f Field, errs *errorList) {
	switch kind := apos.Kind(f.Kind); apos.Auto(f.Auto) {
	case apos.AutoNone:
	case apos.AutoCreate, apos.AutoUpdate:
		if kind != apos.DateTime {
			errs.addf(fp+".auto", "is only for datetime fields")
		}
	case apos.AutoUser:
		if kind != apos.String {
			errs.addf(fp+".auto", "user is only for string fields")
		}
	default:
		errs.addf(fp+".auto", "must be create or update (datetime fields) or user (string fields)")
	}
}

func validateChoices(fp string, f Field, errs *errorList) {
	if apos.Kind(f.Kind) != apos.Select {
		if len(f.Choices) > 0 {
			errs.addf(fp+".choices", `are only for kind "select"`)
		}
		return
	}
	if len(f.Choices) == 0 {
		errs.addf(fp+".choices", `kind "select" needs choices`)
	}
	seen := map[string]bool{}
	for j, ch := range f.Choices {
		if seen[ch.Value] {
			errs.addf(indexKey(fp+".choices", j), "value %q is listed twice", ch.Value)
		}
		seen[ch.Value] = true
	}
}

// validateColumns checks every backend column name against rule and
// refuses a column mapped twice: a field that is also the key, locale or
// mode column would let clients rewrite identity. A read-only field of an
// unlocalized database type may read a column another field writes (a
// users table's login shown as the title too): the read-only fields are
// claimed last.
func (t *Type) validateColumns(path string, rule columnRule, errs *errorList) {
	used := map[string]string{}
	written := map[string]bool{} // columns of writable fields
	var order []string           // the columns of used, in the order claimed
	claim := func(p, col string, mayShare bool) {
		switch prev, ok := used[col]; {
		case col == "":
		case !rule.re.MatchString(col):
			errs.addf(p, "%s", rule.msg)
		case ok && mayShare && written[col]:
		case ok:
			errs.addf(p, "column %s is already mapped by %s", col, prev)
		default:
			if rule.nested {
				for _, other := range order {
					if strings.HasPrefix(col, other+".") || strings.HasPrefix(other, col+".") {
						errs.addf(p, "%s overlaps %s, mapped by %s: writing one would overwrite the other", col, other, used[other])
					}
				}
			}
			used[col] = p
			order = append(order, col)
		}
	}
	for _, k := range t.KeyParts() {
		claim(path+".key", k, false)
	}
	claim(path+".locale.column", t.Locale.Column, false)
	claim(path+".mode.column", t.Mode.Column, false)
	if t.Service != nil {
		claim(path+".service.group", t.Service.Group, false)
	}
	share := rule == sqlColumn && !*t.Localized
	for _, readOnly := range []bool{false, true} {
		for i, f := range t.Fields {
			if keyField(t, f) {
				continue // the key shown as a field (validateFieldMapping)
			}
			if f.ReadOnly == readOnly {
				claim(indexKey(path+".fields", i)+".column", f.Column, readOnly && share && f.Auto == "")
				written[f.Column] = written[f.Column] || !readOnly
			}
		}
	}
}
