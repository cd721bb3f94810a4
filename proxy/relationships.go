package proxy

import (
	"fmt"
	"strconv"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// relField is one relationship of a type, ready to load
// (docs/api-rules.md#170 to #173).
type relField struct {
	apos.Relationship
	to *docType
	// owner is, for a reverse relationship, the related type's
	// relationship that points here.
	owner *apos.Relationship
	// keyKind is the kind of the key field: this type's (forward) or the
	// related type's (reverse).
	keyKind apos.Kind
	project *projection // the related fields rendered; nil: all
	read    []string    // what the related type's backend reads for project; nil: all
}

// linkRelationships prepares every type's relationships once all types
// exist.
func (s *Server) linkRelationships() error {
	for _, d := range s.types {
		for _, r := range d.schema.Relationships {
			f := relField{Relationship: r, to: s.types[r.Type]}
			if f.to == nil {
				return fmt.Errorf("types.%s: relationship %s: no type %q", d.name, r.Name, r.Type)
			}
			key := d.fields[r.KeyField]
			if r.Reverse != "" {
				if f.owner = f.to.schema.Relationship(r.Reverse); f.owner == nil {
					return fmt.Errorf("types.%s: relationship %s: %s has no relationship %s", d.name, r.Name, r.Type, r.Reverse)
				}
				key = f.to.fields[f.owner.KeyField]
			}
			if key != nil {
				f.keyKind = key.Kind
			}
			if r.Project != nil {
				f.project = &projection{include: true, fields: map[string]bool{}}
				for _, name := range r.Project {
					f.project.fields[name] = true
				}
				f.read = f.to.reads(f.project)
				if f.read != nil && f.owner != nil && f.owner.KeyField != "" {
					// loadReverseKey files the related records by it.
					f.read = append(f.read, f.owner.KeyField)
				}
			}
			d.rels = append(d.rels, f)
		}
	}
	return nil
}

// relDoc is one related document of one document, with its _fields.
type relDoc struct {
	rec    *adapters.Record
	fields []byte
}

// related holds the relationships of a page of documents: per
// relationship (in the order of d.rels), per aposDocId, the related
// documents. A nil map: the relationship is not rendered.
type related struct {
	d    *docType
	rels []map[string][]relDoc
}

// loadRelated loads d's relationships for recs in a fixed number of
// queries: one list of the related type per relationship (and one query
// of the join table for join-table relationships), never one per
// document (docs/api-rules.md#171).
func (s *Server) loadRelated(c *call, d *docType, recs []adapters.Record, inList bool, p *projection) (*related, error) {
	if len(d.rels) == 0 || len(recs) == 0 || c.ctx != nil && !withRelationships(c.ctx.QueryArgs()) {
		return nil, nil
	}
	out := &related{d: d, rels: make([]map[string][]relDoc, len(d.rels))}
	for i := range d.rels {
		f := &d.rels[i]
		if (inList && !f.InLists) || !p.keeps(f.Name) {
			continue
		}
		out.rels[i] = map[string][]relDoc{}
		if c.who.Role < f.to.viewRole {
			continue // a type the caller may not read: empty arrays
		}
		scope := s.relatedScope(c, f.to, recs[0].Scope)
		var err error
		switch {
		case f.KeyField != "":
			err = s.loadByKey(c, f, scope, recs, out.rels[i])
		case f.Join != nil:
			err = s.loadJoin(c, d, f, scope, recs, out.rels[i])
		case f.owner.KeyField != "":
			err = s.loadReverseKey(c, f, scope, recs, out.rels[i])
		default:
			err = s.loadReverseJoin(c, f, scope, recs, out.rels[i])
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// withRelationships reports whether the request wants relationships:
// withRelationships=false (or Apostrophe's builder name,
// relationships=false) skips them.
func withRelationships(args *fasthttp.Args) bool {
	for _, name := range []string{"withRelationships", "relationships"} {
		if v := string(args.Peek(name)); v == "false" || v == "0" {
			return false
		}
	}
	return true
}

// relatedScope is the scope related documents are read in: the
// request's locale and mode (docs/api-rules.md#171).
func (s *Server) relatedScope(c *call, to *docType, of apos.Scope) apos.Scope {
	if !to.localized() {
		return apos.Scope{Mode: apos.Published}
	}
	if of.Locale != "" {
		return of
	}
	scope, err := s.scopeFor(c.params, apos.DocID{}, c.who)
	if err != nil {
		return apos.Scope{Locale: s.locales.def, Mode: apos.Published}
	}
	return scope
}

// byIDs lists the records of t with these aposDocIds in scope, by id,
// with only the fields in read (nil: every field).
func (s *Server) byIDs(c *call, t *docType, scope apos.Scope, ids, read []string) (map[string]*adapters.Record, error) {
	ids = unique(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	page, err := t.backend.List(c.bctx, &adapters.Query{Scope: scope, Page: 1, PerPage: len(ids), IDs: ids, Project: read})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*adapters.Record, len(page.Records))
	for i := range page.Records {
		out[page.Records[i].DocID] = &page.Records[i]
	}
	return out, nil
}

// unique drops repeated and empty ids, keeping the first of each.
func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// keyOf is the aposDocId a key field holds in fields, or "".
func keyOf(fields []byte, field string) string {
	v := gjson.GetBytes(fields, field)
	switch v.Type {
	case gjson.String:
		return apos.EncodeKey(v.Str)
	case gjson.Number:
		return apos.EncodeKey(v.Raw)
	}
	return ""
}

// loadByKey loads a relationship through a key field of d.
func (s *Server) loadByKey(c *call, f *relField, scope apos.Scope, recs []adapters.Record, out map[string][]relDoc) error {
	keys := make([]string, len(recs))
	for i := range recs {
		keys[i] = keyOf(recs[i].Fields, f.KeyField)
	}
	found, err := s.byIDs(c, f.to, scope, keys, f.read)
	for i, k := range keys {
		if r := found[k]; r != nil {
			out[recs[i].DocID] = []relDoc{{rec: r}}
		}
	}
	return err
}

// loadJoin loads a relationship through d's join table.
func (s *Server) loadJoin(c *call, d *docType, f *relField, scope apos.Scope, recs []adapters.Record, out map[string][]relDoc) error {
	lk, ok := d.backend.(adapters.Linker)
	if !ok {
		return nil
	}
	ids := make([]string, len(recs))
	for i := range recs {
		ids[i] = recs[i].DocID
	}
	links, err := lk.Links(c.bctx, recs[0].Scope, f.Name, ids, false)
	if err != nil {
		return err
	}
	to := make([]string, len(links))
	for i, l := range links {
		to[i] = l.To
	}
	found, err := s.byIDs(c, f.to, scope, to, f.read)
	for _, l := range links {
		if r := found[l.To]; r != nil {
			out[l.From] = append(out[l.From], relDoc{rec: r, fields: l.Fields})
		}
	}
	return err
}

// loadReverseKey loads the documents of the related type whose key field
// names one of recs: one filtered list.
func (s *Server) loadReverseKey(c *call, f *relField, scope apos.Scope, recs []adapters.Record, out map[string][]relDoc) error {
	var vals []any
	for _, r := range recs {
		k, ok := apos.DecodeKey(r.DocID)
		if !ok {
			continue
		}
		if f.keyKind != apos.Integer {
			vals = append(vals, k)
		} else if n, err := strconv.ParseInt(k, 10, 64); err == nil {
			vals = append(vals, n)
		}
	}
	if len(vals) == 0 {
		return nil
	}
	q := adapters.Query{Scope: scope, Page: 1, PerPage: f.to.maxPerPage, Sort: f.to.sort, Project: f.read,
		Filters: []adapters.Filter{{Field: f.owner.KeyField, Op: adapters.OpIn, Values: vals}}}
	page, err := f.to.backend.List(c.bctx, &q)
	if err != nil {
		return err
	}
	for i := range page.Records {
		r := &page.Records[i]
		k := keyOf(r.Fields, f.owner.KeyField)
		out[k] = append(out[k], relDoc{rec: r})
	}
	return nil
}

// loadReverseJoin loads the documents of the related type that link to
// recs through its join table.
func (s *Server) loadReverseJoin(c *call, f *relField, scope apos.Scope, recs []adapters.Record, out map[string][]relDoc) error {
	lk, ok := f.to.backend.(adapters.Linker)
	if !ok {
		return nil
	}
	ids := make([]string, len(recs))
	for i := range recs {
		ids[i] = recs[i].DocID
	}
	links, err := lk.Links(c.bctx, scope, f.owner.Name, ids, true)
	if err != nil {
		return err
	}
	from := make([]string, len(links))
	for i, l := range links {
		from[i] = l.From
	}
	found, err := s.byIDs(c, f.to, scope, from, f.read)
	for _, l := range links {
		if r := found[l.From]; r != nil {
			out[l.To] = append(out[l.To], relDoc{rec: r, fields: l.Fields})
		}
	}
	return err
}
