package config

import "github.com/aposproxy/aposproxy/apos"

// Schema describes the type to adapters and the proxy, in the adapter
// contract's terms. It expects a type from Load or Parse, whose defaults
// are set.
func (t *Type) Schema() *apos.Schema {
	s := &apos.Schema{
		Type:      t.Name,
		Localized: t.Localized != nil && *t.Localized,
		Storage:   apos.Storage(t.Storage),
		Fields:    make([]apos.Field, len(t.Fields)),
		// Relationships: relationships.go.
		Relationships: t.schemaRelationships(),
	}
	for i := range t.Fields {
		s.Fields[i] = t.Fields[i].APIField()
	}
	return s
}

// APIField is f in the adapter contract's terms.
func (f *Field) APIField() apos.Field {
	var choices []apos.Choice
	for _, c := range f.Choices {
		choices = append(choices, apos.Choice{Value: c.Value, Label: c.Label})
	}
	af := apos.Field{
		Name:       f.Name,
		Kind:       apos.Kind(f.Kind),
		Required:   f.Required,
		ReadOnly:   f.ReadOnly,
		Searchable: f.Searchable,
		Choices:    choices,
		Auto:       apos.Auto(f.Auto),
	}
	if f.Default != nil {
		af.Default = *f.Default
	}
	return af
}
