package sqlbackend

import (
	"context"
	"database/sql"
	"strings"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// The page tree (docs/api-rules.md#140 to #149): the table's parent and
// order columns read with one recursive query (WITH RECURSIVE, which
// SQLite, PostgreSQL, MySQL 8 and MariaDB 10.2+ all run), and changed in
// one transaction with the siblings locked.

var _ adapters.Tree = (*Adapter)(nil)

// maxDepth bounds the recursion, so that a cycle in legacy data ends.
const maxDepth = "1000"

// treeCols are the quoted parent, order and slug columns.
func (a *Adapter) treeCols() (parent, order, slug string) {
	return a.field(config.TreeParentField).quoted, a.field(config.TreeRankField).quoted, a.field(config.TreeSlugField).quoted
}

// scopeOf is a.scope with its columns qualified by alias.
func (a *Adapter) scopeOf(alias string) string {
	var conds string
	for _, m := range []*valueMap{a.locale, a.mode} {
		if m != nil {
			conds += " AND " + alias + "." + m.column + " = ?"
		}
	}
	return conds
}

// scopeBinds is scopeArgs for n copies of the scope conditions; ok is
// false when no record can be in s.
func (a *Adapter) scopeBinds(s apos.Scope, n int, first ...any) ([]any, bool) {
	args := first
	for range n {
		var ok bool
		if args, ok = a.scopeArgs(args, s); !ok {
			return nil, false
		}
	}
	return args, true
}

// Nodes implements adapters.Tree: the archived pages are read in the
// same recursive query, seeded with the home page and the pages directly
// in the archive, whose old parents no longer reach them.
func (a *Adapter) Nodes(ctx context.Context, s apos.Scope) ([]adapters.Node, error) {
	roots, err := a.archived(ctx, nil, s, false)
	if err != nil {
		return nil, err
	}
	keys, in := a.archiveKeys(roots)
	seed, step := "", ""
	if in != "" {
		seed, step = " OR c."+a.key+" IN ("+in+")", " AND c."+a.key+" NOT IN ("+in+")"
	}
	parent, order, _ := a.treeCols()
	text := "WITH RECURSIVE t(k, p, r, lvl) AS (SELECT c." + a.key + ", c." + parent + ", c." + order + ", 0 FROM " +
		a.table + " c WHERE (c." + parent + " IS NULL" + seed + ")" + a.scopeOf("c") +
		" UNION ALL SELECT c." + a.key + ", c." + parent + ", c." + order + ", t.lvl + 1 FROM " + a.table +
		" c JOIN t ON c." + parent + " = t.k WHERE t.lvl < " + maxDepth + step + a.scopeOf("c") +
		") SELECT k, p, r, lvl FROM t ORDER BY lvl, r, k"
	args, ok := a.scopeArgs(append([]any{}, keys...), s)
	if ok {
		args = append(args, keys...)
		args, ok = a.scopeArgs(args, s)
	}
	if !ok {
		return nil, nil
	}
	nodes, err := a.nodes(ctx, a.db.ReadContext(ctx), nil, text, args)
	if err != nil {
		return nil, err
	}
	return relevel(nodes, archivedSet(roots)), nil
}

// Lineage implements adapters.Tree.
func (a *Adapter) Lineage(ctx context.Context, s apos.Scope, docID string) ([]adapters.Node, error) {
	return a.lineage(a.db.ReadContext(ctx), nil, s, docID)
}

// lineage reads the ancestors of docID and docID itself, within tx unless
// it is nil: the home page first, levels counted from it; an archived
// page's go through the archive.
func (a *Adapter) lineage(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string) ([]adapters.Node, error) {
	if docID == adapters.ArchiveID {
		return a.archiveLineage(ctx, tx, s)
	}
	key, ok := a.keyOf(docID)
	if !ok {
		return nil, apos.ErrNotFound
	}
	parent, order, _ := a.treeCols()
	text := "WITH RECURSIVE t(k, p, r, lvl) AS (SELECT c." + a.key + ", c." + parent + ", c." + order + ", 0 FROM " +
		a.table + " c WHERE c." + a.key + " = ?" + a.scopeOf("c") +
		" UNION ALL SELECT c." + a.key + ", c." + parent + ", c." + order + ", t.lvl + 1 FROM " + a.table +
		" c JOIN t ON c." + a.key + " = t.p WHERE t.lvl < " + maxDepth + a.scopeOf("c") +
		") SELECT k, p, r, lvl FROM t ORDER BY lvl DESC"
	args, ok := a.scopeBinds(s, 1, key)
	if ok {
		args, ok = a.scopeBinds(s, 1, args...)
	}
	if !ok {
		return nil, apos.ErrNotFound
	}
	nodes, err := a.nodes(ctx, ctx, tx, text, args)
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, apos.ErrNotFound
	}
	for i := range nodes {
		nodes[i].Level = i
	}
	return a.archivedLineage(ctx, tx, s, nodes)
}

// Children implements adapters.Tree.
func (a *Adapter) Children(ctx context.Context, s apos.Scope, docID string) ([]adapters.Node, error) {
	if docID == adapters.ArchiveID {
		return a.archiveChildren(a.db.ReadContext(ctx), s)
	}
	return a.kids(a.db.ReadContext(ctx), nil, s, docID, false)
}

// kids are the children of docID (not the archive) without the archived
// ones, read as children reads them.
func (a *Adapter) kids(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string, lock bool) ([]adapters.Node, error) {
	nodes, err := a.children(ctx, tx, s, docID, lock)
	if err != nil || docID == "" {
		return nodes, err
	}
	return a.withoutArchived(ctx, tx, s, nodes)
}

// children reads the children of docID by rank, within tx unless it is
// nil, locking them when lock is set.
func (a *Adapter) children(ctx context.Context, tx *sql.Tx, s apos.Scope, docID string, lock bool) ([]adapters.Node, error) {
	parent, order, _ := a.treeCols()
	text := "SELECT c." + a.key + ", c." + parent + ", c." + order + ", 0 FROM " + a.table + " c WHERE "
	var first []any
	if docID == "" {
		text += "c." + parent + " IS NULL"
	} else {
		key, ok := a.keyOf(docID)
		if !ok {
			return nil, nil
		}
		text += "c." + parent + " = ?"
		first = append(first, key)
	}
	text += a.scopeOf("c") + " ORDER BY c." + order + ", c." + a.key
	if lock {
		text += a.db.ForUpdate()
	}
	args, ok := a.scopeBinds(s, 1, first...)
	if !ok {
		return nil, nil
	}
	return a.nodes(ctx, ctx, tx, text, args)
}

// nodes runs a query selecting key, parent, rank and level.
func (a *Adapter) nodes(failCtx, ctx context.Context, tx *sql.Tx, text string, args []any) ([]adapters.Node, error) {
	var rows *sql.Rows
	var err error
	if tx != nil {
		rows, err = tx.QueryContext(ctx, a.db.Rebind(text), args...)
	} else {
		rows, err = a.db.QueryContext(ctx, a.db.Rebind(text), args...)
	}
	if err != nil {
		return nil, a.fail(failCtx, err)
	}
	defer rows.Close()
	var out []adapters.Node
	var k, p cell
	for rows.Next() {
		var n adapters.Node
		var lvl int64
		if err := rows.Scan(&k, &p, &n.Rank, &lvl); err != nil {
			return nil, a.fail(failCtx, err)
		}
		n.DocID, n.Level = apos.EncodeKey(k.keyString()), int(lvl)
		if p.typ != cellNull {
			n.Parent = apos.EncodeKey(p.keyString())
		}
		out = append(out, n)
	}
	return out, a.fail(failCtx, rows.Err())
}

// slugBaseOf is the slug a new or renamed record asks for: a page's as
// the proxy cleaned it (slashes kept), any other's slugified.
func (a *Adapter) slugBaseOf(want, key string) string {
	if a.t.IsPageTree() && strings.HasPrefix(want, "/") {
		return want
	}
	return slugBase(want, key)
}
