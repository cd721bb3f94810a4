package main

import (
	"bytes"
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// bare is the baseline of the SQL scenarios: the handler a developer would
// write by hand for the shop's products, with nothing configurable and no
// Apostrophe rule beyond what its two routes need (GET /product and GET
// /product/:_id, published and anonymous). It runs the statements the SQL
// adapter prepares, on a pool sized alike, and writes byte for byte the
// JSON aposproxy writes (checked before each scenario), so that the
// difference in throughput is what the proxy's generality costs.
type bare struct {
	get *sql.Stmt
	// lists holds the list statements by variant: each reads a page of
	// products with their slugs and the store's members in one query,
	// and counts holds the matching COUNT(*)s. That is the simplest
	// correct code for the route: one query for the page, one for the
	// total when the page is full.
	lists, counts map[listVariant]*sql.Stmt
	prefix        []byte // "/api/v1/product"
}

// listVariant is one list the baseline serves: the shop's default order
// (by title), another order (sort[price]=-1) or a filter (inStock=1).
type listVariant int

const (
	listDefault listVariant = iota
	listByPrice
	listInStock
)

// variantOf is the variant a list request asks for, and whether the
// baseline serves it.
func variantOf(args *fasthttp.Args) (listVariant, bool) {
	sort, stock := args.Peek("sort[price]"), args.Peek("inStock")
	switch {
	case sort == nil && stock == nil:
		return listDefault, true
	case string(sort) == "-1" && stock == nil:
		return listByPrice, true
	case sort == nil && string(stock) == "1":
		return listInStock, true
	}
	return 0, false
}

// newBare prepares the baseline's statements on db, written for driver
// ("sqlite", "postgres" or "mysql") as the SQL adapter writes them.
func newBare(ctx context.Context, db *sql.DB, driver string) (*bare, error) {
	q, n, text := `"`, 0, "TEXT"
	ph := func() string { return "?" }
	nullsFirst, nullsLast := "", ""
	switch driver {
	case "mysql":
		q, text = "`", "CHAR"
	case "postgres":
		ph = func() string { n++; return "$" + strconv.Itoa(n) }
		nullsFirst, nullsLast = " NULLS FIRST", " NULLS LAST"
	}
	name := func(s string) string { return q + s + q }
	var cols []string
	for _, c := range []string{"product_id", "name", "description", "price_cents", "color", "in_stock",
		"attributes", "category_id", "created_at", "updated_at"} {
		cols = append(cols, name(c))
	}
	// The slug aposproxy keeps for a type that maps none (unique per
	// locale: a second "Nordic desk" is nordic-desk1), else the title's.
	cols = append(cols, "(SELECT aposproxy_slug FROM "+name("aposproxy_slugs")+" WHERE aposproxy_type = 'product'"+
		" AND aposproxy_doc = CAST("+name("products")+"."+name("product_id")+" AS "+text+")"+
		" AND aposproxy_locale = "+name("products")+"."+name("lang")+" AND aposproxy_mode = 'published')")
	// The members the proxy's store keeps for a record (lastPublishedAt,
	// submitted, ...), by the row's key and the request's locale.
	members := func() string {
		return ", (SELECT extra FROM " + name("aposproxy_meta") + " WHERE type_name = 'product'" +
			" AND doc_id = CAST(" + name("products") + "." + name("product_id") + " AS " + text + ") AND locale = " +
			ph() + " AND mode = 'published')"
	}
	from := " FROM " + name("products") + " WHERE "
	b := &bare{prefix: []byte("/api/v1/product"), lists: map[listVariant]*sql.Stmt{}, counts: map[listVariant]*sql.Stmt{}}
	var err error
	n = 0
	getSel := "SELECT " + strings.Join(cols, ", ") + members() + from
	if b.get, err = db.PrepareContext(ctx, getSel+name("product_id")+" = "+ph()+" AND "+name("lang")+" = "+ph()+" AND "+name("status")+" = "+ph()); err != nil {
		return nil, err
	}
	byTitle := " ORDER BY LOWER(" + name("name") + ") ASC" + nullsFirst + ", " + name("product_id") + " ASC"
	for _, v := range []struct {
		variant      listVariant
		filter, sort string
	}{
		{listDefault, "", byTitle},
		{listByPrice, "", " ORDER BY " + name("price_cents") + " DESC" + nullsLast + ", " + name("product_id") + " ASC"},
		{listInStock, " AND " + name("in_stock") + " = ", byTitle},
	} {
		n = 0
		sel := "SELECT " + strings.Join(cols, ", ") + members() + from
		where := name("lang") + " = " + ph() + " AND " + name("status") + " = " + ph()
		if v.filter != "" {
			where += v.filter + ph()
		}
		if b.lists[v.variant], err = db.PrepareContext(ctx, sel+where+v.sort+" LIMIT "+ph()+" OFFSET "+ph()); err != nil {
			return nil, err
		}
		n = 0
		where = name("lang") + " = " + ph() + " AND " + name("status") + " = " + ph()
		if v.filter != "" {
			where += v.filter + ph()
		}
		if b.counts[v.variant], err = db.PrepareContext(ctx, "SELECT COUNT(*)"+from+where); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// product is one scanned row.
type product struct {
	id, name           string
	description, color sql.NullString
	price              int64
	inStock            any // bool, or an integer on SQLite
	attributes         []byte
	category           sql.NullInt64
	created, updated   any            // text on SQLite, time.Time elsewhere
	extra              []byte         // the store's members, a JSON object or NULL
	slug               sql.NullString // aposproxy's, when it keeps one
}

func (p *product) dest() []any {
	return []any{&p.id, &p.name, &p.description, &p.price, &p.color, &p.inStock,
		&p.attributes, &p.category, &p.created, &p.updated, &p.slug}
}

// handle serves the two routes.
func (b *bare) handle(ctx *fasthttp.RequestCtx) {
	rest, ok := bytes.CutPrefix(ctx.Path(), b.prefix)
	switch {
	case ok && len(rest) == 0:
		b.serveList(ctx)
	case ok && len(rest) > 1 && rest[0] == '/':
		b.serveOne(ctx, string(rest[1:]))
	default:
		ctx.Error(`{"name":"notfound","data":{},"message":"notfound"}`, fasthttp.StatusNotFound)
	}
}

// serveOne answers GET /product/<id>:<locale>:published.
func (b *bare) serveOne(ctx *fasthttp.RequestCtx, id string) {
	docID, rest, _ := strings.Cut(id, ":")
	locale, _, _ := strings.Cut(rest, ":")
	var p product
	err := b.get.QueryRowContext(context.Background(), locale, docID, locale, "live").
		Scan(append(p.dest(), &p.extra)...)
	if err != nil {
		ctx.Error(`{"name":"notfound","data":{},"message":"notfound"}`, fasthttp.StatusNotFound)
		return
	}
	buf := bufs.Get().(*[]byte)
	defer bufs.Put(buf)
	*buf = appendProduct((*buf)[:0], &p, locale)
	ctx.SetContentType("application/json")
	ctx.SetBody(*buf)
}

// bufs holds the buffers responses are written in.
var bufs = sync.Pool{New: func() any { return new([]byte) }}

// serveList answers GET /product?aposLocale=&perPage=&page= in one of
// the variants, counting only when the page is full, as the adapter does.
func (b *bare) serveList(ctx *fasthttp.RequestCtx) {
	args := ctx.QueryArgs()
	variant, ok := variantOf(args)
	if !ok {
		ctx.Error(`{"name":"invalid","data":{},"message":"invalid"}`, fasthttp.StatusBadRequest)
		return
	}
	locale := string(args.Peek("aposLocale"))
	if locale == "" {
		locale = "en"
	}
	perPage := min(max(args.GetUintOrZero("perPage"), 1), 1000)
	if !args.Has("perPage") {
		perPage = 50
	}
	page := max(args.GetUintOrZero("page"), 1)
	scope := []any{locale, "live"}
	if variant == listInStock {
		scope = append(scope, true)
	}
	rows, err := b.lists[variant].QueryContext(context.Background(),
		append(append([]any{locale}, scope...), perPage, (page-1)*perPage)...)
	if err != nil {
		ctx.Error(`{"name":"error","data":{},"message":"An error occurred."}`, fasthttp.StatusInternalServerError)
		return
	}
	defer rows.Close()
	buf := bufs.Get().(*[]byte)
	defer bufs.Put(buf)
	body := (*buf)[:0]
	n := 0
	var p product
	for n < perPage && rows.Next() {
		p.extra = nil
		if rows.Scan(append(p.dest(), &p.extra)...) != nil {
			break
		}
		if n > 0 {
			body = append(body, ',')
		}
		body = appendProduct(body, &p, locale)
		n++
	}
	// The page's rows are closed before the count, so that one request
	// never holds two of the pool's connections (as the adapter).
	rows.Close()
	total := (page-1)*perPage + n
	if n == perPage {
		_ = b.counts[variant].QueryRowContext(context.Background(), scope...).Scan(&total)
	}
	*buf = body
	ctx.SetContentType("application/json")
	var head [64]byte
	h := strconv.AppendInt(append(head[:0], `{"pages":`...), int64((total+perPage-1)/perPage), 10)
	h = strconv.AppendInt(append(h, `,"currentPage":`...), int64(page), 10)
	ctx.Write(append(h, `,"results":[`...))
	ctx.Write(body)
	ctx.WriteString("]}")
}

// benchPerPage is the page size of the list scenarios.
const benchPerPage = 10

// appendProduct writes a published product as aposproxy does.
func appendProduct(dst []byte, p *product, locale string) []byte {
	dst = append(append(append(append(dst, `{"_id":"`...), p.id...), ':'), locale...)
	dst = append(append(append(dst, `:published","aposDocId":"`...), p.id...), `","aposLocale":"`...)
	dst = append(append(dst, locale...), `:published","aposMode":"published","type":"product","metaType":"doc","title":`...)
	dst = gjson.AppendJSONString(dst, p.name)
	dst = append(dst, `,"description":`...)
	dst = appendNullString(dst, p.description)
	dst = strconv.AppendInt(append(dst, `,"price":`...), p.price, 10)
	dst = append(dst, `,"color":`...)
	dst = appendNullString(dst, p.color)
	dst = append(dst, `,"inStock":`...)
	switch v := p.inStock.(type) {
	case bool:
		dst = strconv.AppendBool(dst, v)
	case int64:
		dst = strconv.AppendBool(dst, v != 0)
	}
	dst = append(dst, `,"attributes":`...)
	if p.attributes == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendCompact(dst, p.attributes)
	}
	dst = append(dst, `,"categoryId":`...)
	if p.category.Valid {
		dst = strconv.AppendInt(dst, p.category.Int64, 10)
	} else {
		dst = append(dst, "null"...)
	}
	dst = appendTime(append(dst, `,"createdAt":`...), p.created)
	dst = appendTime(append(dst, `,"updatedAt":`...), p.updated)
	dst = append(dst, `,"slug":"`...)
	if p.slug.Valid {
		dst = append(dst, p.slug.String...)
	} else {
		dst = appendSlug(dst, p.name)
	}
	// Apostrophe's documents always have these; the type maps neither.
	dst = append(dst, `","visibility":"public","archived":false`...)
	// A published row the proxy never published takes its lastPublishedAt
	// from updatedAt (docs/api-rules.md#25).
	if !bytes.Contains(p.extra, []byte(`"lastPublishedAt"`)) {
		dst = appendTime(append(dst, `,"lastPublishedAt":`...), p.updated)
	}
	if inner := bytes.TrimSpace(p.extra); len(inner) > 2 {
		dst = append(append(dst, ','), bytes.TrimSpace(inner[1:len(inner)-1])...)
	}
	return append(dst, '}')
}

// appendCompact writes stored JSON without the spaces between tokens.
func appendCompact(dst, src []byte) []byte {
	quoted, escaped := false, false
	for _, c := range src {
		switch {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ' ' || c == '\n' || c == '\t' || c == '\r'):
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

func appendNullString(dst []byte, s sql.NullString) []byte {
	if !s.Valid {
		return append(dst, "null"...)
	}
	return gjson.AppendJSONString(dst, s.String)
}

// appendTime writes a datetime in UTC with milliseconds: SQLite keeps
// "2006-01-02 15:04:05" text, the other engines scan a time.Time.
func appendTime(dst []byte, v any) []byte {
	const iso = "2006-01-02T15:04:05.000Z"
	switch t := v.(type) {
	case time.Time:
		return append(t.UTC().AppendFormat(append(dst, '"'), iso), '"')
	case string:
		if len(t) == 19 {
			return append(append(append(append(append(dst, '"'), t[:10]...), 'T'), t[11:]...), `.000Z"`...)
		}
	case []byte:
		return appendTime(dst, string(t))
	}
	return append(dst, "null"...)
}

// appendSlug writes title in lower case with runs of other characters
// than letters and digits as one dash.
func appendSlug(dst []byte, title string) []byte {
	dash := false
	start := len(dst)
	for _, r := range title {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			dash = len(dst) > start
			continue
		}
		if dash {
			dst, dash = append(dst, '-'), false
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}
