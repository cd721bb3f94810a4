package adapters

import (
	"context"

	"github.com/aposproxy/aposproxy/apos"
)

// Node is one page's place in a tree, in one scope.
type Node struct {
	DocID  string
	Parent string // the parent's aposDocId; empty for the home page
	Rank   int64
	Level  int
	// Archived is set on the archive page and the pages under it.
	Archived bool
}

// ArchiveID is the aposDocId of the archive page, which the proxy keeps
// itself when the table has none (docs/api-rules.md#148). No legacy key
// encodes to it.
const ArchiveID = "b64-archive"

// The positions of a placement (docs/api-rules.md#143).
const (
	Before     = "before"
	After      = "after"
	FirstChild = "firstChild"
	LastChild  = "lastChild"
	AtIndex    = "index" // Placement.Index among the target's children
)

// Placement says where a page goes: relative to the page Target (an
// aposDocId), as Position says.
type Placement struct {
	Target   string
	Position string
	Index    int
}

// Moved is a page a move changed: its new parent, rank and level.
type Moved struct {
	Node
	Slug []byte // its slug after the move
}

// Tree is an optional capability of a page type's backend: the tree read
// with one recursive query and changed in one transaction.
type Tree interface {
	// Nodes returns every page reachable from the home page in scope s,
	// parents before children and siblings by rank, the archive (the
	// home page's last child) and the archived pages included; orphans
	// (pages whose parent is missing) are left out.
	Nodes(ctx context.Context, s apos.Scope) ([]Node, error)
	// Lineage returns the ancestors of docID from the home page down,
	// then docID itself.
	Lineage(ctx context.Context, s apos.Scope, docID string) ([]Node, error)
	// Children returns the children of docID by rank (docID empty: the
	// pages without a parent; ArchiveID: the archived pages directly in
	// the archive). The archive is never a child here.
	Children(ctx context.Context, s apos.Scope, docID string) ([]Node, error)
	// InsertAt creates a page at p, shifting its new siblings' ranks, in
	// one transaction with the siblings locked.
	InsertAt(ctx context.Context, s apos.Scope, p Placement, in *Insert) (*Record, error)
	// MoveTo changes the page as Update does and then, when p is not nil,
	// moves it (and its subtree) to p, in one transaction. It reports
	// every page whose parent, rank or level changed.
	MoveTo(ctx context.Context, s apos.Scope, docID string, p *Placement, change Change) (*Record, []Moved, error)
}
