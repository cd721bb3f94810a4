package openapi

import (
	"github.com/aposproxy/aposproxy/config"
	"slices"
)

// relationshipProps adds a type's relationship fields to a document's
// properties: each an array of the related type's documents, with the
// relationship's own fields in _fields (docs/api-rules.md#171).
func relationshipProps(t *config.Type, props obj) {
	for _, r := range t.Relationships {
		item := obj{"allOf": []any{ref("schemas", compName(r.Type)), obj{"type": "object", "properties": obj{
			"_fields": obj{"type": "object", "description": "The relationship's own fields for this document."}}}}}
		s := obj{"type": "array", "items": item, "x-apos-kind": "relationship",
			"description": "The related " + r.Type + " documents."}
		if r.Reverse != "" {
			s["readOnly"] = true
			s["description"] = "The " + r.Type + " documents whose " + r.Reverse + " names this one (read-only)."
		}
		props[r.Name] = s
	}
}

// relationshipWrites adds the writable relationship fields to a write
// body: arrays of the related documents' _id, each with its _fields.
func relationshipWrites(t *config.Type, props obj) {
	for _, r := range t.Relationships {
		if r.Reverse != "" {
			continue
		}
		s := obj{"type": "array", "x-apos-kind": "relationship", "description": "The related " + r.Type + " documents, by _id.",
			"items": obj{"type": "object", "required": []any{"_id"}, "properties": obj{"_id": str(), "_fields": obj{"type": "object"}}}}
		if r.Max > 0 {
			s["maxItems"] = r.Max
		}
		props[r.Name] = s
	}
}

// pageProps adds what a page of the tree has beyond its fields: its place
// in the tree, its URL, and with ?all=1 or on one page its ancestors and
// children (docs/api-rules.md#141, #142).
func pageProps(t *config.Type, props obj) {
	if !t.IsPageTree() {
		return
	}
	self := ref("schemas", compName(t.Name))
	props["path"] = obj{"type": "string", "description": "The page's place in the tree: the ids from the home page down to it, joined by /.", "readOnly": true}
	props["level"] = obj{"type": "integer", "description": "The depth in the tree: 0 for the home page.", "readOnly": true}
	props["orphan"] = obj{"type": "boolean", "readOnly": true}
	props["parkedId"] = obj{"type": "string", "readOnly": true}
	props["parked"] = obj{"type": "array", "items": str(), "readOnly": true}
	props["_url"] = obj{"type": "string", "description": "The page's URL: the locale's prefix and the slug.", "readOnly": true}
	props["_ancestors"] = obj{"type": "array", "items": self, "readOnly": true, "description": "The pages above, from the home page."}
	props["_children"] = obj{"type": "array", "readOnly": true,
		"description": "The pages below, in rank order: documents, or their _ids with flat=1.",
		"items":       obj{"anyOf": []any{self, str()}}}
	delete(props, config.TreeParentField) // read and written, never rendered
	// The archive the proxy keeps is a page of Apostrophe's own type
	// (docs/api-rules.md#148), beside the page types of the tree.
	if s, ok := props["type"].(obj); ok {
		if e, ok := s["enum"].([]any); ok {
			s["enum"] = append(slices.Clone(e), config.ArchivePageType)
		}
	}
}

// pagePlacement adds where a new or moved page goes to a page write body.
func pagePlacement(t *config.Type, props obj) {
	if !t.IsPageTree() {
		return
	}
	delete(props, config.TreeParentField)
	props["_targetId"] = obj{"type": "string", "description": "The page the new place is relative to (default: the home page); _home and _archive name those."}
	props["_position"] = obj{"description": "Where, relative to _targetId: before, after, firstChild, lastChild (default) or a child index.",
		"anyOf": []any{obj{"type": "string", "enum": []any{"before", "after", "firstChild", "lastChild"}}, obj{"type": "integer", "minimum": 0}}}
}

// pageParams are the query parameters of GET on the page tree: the home
// page by default, the whole tree with all=1 (nested, or flat with
// flat=1).
func pageParams() []any {
	flag := func(name, what string) obj {
		return obj{"name": name, "in": "query", "required": false, "description": what,
			"schema": obj{"type": "string", "enum": []any{"0", "1"}}}
	}
	return []any{flag("all", "1: the whole tree from the home page, each page with its _children."),
		flag("flat", "With all=1: the pages as one array in tree order, _children holding _ids."),
		obj{"name": "type", "in": "query", "required": false, "schema": str(),
			"description": "A list of the pages of this page type, as for pieces, instead of the tree."}}
}

// attachmentSchema is an attachment as upload and crop answer it, with
// the URLs of its sizes (docs/api-rules.md#190).
func attachmentSchema() obj {
	crop := obj{"type": "object", "properties": obj{"top": integer(), "left": integer(), "width": integer(), "height": integer()}}
	return obj{"type": "object", "required": []any{"_id", "name", "extension", "group"}, "properties": obj{
		"_id": str(), "group": str(), "createdAt": obj{"type": "string", "format": "date-time"},
		"name": str(), "title": str(), "extension": str(), "type": str(),
		"docIds": obj{"type": "array", "items": str()}, "archivedDocIds": obj{"type": "array", "items": str()},
		"length": integer(), "md5": str(), "width": integer(), "height": integer(),
		"landscape": obj{"type": "boolean"}, "portrait": obj{"type": "boolean"},
		"crops": obj{"type": "array", "items": crop}, "_crop": crop,
		"_isCroppable": obj{"type": "boolean"},
		"_urls": obj{"type": "object", "description": "An image's URL by size (one-sixth, one-third, one-half, two-thirds, full, max, original); empty for other files.",
			"additionalProperties": obj{"oneOf": []any{str(), obj{"type": "object", "additionalProperties": str()}}}},
		"_url": obj{"type": "string", "description": "A file's URL (files that are not images)."},
	}}
}
