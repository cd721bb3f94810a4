package apos

import "strings"

// Relationship is a relationship field of a type (Apostrophe's
// relationship and relationshipReverse): the computed array _name of the
// related documents of type Type. Exactly one of KeyField, Join and
// Reverse says where the links are (docs/api-rules.md#170).
type Relationship struct {
	Name string // "_category": the computed array's name
	Type string // the related type
	// KeyField names a field of this type that holds the related
	// document's key: one related document at most.
	KeyField string
	// Join is a table of links from this type's keys to the related
	// type's, in order, with extra columns (_fields).
	Join *Join
	// Reverse names the relationship of Type that points here; a
	// reverse relationship is read-only.
	Reverse string
	Max     int      // 0: no maximum
	Project []string // the related fields rendered; nil: all
	InLists bool     // loaded in lists, not only in single reads
}

// Join is a join table: From holds this type's key, To the related
// type's, Order the position (optional), Fields the extra columns.
type Join struct {
	Table, From, To, Order string
	Fields                 []JoinField
}

// JoinField is an extra column of a join table, shown as _fields.Name.
type JoinField struct {
	Name, Column string
}

// Base is the name without its underscore: "category" for "_category",
// whose storage fields Apostrophe calls categoryIds and categoryFields.
func (r *Relationship) Base() string { return strings.TrimPrefix(r.Name, "_") }

// Relationship returns the relationship named name, or nil.
func (s *Schema) Relationship(name string) *Relationship {
	for i := range s.Relationships {
		if s.Relationships[i].Name == name {
			return &s.Relationships[i]
		}
	}
	return nil
}
