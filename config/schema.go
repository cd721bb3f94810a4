package config

import "github.com/aposproxy/aposproxy/adapters"

// Schema describes the type to adapters and the proxy, in the adapter
// contract's terms. It expects a type from Load or Parse, whose defaults
// are set.
func (t *Type) Schema() *adapters.Schema {
	s := &adapters.Schema{
		Type:      t.Name,
		Localized: t.Localized != nil && *t.Localized,
		Storage:   adapters.Storage(t.Storage),
		Fields:    make([]adapters.Field, len(t.Fields)),
	}
	for i, f := range t.Fields {
		var choices []adapters.Choice
		for _, c := range f.Choices {
			choices = append(choices, adapters.Choice{Value: c.Value, Label: c.Label})
		}
		s.Fields[i] = adapters.Field{
			Name:       f.Name,
			Kind:       adapters.Kind(f.Kind),
			Required:   f.Required,
			ReadOnly:   f.ReadOnly,
			Searchable: f.Searchable,
			Choices:    choices,
			Auto:       adapters.Auto(f.Auto),
		}
	}
	return s
}
