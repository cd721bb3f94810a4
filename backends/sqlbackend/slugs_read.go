package sqlbackend

import (
	"context"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// keepSlugs makes the adapter keep its type's slugs in the slug table
// when the type maps a title and no slug (docs/config.md#slugs); a type
// that maps a slug column keeps its slugs there.
func (a *Adapter) keepSlugs(ctx context.Context) error {
	// A read_only type's slugs are derived from its titles, never kept:
	// the proxy creates nothing in a database it only reads.
	if a.field("title") == nil || a.field(apos.SlugField) != nil || a.t.ReadOnly {
		return nil
	}
	sl, err := newSlugs(ctx, a)
	if err != nil {
		return err
	}
	a.slugs = sl
	a.schema.Slugs = true
	return nil
}

// slugColumn is the member of a single-record select list that reads the
// record's slug; empty without slugs.
func (a *Adapter) slugColumn() string {
	if a.slugs == nil {
		return ""
	}
	return a.slugs.column(a.keyCast)
}

// appendSlugCell appends the slug read in cell c and returns the buffer
// and the slug, nil when the record has none yet.
func appendSlugCell(dst []byte, c *cell) (buf, slug []byte) {
	if c.typ == cellNull {
		return dst, nil
	}
	start := len(dst)
	dst = c.appendText(dst)
	return dst, dst[start:len(dst):len(dst)]
}

// sameSlug reports whether two rows read by a's single-record statements
// hold the same slug: a draft whose slug was edited is modified. A row
// without a slug yet is taken to agree.
func (a *Adapter) sameSlug(x, y *row) bool {
	if a.slugs == nil {
		return true
	}
	cx, cy := &x.cells[a.slugAt()], &y.cells[a.slugAt()]
	return cx.typ == cellNull || cy.typ == cellNull || string(cx.text) == string(cy.text)
}

// usesSlug reports whether a list filters or sorts by the slug the
// adapter keeps, which needs every record of the locale to have one.
func usesSlug(q *adapters.Query) bool {
	for _, f := range q.Filters {
		if f.Field == apos.SlugField {
			return true
		}
	}
	for _, s := range q.Sort {
		if s.Field == apos.SlugField {
			return true
		}
	}
	return false
}
