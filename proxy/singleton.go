package proxy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// A singleton type (Apostrophe's @apostrophecms/global) holds one document
// per locale, whose aposDocId is the last part of the type's name
// ("global"). The proxy makes it at start in every configured locale that
// lacks it; clients read, change and publish it, but never create,
// delete or unpublish it (docs/api-rules.md#68).

// singletonID is the aposDocId of the singleton of type name.
func singletonID(name string) string {
	return strings.TrimLeft(name[strings.LastIndexByte(name, '/')+1:], "@")
}

// notForSingletons refuses a route on a singleton's document (403), as
// Apostrophe refuses to unpublish its global document.
func notForSingletons(h func(*call, *docType) error) func(*call, *docType) error {
	return func(c *call, d *docType) error {
		if d.singleton {
			return apos.ErrForbidden
		}
		return h(c, d)
	}
}

// ensureSingletons makes the document of every singleton type in every
// locale that has none: published (with its draft) for a type with
// drafts. Two instances starting at once may both try; the second
// insert's conflict is not an error.
func (s *Server) ensureSingletons() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range typeNames(s.cfg) {
		d := s.types[name]
		if d == nil || !d.singleton {
			continue
		}
		for _, locale := range s.locales.order {
			if err := d.ensureSingleton(ctx, locale); err != nil {
				return fmt.Errorf("types.%s: making its document in locale %s: %w", name, locale, err)
			}
		}
	}
	return nil
}

// ensureSingleton makes d's document in locale unless it has one in
// either mode.
func (d *docType) ensureSingleton(ctx context.Context, locale string) error {
	id := singletonID(d.name)
	for _, m := range []apos.Mode{apos.Published, apos.Draft} {
		_, err := d.backend.Get(ctx, apos.Scope{Locale: locale, Mode: m}, id)
		if !errors.Is(err, apos.ErrNotFound) {
			return err // found (nil), or failed
		}
	}
	vals, err := d.convert(gjson.Parse("{}"), writeInsert, nil, stamp{now: time.Now().UTC(), by: "System Task"})
	if err != nil {
		return err
	}
	_, err = d.backend.Insert(ctx, apos.Scope{Locale: locale, Mode: apos.Published}, &adapters.Insert{DocID: id, Values: vals})
	if errors.Is(err, apos.ErrConflict) {
		return nil
	}
	return err
}
