package upstream

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/apos"
)

// errMismatch marks an item that is not the document, locale or mode that
// was asked for: a service that ignored a parameter. It is never served.
var errMismatch = errors.New("the service answered with another record")

// idPath is the path of the aposDocId in items: the group of a type whose
// variants are records of their own, else the key.
func (a *Adapter) idPath() string {
	if a.groupPath != "" {
		return a.groupPath
	}
	return a.keyPath
}

// identity compares an item's document, locale and mode with those asked
// for (docKey "" skips the document). An item without them is garbage; an
// item with others is errMismatch.
func (a *Adapter) identity(item gjson.Result, v *vars, docKey string) error {
	var buf [inlineSlots]gjson.Result
	return a.identityOf(a.paths.values(item, buf[:]), v, docKey)
}

// identityOf is identity with the item's values at a.paths.
func (a *Adapter) identityOf(vals []gjson.Result, v *vars, docKey string) error {
	if err := a.check(vals[a.idSlot], a.idPath(), docKey); err != nil {
		return err
	}
	if a.localeSlot >= 0 {
		if err := a.check(vals[a.localeSlot], a.localePath, v.locale); err != nil {
			return err
		}
	}
	if a.modeSlot >= 0 {
		return a.check(vals[a.modeSlot], a.modePath, v.mode)
	}
	return nil
}

// check compares the value got at path with the one wanted.
func (a *Adapter) check(got gjson.Result, path, want string) error {
	switch {
	case want == "" && path == a.idPath():
	case got.Type != gjson.String && got.Type != gjson.Number || got.String() == "":
		return garbage(a, "an item has no value at "+path)
	case got.String() != want:
		return fmt.Errorf("%w: %s is %q, not %q", errMismatch, path, got.String(), want)
	}
	return nil
}

// inScope checks an item of a list: one of another locale or mode means
// the list route does not select what the mapping says (a 502, since no
// page can be trusted then).
func (a *Adapter) inScope(item gjson.Result, v *vars) error {
	err := a.identity(item, v, "")
	if errors.Is(err, errMismatch) {
		return garbage(a, "the list answer holds an item of another locale or mode ("+err.Error()+"): check service.list.path")
	}
	return err
}

// fetch gets the variant of scope s of the document docID (an aposDocId),
// checked: another document's, locale's or mode's record is never
// returned, but answered ErrNotFound.
func (a *Adapter) fetch(ctx context.Context, s apos.Scope, docID string) (gjson.Result, error) {
	var buf [inlineSlots]gjson.Result
	item, _, err := a.fetchValues(ctx, s, docID, buf[:], nil)
	return item, err
}

// fetchValues is fetch that also returns the item's values at a.paths, in
// buf when it is large enough. With held set, the item and its values may
// point into the answer it leaves there, which the caller releases
// (answer.release) once done with them, whatever the error.
func (a *Adapter) fetchValues(ctx context.Context, s apos.Scope, docID string, buf []gjson.Result, held *answer) (gjson.Result, []gjson.Result, error) {
	key, ok := apos.DecodeKey(docID)
	if !ok || !a.served(s) {
		return gjson.Result{}, nil, apos.ErrNotFound
	}
	v := a.vars(s)
	var item gjson.Result
	var err error
	if a.groupPath != "" {
		item, err = a.find(ctx, &v, key)
	} else {
		v.key = key
		var res answer
		if res, err = a.callAnswer(ctx, &a.get, "get", &v, nil, held != nil); err == nil {
			if held != nil {
				*held = res
			}
			item, err = a.itemOf(res.body)
		}
	}
	if err != nil {
		return gjson.Result{}, nil, err
	}
	vals := a.paths.values(item, buf)
	if err := a.identityOf(vals, &v, key); err != nil {
		if errors.Is(err, errMismatch) {
			slog.Warn("upstream: the service answered with another record; answered 404", "upstream", a.c.name, "type", a.schema.Type, "id", docID, "err", err)
			return gjson.Result{}, nil, apos.ErrNotFound
		}
		return gjson.Result{}, nil, err
	}
	return item, vals, nil
}

// find lists the records of the group key in v's locale and mode (two at
// most) and returns the one that is that variant. Several are a broken
// service: no one of them can be served as the document.
func (a *Adapter) find(ctx context.Context, v *vars, key string) (gjson.Result, error) {
	uri := a.list.appendURI(make([]byte, 0, 160), a.c.base, v)
	uri = a.appendPage(uri, 0, 2)
	uri = appendParam(uri, a.groupPath, key)
	items, _, err := a.listCall(ctx, uri)
	if err != nil {
		return gjson.Result{}, err
	}
	var found []gjson.Result
	for _, item := range items {
		if a.identity(item, v, key) == nil {
			found = append(found, item)
		}
	}
	switch len(found) {
	case 0:
		return gjson.Result{}, apos.ErrNotFound
	case 1:
		return found[0], nil
	}
	return gjson.Result{}, garbage(a, fmt.Sprintf("several records are %s=%s in locale %q, mode %q", a.groupPath, key, v.locale, v.mode))
}

// rowKey is the {key} of the routes that address item: its own key when
// variants are records of their own, else the document's.
func (a *Adapter) rowKey(item gjson.Result, docKey string) string {
	if a.groupPath != "" {
		return item.Get(a.keyPath).String()
	}
	return docKey
}

// newGroupID makes the aposDocId of a new document whose variants are
// records of their own, like Apostrophe's: 24 lower-case letters and
// digits, the first a letter.
func newGroupID() string {
	const letters, alphabet = "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz0123456789"
	id := make([]byte, 0, 24)
	var buf [64]byte
	for len(id) < 24 {
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			switch {
			case len(id) == 24:
			case len(id) == 0 && int(b) < 256-256%len(letters):
				id = append(id, letters[int(b)%len(letters)])
			case len(id) > 0 && int(b) < 256-256%len(alphabet):
				id = append(id, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(id)
}
