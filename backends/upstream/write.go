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
	}
	body, err := a.newBody(key, s, in.Values)
	if err != nil {
		return nil, err
	}
	item, err := a.createOne(ctx, s, body)
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
	draft := apos.Scope{Locale: s.Locale, Mode: apos.Draft}
	key = item.Get(a.keyPath).String()
	if body, err = a.newBody(key, draft, in.Values); err != nil {
		return nil, err
	}
	if _, err := a.createOne(ctx, draft, body); err != nil {
		// Undo the published variant: a document is created whole or not
		// at all. Its own deadline, since ctx may be what ran out.
		if derr := a.deleteOne(context.WithoutCancel(ctx), s, key); derr != nil {
			slog.Error("upstream: could not undo a half-created document", "type", a.schema.Type, "key", key, "err", derr)
		}
		return nil, err
	}
	return &rec, nil
}

// createOne creates the variant of scope s and returns the service's item.
func (a *Adapter) createOne(ctx context.Context, s apos.Scope, body []byte) (gjson.Result, error) {
	v := a.vars(s)
	res, err := a.call(ctx, &a.create, "create", a.create.appendURI(make([]byte, 0, 128), a.c.base, &v), body)
	if err != nil {
		return gjson.Result{}, err
	}
	return a.itemOf(res)
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
		body, err := a.merge([]byte(cur.item.Raw), values)
		if err != nil {
			return nil, err
		}
		v := a.vars(s)
		v.key, _ = apos.DecodeKey(docID)
		res, err := a.call(ctx, &a.replace, "replace", a.replace.appendURI(make([]byte, 0, 128), a.c.base, &v), body)
		if errors.Is(err, errStale) {
			if attempt == 1 {
				continue
			}
			return nil, apos.Wrap(apos.ErrConflict, "The document was changed by someone else at the same time. Try again.", err)
		}
		if err != nil {
			return nil, err
		}
		item, err := a.itemOf(res)
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
		err := a.deleteOne(ctx, apos.Scope{Locale: s.Locale, Mode: apos.Published}, key)
		if err != nil && !errors.Is(err, apos.ErrNotFound) {
			return err
		}
	}
	return a.deleteOne(ctx, s, key)
}

func (a *Adapter) deleteOne(ctx context.Context, s apos.Scope, key string) error {
	v := a.vars(s)
	v.key = key
	_, err := a.call(ctx, &a.remove, "delete", a.remove.appendURI(make([]byte, 0, 128), a.c.base, &v), nil)
	return err
}

// Publish copies the draft of docID in locale over its published variant
// with the service's publish operation and returns the draft, as
// Apostrophe's publish route does (see workflow.go). The service decides
// what publishing means; the options do not change it.
func (a *Adapter) Publish(ctx context.Context, locale, docID string, _ adapters.PublishOptions) (*adapters.Record, error) {
	if a.publish == nil {
		return nil, apos.Errorf(apos.ErrUnimplemented, "%s cannot be published through its service", a.schema.Type)
	}
	draft := apos.Scope{Locale: locale, Mode: apos.Draft}
	key, ok := apos.DecodeKey(docID)
	if !ok || !a.served(draft) {
		return nil, apos.ErrNotFound
	}
	v := a.vars(draft)
	v.key = key
	if _, err := a.call(ctx, a.publish, "publish", a.publish.appendURI(make([]byte, 0, 128), a.c.base, &v), nil); err != nil {
		return nil, err
	}
	return a.Get(ctx, draft, docID)
}

func (a *Adapter) readOnly() error {
	return apos.Errorf(apos.ErrForbidden, "%s is read-only", a.schema.Type)
}
