package sqlbackend

import (
	"context"
	"database/sql"
	"strings"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// The messages of a refused placement (docs/api-rules.md#145).
var (
	errUnderItself   = apos.Errorf(apos.ErrForbidden, "Cannot move a page under itself")
	errParentFirst   = apos.Errorf(apos.ErrForbidden, "Publish the parent page first.")
	errBesideHome    = apos.Errorf(apos.ErrInvalid, "invalid")
	errTargetMissing = apos.Errorf(apos.ErrNotFound, "The target page was not found.")
	errNoSuchPage    = apos.Errorf(apos.ErrInvalid, "No such page")
)

// spot is a resolved placement: the new parent, the rank, and the siblings
// (locked) whose ranks shift by one to make room.
type spot struct {
	parent   any
	parentID string
	rank     int64
	shift    []adapters.Node
}

// place resolves p in scope s within tx, for the page self (empty for a
// new page), locking the siblings it shifts.
func (a *Adapter) place(ctx context.Context, tx *sql.Tx, s apos.Scope, p adapters.Placement, self string) (*spot, error) {
	if p.Target == adapters.ArchiveID {
		switch p.Position {
		case adapters.After:
			return nil, errArchiveLast
		case adapters.Before:
			// Before the archive is the home page's last child.
			home, err := a.homeNode(ctx, tx, s)
			if err != nil {
				return nil, err
			}
			p = adapters.Placement{Target: home.DocID, Position: adapters.LastChild}
		}
	}
	target, err := a.lineage(ctx, tx, s, p.Target)
	if err == apos.ErrNotFound && s.Mode == apos.Published {
		if _, derr := a.lineage(ctx, tx, apos.Scope{Locale: s.Locale, Mode: apos.Draft}, p.Target); derr == nil {
			return nil, errParentFirst
		}
	}
	if err == apos.ErrNotFound {
		return nil, errTargetMissing
	} else if err != nil {
		return nil, err
	}
	t := target[len(target)-1]
	parentID := t.DocID
	if p.Position == adapters.Before || p.Position == adapters.After {
		if t.Parent == "" {
			return nil, errBesideHome
		}
		parentID = target[len(target)-2].DocID
	}
	if self != "" {
		for _, n := range target {
			if n.DocID == self && (n.DocID != t.DocID || parentID == self) {
				return nil, errUnderItself
			}
		}
	}
	var sibs []adapters.Node
	if parentID == adapters.ArchiveID {
		sibs, err = a.archived(ctx, tx, s, true)
	} else {
		sibs, err = a.kids(ctx, tx, s, parentID, true)
	}
	if err != nil {
		return nil, err
	}
	sibs = without(sibs, self)
	key, _ := a.keyOf(parentID)
	return rankIn(&spot{parent: key, parentID: parentID}, sibs, t, p), nil
}

// without drops the page docID from nodes.
func without(nodes []adapters.Node, docID string) []adapters.Node {
	out := nodes[:0:0]
	for _, n := range nodes {
		if n.DocID != docID {
			out = append(out, n)
		}
	}
	return out
}

// rankIn sets sp's rank among the siblings sibs (by rank) for p, whose
// target is t, and the siblings that shift.
func rankIn(sp *spot, sibs []adapters.Node, t adapters.Node, p adapters.Placement) *spot {
	pos := p.Position
	if pos == adapters.AtIndex {
		switch {
		case p.Index <= 0 || len(sibs) == 0:
			pos = adapters.FirstChild
		case p.Index >= len(sibs):
			pos = adapters.LastChild
		default:
			pos, t = adapters.Before, sibs[p.Index]
		}
	}
	from := len(sibs)
	switch pos {
	case adapters.FirstChild:
		sp.rank, from = 0, 0
	case adapters.LastChild:
		if len(sibs) > 0 {
			sp.rank = sibs[len(sibs)-1].Rank + 1
		}
	case adapters.Before, adapters.After:
		sp.rank = t.Rank
		if pos == adapters.After {
			sp.rank++
		}
		for from = 0; from < len(sibs) && sibs[from].Rank < sp.rank; from++ {
		}
	}
	// Siblings at or after the new rank shift by one, so the ranks stay
	// distinct wherever they were (docs/api-rules.md#144).
	for i := from; i < len(sibs); i++ {
		if sibs[i].Rank >= sp.rank {
			sp.shift = append(sp.shift, sibs[i])
		}
	}
	return sp
}

// shiftRanks adds one to the rank of each shifted sibling in scope s.
func (a *Adapter) shiftRanks(ctx context.Context, tx *sql.Tx, s apos.Scope, sp *spot) error {
	if sp.parentID == adapters.ArchiveID {
		return a.shiftArchived(ctx, tx, s, sp)
	}
	_, order, _ := a.treeCols()
	for _, n := range sp.shift {
		key, _ := a.keyOf(n.DocID)
		args, ok := a.scopeArgs([]any{key}, s)
		if !ok {
			continue
		}
		text := "UPDATE " + a.table + " SET " + order + " = " + order + " + 1 WHERE " + a.key + " = ? AND " + a.scope
		if _, err := tx.ExecContext(ctx, a.db.Rebind(text), args...); err != nil {
			return a.fail(ctx, err)
		}
	}
	return nil
}

// InsertAt implements adapters.Tree: a published page gets its draft too,
// at the same place in both trees.
func (a *Adapter) InsertAt(ctx context.Context, s apos.Scope, p adapters.Placement, in *adapters.Insert) (*adapters.Record, error) {
	modes := []apos.Mode{s.Mode}
	if a.mode != nil {
		var err error
		if modes, err = insertModes(s.Mode); err != nil {
			return nil, err
		}
	}
	return a.inTx(ctx, func(tx *sql.Tx) (*adapters.Record, error) {
		key, err := a.pageKey(ctx, tx, in.DocID)
		if err != nil {
			return nil, err
		}
		scopes := make([]apos.Scope, len(modes))
		var sp *spot
		for i, m := range modes {
			scopes[i] = apos.Scope{Locale: s.Locale, Mode: m}
			if err := a.lockTree(ctx, tx, scopes[i]); err != nil {
				return nil, err
			}
			if sp, err = a.place(ctx, tx, scopes[i], p, ""); err != nil {
				return nil, err
			}
			if err := a.shiftRanks(ctx, tx, scopes[i], sp); err != nil {
				return nil, err
			}
		}
		vals := append(in.Values[:len(in.Values):len(in.Values)],
			adapters.Value{Field: config.TreeParentField, V: sp.parent},
			adapters.Value{Field: config.TreeRankField, V: sp.rank})
		return a.insertScopes(ctx, tx, s, scopes, key, vals)
	})
}

// lockTree locks the home page row of scope s: every change of a tree
// takes it first, so that moves and creates in one locale and mode run
// one after the other and never wait on each other's sibling locks in
// opposite orders (docs/api-rules.md#145).
func (a *Adapter) lockTree(ctx context.Context, tx *sql.Tx, s apos.Scope) error {
	lock := a.db.ForUpdate()
	if lock == "" {
		return nil // SQLite: the transaction holds the database's write lock
	}
	_, err := a.children(ctx, tx, s, "", true)
	return err
}

// errHasChildren refuses to delete a page with children (docs/api-rules.md#146).
var errHasChildren = apos.Errorf(apos.ErrInvalid, "You must delete the children of this page first.")

// lockPageTree takes a page tree's lock (lockTree) for a delete, before
// the page's own row, in the order every tree change takes them.
func (a *Adapter) lockPageTree(ctx context.Context, tx *sql.Tx, s apos.Scope) error {
	if !a.t.IsPageTree() {
		return nil
	}
	return a.lockTree(ctx, tx, s)
}

// deletingPage refuses, within the delete's transaction and under the
// tree's lock, to delete a page that has children in the scope (the
// archive's own children are not its old parent's), and forgets the
// page's place in the archive.
func (a *Adapter) deletingPage(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string) error {
	if !a.t.IsPageTree() {
		return nil
	}
	kids, err := a.kids(ctx, tx, s, docID, true)
	if err != nil {
		return err
	}
	if len(kids) > 0 {
		return errHasChildren
	}
	return a.forgetArchived(ctx, tx, s, docID)
}

// pageKey is the key of a new page: the one its aposDocId gives, else
// the type's new_keys. "database" and "max+1" on an integer key are one
// more than the largest key, read under the home page's lock that every
// tree change takes (legacy page tables rarely have a sequence); on a
// text key, a random id.
func (a *Adapter) pageKey(ctx context.Context, tx *sql.Tx, docID string) (any, error) {
	byMax := a.t.NewKeys == config.NewKeysDatabase || a.t.NewKeys == config.NewKeysMax
	switch {
	case docID != "" || !byMax:
		key, err := a.newKey(ctx, tx, docID)
		if key == nil && err == nil {
			return randomID(), nil
		}
		return key, err
	case !a.intKey:
		return randomID(), nil
	}
	var n int64
	err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX("+a.key+"), 0) + 1 FROM "+a.table).Scan(&n)
	return n, a.fail(ctx, err)
}

// MoveTo implements adapters.Tree.
func (a *Adapter) MoveTo(ctx context.Context, s apos.Scope, docID string, p *adapters.Placement, change adapters.Change) (*adapters.Record, []adapters.Moved, error) {
	key, ok := a.keyOf(docID)
	if !ok {
		return nil, nil, apos.ErrNotFound
	}
	var moved []adapters.Moved
	rec, err := a.inTx(ctx, func(tx *sql.Tx) (*adapters.Record, error) {
		moved = nil
		if p != nil {
			if err := a.lockTree(ctx, tx, s); err != nil {
				return nil, err
			}
		}
		cur, err := a.read(ctx, tx, a.lock, s, docID, key)
		if err != nil {
			return nil, err
		}
		vals, err := change(cur)
		if err != nil {
			return nil, err
		}
		if len(vals) > 0 {
			if err := a.writeValues(ctx, tx, s, key, vals, cur.Fields); err != nil {
				return nil, err
			}
		}
		if p != nil {
			if moved, err = a.move(ctx, tx, s, docID, *p); err != nil {
				return nil, err
			}
		}
		return a.read(ctx, tx, a.get, s, docID, key)
	})
	return rec, moved, err
}

// move places docID at p in scope s and rewrites the slugs of its subtree
// that follow its old slug; it returns the pages whose place changed.
func (a *Adapter) move(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string, p adapters.Placement) ([]adapters.Moved, error) {
	old, err := a.lineage(ctx, tx, s, docID)
	if err != nil {
		return nil, err
	}
	if old[len(old)-1].Parent == "" {
		return nil, apos.Errorf(apos.ErrInvalid, "Cannot move the home page")
	}
	sp, err := a.place(ctx, tx, s, p, docID)
	if err == errTargetMissing {
		return nil, errNoSuchPage
	} else if err != nil {
		return nil, err
	}
	if err := a.shiftRanks(ctx, tx, s, sp); err != nil {
		return nil, err
	}
	if sp.parentID == adapters.ArchiveID {
		return a.moveToArchive(ctx, tx, s, docID, sp)
	}
	if err := a.setArchived(ctx, tx, s, docID, -1); err != nil {
		return nil, err
	}
	parent, order, slugCol := a.treeCols()
	key, _ := a.keyOf(docID)
	oldSlug, err := a.slugOf(ctx, tx, s, docID)
	if err != nil {
		return nil, err
	}
	newSlug := oldSlug
	if oldParent := old[len(old)-2].DocID; oldParent != sp.parentID && oldParent != adapters.ArchiveID {
		from, err := a.slugOf(ctx, tx, s, oldParent)
		if err != nil {
			return nil, err
		}
		to, err := a.slugOf(ctx, tx, s, sp.parentID)
		if err != nil {
			return nil, err
		}
		newSlug = reparent(oldSlug, from, to)
	}
	args, _ := a.scopeArgs([]any{sp.parent, sp.rank, newSlug, key}, s)
	text := "UPDATE " + a.table + " SET " + parent + " = ?, " + order + " = ?, " + slugCol + " = ? WHERE " + a.key + " = ? AND " + a.scope
	if _, err := tx.ExecContext(ctx, a.db.Rebind(text), args...); err != nil {
		return nil, a.fail(ctx, err)
	}
	moved := []adapters.Moved{{Node: adapters.Node{DocID: docID, Parent: sp.parentID, Rank: sp.rank}, Slug: []byte(newSlug)}}
	for _, n := range sp.shift {
		n.Rank++
		moved = append(moved, adapters.Moved{Node: n})
	}
	if newSlug == oldSlug {
		return moved, nil
	}
	return a.reslug(ctx, tx, s, docID, oldSlug, newSlug, moved)
}

// moveToArchive puts docID directly in the archive at sp: its legacy row
// is left as it is, and so is its subtree, archived with it. Archiving a
// draft archives the published copy too.
func (a *Adapter) moveToArchive(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string, sp *spot) ([]adapters.Moved, error) {
	if err := a.setArchived(ctx, tx, s, docID, sp.rank); err != nil {
		return nil, err
	}
	if err := a.archivePublished(ctx, tx, s, docID); err != nil {
		return nil, err
	}
	moved := []adapters.Moved{{Node: adapters.Node{DocID: docID, Parent: sp.parentID, Rank: sp.rank, Archived: true}}}
	for _, n := range sp.shift {
		n.Rank++
		moved = append(moved, adapters.Moved{Node: n})
	}
	return moved, nil
}

// reparent is slug moved from under the parent slug from to under to, when
// it follows from; otherwise slug itself.
func reparent(slug, from, to string) string {
	prefix := strings.TrimSuffix(from, "/") + "/"
	if !strings.HasPrefix(slug, prefix) {
		return slug
	}
	return strings.TrimSuffix(to, "/") + "/" + slug[len(prefix):]
}

// slugOf reads the slug of docID in scope s.
func (a *Adapter) slugOf(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string) (string, error) {
	_, _, slugCol := a.treeCols()
	key, _ := a.keyOf(docID)
	args, _ := a.scopeArgs([]any{key}, s)
	var slug sql.NullString
	err := tx.QueryRowContext(ctx, a.db.Rebind("SELECT "+slugCol+" FROM "+a.table+" WHERE "+a.key+" = ? AND "+a.scope), args...).Scan(&slug)
	if err == sql.ErrNoRows {
		return "", apos.ErrNotFound
	}
	return slug.String, a.fail(ctx, err)
}

// reslug rewrites the slugs of docID's descendants that start with its
// old slug, and adds them to moved.
func (a *Adapter) reslug(ctx context.Context, tx *sql.Tx, s apos.Scope, docID, oldSlug, newSlug string, moved []adapters.Moved) ([]adapters.Moved, error) {
	parent, order, slugCol := a.treeCols()
	text := "WITH RECURSIVE t(k, lvl) AS (SELECT c." + a.key + ", 0 FROM " + a.table + " c WHERE c." + a.key + " = ?" + a.scopeOf("c") +
		" UNION ALL SELECT c." + a.key + ", t.lvl + 1 FROM " + a.table + " c JOIN t ON c." + parent + " = t.k WHERE t.lvl < " + maxDepth + a.scopeOf("c") +
		") SELECT c." + a.key + ", c." + parent + ", c." + order + ", c." + slugCol + " FROM t JOIN " + a.table + " c ON c." + a.key + " = t.k" + a.scopeOf("c") + " WHERE t.lvl > 0"
	key, _ := a.keyOf(docID)
	args, _ := a.scopeBinds(s, 3, key)
	rows, err := tx.QueryContext(ctx, a.db.Rebind(text), args...)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	type sub struct {
		key  any
		node adapters.Node
		slug string
	}
	var subs []sub
	var k, p cell
	for rows.Next() {
		var x sub
		var slug sql.NullString
		if err := rows.Scan(&k, &p, &x.node.Rank, &slug); err != nil {
			rows.Close()
			return nil, a.fail(ctx, err)
		}
		x.node.DocID, x.node.Parent, x.slug = apos.EncodeKey(k.keyString()), apos.EncodeKey(p.keyString()), slug.String
		x.key, _ = a.keyOf(x.node.DocID)
		subs = append(subs, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, a.fail(ctx, err)
	}
	for _, x := range subs {
		slug := reparent(x.slug, oldSlug, newSlug)
		if slug != x.slug {
			uargs, _ := a.scopeArgs([]any{slug, x.key}, s)
			if _, err := tx.ExecContext(ctx, a.db.Rebind("UPDATE "+a.table+" SET "+slugCol+" = ? WHERE "+a.key+" = ? AND "+a.scope), uargs...); err != nil {
				return nil, a.fail(ctx, err)
			}
		}
		moved = append(moved, adapters.Moved{Node: x.node, Slug: []byte(slug)})
	}
	return moved, nil
}
