package config

import "github.com/aposproxy/aposproxy/apos"

// Tree maps Apostrophe's page tree onto a legacy table that keeps one row
// per page with its parent's key and its place among its siblings
// (docs/config.md#pages). The columns are those of the type's table.
type Tree struct {
	// Parent is the column holding the parent page's key; NULL for the
	// home page.
	Parent string `toml:"parent"`
	// Order is the integer column ordering siblings: the page's rank.
	Order string `toml:"order"`
	// Type is the column holding the page type.
	Type string `toml:"type"`
	// Slug is the column holding the page's slug ("/", "/about"...).
	Slug string `toml:"slug"`
	// Types lists the page types; @apostrophecms/home-page must be one.
	Types []string `toml:"types"`
}

// The page types the proxy knows itself.
const (
	HomePageType    = "@apostrophecms/home-page"
	ArchivePageType = "@apostrophecms/archive-page"
)

// The API fields a page tree adds to its type's fields (resolveTree): the
// page type, the rank, the slug, and the parent's key, which the proxy
// reads and writes but never renders.
const (
	TreeTypeField   = "type"
	TreeRankField   = "rank"
	TreeSlugField   = "slug"
	TreeParentField = "_parentKey"
)

// IsPageTree reports whether the type is Apostrophe's page tree.
func (t *Type) IsPageTree() bool { return t.Tree != nil && t.Name == PageType }

// validateTree checks the page mapping: the page type needs a tree, a
// tree needs its columns and types, and no field maps a tree column.
func (t *Type) validateTree(path string, errs *errorList) {
	tp := path + ".tree"
	switch {
	case t.Name == PageType && t.Tree == nil:
		errs.addf(tp, "is required for %s: name the parent, order, type and slug columns", PageType)
		return
	case t.Tree == nil:
		return
	case t.Name != PageType:
		errs.addf(tp, "is only for the type %s", PageType)
		return
	}
	if t.Upstream != "" {
		errs.addf(tp, "is only for types with a database")
	}
	if t.Storage == string(apos.Overlay) {
		errs.addf(path+".storage", `a page tree keeps its drafts in its table: storage must be "columns" or "autopublish"`)
	}
	mapped := map[string]string{}
	for i, f := range t.Fields {
		mapped[f.Column] = indexKey(path+".fields", i)
		if f.Name == TreeRankField || f.Name == TreeSlugField || f.Name == TreeParentField {
			errs.addf(indexKey(path+".fields", i)+".name", "%s is set by the page tree (%s)", f.Name, tp)
		}
	}
	cols := map[string]string{}
	for _, c := range [][2]string{{"parent", t.Tree.Parent}, {"order", t.Tree.Order}, {"type", t.Tree.Type}, {"slug", t.Tree.Slug}} {
		p := tp + "." + c[0]
		switch prev, dup := cols[c[1]]; {
		case c[1] == "":
			errs.addf(p, "is required: the column of the page's %s", c[0])
		case !sqlColumn.re.MatchString(c[1]):
			errs.addf(p, "%s", sqlColumn.msg)
		case dup:
			errs.addf(p, "column %s is already the tree's %s", c[1], prev)
		case mapped[c[1]] != "":
			errs.addf(p, "column %s is already mapped by %s", c[1], mapped[c[1]])
		case c[1] == t.Key || c[1] == t.Locale.Column || c[1] == t.Mode.Column:
			errs.addf(p, "column %s is the type's key, locale or mode column", c[1])
		}
		cols[c[1]] = c[0]
	}
	t.validatePageTypes(tp, errs)
}

// validatePageTypes checks tree.types: unique names, the home page among
// them, the archive page not (the proxy keeps the archive itself).
func (t *Type) validatePageTypes(tp string, errs *errorList) {
	seen := map[string]bool{}
	for i, name := range t.Tree.Types {
		p := indexKey(tp+".types", i)
		switch {
		case !typeName.MatchString(name):
			errs.addf(p, "a page type is letters, digits, @, /, _ or -")
		case name == ArchivePageType:
			errs.addf(p, "%s is the proxy's own archive page and cannot be listed", name)
		case seen[name]:
			errs.addf(p, "page type %s is listed twice", name)
		}
		seen[name] = true
	}
	if !seen[HomePageType] {
		errs.addf(tp+".types", "must list %s", HomePageType)
	}
}

// resolveTree adds the tree's fields to a page type once it is valid: the
// page type (a select among tree.types), the rank, the slug and the
// parent's key. Clients write neither the rank nor the parent: a move
// does (docs/api-rules.md#140).
func (t *Type) resolveTree() {
	if !t.IsPageTree() {
		return
	}
	choices := make([]Choice, 0, len(t.Tree.Types))
	for _, name := range t.Tree.Types {
		choices = append(choices, Choice{Value: name, Label: name})
	}
	t.Fields = append(t.Fields,
		Field{Name: TreeTypeField, Column: t.Tree.Type, Kind: string(apos.Select), Required: true, Choices: choices},
		Field{Name: TreeSlugField, Column: t.Tree.Slug, Kind: string(apos.String)},
		Field{Name: TreeRankField, Column: t.Tree.Order, Kind: string(apos.Integer), ReadOnly: true},
		Field{Name: TreeParentField, Column: t.Tree.Parent, Kind: string(apos.String), ReadOnly: true},
	)
}
