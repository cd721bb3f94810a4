package proxy

import (
	"context"
	"strconv"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/tidwall/sjson"
)

// The archive page (docs/api-rules.md#148): the backend keeps it as a
// node (adapters.ArchiveID); the proxy renders it and decides who sees
// archived pages.

// archivedWant is what a request's archived parameter asks for
// (launder.booleanOrNull).
type archivedWant int

const (
	archivedDefault archivedWant = iota // no parameter
	archivedOnly                        // archived=1
	archivedNot                         // archived=0
	archivedEither                      // archived=any, null, or bare
)

// archivedParam reads the archived parameter of c.
func archivedParam(c *call) archivedWant {
	args := c.ctx.QueryArgs()
	if !args.Has("archived") {
		return archivedDefault
	}
	raw := string(args.Peek("archived"))
	if raw == "" {
		return archivedEither // a bare ?archived
	}
	switch v, ok := launderTristate(raw); {
	case !ok:
		return archivedEither
	case v:
		return archivedOnly
	}
	return archivedNot
}

// seesArchived reports whether who may see archived pages: editors only,
// as Apostrophe unpublishes a page it archives.
func (d *docType) seesArchived(who *apos.Principal) bool {
	return d.canWrite(who, apos.Draft)
}

// archiveRecord is the archive page's record in scope, at rank.
func archiveRecord(scope apos.Scope, rank int64) *adapters.Record {
	fields := []byte(`{"title":"Archive","slug":"/archive","type":"` + config.ArchivePageType + `","rank":`)
	fields = strconv.AppendInt(fields, rank, 10)
	return &adapters.Record{DocID: adapters.ArchiveID, Scope: scope, Fields: append(fields, '}')}
}

// markArchived sets archived:true on the document rendered at dst[start:].
func markArchived(dst []byte, start int) []byte {
	doc, err := sjson.SetBytes(append([]byte(nil), dst[start:]...), "archived", true)
	if err != nil {
		return dst
	}
	return append(dst[:start], doc...)
}

// keepNode reports whether a tree read for who, asking want, shows n.
func (d *docType) keepNode(n adapters.Node, who *apos.Principal, want archivedWant) bool {
	switch {
	case n.Level == 0:
		return true
	case want == archivedNot:
		return !n.Archived
	case want == archivedOnly:
		return n.Archived
	case n.DocID == adapters.ArchiveID:
		return true
	}
	return !n.Archived || d.seesArchived(who)
}

// visiblePage refuses (404) a single page read of an archived page
// without the archived parameter, or (but for the archive itself) by a
// caller who may not see archived pages, and of a live page with
// archived=1.
func (d *docType) visiblePage(c *call, n adapters.Node) error {
	archived := n.Archived
	switch want := archivedParam(c); {
	case archived && (want == archivedDefault || want == archivedNot):
		return apos.ErrNotFound
	case archived && n.DocID != adapters.ArchiveID && !d.seesArchived(c.who):
		return apos.ErrNotFound
	case !archived && want == archivedOnly:
		return apos.ErrNotFound
	}
	return nil
}

// archivePage is the batch archive or restore of a page's draft in
// locale (docs/api-rules.md#148): a move into the archive (its last
// child), or out of it (the home page's last child); a page already
// where the operation would put it is left alone.
func archivePage(ctx context.Context, d *docType, locale, docID string, archived bool) error {
	t := treeOf(d)
	scope := apos.Scope{Locale: locale, Mode: apos.Draft}
	lineage, err := t.Lineage(ctx, scope, docID)
	if err != nil {
		return err
	}
	if lineage[len(lineage)-1].Archived == archived {
		return nil
	}
	p := &adapters.Placement{Target: adapters.ArchiveID, Position: adapters.LastChild}
	if !archived {
		p.Target = lineage[0].DocID
	}
	_, _, err = t.MoveTo(ctx, scope, docID, p, func(*adapters.Record) ([]adapters.Value, error) { return nil, nil })
	return err
}
