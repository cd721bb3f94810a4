package adapters

import (
	"context"

	"github.com/aposproxy/aposproxy/apos"
)

// Adapter serves the documents of one type from one backend. Every method
// works in one Scope; for an unlocalized type Scope.Locale is empty, and for
// an autopublish type both modes address the same record.
//
// Implementations must honour ctx's deadline, bind every value (identifiers
// come only from configuration), and return errors from package apos's
// sentinels (apos.ErrNotFound, apos.ErrConflict, ...) or a *apos.ValidationError; anything
// else is answered as an internal error.
type Adapter interface {
	// Schema describes the type. It must not change after construction.
	Schema() *apos.Schema
	// List returns one page of records matching q, and the total count.
	List(ctx context.Context, q *Query) (*Page, error)
	// Get returns one record, or ErrNotFound.
	Get(ctx context.Context, s apos.Scope, docID string) (*Record, error)
	// Insert creates a document. In Published scope a Columns type gets
	// both its published and its draft record; in Draft scope only the
	// draft. It returns the record of scope s.
	Insert(ctx context.Context, s apos.Scope, in *Insert) (*Record, error)
	// Update changes the record of scope s only. It reads the current
	// record, calls change with it and writes the values change returns,
	// all atomically (in one transaction, with the row locked where the
	// backend can). change may refuse with an error, and nothing is written.
	Update(ctx context.Context, s apos.Scope, docID string, change Change) (*Record, error)
	// Delete removes the record of scope s. Deleting a draft removes the
	// published record of that locale too; deleting a published record
	// leaves the draft. check is called with the current record, atomically,
	// and may refuse.
	Delete(ctx context.Context, s apos.Scope, docID string, check Check) error
}

// Change computes the values to write from the current record.
type Change func(current *Record) ([]Value, error)

// Check approves or refuses an operation on the current record.
type Check func(current *Record) error

// Value is one field value to write. V holds the value converted to the
// field's kind: nil (empty), string (string, select, date as "YYYY-MM-DD"),
// int64, float64, bool, time.Time (datetime, UTC), or RawJSON. When the
// backend keeps slugs (apos.Schema.Slugs), a Value of Field "slug" (a
// string, already slugified) sets the record's slug; sorts and filters
// name it too.
type Value struct {
	Field string
	V     any
}

// RawJSON is a validated JSON value for a json field.
type RawJSON []byte

// Insert is what a create writes.
type Insert struct {
	// DocID is the aposDocId to use (POST _createId); empty lets the backend
	// or the adapter make one.
	DocID  string
	Values []Value
}

// Record is one stored document, already mapped to API field names.
type Record struct {
	DocID string     // the aposDocId
	Scope apos.Scope // the record's locale and mode
	// Fields is a JSON object holding the API fields, in schema order.
	Fields []byte
	// Modified is set on drafts when the adapter knows whether the draft
	// differs from the published record.
	Modified Tristate
	// Extra holds JSON object members the proxy appends to the document,
	// without the braces, such as `"lastPublishedAt":"…","submitted":{…}`:
	// what a backend keeps beside the mapped fields (see Workflow). Nil
	// when there are none.
	Extra []byte
	// Slug is the record's slug when the schema's backend keeps slugs
	// (apos.Schema.Slugs); nil otherwise.
	Slug []byte
}

// Tristate is a boolean that may be unknown.
type Tristate int8

// The values of a Tristate.
const (
	Unknown Tristate = iota
	False
	True
)

// Page is one page of a list.
type Page struct {
	Records []Record
	Total   int
}

// Query is a list request, already parsed and validated against the schema.
type Query struct {
	Scope   apos.Scope
	Page    int // 1-based
	PerPage int
	Sort    []Sort
	// IDs, when not nil, restricts the results to these aposDocIds, in this
	// order; an empty non-nil slice matches nothing.
	IDs          []string
	Search       string // case-insensitive substring of any searchable field
	Autocomplete string // prefix of a word of any searchable field
	Filters      []Filter
	// Project, when not nil, limits Record.Fields to these fields.
	Project []string
	// CountOnly asks for Total only.
	CountOnly bool
}

// Sort is one sort key.
type Sort struct {
	Field string
	Desc  bool
}

// Op is a filter operator.
type Op int

// The filter operators of docs/api-rules.md#23.
const (
	OpContains Op = iota // strings: case-insensitive substring of Values[0]
	OpIn                 // any of Values
	OpRange              // Values[0] <= v <= Values[1]
	OpEqual              // v == Values[0]; Values[0] may be nil for "is empty"
	OpNotNull            // v is not empty (NULL); no Values (docs/api-rules.md#124)
)

// Filter restricts a list by one field. Values are converted to the
// field's kind, as in Value.
type Filter struct {
	Field  string
	Op     Op
	Values []any
}

// Counted is one distinct value of a field and how many records hold it.
type Counted struct {
	Value any
	Count int
}

// Distincter is an optional capability: the distinct values of a field
// among the records matching q (ignoring q's paging, sort and any filter
// on that same field), for the list parameters choices and counts.
type Distincter interface {
	Distinct(ctx context.Context, q *Query, field string) ([]Counted, error)
}

// Pinger is an optional capability: a cheap health check of the backend.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Link is one link of a join-table relationship: From is an aposDocId of
// the type that declares it, To one of the related type, Fields the
// JSON object of its extra columns (_fields).
type Link struct {
	From, To string
	Fields   []byte
}

// Links is the value of a Value that sets a join-table relationship
// (Value.Field is the relationship's name): the links from the written
// document, in order, whose From is ignored.
type Links []Link

// Linker is an optional capability of a type that declares join-table
// relationships: the links of relationship rel from the documents ids
// (reverse false) or to the related documents ids (reverse true), in
// scope s, ordered by From and then by position.
type Linker interface {
	Links(ctx context.Context, s apos.Scope, rel string, ids []string, reverse bool) ([]Link, error)
}
