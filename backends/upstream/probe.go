package upstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/apos"
)

// MappingError is a mapping that the live service shows cannot work: the
// key path to fix, and what the service answered.
type MappingError struct {
	Path string // such as types.book.service.response.total_header
	Msg  string
}

func (e *MappingError) Error() string { return e.Path + ": " + e.Msg }

// Probe lists one item of the type in the default locale (published mode,
// for a type with drafts) and checks the answer against the mapping: the
// items and total are where it says, and an item has the key, group,
// locale, mode and fields it says, of their kinds. A mapping that cannot
// work is a *MappingError naming the key; a service that does not answer
// is the error of the call, which says nothing about the mapping.
func (a *Adapter) Probe(ctx context.Context) error {
	v := a.vars(apos.Scope{Locale: a.defaultLocale, Mode: apos.Published})
	uri := a.list.appendURI(make([]byte, 0, 160), a.c.base, &v)
	uri = a.appendPage(uri, 0, 1)
	res, err := a.c.do(ctx, &request{method: a.list.method, uri: uri, header: a.totalHeader, errs: &a.errs})
	if err != nil {
		return err
	}
	if res.status < 200 || res.status > 299 {
		return a.mapping("service.list.path", "%s %s answered %d", a.list.method, uri, res.status)
	}
	items := gjson.GetBytes(res.body, a.items)
	if !items.IsArray() {
		return a.mapping("service.response.items", "the list answer has no array at %s; it begins %.80q", a.items, res.body)
	}
	if err := a.probeTotal(res); err != nil {
		return err
	}
	if len(items.Array()) == 0 {
		return nil
	}
	return a.probeItem(ctx, items.Array()[0], &v)
}

// mapping is a *MappingError at a key of the type.
func (a *Adapter) mapping(key, format string, args ...any) error {
	return &MappingError{Path: "types." + a.schema.Type + "." + key, Msg: fmt.Sprintf(format, args...)}
}

// probeTotal checks that a list answer has its total where the mapping
// says.
func (a *Adapter) probeTotal(res answer) error {
	if a.totalHeader != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(res.header), 10, 64); err != nil || n < 0 {
			return a.mapping("service.response.total_header", "the list answer has no count in a %s header (got %q)", a.totalHeader, res.header)
		}
		return nil
	}
	if t := gjson.GetBytes(res.body, a.total); t.Type != gjson.Number || t.Int() < 0 {
		return a.mapping("service.response.total", "the list answer has no count at %s", a.total)
	}
	return nil
}

// probeItem checks one listed item, and that the type can read it back.
func (a *Adapter) probeItem(ctx context.Context, item gjson.Result, v *vars) error {
	checks := []struct{ key, path, want string }{{"key", a.keyPath, ""}}
	if a.groupPath != "" {
		checks = append(checks, struct{ key, path, want string }{"service.group", a.groupPath, ""})
	}
	if a.schema.Localized && a.localePath != "" {
		checks = append(checks, struct{ key, path, want string }{"locale.column", a.localePath, v.locale})
	}
	if a.columns && a.modePath != "" {
		checks = append(checks, struct{ key, path, want string }{"mode.column", a.modePath, v.mode})
	}
	for _, c := range checks {
		got := item.Get(c.path)
		switch {
		case got.Type != gjson.String && got.Type != gjson.Number || got.String() == "":
			return a.mapping(c.key, "the listed item has no value at %s: %.120s", c.path, item.Raw)
		case c.want != "" && got.String() != c.want:
			return a.mapping("service.list.path", "listing locale %q, mode %q gave an item whose %s is %q: the path must select them", v.locale, v.mode, c.path, got.String())
		}
	}
	for i, f := range a.fields {
		if _, ok := appendValue(nil, f.kind, item.Get(f.path)); !ok {
			return a.mapping(fmt.Sprintf("fields[%d].column", i), "%s of the listed item is %.60s, not a %s", f.path, item.Get(f.path).Raw, f.kind)
		}
	}
	docID := apos.EncodeKey(item.Get(a.idPath()).String())
	_, err := a.fetch(ctx, apos.Scope{Locale: a.defaultLocale, Mode: apos.Published}, docID)
	var e *apos.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, apos.ErrNotFound) && a.groupPath == "":
		return a.mapping("service.get.path", "the listed item %s is not found by the get route", docID)
	case errors.Is(err, apos.ErrNotFound):
		return a.mapping("service.group", "listing with %s=%s does not find the listed item", a.groupPath, item.Get(a.groupPath).String())
	case errors.As(err, &e) && e.Name == apos.ErrBadGateway.Name && a.groupPath == "":
		return a.mapping("service.response.item", "reading the listed item %s failed: %v", docID, err)
	}
	return err
}
