package config

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aposproxy/aposproxy/apos"
)

// kindRelationship is the kind of a relationship field
// (docs/api-rules.md#170). Load takes such fields out of Type.Fields into
// Type.Relationships once they are checked, so that nothing reading
// fields sees them.
const kindRelationship = "relationship"

// RelationshipKeys are the keys of a field of kind "relationship".
type RelationshipKeys struct {
	// Type is the related type.
	Type string `toml:"type"`
	// KeyField names a field of this type holding the related
	// document's key (one related document); Join a join table; Reverse
	// the relationship of Type that points at this type (read-only).
	// Exactly one is set.
	KeyField string `toml:"key_field"`
	Join     *Join  `toml:"join"`
	Reverse  string `toml:"reverse"`
	// Max caps how many documents a write may link (0: no cap).
	Max int `toml:"max"`
	// Project lists the related type's fields rendered (default: all).
	Project []string `toml:"project"`
	// InLists loads the relationship in lists too. Default true.
	InLists *bool `toml:"in_lists"`
}

// Join is a join table in the type's database.
type Join struct {
	Table string `toml:"table"`
	From  string `toml:"from"`  // the column of this type's key
	To    string `toml:"to"`    // the column of the related type's key
	Order string `toml:"order"` // the position column; optional
	// Fields maps names shown in _fields to columns of the table.
	Fields map[string]string `toml:"fields"`
}

// Relationship is a checked relationship field: the field and where it
// was declared.
type Relationship struct {
	Field
	Index int // its index among the type's fields in the file
}

// isRelationship reports whether f is a relationship field.
func (f *Field) isRelationship() bool { return f.Kind == kindRelationship }

// setRelationshipDefaults fills in a relationship field's defaults.
func (f *Field) setRelationshipDefaults() {
	if f.InLists == nil {
		yes := true
		f.InLists = &yes
	}
}

// splitRelationships moves the relationship fields out of t.Fields.
func (t *Type) splitRelationships() {
	fields := t.Fields[:0:0]
	for i, f := range t.Fields {
		if f.isRelationship() {
			t.Relationships = append(t.Relationships, Relationship{Field: f, Index: i})
		} else {
			fields = append(fields, f)
		}
	}
	t.Fields = fields
}

// validateRelationships checks every relationship field, and that other
// fields use none of a relationship's keys.
func (c *Config) validateRelationships(errs *errorList) {
	for _, name := range c.TypeOrder {
		t := c.Types[name]
		for i := range t.Fields {
			fp := indexKey(joinKey("types", name)+".fields", i)
			if f := &t.Fields[i]; f.isRelationship() {
				c.validateRelationship(t, fp, f, errs)
			} else if key := f.relationshipKeySet(); key != "" {
				errs.addf(fp+"."+key, `is only for fields of kind "relationship"`)
			}
		}
	}
}

// relationshipKeySet names a relationship key set on f, or "".
func (f *Field) relationshipKeySet() string {
	k := f.RelationshipKeys
	for _, set := range []struct {
		key string
		on  bool
	}{{"type", k.Type != ""}, {"key_field", k.KeyField != ""}, {"join", k.Join != nil}, {"reverse", k.Reverse != ""},
		{"max", k.Max != 0}, {"project", k.Project != nil}, {"in_lists", k.InLists != nil}} {
		if set.on {
			return set.key
		}
	}
	return ""
}

// validateRelationship checks one relationship field of t.
func (c *Config) validateRelationship(t *Type, fp string, f *Field, errs *errorList) {
	if len(f.Name) < 2 || f.Name[0] != '_' {
		errs.addf(fp+".name", "a relationship's name starts with _, as Apostrophe's do: _%s", f.Name)
	}
	if f.Column != "" || f.Required || f.ReadOnly || f.Searchable || f.Choices != nil || f.Auto != "" || f.Default != nil {
		errs.addf(fp+".kind", "a relationship field takes type, key_field, join, reverse, max, project and in_lists, not column, required, read_only, searchable, choices, auto or default")
	}
	if f.Max < 0 {
		errs.addf(fp+".max", "must not be negative")
	}
	related := c.Types[f.Type]
	if related == nil {
		errs.addf(fp+".type", "must name a configured type")
		return
	}
	n := 0
	for _, on := range []bool{f.KeyField != "", f.Join != nil, f.Reverse != ""} {
		if on {
			n++
		}
	}
	switch {
	case n != 1:
		errs.addf(fp, "a relationship needs exactly one of key_field, join or reverse")
	case f.KeyField != "":
		t.validateKeyField(fp, f, errs)
	case f.Join != nil:
		t.validateJoin(fp, f.Join, errs)
	default:
		validateReverse(t, related, fp, f, errs)
	}
	for j, name := range f.Project {
		if related.plainField(name) == nil {
			errs.addf(indexKey(fp+".project", j), "%s is not a field of type %s", name, f.Type)
		}
	}
}

// plainField returns the field of t named name that is not a
// relationship, or nil.
func (t *Type) plainField(name string) *Field {
	for i := range t.Fields {
		if f := &t.Fields[i]; f.Name == name && !f.isRelationship() {
			return f
		}
	}
	return nil
}

// relationshipField returns the relationship field of t named name, or
// nil.
func (t *Type) relationshipField(name string) *Field {
	for i := range t.Fields {
		if f := &t.Fields[i]; f.Name == name && f.isRelationship() {
			return f
		}
	}
	return nil
}

// validateKeyField checks key_field: a string or integer field of t.
func (t *Type) validateKeyField(fp string, f *Field, errs *errorList) {
	kf := t.plainField(f.KeyField)
	switch {
	case kf == nil:
		errs.addf(fp+".key_field", "must name a field of this type")
	case kf.Kind != string(apos.String) && kf.Kind != string(apos.Integer):
		errs.addf(fp+".key_field", "must name a string or integer field (the related document's key)")
	case kf.ReadOnly:
		errs.addf(fp+".key_field", "must name a field clients may write")
	}
}

// validateJoin checks a join table: a database type's, plain columns.
func (t *Type) validateJoin(fp string, j *Join, errs *errorList) {
	if t.Database == "" {
		errs.addf(fp+".join", "join tables are only for database types; a service's type links through key_field")
		return
	}
	for _, col := range []struct{ key, v string }{{"table", j.Table}, {"from", j.From}, {"to", j.To}} {
		if col.v == "" {
			errs.addf(fp+".join."+col.key, "is required")
		}
	}
	for _, col := range []struct{ key, v string }{{"table", j.Table}, {"from", j.From}, {"to", j.To}, {"order", j.Order}} {
		if col.v != "" && !sqlColumn.re.MatchString(col.v) {
			errs.addf(fp+".join."+col.key, "%s", sqlColumn.msg)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(j.Fields)) {
		p := joinKey(fp+".join.fields", name)
		col := j.Fields[name]
		switch {
		case !fieldName.MatchString(name):
			errs.addf(p, "a _fields name is letters, digits and _, not starting with a digit")
		case !sqlColumn.re.MatchString(col):
			errs.addf(p, "%s", sqlColumn.msg)
		case col == j.From || col == j.To || col == j.Order:
			errs.addf(p, "column %s is already the join's from, to or order", col)
		}
	}
}

// validateReverse checks reverse: the related type's relationship that
// points at t through a key field or a join table.
func validateReverse(t, related *Type, fp string, f *Field, errs *errorList) {
	of := related.relationshipField(f.Reverse)
	switch {
	case of == nil:
		errs.addf(fp+".reverse", "must name a relationship field of type %s", f.Type)
	case of.Type != t.Name:
		errs.addf(fp+".reverse", "%s.%s relates to %s, not to %s", f.Type, f.Reverse, of.Type, t.Name)
	case of.Reverse != "":
		errs.addf(fp+".reverse", "%s.%s is a reverse relationship itself", f.Type, f.Reverse)
	}
	if f.Max != 0 {
		errs.addf(fp+".max", "a reverse relationship is read-only: max does not apply")
	}
}

// schemaRelationships describes the relationships to adapters and the
// proxy.
func (t *Type) schemaRelationships() []apos.Relationship {
	var out []apos.Relationship
	for _, r := range t.Relationships {
		ar := apos.Relationship{Name: r.Name, Type: r.Type, KeyField: r.KeyField, Reverse: r.Reverse,
			Max: r.Max, Project: r.Project, InLists: r.InLists == nil || *r.InLists}
		if j := r.Join; j != nil {
			ar.Join = &apos.Join{Table: j.Table, From: j.From, To: j.To, Order: j.Order}
			for _, name := range slices.Sorted(maps.Keys(j.Fields)) {
				ar.Join.Fields = append(ar.Join.Fields, apos.JoinField{Name: name, Column: j.Fields[name]})
			}
		}
		out = append(out, ar)
	}
	return out
}

// String names the relationship for messages.
func (r Relationship) String() string { return fmt.Sprintf("%s (fields[%d])", r.Name, r.Index) }
