package upstream

import (
	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/config"
)

// schemaOf describes t to the proxy. A field's column left empty means its
// name, and its kind left empty means string, as config's defaults say.
func schemaOf(t *config.Type) *adapters.Schema {
	s := &adapters.Schema{
		Type:      t.Name,
		Localized: t.Localized != nil && *t.Localized,
		Storage:   adapters.Storage(t.Storage),
	}
	for _, f := range t.Fields {
		kind := adapters.Kind(f.Kind)
		if kind == "" {
			kind = adapters.String
		}
		af := adapters.Field{
			Name:       f.Name,
			Kind:       kind,
			Required:   f.Required,
			ReadOnly:   f.ReadOnly || f.Auto != "",
			Searchable: f.Searchable,
			Auto:       adapters.Auto(f.Auto),
		}
		for _, c := range f.Choices {
			af.Choices = append(af.Choices, adapters.Choice{Value: c.Value, Label: c.Label})
		}
		s.Fields = append(s.Fields, af)
	}
	return s
}
