package proxy

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/valyala/fasthttp"
)

// listRequest is a parsed GET list: the adapter query plus what only the
// front end uses.
type listRequest struct {
	q             adapters.Query
	project       *projection
	choices       []string
	counts        bool
	withPublished bool
	// nulls holds the NULL filters, field[eq]=null (true) and
	// field[ne]=null (false), by field (docs/api-rules.md#124).
	nulls map[string]bool
	// idScope is the locale and mode of the first full _id in _ids, which
	// the list takes when no parameter names them (Apostrophe re-localizes
	// every id to the first one's).
	idScope apos.DocID
}

// parseList reads the list parameters (docs/api-rules.md#15 to #23). Unknown parameters
// are ignored, as in Apostrophe; a sort on an unknown field or a filter
// value that cannot be of its field's kind is a 400 invalid.
func (d *docType) parseList(args *fasthttp.Args) (*listRequest, error) {
	lr := &listRequest{q: adapters.Query{Page: 1, PerPage: d.perPage}}
	raw := map[string][]string{} // filter values by field
	pageText := ""
	var err error
	for k, v := range args.All() {
		if err != nil {
			break
		}
		p := splitParam(k, v)
		switch p.base {
		case "page":
			lr.q.Page, pageText = launderInt(p.value, 1, 1), p.value
		case "perPage":
			lr.q.PerPage = min(launderInt(p.value, d.perPage, 1), d.maxPerPage)
		case "sort":
			err = d.parseSort(lr, p)
		case "project":
			d.parseProject(lr, p)
		case "_ids":
			err = parseIDs(lr, p)
		case "search":
			lr.q.Search, err = textParam(p)
		case "autocomplete":
			lr.q.Autocomplete, err = textParam(p)
			if lr.q.Autocomplete == "" {
				lr.q.IDs = []string{} // Apostrophe: no match, no results
			}
		case "count":
			lr.q.CountOnly = launderBool(p.value)
		case "choices", "counts":
			lr.counts = lr.counts || p.base == "counts"
			lr.choices = append(lr.choices, splitList(p.value)...)
		case "withPublished":
			lr.withPublished = launderBool(p.value)
		default:
			switch {
			case !d.filters(p.base) || d.fields[p.base] == nil && p.bracket:
			case !p.bracket || isListSub(p.sub):
				raw[p.base] = append(raw[p.base], p.value)
			case p.sub == "eq" || p.sub == "ne":
				err = lr.nullFilter(p)
			}
		}
	}
	if err == nil {
		err = checkPage(lr.q.Page, pageText, lr.q.PerPage)
	}
	if err == nil {
		err = d.finishList(lr, raw)
	}
	if err != nil {
		return nil, err
	}
	return lr, nil
}

// finishList completes a parsed list request: the filters from their
// values by field, the default sort, and the fields a projection reads.
func (d *docType) finishList(lr *listRequest, raw map[string][]string) error {
	if err := d.addFilters(lr, raw); err != nil {
		return err
	}
	if len(lr.q.Sort) == 0 {
		lr.q.Sort = d.sort
	}
	lr.q.Project = d.reads(lr.project)
	return nil
}

// reads is what the backend reads for projection p: the projected fields
// of d (and what the slug is made of), or nil, every field, when p is
// not an inclusion.
func (d *docType) reads(p *projection) []string {
	if p == nil || !p.include {
		return nil
	}
	var read []string
	for name := range p.fields {
		if d.fields[name] != nil {
			read = append(read, name)
		}
	}
	if d.slugFromTitle && p.fields["slug"] && !p.fields["title"] {
		read = append(read, "title")
	}
	if d.slugs && p.fields[apos.SlugField] {
		read = append(read, apos.SlugField)
	}
	return read
}

// checkPage refuses a page whose rows, up to page × perPage, cannot be
// counted in an int (64 bits): past it the offset overflows, and SQLite
// answered the first page labelled with the page asked for. page is
// launderInt's reading of text, which falls back to 1 when the digits
// overflow.
func checkPage(page int, text string, perPage int) error {
	s := strings.TrimPrefix(strings.TrimSpace(text), "+")
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	_, perr := strconv.Atoi(s[:end]) // a negative page is page 1
	if page > math.MaxInt/perPage || errors.Is(perr, strconv.ErrRange) {
		return apos.Errorf(apos.ErrInvalid, "page must be at most %d with perPage %d.", math.MaxInt/perPage, perPage)
	}
	return nil
}

// addFilters adds the filters of the raw values given by field, in schema
// order, then the slug's when the slug is not a field (docs/api-rules.md#23).
func (d *docType) addFilters(lr *listRequest, raw map[string][]string) error {
	for i := range d.schema.Fields {
		f := &d.schema.Fields[i]
		if isNull, ok := lr.nulls[f.Name]; ok && !f.WriteOnly() {
			lr.q.Filters = append(lr.q.Filters, nullFilter(f.Name, isNull))
		}
		vals, ok := raw[f.Name]
		if !ok {
			continue
		}
		flt, use, err := filterFor(f, vals)
		if f.Name == apos.SlugField {
			flt, use, err = d.slugFilter(vals)
		}
		if err != nil {
			return err
		}
		if use {
			lr.q.Filters = append(lr.q.Filters, flt)
		}
	}
	if vals, ok := raw[apos.SlugField]; ok && d.fields[apos.SlugField] == nil {
		flt, use, err := d.slugFilter(vals)
		if err != nil || !use {
			return err
		}
		lr.q.Filters = append(lr.q.Filters, flt)
	}
	return nil
}

// textParam reads a parameter compared as text (search, autocomplete),
// trimmed. Text that is not UTF-8 is refused: MySQL cut it at the first
// bad byte, so that it matched every row.
func textParam(p param) (string, error) {
	if !utf8.ValidString(p.value) {
		return "", errNotUTF8(p.base)
	}
	return strings.TrimSpace(p.value), nil
}

// errNotUTF8 refuses the value of the parameter name.
func errNotUTF8(name string) error {
	return apos.Errorf(apos.ErrInvalid, "%s must be valid UTF-8.", name)
}

// parseSort reads sort[field]=1|-1.
func (d *docType) parseSort(lr *listRequest, p param) error {
	if !p.bracket {
		return nil // sort=search and other bare forms: default order
	}
	switch {
	case p.sub == apos.SlugField && d.slugFromTitle:
		return errDerivedSlug(d, "sorted")
	case p.sub == apos.SlugField && d.slugs:
	case d.fields[p.sub] == nil || d.fields[p.sub].Kind == apos.JSON || d.fields[p.sub].Kind == apos.Attachment || d.fields[p.sub].WriteOnly():
		return apos.Errorf(apos.ErrInvalid, "Cannot sort on %q: it is not a sortable field of %s.", p.sub, d.name)
	}
	switch p.value {
	case "1":
		lr.q.Sort = append(lr.q.Sort, adapters.Sort{Field: p.sub})
	case "-1":
		lr.q.Sort = append(lr.q.Sort, adapters.Sort{Field: p.sub, Desc: true})
	default:
		return apos.Errorf(apos.ErrInvalid, "sort[%s] must be 1 or -1.", p.sub)
	}
	return nil
}

// parseProject reads project[field]=1|0. Mixed forms take the first one's
// sense, as MongoDB would refuse mixing.
func (d *docType) parseProject(lr *listRequest, p param) {
	if !p.bracket || p.sub == "" {
		return
	}
	on := launderBool(p.value)
	if lr.project == nil {
		lr.project = &projection{include: on, fields: map[string]bool{}}
	}
	if on == lr.project.include {
		lr.project.fields[p.sub] = true
	}
}

// parseIDs reads _ids, _ids[] and _ids[n]. Ids that are not ids at all
// cannot match and are dropped.
func parseIDs(lr *listRequest, p param) error {
	if lr.q.IDs == nil {
		lr.q.IDs = []string{}
	}
	for _, s := range splitList(p.value) {
		id, ok := apos.ParseID(s)
		if !ok {
			continue
		}
		if lr.idScope.DocID == "" && id.Locale != "" {
			lr.idScope = id
		}
		lr.q.IDs = append(lr.q.IDs, id.DocID)
	}
	return nil
}

// filterFor turns a field's filter values into an adapter filter. use is
// false when the values ask for no filtering (Apostrophe's inactive
// builders: empty strings, "any" booleans, unknown choices).
func filterFor(f *apos.Field, vals []string) (flt adapters.Filter, use bool, err error) {
	flt.Field = f.Name
	switch f.Kind {
	case apos.String:
		if vals[0] == "" {
			return flt, false, nil
		}
		if !utf8.ValidString(vals[0]) {
			return flt, false, errNotUTF8(f.Name)
		}
		flt.Op, flt.Values = adapters.OpContains, []any{vals[0]}
	case apos.Select:
		if len(vals) == 1 && vals[0] == "null" && !isChoice(f, "null") {
			return nullFilter(f.Name, true), true, nil
		}
		flt.Op = adapters.OpIn
		for _, v := range vals {
			for _, c := range f.Choices {
				if c.Value == v {
					flt.Values = append(flt.Values, v)
				}
			}
		}
		if len(flt.Values) == 0 {
			return flt, false, nil
		}
	case apos.Boolean:
		b, ok := launderTristate(vals[0])
		if !ok {
			return flt, false, nil
		}
		flt.Op, flt.Values = adapters.OpEqual, []any{b}
	case apos.Integer, apos.Float, apos.Decimal, apos.Date, apos.DateTime:
		if len(vals) == 1 && vals[0] == "null" {
			return nullFilter(f.Name, true), true, nil
		}
		if len(vals) > 2 {
			return flt, false, apos.Errorf(apos.ErrInvalid, "%s takes one value or a [min, max] pair.", f.Name)
		}
		for _, s := range vals {
			v, perr := parseScalar(f, s)
			if perr != nil {
				return flt, false, apos.Errorf(apos.ErrInvalid, "%s: %q is not a valid %s.", f.Name, s, f.Kind)
			}
			if n, ok := v.(int64); ok {
				if lo, hi := f.IntRange(); n < lo || n > hi {
					return flt, false, apos.Errorf(apos.ErrInvalid, "%s: %d is out of range (%d to %d).", f.Name, n, lo, hi)
				}
			}
			flt.Values = append(flt.Values, v)
		}
		flt.Op = adapters.OpEqual
		if len(vals) == 2 {
			flt.Op = adapters.OpRange
		}
	default:
		return flt, false, nil // json fields are not filters
	}
	return flt, true, nil
}

// errNotDecimal: a filter value that is no decimal of the field's size.
var errNotDecimal = errors.New("not a decimal of the field's size")

// parseScalar converts a query value to a field kind's Go value.
func parseScalar(f *apos.Field, s string) (any, error) {
	s = strings.TrimSpace(s)
	switch f.Kind {
	case apos.Decimal:
		if d, ok := apos.ParseDecimal(s, f.Precision, f.Scale); ok {
			return d, nil
		}
		return nil, errNotDecimal
	case apos.Integer:
		return strconv.ParseInt(s, 10, 64)
	case apos.Float:
		return strconv.ParseFloat(s, 64)
	case apos.Date:
		_, err := time.Parse(time.DateOnly, s)
		return s, err
	default:
		return parseDateTime(s)
	}
}

// nullFilter is the filter of the records whose field name is NULL
// (isNull) or is not.
func nullFilter(name string, isNull bool) adapters.Filter {
	if isNull {
		return adapters.Filter{Field: name, Op: adapters.OpEqual, Values: []any{nil}}
	}
	return adapters.Filter{Field: name, Op: adapters.OpNotNull}
}

// nullFilter records field[eq]=null or field[ne]=null; any other value
// is refused, as those forms take null only (docs/api-rules.md#124).
func (lr *listRequest) nullFilter(p param) error {
	if p.value != "null" {
		return apos.Errorf(apos.ErrInvalid, "%s[%s] takes null only.", p.base, p.sub)
	}
	if lr.nulls == nil {
		lr.nulls = map[string]bool{}
	}
	lr.nulls[p.base] = p.sub == "eq"
	return nil
}

// isChoice reports whether v is one of a select field's choices.
func isChoice(f *apos.Field, v string) bool {
	for _, c := range f.Choices {
		if c.Value == v {
			return true
		}
	}
	return false
}
