package sqlbackend

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// The archive (docs/api-rules.md#148): a legacy page table has no archive
// row, so the proxy keeps a virtual archive page, the home page's last
// child, in every locale and mode. A page moved into the archive keeps its
// legacy row as it was (parent, order, slug); the pages directly in the
// archive are rows of archiveTable, which the proxy owns, with their rank
// there. A page under an archived page is archived with it.

// archiveTable holds the pages directly in the archive, by aposDocId, in
// each locale and mode.
const archiveTable = "aposproxy_page_archive"

// errArchiveLast refuses a place after the archive, which stays the home
// page's last child.
var errArchiveLast = apos.Errorf(apos.ErrInvalid, "invalid")

// ensureArchive creates the archive table of a page tree.
func (a *Adapter) ensureArchive(ctx context.Context) error {
	if !a.t.IsPageTree() {
		return nil
	}
	a.archive = a.db.QuoteName(archiveTable)
	_, err := a.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+a.archive+` (
  doc_id    VARCHAR(191) NOT NULL,
  locale    VARCHAR(64)  NOT NULL,
  mode      VARCHAR(16)  NOT NULL,
  sort_rank BIGINT       NOT NULL,
  PRIMARY KEY (doc_id, locale, mode))`)
	if err != nil {
		return fmt.Errorf("creating the store table %s: %w", archiveTable, err)
	}
	return nil
}

// checkTreeIndex warns, without stopping the start, when no index of a
// page tree's table starts with the parent column: every level of a
// recursive read would then scan the table (docs/config.md#pages).
func (a *Adapter) checkTreeIndex(ctx context.Context) {
	if !a.t.IsPageTree() {
		return
	}
	if indexed, ok := a.db.Indexed(ctx, a.t.Table, a.t.Tree.Parent); ok && !indexed {
		slog.Warn("the page tree's parent column has no index: reading the tree scans the table once per level",
			"key", "types."+a.t.Name+".tree.parent", "table", a.t.Table, "column", a.t.Tree.Parent)
	}
}

// archived reads the pages directly in the archive of scope s by rank,
// within tx unless it is nil, locking them when lock is set. Rows of
// pages deleted behind the proxy's back may be among them.
func (a *Adapter) archived(ctx context.Context, tx *sql.Tx, s apos.Scope, lock bool) ([]adapters.Node, error) {
	text := "SELECT doc_id, sort_rank FROM " + a.archive + " WHERE locale = ? AND mode = ? ORDER BY sort_rank, doc_id"
	if lock {
		text += a.db.ForUpdate()
	}
	var rows *sql.Rows
	var err error
	if tx != nil {
		rows, err = tx.QueryContext(ctx, a.db.Rebind(text), s.Locale, string(s.Mode))
	} else {
		rows, err = a.db.QueryContext(ctx, a.db.Rebind(text), s.Locale, string(s.Mode))
	}
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	defer rows.Close()
	var out []adapters.Node
	for rows.Next() {
		n := adapters.Node{Parent: adapters.ArchiveID, Level: 2, Archived: true}
		if err := rows.Scan(&n.DocID, &n.Rank); err != nil {
			return nil, a.fail(ctx, err)
		}
		out = append(out, n)
	}
	return out, a.fail(ctx, rows.Err())
}

// archivedSet is the aposDocIds of nodes with their ranks.
func archivedSet(nodes []adapters.Node) map[string]int64 {
	m := make(map[string]int64, len(nodes))
	for _, n := range nodes {
		m[n.DocID] = n.Rank
	}
	return m
}

// archiveKeys are the legacy keys of the archived pages, and the
// placeholders that bind them ("" without any).
func (a *Adapter) archiveKeys(roots []adapters.Node) ([]any, string) {
	keys := make([]any, 0, len(roots))
	for _, n := range roots {
		if k, ok := a.keyOf(n.DocID); ok {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, ""
	}
	return keys, strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ")
}

// archiveNode is the archive page in a tree whose home page is home and
// whose home's children are kids: the last child.
func archiveNode(home adapters.Node, last int64) adapters.Node {
	return adapters.Node{DocID: adapters.ArchiveID, Parent: home.DocID, Rank: last + 1, Level: home.Level + 1, Archived: true}
}

// relevel places the nodes of one recursive read (parents before
// children) in the archive-aware tree: the archived pages under the
// archive, with the archive after the home page's children; levels are
// counted again and the nodes sorted by level, then rank.
func relevel(nodes []adapters.Node, roots map[string]int64) []adapters.Node {
	home := -1
	for i, n := range nodes {
		if n.Parent == "" {
			home = i
			break
		}
	}
	if home < 0 {
		return nil
	}
	level := map[string]int{nodes[home].DocID: 0}
	archived := map[string]bool{}
	last := int64(-1)
	out := make([]adapters.Node, 0, len(nodes)+1)
	for _, n := range nodes {
		if rank, ok := roots[n.DocID]; ok {
			n.Parent, n.Rank, n.Archived = adapters.ArchiveID, rank, true
			n.Level = 2
		} else if n.Parent != "" {
			lvl, ok := level[n.Parent]
			if !ok {
				continue
			}
			n.Level, n.Archived = lvl+1, archived[n.Parent]
			if n.Parent == nodes[home].DocID && n.Rank > last {
				last = n.Rank
			}
		} else if n.DocID != nodes[home].DocID {
			continue // another page without a parent: not in this tree
		}
		level[n.DocID], archived[n.DocID] = n.Level, n.Archived
		out = append(out, n)
	}
	out = append(out, archiveNode(nodes[home], last))
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Level != out[j].Level {
			return out[i].Level < out[j].Level
		}
		return out[i].Rank < out[j].Rank
	})
	return out
}

// archivedLineage makes a lineage (home page first) archive-aware: when
// one of its pages is in the archive, the lineage is the home page, the
// archive, then that page down to the last one, all archived.
func (a *Adapter) archivedLineage(ctx context.Context, tx *sql.Tx, s apos.Scope, nodes []adapters.Node) ([]adapters.Node, error) {
	roots, err := a.archived(ctx, tx, s, false)
	if err != nil || len(roots) == 0 {
		return nodes, err
	}
	set := archivedSet(roots)
	cut := -1
	for i := len(nodes) - 1; i >= 0; i-- {
		if _, ok := set[nodes[i].DocID]; ok {
			cut = i
			break
		}
	}
	if cut < 0 {
		return nodes, nil
	}
	home, err := a.homeNode(ctx, tx, s)
	if err != nil {
		return nil, err
	}
	out := []adapters.Node{home, archiveNode(home, 0)}
	for i, n := range nodes[cut:] {
		if i == 0 {
			n.Parent, n.Rank = adapters.ArchiveID, set[n.DocID]
		}
		n.Level, n.Archived = len(out), true
		out = append(out, n)
	}
	return out, nil
}

// homeNode is the home page of scope s: the first page without a parent.
func (a *Adapter) homeNode(ctx context.Context, tx *sql.Tx, s apos.Scope) (adapters.Node, error) {
	roots, err := a.children(ctx, tx, s, "", false)
	if err != nil {
		return adapters.Node{}, err
	}
	if len(roots) == 0 {
		return adapters.Node{}, apos.ErrNotFound
	}
	return roots[0], nil
}

// archiveLineage is the lineage of the archive page itself.
func (a *Adapter) archiveLineage(ctx context.Context, tx *sql.Tx, s apos.Scope) ([]adapters.Node, error) {
	home, err := a.homeNode(ctx, tx, s)
	if err != nil {
		return nil, err
	}
	kids, err := a.children(ctx, tx, s, home.DocID, false)
	if err != nil {
		return nil, err
	}
	last := int64(-1)
	for _, k := range kids {
		last = max(last, k.Rank)
	}
	return []adapters.Node{home, archiveNode(home, last)}, nil
}

// archiveChildren are the pages directly in the archive of scope s that
// exist, by rank.
func (a *Adapter) archiveChildren(ctx context.Context, s apos.Scope) ([]adapters.Node, error) {
	roots, err := a.archived(ctx, nil, s, false)
	if err != nil {
		return nil, err
	}
	keys, in := a.archiveKeys(roots)
	if in == "" {
		return nil, nil
	}
	args, ok := a.scopeArgs(keys, s)
	if !ok {
		return nil, nil
	}
	rows, err := a.db.QueryContext(ctx, a.db.Rebind("SELECT "+a.key+" FROM "+a.table+" WHERE "+a.key+" IN ("+in+") AND "+a.scope), args...)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	defer rows.Close()
	have := map[string]bool{}
	var k cell
	for rows.Next() {
		if err := rows.Scan(&k); err != nil {
			return nil, a.fail(ctx, err)
		}
		have[apos.EncodeKey(k.keyString())] = true
	}
	if err := rows.Err(); err != nil {
		return nil, a.fail(ctx, err)
	}
	out := roots[:0]
	for _, n := range roots {
		if have[n.DocID] {
			out = append(out, n)
		}
	}
	return out, nil
}

// withoutArchived drops the archived pages from nodes (children of a
// page: an archived page is the archive's child, not its old parent's).
func (a *Adapter) withoutArchived(ctx context.Context, tx *sql.Tx, s apos.Scope, nodes []adapters.Node) ([]adapters.Node, error) {
	if len(nodes) == 0 {
		return nodes, nil
	}
	roots, err := a.archived(ctx, tx, s, false)
	if err != nil || len(roots) == 0 {
		return nodes, err
	}
	set := archivedSet(roots)
	out := nodes[:0:0]
	for _, n := range nodes {
		if _, ok := set[n.DocID]; !ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// setArchived puts docID directly in the archive of scope s at rank, or
// takes it out when rank is negative.
func (a *Adapter) setArchived(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string, rank int64) error {
	del := "DELETE FROM " + a.archive + " WHERE doc_id = ? AND locale = ? AND mode = ?"
	if _, err := tx.ExecContext(ctx, a.db.Rebind(del), docID, s.Locale, string(s.Mode)); err != nil {
		return a.fail(ctx, err)
	}
	if rank < 0 {
		return nil
	}
	ins := "INSERT INTO " + a.archive + " (doc_id, locale, mode, sort_rank) VALUES (?, ?, ?, ?)"
	_, err := tx.ExecContext(ctx, a.db.Rebind(ins), docID, s.Locale, string(s.Mode), rank)
	return a.fail(ctx, err)
}

// shiftArchived adds one to the rank of each page of sp.shift in the
// archive of scope s.
func (a *Adapter) shiftArchived(ctx context.Context, tx *sql.Tx, s apos.Scope, sp *spot) error {
	text := "UPDATE " + a.archive + " SET sort_rank = sort_rank + 1 WHERE doc_id = ? AND locale = ? AND mode = ?"
	for _, n := range sp.shift {
		if _, err := tx.ExecContext(ctx, a.db.Rebind(text), n.DocID, s.Locale, string(s.Mode)); err != nil {
			return a.fail(ctx, err)
		}
	}
	return nil
}

// archivePublished archives the published copy of a page whose draft was
// just archived, as Apostrophe unpublishes it: the published tree stops
// serving it until the draft is published again.
func (a *Adapter) archivePublished(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string) error {
	if a.mode == nil || s.Mode != apos.Draft {
		return nil
	}
	pub := apos.Scope{Locale: s.Locale, Mode: apos.Published}
	if _, err := a.slugOf(ctx, tx, pub, docID); err == apos.ErrNotFound {
		return nil
	} else if err != nil {
		return err
	}
	roots, err := a.archived(ctx, tx, pub, true)
	if err != nil {
		return err
	}
	rank := int64(0)
	for _, n := range roots {
		if n.DocID == docID {
			return nil
		}
		rank = max(rank, n.Rank+1)
	}
	return a.setArchived(ctx, tx, pub, docID, rank)
}

// publishArchived gives the published copy of docID in locale the
// draft's place in the archive: publishing an archived draft keeps it
// archived, publishing a restored one restores it.
func (a *Adapter) publishArchived(ctx context.Context, tx *sql.Tx, locale, docID string) error {
	if !a.t.IsPageTree() {
		return nil
	}
	roots, err := a.archived(ctx, tx, apos.Scope{Locale: locale, Mode: apos.Draft}, false)
	if err != nil {
		return err
	}
	rank := int64(-1)
	if r, ok := archivedSet(roots)[docID]; ok {
		rank = r
	}
	return a.setArchived(ctx, tx, apos.Scope{Locale: locale, Mode: apos.Published}, docID, rank)
}

// forgetArchived drops docID's archive rows when its rows in scope s are
// deleted (a draft's delete takes its published row too).
func (a *Adapter) forgetArchived(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string) error {
	if !a.t.IsPageTree() {
		return nil
	}
	text := "DELETE FROM " + a.archive + " WHERE doc_id = ? AND locale = ?"
	args := []any{docID, s.Locale}
	if s.Mode != apos.Draft {
		text += " AND mode = ?"
		args = append(args, string(s.Mode))
	}
	_, err := tx.ExecContext(ctx, a.db.Rebind(text), args...)
	return a.fail(ctx, err)
}
