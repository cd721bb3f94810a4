package sqlbackend

import (
	"context"
	"database/sql"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// takeSlug removes from vals the value of the slug the adapter keeps (it
// is no column), and returns it; given says whether vals had one.
func (a *Adapter) takeSlug(vals []adapters.Value) (_ []adapters.Value, slug string, given bool) {
	if a.slugs == nil {
		return vals, "", false
	}
	for i, v := range vals {
		if v.Field == apos.SlugField {
			slug, _ = v.V.(string)
			return append(vals[:i:i], vals[i+1:]...), slug, true
		}
	}
	return vals, "", false
}

// titleOf is the title that vals write, empty when they write none.
func titleOf(vals []adapters.Value) (string, bool) {
	for _, v := range vals {
		if v.Field == "title" {
			s, _ := v.V.(string)
			return s, true
		}
	}
	return "", false
}

// placeNew gives a document just created in scope s its slug: the one
// asked for, else its title's, made unique, in every mode of the locale.
func (a *Adapter) placeNew(ctx context.Context, tx *sql.Tx, s apos.Scope, key any, slug string, vals []adapters.Value) error {
	if a.slugs == nil {
		return nil
	}
	if slug == "" {
		slug, _ = titleOf(vals)
	}
	locale, _ := a.slugs.scopeOf(s)
	_, err := a.slugs.place(ctx, tx, key, locale, a.slugs.modes, slug)
	return err
}

// setSlug changes the slug of the record of key in scope s to slug, made
// unique in its mode; an empty slug is made from the record's title, as
// written by vals or as it was (cur).
func (a *Adapter) setSlug(ctx context.Context, tx *sql.Tx, s apos.Scope, key any, slug string, vals []adapters.Value, cur []byte) error {
	if slug == "" {
		var ok bool
		if slug, ok = titleOf(vals); !ok {
			slug = gjson.GetBytes(cur, "title").String()
		}
	}
	locale, mode := a.slugs.scopeOf(s)
	_, err := a.slugs.place(ctx, tx, key, locale, []string{mode}, slug)
	return err
}

// dropSlugs forgets the slugs of a record just deleted in scope s, when
// its document no longer exists in the locale: a draft (its published
// record went with it) or the one record of a type without drafts.
func (a *Adapter) dropSlugs(ctx context.Context, tx *sql.Tx, s apos.Scope, key any) error {
	if a.slugs == nil || a.slugs.drafts && s.Mode != apos.Draft {
		return nil
	}
	locale, _ := a.slugs.scopeOf(s)
	return a.slugs.drop(ctx, tx, key, locale)
}

// publishSlug gives the published record of key in locale its draft's
// slug, as publishing copies the draft: the slug is made free among the
// published records, and the draft takes it too. title names a draft
// that has no slug yet.
func (a *Adapter) publishSlug(ctx context.Context, tx *sql.Tx, key any, locale, title string) error {
	sl := a.slugs
	if sl == nil {
		return nil
	}
	have, err := sl.current(ctx, tx, key, locale)
	if err != nil {
		return err
	}
	want := have[string(apos.Draft)]
	switch {
	case want == "":
		want = title
	case have[string(apos.Published)] == want:
		return nil
	}
	_, err = sl.place(ctx, tx, key, locale, sl.modes, want)
	return err
}

// revertSlug gives the draft of key in locale its published record's
// slug, as reverting the draft copies the published record.
func (a *Adapter) revertSlug(ctx context.Context, tx *sql.Tx, key any, locale string) error {
	sl := a.slugs
	if sl == nil {
		return nil
	}
	have, err := sl.current(ctx, tx, key, locale)
	pub := have[string(apos.Published)]
	if err != nil || pub == "" || have[string(apos.Draft)] == pub {
		return err
	}
	_, err = sl.place(ctx, tx, key, locale, []string{string(apos.Draft)}, pub)
	return err
}

// localizeSlug gives the draft of key in locale to the slug of its draft
// in from (title's when it has none), made unique in to: in every mode
// when the document is new in to, in its draft only when it existed.
func (a *Adapter) localizeSlug(ctx context.Context, tx *sql.Tx, key any, from, to, title string, existed bool) error {
	sl := a.slugs
	if sl == nil {
		return nil
	}
	have, err := sl.current(ctx, tx, key, from)
	if err != nil {
		return err
	}
	want := have[string(apos.Draft)]
	if want == "" {
		want = title
	}
	modes := sl.modes
	if existed {
		modes = []string{string(apos.Draft)}
	}
	_, err = sl.place(ctx, tx, key, to, modes, want)
	return err
}

// titleCell is the title of a row read by a's single-record statements.
func (a *Adapter) titleCell(r *row) string {
	i, ok := a.byName["title"]
	if !ok {
		return ""
	}
	return textOf(&r.cells[i+1])
}

// textOf is a cell's text, empty for NULL.
func textOf(c *cell) string {
	if c.typ == cellNull {
		return ""
	}
	return string(c.appendText(nil))
}
