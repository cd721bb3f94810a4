package proxy

import (
	"strconv"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// relValues turns the relationship inputs of a write's body into values
// (docs/api-rules.md#174): each related document named by {_id} (with
// _fields), a bare _id, or a title, found in the write's locale and mode
// among the documents the writer may read. What does not resolve is
// dropped, as Apostrophe does; more than max is 400 invalid "max". A key
// field's relationship writes the key field; a join table's writes a
// Links value, which the adapter keeps in the document's transaction.
func (s *Server) relValues(c *call, d *docType, body gjson.Result, scope apos.Scope) ([]adapters.Value, error) {
	var out []adapters.Value
	for i := range d.rels {
		f := &d.rels[i]
		in := body.Get(gjson.Escape(f.Name))
		if f.Reverse != "" || !in.Exists() {
			continue
		}
		docs, err := s.resolveRelated(c, f, in, s.relatedScope(c, f.to, scope))
		if err != nil {
			return nil, err
		}
		if f.Max > 0 && len(docs) > f.Max {
			return nil, apos.Invalid(f.Name, "max", "Select at most "+strconv.Itoa(f.Max)+" items.")
		}
		if f.KeyField != "" {
			out = append(out, keyValue(f, docs))
			continue
		}
		links := make(adapters.Links, len(docs))
		for j, rd := range docs {
			links[j] = adapters.Link{To: rd.rec.DocID, Fields: joinFields(f, rd.fields)}
		}
		out = append(out, adapters.Value{Field: f.Name, V: links})
	}
	return out, nil
}

// keyValue is the key field's value that links docs (at most the first).
func keyValue(f *relField, docs []relDoc) adapters.Value {
	v := adapters.Value{Field: f.KeyField}
	if len(docs) == 0 {
		return v
	}
	k, _ := apos.DecodeKey(docs[0].rec.DocID)
	v.V = k
	if f.keyKind == apos.Integer {
		if n, err := strconv.ParseInt(k, 10, 64); err == nil {
			v.V = n
		}
	}
	return v
}

// joinFields keeps the configured members of an input's _fields.
func joinFields(f *relField, in []byte) []byte {
	out := []byte{'{'}
	n := 0
	for _, jf := range f.Join.Fields {
		v := gjson.GetBytes(in, gjson.Escape(jf.Name))
		if !v.Exists() {
			continue
		}
		if n > 0 {
			out = append(out, ',')
		}
		n++
		out = append(appendString(out, jf.Name), ':')
		out = append(out, v.Raw...)
	}
	return append(out, '}')
}

// resolveRelated finds the documents an input names, in its order,
// without repeats: one list by ids and one by titles.
func (s *Server) resolveRelated(c *call, f *relField, in gjson.Result, scope apos.Scope) ([]relDoc, error) {
	if !in.IsArray() || c.who.Role < f.to.viewRole {
		return nil, nil
	}
	type item struct {
		id, title string
		fields    []byte
	}
	var items []item
	var ids []string
	var titles []any
	for _, v := range in.Array() {
		it := item{}
		if v.IsObject() {
			v, it.fields = v.Get("_id"), []byte(v.Get("_fields").Raw)
		}
		if v.Type != gjson.String {
			continue
		}
		if id, ok := apos.ParseID(v.Str); ok && (id.Locale == "" || id.Locale == scope.Locale && id.Mode == scope.Mode || !f.to.localized()) {
			it.id = id.DocID
			ids = append(ids, id.DocID)
		}
		if it.id == "" || !v.IsObject() && f.to.fields["title"] != nil {
			it.title = v.Str
			titles = append(titles, v.Str)
		}
		items = append(items, it)
	}
	byID, err := s.byIDs(c, f.to, scope, ids, nil)
	if err != nil {
		return nil, err
	}
	byTitle, err := s.byTitles(c, f.to, scope, titles)
	if err != nil {
		return nil, err
	}
	var out []relDoc
	seen := map[string]bool{}
	for _, it := range items {
		r := byID[it.id]
		if r == nil {
			r = byTitle[it.title]
		}
		if r != nil && !seen[r.DocID] {
			seen[r.DocID] = true
			out = append(out, relDoc{rec: r, fields: it.fields})
		}
	}
	return out, nil
}

// byTitles lists the records of t with these exact titles, by title.
func (s *Server) byTitles(c *call, t *docType, scope apos.Scope, titles []any) (map[string]*adapters.Record, error) {
	if len(titles) == 0 {
		return nil, nil
	}
	q := adapters.Query{Scope: scope, Page: 1, PerPage: t.maxPerPage,
		Filters: []adapters.Filter{{Field: "title", Op: adapters.OpIn, Values: titles}}}
	page, err := t.backend.List(c.bctx, &q)
	if err != nil {
		return nil, err
	}
	out := map[string]*adapters.Record{}
	for i := range page.Records {
		title := gjson.GetBytes(page.Records[i].Fields, "title").Str
		if out[title] == nil {
			out[title] = &page.Records[i]
		}
	}
	return out, nil
}

// withRelValues puts rel after vals, a relationship's key field value
// replacing one vals sets.
func withRelValues(vals, rel []adapters.Value) []adapters.Value {
	for _, r := range rel {
		out := vals[:0]
		for _, v := range vals {
			if v.Field != r.Field {
				out = append(out, v)
			}
		}
		vals = append(out, r)
	}
	return vals
}

// relStorage reports whether key is a storage member of one of d's
// relationships (categoryIds, categoryFields): read back from documents,
// ignored in writes, as the read-only members are.
func (d *docType) relStorage(key string) bool {
	for i := range d.rels {
		if b := d.rels[i].Base(); key == b+"Ids" || key == b+"Fields" {
			return true
		}
	}
	return false
}
