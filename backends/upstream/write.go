package upstream

import (
	"context"
	"errors"
	"log/slog"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// Insert creates a document: in published mode of a columns type, its
// published variant and then its draft (the published answer gives the
// key when the service makes it); otherwise the one variant of scope s.
// When variants are records of their own, the document's id (its group)
// is the client's _createId or one the adapter makes.
func (a *Adapter) Insert(ctx context.Context, s apos.Scope, in *adapters.Insert) (*adapters.Record, error) {
	if a.create.parts == nil {
		return nil, a.readOnly()
	}
	if !a.served(s) {
		return nil, apos.Errorf(apos.ErrInvalid, "%s cannot hold documents in locale %q, mode %q", a.schema.Type, s.Locale, s.Mode)
	}
	key := ""
	if in.DocID != "" {
		var ok bool
		if key, ok = apos.DecodeKey(in.DocID); !ok {
			return nil, apos.Errorf(apos.ErrInvalid, "the requested id is not valid")
		}
	} else if a.groupPath != "" {
		key = newGroupID()
	}
	item, err := a.createOne(ctx, s, key, in.Values)
	if err != nil {
		return nil, err
	}
	rec, err := a.record(item, s, nil)
	if err != nil || !a.columns {
		return &rec, err
	}
	if s.Mode == apos.Draft {
		rec.Modified = adapters.True
		return &rec, nil
	}
	key = item.Get(a.idPath()).String()
	if _, err := a.createOne(ctx, apos.Scope{Locale: s.Locale, Mode: apos.Draft}, key, in.Values); err != nil {
		// Undo the published variant: a document is created whole or not
		// at all. Its own deadline, since ctx may be what ran out.
		if derr := a.deleteOne(context.WithoutCancel(ctx), s, item, key); derr != nil {
			slog.Error("upstream: could not undo a half-created document", "type", a.schema.Type, "key", key, "err", derr)
		}
		return nil, err
	}
	return &rec, nil
}

// createOne creates the variant of scope s of the document key ("" for
// the service to make one) and returns the service's item, checked to be
// that variant.
func (a *Adapter) createOne(ctx context.Context, s apos.Scope, key string, values []adapters.Value) (gjson.Result, error) {
	body, err := a.newBody(key, s, values)
	if err != nil {
		return gjson.Result{}, err
	}
	v := a.vars(s)
	return a.writeItem(ctx, &a.create, "create", &v, key, body, "the created item is not what was sent")
}

// writeItem sends a write (create, replace) with body and returns the
// item the service answers, checked to be the variant of v and key: any
// other is garbage, said as what.
func (a *Adapter) writeItem(ctx context.Context, r *route, op string, v *vars, key string, body []byte, what string) (gjson.Result, error) {
	res, err := a.call(ctx, r, op, v, body)
	if err != nil {
		return gjson.Result{}, err
	}
	item, err := a.itemOf(res)
	if err != nil {
		return gjson.Result{}, err
	}
	if err := a.identity(item, v, key); err != nil {
		return gjson.Result{}, garbage(a, what+": "+err.Error())
	}
	return item, nil
}

// Update reads the variant of scope s, calls change with it, merges the
// values into the item as read and replaces it, revision and all. When the
// service finds the revision stale, it does it all once more; a second
// stale revision is a conflict.
func (a *Adapter) Update(ctx context.Context, s apos.Scope, docID string, change adapters.Change) (*adapters.Record, error) {
	if a.replace.parts == nil {
		return nil, a.readOnly()
	}
	for attempt := 1; ; attempt++ {
		cur, err := a.read(ctx, s, docID)
		if err != nil {
			return nil, err
		}
		values, err := change(&cur.rec)
		if err != nil {
			return nil, err
		}
		if len(values) == 0 {
			return &cur.rec, nil
		}
		item, err := a.replaceItem(ctx, s, docID, cur.item, values)
		if errors.Is(err, errStale) {
			if attempt == 1 {
				continue
			}
			return nil, apos.Wrap(apos.ErrConflict, "The document was changed by someone else at the same time. Try again.", err)
		}
		if err != nil {
			return nil, err
		}
		rec, err := a.record(item, s, nil)
		if err != nil {
			return nil, err
		}
		if a.columns && s.Mode == apos.Draft {
			rec.Modified = a.modified(item, cur)
		}
		return &rec, nil
	}
}

// replaceItem merges values into item, the variant of scope s of docID as
// read, replaces it, and returns the service's answer, checked.
func (a *Adapter) replaceItem(ctx context.Context, s apos.Scope, docID string, item gjson.Result, values []adapters.Value) (gjson.Result, error) {
	body, err := a.merge([]byte(item.Raw), values)
	if err != nil {
		return gjson.Result{}, err
	}
	v := a.vars(s)
	docKey, _ := apos.DecodeKey(docID)
	v.key, v.group = a.rowKey(item, docKey), docKey
	return a.writeItem(ctx, &a.replace, "replace", &v, docKey, body, "the replaced item is not the one sent")
}

// Delete removes the variant of scope s after check approves it; deleting
// a draft of a columns type removes its published variant first.
func (a *Adapter) Delete(ctx context.Context, s apos.Scope, docID string, check adapters.Check) error {
	if a.remove.parts == nil {
		return a.readOnly()
	}
	cur, err := a.read(ctx, s, docID)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(&cur.rec); err != nil {
			return err
		}
	}
	key, _ := apos.DecodeKey(docID)
	if a.columns && s.Mode == apos.Draft && !cur.noPub {
		pubScope := apos.Scope{Locale: s.Locale, Mode: apos.Published}
		pub, err := a.fetch(ctx, pubScope, docID)
		if err == nil {
			err = a.deleteOne(ctx, pubScope, pub, key)
		}
		if err != nil && !errors.Is(err, apos.ErrNotFound) {
			return err
		}
	}
	return a.deleteOne(ctx, s, cur.item, key)
}

// deleteOne deletes item, the variant of scope s of the document key, as
// read and checked.
func (a *Adapter) deleteOne(ctx context.Context, s apos.Scope, item gjson.Result, key string) error {
	v := a.vars(s)
	v.key, v.group = a.rowKey(item, key), key
	_, err := a.call(ctx, &a.remove, "delete", &v, nil)
	return err
}

func (a *Adapter) readOnly() error {
	return apos.Errorf(apos.ErrForbidden, "%s is read-only", a.schema.Type)
}
