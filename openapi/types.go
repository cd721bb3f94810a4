package openapi

import (
	"fmt"
	"slices"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// types adds the schemas and the tag of every configured type: the
// document as read (<type>), as written by POST and PUT (<type>.write),
// as patched (<type>.patch) and a page of a list (<type>.list).
func (g *generator) types() {
	for k, v := range coreSchemas() {
		g.schemas[k] = v
	}
	for _, name := range g.typeNames() {
		t := g.cfg.Types[name]
		c := compName(name)
		doc, write, patch := documentSchema(t), writeSchema(t, true), writeSchema(t, false)
		g.schemas[c], g.schemas[c+".write"], g.schemas[c+".patch"] = doc, write, patch
		g.schemas[c+".list"] = obj{
			"type":     "object",
			"required": []any{"pages", "currentPage", "results"},
			"properties": obj{
				"pages":       obj{"type": "integer", "description": "The number of pages."},
				"currentPage": obj{"type": "integer", "description": "This page's number, from 1."},
				"results":     obj{"type": "array", "items": ref("schemas", c)},
				"count":       obj{"type": "integer", "description": "With count=1: the number of documents, and no results."},
				"choices":     obj{"type": "object", "description": "With choices=: each field's distinct values."},
			},
		}
		g.tag(name, typeDescription(t))
	}
}

// typeNames lists the types in the file's order.
func (g *generator) typeNames() []string {
	if len(g.cfg.TypeOrder) == len(g.cfg.Types) {
		return g.cfg.TypeOrder
	}
	var out []string
	for n := range g.cfg.Types {
		out = append(out, n)
	}
	return out
}

// typeDescription says what a type is and who may do what with it.
func typeDescription(t *config.Type) string {
	s := fmt.Sprintf("Documents of type %s. Read: %s and above; write: %s; publish: %s.",
		t.Name, t.ViewRole, t.EditRole, t.PublishRole)
	if t.Localized != nil && *t.Localized {
		s += " Localized: _id is aposDocId:locale:mode."
	}
	if t.ReadOnly {
		s += " Read-only."
	}
	return s
}

// fieldSchema is the JSON schema of a field's value (null when unset).
func fieldSchema(f config.Field) obj {
	var s obj
	switch apos.Kind(f.Kind) {
	case apos.Integer:
		s = obj{"type": []any{"integer", "null"}}
	case apos.Float:
		s = obj{"type": []any{"number", "null"}}
	case apos.Boolean:
		s = obj{"type": []any{"boolean", "null"}}
	case apos.Date:
		s = obj{"type": []any{"string", "null"}, "format": "date"}
	case apos.DateTime:
		s = obj{"type": []any{"string", "null"}, "format": "date-time"}
	case apos.JSON:
		s = obj{"description": "Any JSON value."}
	case apos.Select:
		var vals []any
		for _, c := range f.Choices {
			vals = append(vals, c.Value)
		}
		s = obj{"type": []any{"string", "null"}, "enum": append(vals, nil)}
	case apos.Password:
		s = obj{"type": "string", "format": "password", "writeOnly": true}
	case apos.Attachment:
		s = attachmentFieldSchema()
	default:
		s = obj{"type": []any{"string", "null"}}
	}
	if f.ReadOnly {
		s["readOnly"] = true
	}
	s["x-apos-kind"] = f.Kind
	if f.Column != "" && f.Column != f.Name {
		s["x-apos-column"] = f.Column
	}
	return s
}

// documentSchema is a document as the proxy renders it: Apostrophe's
// properties, then the type's fields (docs/api-rules.md#242).
func documentSchema(t *config.Type) obj {
	props := obj{
		"_id":       obj{"type": "string", "description": "The document's id: aposDocId:locale:mode for a localized type, aposDocId otherwise.", "readOnly": true},
		"aposDocId": obj{"type": "string", "readOnly": true},
		"type":      obj{"type": "string", "const": t.Name, "readOnly": true},
		"metaType":  obj{"type": "string", "const": "doc", "readOnly": true},
		"slug":      str(), "visibility": obj{"type": "string", "enum": []any{"public", "loginRequired"}},
		"archived": obj{"type": "boolean"},
	}
	required := []any{"_id", "aposDocId", "type", "metaType"}
	if t.Localized != nil && *t.Localized {
		props["aposLocale"] = obj{"type": "string", "description": "locale:mode, such as en:published.", "readOnly": true}
		props["aposMode"] = obj{"type": "string", "enum": []any{"draft", "published"}, "readOnly": true}
		props["lastPublishedAt"] = obj{"type": []any{"string", "null"}, "format": "date-time", "readOnly": true}
		props["modified"] = obj{"type": "boolean", "description": "On a draft: whether it differs from the published copy.", "readOnly": true}
		required = append(required, "aposLocale", "aposMode")
	}
	for _, perm := range []string{"_create", "_edit", "_publish", "_delete"} {
		props[perm] = obj{"type": "boolean", "description": "Whether the caller may do this (authenticated callers only).", "readOnly": true}
	}
	for _, f := range allFields(t) {
		if apos.Kind(f.Kind) != apos.Password {
			props[f.Name] = fieldSchema(f)
		}
	}
	relationshipProps(t, props)
	pageProps(t, props)
	return obj{"type": "object", "title": t.Name, "required": required, "properties": props}
}

// writeSchema is the body of a create or replace (full: required fields
// are required) or of a patch (any subset, and Apostrophe's patch
// operators).
func writeSchema(t *config.Type, full bool) obj {
	props := obj{"slug": str(), "visibility": obj{"type": "string", "enum": []any{"public", "loginRequired"}}, "archived": obj{"type": "boolean"}}
	var required []any
	for _, f := range allFields(t) {
		if f.ReadOnly {
			continue
		}
		props[f.Name] = fieldSchema(f)
		if f.Required && full {
			required = append(required, f.Name)
		}
	}
	relationshipWrites(t, props)
	pagePlacement(t, props)
	s := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	if !full {
		for _, op := range []string{"$push", "$pullAll", "$pullAllById"} {
			props[op] = obj{"type": "object", "description": "Apostrophe's " + op + " patch operator: {path: value}."}
		}
	}
	return s
}

// allFields are t's fields, those the proxy keeps itself included.
func allFields(t *config.Type) []config.Field {
	return append(slices.Clone(t.Fields), t.ProxyFields...)
}

// attachmentFieldSchema is an attachment field's value (docs/api-rules.md#198):
// written as the object the upload answered or its _id, read back as the
// attachment with _urls (images) or _url (other files).
func attachmentFieldSchema() obj {
	return obj{
		"description": "An uploaded file: write the object POST /@apostrophecms/attachment/upload answered, or its _id; read back annotated with _urls (images) or _url.",
		"anyOf": []any{
			obj{"type": "object", "required": []any{"_id"}, "properties": obj{
				"_id":   str(),
				"crop":  obj{"type": []any{"object", "null"}},
				"_urls": obj{"type": "object", "additionalProperties": str(), "readOnly": true},
				"_url":  obj{"type": "string", "readOnly": true},
			}},
			obj{"type": "string", "description": "The attachment's _id."},
			obj{"type": "null"},
		},
	}
}
