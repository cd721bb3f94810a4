package declared

import (
	"encoding/json"
	"strconv"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/modules"
)

// shape is how a route answers (config.ModuleRoute.Result).
type shape struct {
	result string // one, list, count, none or document
	getAll bool   // a list gets Apostrophe's paging envelope
	// docType and docID name the type and the parameter of a document
	// answer; docs renders it.
	docType, docID string
	docs           Documents
}

// answer shapes a result: rows are JSON values (objects from SQL, the
// picked items of a call), count the rows a statement returned or changed,
// total a list's total count (-1: unknown).
func (sh shape) answer(req *modules.Request, vals map[string]any, rows [][]byte, count, total int) (any, error) {
	switch sh.result {
	case "none":
		return nil, nil
	case "count":
		return json.RawMessage(`{"count":` + strconv.Itoa(count) + `}`), nil
	case "one":
		if len(rows) == 0 {
			return nil, apos.ErrNotFound
		}
		return json.RawMessage(rows[0]), nil
	case "document":
		id := text(vals[sh.docID])
		if id == "" {
			return nil, apos.ErrNotFound
		}
		doc, err := sh.docs.Document(req.Request, sh.docType, id)
		return json.RawMessage(doc), err
	}
	b := make([]byte, 0, 256)
	if sh.getAll {
		b = envelope(b, vals, len(rows), total)
	}
	b = append(b, '[')
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	b = append(b, ']')
	if sh.getAll {
		b = append(b, '}')
	}
	return json.RawMessage(b), nil
}

// envelope opens Apostrophe's list envelope up to "results":. Without a
// total, the list is one page.
func envelope(b []byte, vals map[string]any, n, total int) []byte {
	page, perPage := 1, 1
	if p, ok := vals["_page"].(int64); ok {
		page = int(p)
	}
	if pp, ok := vals["_perPage"].(int64); ok {
		perPage = int(pp)
	}
	pages := min(n, 1)
	if total < 0 {
		page = 1
	} else {
		pages = (total + perPage - 1) / perPage
	}
	b = append(b, `{"pages":`...)
	b = strconv.AppendInt(b, int64(pages), 10)
	b = append(b, `,"currentPage":`...)
	b = strconv.AppendInt(b, int64(page), 10)
	return append(b, `,"results":`...)
}

// text is a parameter's value as the text of an _id.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}
