package apos

import "math"

// Kind is the type of a field's values, as the API shows them.
type Kind string

// The field kinds. Dates are "YYYY-MM-DD" strings on the wire; datetimes are
// ISO-8601 UTC strings with milliseconds; json is any JSON value.
const (
	String   Kind = "string"
	Integer  Kind = "integer"
	Float    Kind = "float"
	Boolean  Kind = "boolean"
	Date     Kind = "date"
	DateTime Kind = "datetime"
	JSON     Kind = "json"
	Select   Kind = "select"
	// Decimal is an exact number with at most Precision digits, Scale of
	// them after the point (docs/api-rules.md#120): kept as text from the
	// request to the column and back, never as a float64.
	Decimal Kind = "decimal"
	// Password is write-only: a string the proxy hashes with bcrypt on
	// writes and never renders (Apostrophe's user password).
	Password Kind = "password"
	// Attachment holds one uploaded file (docs/api-rules.md#198): written
	// as the object the upload answered (or its _id), read back
	// annotated with _urls as Apostrophe does.
	Attachment Kind = "attachment"
)

// Auto says when the proxy itself sets a field on writes.
type Auto string

// The auto-set moments: on insert only, or on every write; AutoUser
// stores who made each write (the username of a logged-in user, the
// title of an API key), as Apostrophe's updatedBy.
const (
	AutoNone   Auto = ""
	AutoCreate Auto = "create"
	AutoUpdate Auto = "update"
	AutoUser   Auto = "user"
)

// Choice is one allowed value of a select field.
type Choice struct {
	Value string
	Label string
}

// Field is one API field of a type, independent of where a backend keeps it.
type Field struct {
	Name       string
	Kind       Kind
	Required   bool
	ReadOnly   bool // clients cannot write it (auto fields are read-only too)
	Searchable bool // part of search and autocomplete
	Choices    []Choice
	Auto       Auto
	// Default is the value a create or a replacement gives the field when
	// the body leaves it out (Apostrophe's def); nil: empty.
	Default any
	// Min and Max bound an integer field's values when its backend keeps
	// them narrower than 64 bits (an INTEGER column of PostgreSQL or
	// MySQL); both zero: any int64. The backend sets them as it starts;
	// values outside are refused, never clamped.
	Min, Max int64
	// Precision and Scale bound a decimal field: at most Precision
	// digits, Scale of them after the point. The backend reads them from
	// the column as it starts (or the configuration gives them).
	Precision, Scale int
}

// WriteOnly reports whether f is never read back: it is not rendered,
// sorted, filtered or listed among choices.
func (f *Field) WriteOnly() bool { return f.Kind == Password }

// IntRange returns the values an integer field can hold.
func (f *Field) IntRange() (lo, hi int64) {
	if f.Min == 0 && f.Max == 0 {
		return math.MinInt64, math.MaxInt64
	}
	return f.Min, f.Max
}

// Storage is how a type's backend keeps modes.
type Storage string

// The storage strategies of docs/api-rules.md#12.
const (
	// Columns: each mode is its own record (the backend has a mode field).
	Columns Storage = "columns"
	// Autopublish: one record serves both modes.
	Autopublish Storage = "autopublish"
	// Overlay: the backend holds the default locale's published records;
	// drafts, previous copies and other locales live in a store the proxy
	// owns.
	Overlay Storage = "overlay"
)

// Schema describes one document type to the proxy.
type Schema struct {
	Type      string // Apostrophe's type name, e.g. "product"
	Localized bool   // ids are aposDocId:locale:mode; false gives bare ids
	Storage   Storage
	Fields    []Field
	// Slugs says that the backend keeps each record's slug itself, stable
	// and unique per locale and mode (docs/api-rules.md#25): records carry
	// it in Record.Slug, lists filter (exactly) and sort by the field
	// "slug", and writes take a value for it. The type then has no field
	// of that name.
	Slugs bool
	// Relationships are the type's relationship fields (relationship.go).
	Relationships []Relationship
}

// Field returns the field named name, or nil.
func (s *Schema) Field(name string) *Field {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}
