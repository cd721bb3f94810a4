package proxy

import (
	"slices"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/tidwall/gjson"
)

// Apostrophe's page tree (docs/api-rules.md#140 to #149): one set of
// routes for every page type, over a backend with the Tree capability.
// The workflow and batch routes are the pieces' (routeWorkflow).

// The virtual ids of GET P/:_id.
const (
	homeID    = "_home"
	archiveID = "_archive"
)

// lightFields are the fields ?all=1 renders of each page (besides the
// identity, tree and workflow members).
var lightFields = []string{"title", "type", "rank", "slug", "visibility", "archived", "updatedAt"}

// routePages registers the page routes in place of routeType's.
func (s *Server) routePages(d *docType) {
	s.routeDocs(d, s.getPages, s.postPage, s.getPage, s.deletePage)
}

// treeOf is d's Tree capability.
func treeOf(d *docType) adapters.Tree { return d.backend.(adapters.Tree) }

// pageInfo is what a page's document adds to its record: its place in
// the tree and the pages around it.
type pageInfo struct {
	path  string
	level int
	// ancestors and children are rendered documents; nil leaves them out.
	ancestors, children [][]byte
	childIDs            []string // flat=1: the children's _ids
	// nest, when set, writes the children's array in place of children:
	// the whole tree in one buffer, each document written once.
	nest     func(dst []byte) []byte
	flat     bool
	archived bool // the page is the archive or in it
}

// urlOf is a page's _url: the locale's prefix and the slug.
func (s *Server) urlOf(locale, slug string) string {
	for _, l := range s.cfg.Locales.List {
		if l.Name == locale {
			if slug == "/" && l.Prefix != "" {
				return l.Prefix + "/"
			}
			return l.Prefix + slug
		}
	}
	return slug
}

// appendPage renders a page: the document, then its tree members. An
// archived page has no _url (docs/api-rules.md#148).
func (s *Server) appendPage(dst []byte, d *docType, rec *adapters.Record, who *apos.Principal, p *projection, pi *pageInfo) []byte {
	start := len(dst)
	dst = d.appendDoc(dst, rec, who, p)
	if pi.archived {
		dst = markArchived(dst, start)
	}
	dst = dst[:len(dst)-1]
	parent := fieldString(rec.Fields, config.TreeParentField)
	dst = append(dst, `,"path":`...)
	dst = appendString(dst, pi.path)
	dst = append(dst, `,"level":`...)
	dst = strconv.AppendInt(dst, int64(pi.level), 10)
	dst = append(dst, `,"orphan":false`...)
	switch {
	case rec.DocID == adapters.ArchiveID:
		dst = append(dst, `,"parkedId":"archive","parked":["slug","parkedId","type","archived","orphan","title"]`...)
	case parent == "":
		dst = append(dst, `,"parkedId":"home","parked":["slug","parkedId"]`...)
	}
	if !pi.archived {
		dst = append(dst, `,"_url":`...)
		dst = appendString(dst, s.urlOf(rec.Scope.Locale, fieldString(rec.Fields, config.TreeSlugField)))
	}
	if pi.ancestors != nil {
		dst = appendDocs(append(dst, `,"_ancestors":`...), pi.ancestors)
	}
	switch {
	case pi.flat:
		dst = append(dst, `,"_children":[`...)
		for i, id := range pi.childIDs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, id)
		}
		dst = append(dst, ']')
	case pi.nest != nil:
		dst = pi.nest(append(dst, `,"_children":`...))
	case pi.children != nil:
		dst = appendDocs(append(dst, `,"_children":`...), pi.children)
	}
	return append(dst, '}')
}

// appendDocs renders rendered documents as a JSON array.
func appendDocs(dst []byte, docs [][]byte) []byte {
	dst = append(dst, '[')
	for i, doc := range docs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, doc...)
	}
	return append(dst, ']')
}

// fieldString is a member of a fields object as text ("" when absent or
// null).
func fieldString(fields []byte, name string) string {
	r := gjson.GetBytes(fields, name)
	if !r.Exists() || r.Raw == "null" {
		return ""
	}
	return r.String()
}

// getPages serves GET P: ?type= and ?autocomplete= are lists as for
// pieces, ?all=1 the whole tree, otherwise the home page.
func (s *Server) getPages(c *call, d *docType) error {
	args := c.ctx.QueryArgs()
	if args.Has("type") || args.Has("autocomplete") {
		return s.getList(c, d)
	}
	scope, err := s.listScope(c, d, apos.DocID{})
	if err != nil {
		return err
	}
	if string(args.Peek("all")) != "" && string(args.Peek("all")) != "0" {
		return s.getTree(c, d, scope, string(args.Peek("flat")) == "1")
	}
	home, err := s.homeOf(c, d, scope)
	if err != nil {
		return err
	}
	return s.sendPage(c, d, scope, home)
}

// homeOf is the aposDocId of the home page of scope: the first page
// without a parent.
func (s *Server) homeOf(c *call, d *docType, scope apos.Scope) (string, error) {
	roots, err := treeOf(d).Children(c.bctx, scope, "")
	if err != nil {
		return "", err
	}
	if len(roots) == 0 {
		return "", apos.ErrNotFound
	}
	return roots[0].DocID, nil
}

// getPage serves GET P/:_id: _home, or a page by _id or aposDocId.
func (s *Server) getPage(c *call, d *docType) error {
	raw, _ := c.ctx.UserValue("id").(string)
	var docID string
	var scope apos.Scope
	var err error
	switch raw {
	case homeID:
		if scope, err = s.listScope(c, d, apos.DocID{}); err == nil {
			docID, err = s.homeOf(c, d, scope)
		}
	case archiveID:
		scope, err = s.listScope(c, d, apos.DocID{})
		docID = adapters.ArchiveID
	default:
		docID, scope, err = s.target(c, d)
	}
	if err != nil {
		return err
	}
	return s.sendPage(c, d, scope, docID)
}

// sendPage answers one page with its ancestors and children; an
// archived page is found only as archivedParam allows.
func (s *Server) sendPage(c *call, d *docType, scope apos.Scope, docID string) error {
	t := treeOf(d)
	lineage, err := t.Lineage(c.bctx, scope, docID)
	if err != nil {
		return err
	}
	self := lineage[len(lineage)-1]
	if err := d.visiblePage(c, self); err != nil {
		return err
	}
	var rec *adapters.Record
	if docID == adapters.ArchiveID {
		rec = archiveRecord(scope, self.Rank)
	} else if rec, err = d.backend.Get(c.bctx, scope, docID); err != nil {
		return err
	}
	kids, err := t.Children(c.bctx, scope, docID)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(lineage)+len(kids))
	for _, n := range lineage[:len(lineage)-1] {
		ids = append(ids, n.DocID)
	}
	for _, n := range kids {
		ids = append(ids, n.DocID)
	}
	byID, err := s.pageRecords(c, d, scope, ids, nil)
	if err != nil {
		return err
	}
	want := archivedParam(c)
	pi := &pageInfo{level: len(lineage) - 1, archived: self.Archived, ancestors: [][]byte{}, children: [][]byte{}}
	path := ""
	for i, n := range lineage {
		if i > 0 {
			path += "/"
		}
		path += n.DocID
		if i < len(lineage)-1 && (!n.Archived || want == archivedEither || want == archivedOnly) {
			if r := nodeRecord(byID, n, scope); r != nil {
				pi.ancestors = append(pi.ancestors, s.appendPage(nil, d, r, c.who, nil, &pageInfo{path: path, level: i, archived: n.Archived}))
			}
		}
	}
	pi.path = path
	for _, n := range kids {
		if r := byID[n.DocID]; r != nil {
			pi.children = append(pi.children, s.appendPage(nil, d, r, c.who, nil, &pageInfo{path: path + "/" + n.DocID, level: pi.level + 1, archived: self.Archived, children: [][]byte{}}))
		}
	}
	buf := bufPool.get()
	defer bufPool.put(buf)
	pub, err := s.publishedPages(c, d, scope, []string{docID}, nil)
	if err != nil {
		return err
	}
	buf.b = d.appendPublished(s.appendPage(buf.b[:0], d, rec, c.who, nil, pi), pub[docID], c.who, nil)
	sendCacheable(c.ctx, buf.b)
	return nil
}

// publishedPages reads, for withPublished=1 on a draft read, the
// published copies of ids (nil: every page of the locale); nil without
// withPublished.
func (s *Server) publishedPages(c *call, d *docType, scope apos.Scope, ids, project []string) (map[string]*adapters.Record, error) {
	if scope.Mode != apos.Draft || !d.hasDrafts() || slices.Contains(ids, adapters.ArchiveID) || !launderBool(string(c.ctx.QueryArgs().Peek("withPublished"))) {
		return nil, nil
	}
	return s.pageRecords(c, d, apos.Scope{Locale: scope.Locale, Mode: apos.Published}, ids, project)
}

// appendPublished adds _publishedDoc, pub rendered, to the document that
// ends dst; dst as it is when pub is nil.
func (d *docType) appendPublished(dst []byte, pub *adapters.Record, who *apos.Principal, p *projection) []byte {
	if pub == nil {
		return dst
	}
	dst = append(dst[:len(dst)-1], `,"_publishedDoc":`...)
	dst = d.appendDoc(dst, pub, who, p)
	return append(dst, '}')
}

// nodeRecord is n's record among byID, the archive's made up.
func nodeRecord(byID map[string]*adapters.Record, n adapters.Node, scope apos.Scope) *adapters.Record {
	if n.DocID == adapters.ArchiveID {
		return archiveRecord(scope, n.Rank)
	}
	return byID[n.DocID]
}

// pageRecords reads the records of ids (nil: every page of scope), by
// aposDocId, projected to project when it is not nil.
func (s *Server) pageRecords(c *call, d *docType, scope apos.Scope, ids []string, project []string) (map[string]*adapters.Record, error) {
	out := map[string]*adapters.Record{}
	if ids != nil && len(ids) == 0 {
		return out, nil
	}
	q := &adapters.Query{Scope: scope, Page: 1, PerPage: max(len(ids), 1), IDs: ids, Project: project}
	if ids == nil {
		q.PerPage = 1 << 30
	}
	page, err := d.backend.List(c.bctx, q)
	if err != nil {
		return nil, err
	}
	for i := range page.Records {
		out[page.Records[i].DocID] = &page.Records[i]
	}
	return out, nil
}

// getTree serves GET P?all=1: the home page with every page nested in
// _children, or with flat=1 every page in depth-first order with its
// children's _ids.
func (s *Server) getTree(c *call, d *docType, scope apos.Scope, flat bool) error {
	nodes, err := treeOf(d).Nodes(c.bctx, scope)
	if err != nil {
		return err
	}
	if len(nodes) == 0 || nodes[0].Level != 0 {
		return apos.ErrNotFound
	}
	project := []string{config.TreeParentField}
	for _, f := range lightFields {
		if d.fields[f] != nil {
			project = append(project, f)
		}
	}
	byID, err := s.pageRecords(c, d, scope, nil, project)
	if err != nil {
		return err
	}
	byID[adapters.ArchiveID] = nil
	want := archivedParam(c)
	kids := map[string][]adapters.Node{}
	for _, n := range nodes[1:] {
		if d.keepNode(n, c.who, want) {
			if n.DocID == adapters.ArchiveID {
				byID[n.DocID] = archiveRecord(scope, n.Rank)
			}
			kids[n.Parent] = append(kids[n.Parent], n)
		}
	}
	p := &projection{include: true, fields: map[string]bool{}}
	for _, f := range project[1:] {
		p.fields[f] = true
	}
	for _, f := range []string{"visibility", "archived", "lastPublishedAt", "submitted", "modified"} {
		p.fields[f] = true
	}
	w := &treeWriter{s: s, d: d, c: c, byID: byID, kids: kids, p: p, flat: flat}
	if w.published, err = s.publishedPages(c, d, scope, nil, project); err != nil {
		return err
	}
	buf := bufPool.get()
	defer bufPool.put(buf)
	// A big tree outgrows the pool's buffers: grown from 4 KiB, by a
	// quarter at a time past 256 KiB, its bytes were copied several
	// times over, and ?all=1 at 10,000 pages cost more than ten times
	// 1,000 pages.
	buf.b = slices.Grow(buf.b[:0], int(d.treeBytes.Load())*len(nodes))
	if flat {
		buf.b = append(buf.b[:0], `{"results":[`...)
		w.flatten(nodes[0], nodes[0].DocID, &buf.b)
		buf.b = append(buf.b, "]}"...)
	} else {
		buf.b = w.nested(buf.b[:0], nodes[0], nodes[0].DocID)
	}
	d.treeBytes.Store(int64(len(buf.b)/len(nodes) + 1))
	sendCacheable(c.ctx, buf.b)
	return nil
}

// treeWriter renders ?all=1 from the nodes read once and the records read
// once: linear in the number of pages.
type treeWriter struct {
	s    *Server
	d    *docType
	c    *call
	byID map[string]*adapters.Record
	kids map[string][]adapters.Node
	p    *projection
	flat bool
	// published holds the published pages for withPublished=1 in draft
	// mode (docs/api-rules.md#22); nil otherwise.
	published map[string]*adapters.Record
}

// nested renders n with its subtree in _children, into dst itself: a
// subtree rendered apart and then copied into its parent was copied once
// per level above it.
func (w *treeWriter) nested(dst []byte, n adapters.Node, path string) []byte {
	r := w.byID[n.DocID]
	if r == nil {
		return dst
	}
	pi := &pageInfo{path: path, level: n.Level, archived: n.Archived, nest: func(dst []byte) []byte {
		dst = append(dst, '[')
		open := len(dst)
		for _, k := range w.kids[n.DocID] {
			mark := len(dst)
			if mark > open {
				dst = append(dst, ',')
			}
			if next := w.nested(dst, k, path+"/"+k.DocID); len(next) > len(dst) {
				dst = next
			} else {
				dst = dst[:mark] // a child without a record: nothing, nor its comma
			}
		}
		return append(dst, ']')
	}}
	if n.Level == 0 {
		pi.ancestors = [][]byte{}
	}
	return w.d.appendPublished(w.s.appendPage(dst, w.d, r, w.c.who, w.p, pi), w.published[n.DocID], w.c.who, w.p)
}

// flatten appends n and then its subtree, depth first, with a comma
// between documents.
func (w *treeWriter) flatten(n adapters.Node, path string, dst *[]byte) {
	r := w.byID[n.DocID]
	if r == nil {
		return
	}
	pi := &pageInfo{path: path, level: n.Level, archived: n.Archived, flat: true, childIDs: []string{}}
	if n.Level == 0 {
		pi.ancestors = [][]byte{}
	}
	for _, k := range w.kids[n.DocID] {
		pi.childIDs = append(pi.childIDs, string(apos.AppendID(nil, k.DocID, r.Scope)))
	}
	if (*dst)[len(*dst)-1] != '[' {
		*dst = append(*dst, ',')
	}
	*dst = w.d.appendPublished(w.s.appendPage(*dst, w.d, r, w.c.who, w.p, pi), w.published[n.DocID], w.c.who, w.p)
	for _, k := range w.kids[n.DocID] {
		w.flatten(k, path+"/"+k.DocID, dst)
	}
}

// pageTypeOf is the page type a body names, checked (400 invalid).
func (d *docType) pageTypeOf(name string) error {
	f := d.fields[config.TreeTypeField]
	for _, ch := range f.Choices {
		if ch.Value == name {
			return nil
		}
	}
	return apos.Invalid("type", "invalid", "Unknown page type.")
}

// placementOf reads _targetId and _position from a body: nil when the
// body names neither; _targetId defaults to the home page (resolved by
// home) and _position to lastChild.
func placementOf(targetID, position string, numeric bool, num float64) (*adapters.Placement, error) {
	p := &adapters.Placement{Target: targetID, Position: position}
	switch {
	case numeric:
		if num != float64(int(num)) {
			return nil, apos.Invalid("_position", "invalid", "A position is before, after, firstChild, lastChild or an index.")
		}
		p.Position, p.Index = adapters.AtIndex, int(num)
	case position == "":
		p.Position = adapters.LastChild
	case strings.TrimLeft(position, "0123456789") == "":
		n, _ := strconv.Atoi(position)
		p.Position, p.Index = adapters.AtIndex, n
	case position != adapters.Before && position != adapters.After && position != adapters.FirstChild && position != adapters.LastChild:
		return nil, apos.Invalid("_position", "invalid", "A position is before, after, firstChild, lastChild or an index.")
	}
	return p, nil
}

// setPage makes d the page tree's type: the page type comes from the
// type field, and the parent's key is never rendered.
func (d *docType) setPage() {
	d.page = true
	d.typeJSON = []byte(`"metaType":"doc"`)
	d.hide = &projection{include: false, fields: map[string]bool{config.TreeParentField: true}}
}

// publishOp is the publish operation of d: a page is published after its
// parent only (docs/api-rules.md#147).
func (s *Server) publishOp(d *docType) workflowOp {
	if !d.page {
		return publish
	}
	return func(c *call, wf adapters.Workflow, locale, docID string) (*adapters.Record, error) {
		if err := s.checkParentPublished(c, d, locale, docID); err != nil {
			return nil, err
		}
		return publish(c, wf, locale, docID)
	}
}
