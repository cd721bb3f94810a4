package upstream

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aposproxy/aposproxy/config"
)

// rows is a service in the manner of json-server, in memory: each record
// has its own id; GET /rows filters by field=value (repeated: any of
// them), sorts by _sort/_order and pages by _page/_limit with the total in
// X-Total-Count; /rows/{id} reads, replaces (PUT), patches and deletes.
// It keeps every request it gets.
type rows struct {
	mu   sync.Mutex
	recs []map[string]any
	log  []string // "METHOD URI BODY"
}

func (s *rows) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, strings.TrimSpace(r.Method+" "+r.URL.RequestURI()+" "+string(body)))
	w.Header().Set("Content-Type", "application/json")
	id, one := strings.CutPrefix(r.URL.Path, "/rows/")
	if !one && r.URL.Path != "/rows" {
		w.WriteHeader(404)
		_, _ = w.Write([]byte(`{}`))
		return
	}
	if !one && r.Method == "GET" {
		s.list(w, r)
		return
	}
	if !one && r.Method == "POST" {
		var rec map[string]any
		_ = json.Unmarshal(body, &rec)
		rec["id"] = float64(len(s.recs) + 1)
		s.recs = append(s.recs, rec)
		w.WriteHeader(201)
		_ = json.NewEncoder(w).Encode(rec)
		return
	}
	i := slices.IndexFunc(s.recs, func(rec map[string]any) bool { return fmt.Sprint(rec["id"]) == id })
	if i < 0 {
		w.WriteHeader(404)
		_, _ = w.Write([]byte(`{}`))
		return
	}
	switch r.Method {
	case "PUT", "PATCH":
		var rec map[string]any
		_ = json.Unmarshal(body, &rec)
		if r.Method == "PATCH" {
			for k, v := range rec {
				s.recs[i][k] = v
			}
		} else {
			rec["id"] = s.recs[i]["id"]
			s.recs[i] = rec
		}
	case "DELETE":
		s.recs = slices.Delete(s.recs, i, i+1)
		_, _ = w.Write([]byte(`{}`))
		return
	}
	_ = json.NewEncoder(w).Encode(s.recs[i])
}

func (s *rows) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var out []map[string]any
	for _, rec := range s.recs {
		keep := true
		for k, vs := range q {
			if !strings.HasPrefix(k, "_") && !slices.Contains(vs, fmt.Sprint(rec[k])) {
				keep = false
			}
		}
		if keep {
			out = append(out, rec)
		}
	}
	if f := q.Get("_sort"); f != "" {
		slices.SortStableFunc(out, func(a, b map[string]any) int {
			c := strings.Compare(fmt.Sprint(a[f]), fmt.Sprint(b[f]))
			if q.Get("_order") == "desc" {
				c = -c
			}
			return c
		})
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(out)))
	page, _ := strconv.Atoi(q.Get("_page"))
	limit, _ := strconv.Atoi(q.Get("_limit"))
	if page > 0 && limit > 0 {
		out = out[min((page-1)*limit, len(out)):min(page*limit, len(out))]
	}
	if out == nil {
		out = []map[string]any{}
	}
	_ = json.NewEncoder(w).Encode(out)
}

// calls returns the requests the service got since the last call, and
// forgets them.
func (s *rows) calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.log
	s.log = nil
	return out
}

// with returns the records that have every field of match.
func (s *rows) with(match map[string]any) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, rec := range s.recs {
		ok := true
		for k, v := range match {
			ok = ok && fmt.Sprint(rec[k]) == fmt.Sprint(v)
		}
		if ok {
			out = append(out, rec)
		}
	}
	return out
}

// rowsConfig maps the rows service as json-server is mapped in
// examples/json-server: a localized type with drafts whose variants are
// records of their own, tied by "doc".
const rowsConfig = locales + `
[upstreams.rows]
url = "%s"

[types.doc]
upstream = "rows"
key = "id"
locale = { column = "lang" }
mode = { column = "state", values = { live = "published" } }

[[types.doc.fields]]
name = "title"
searchable = true

[[types.doc.fields]]
name = "n"
kind = "integer"

[[types.doc.fields]]
name = "tag"
kind = "select"
choices = ["a", "b", "c"]

[types.doc.service]
group = "doc"
list = { path = "/rows?lang={locale}&state={mode}" }
create = { path = "/rows" }
replace = { path = "/rows/{key}" }
delete = { path = "/rows/{key}" }
paging = { page = "_page", size = "_limit" }
sort = { param = "_sort", order = "_order", fields = ["title", "n"] }
search = { fields = ["title"] }
response = { items = "@this", total_header = "X-Total-Count", item = "@this" }

[types.doc.service.filters]
title = { contains = "title_like={value}", prefix = "title_like=^{value}", escape = "regex" }
n = { equal = "n={value}", range = "n_gte={min}&n_lte={max}" }
tag = { in = "tag={value}" }
`

// rowsAdapter serves doc from a rows service seeded with seed, its config
// changed by edit when given.
func rowsAdapter(t *testing.T, seed []map[string]any, edit func(string) string) (*Adapter, *rows) {
	t.Helper()
	svc := &rows{recs: seed}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: svc}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	src := fmt.Sprintf(rowsConfig, "http://"+ln.Addr().String())
	if edit != nil {
		src = edit(src)
	}
	cfg, err := config.Parse([]byte(src), ".")
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient("rows", cfg.Upstreams["rows"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	a, err := New(c, cfg.Types["doc"], Options{DefaultLocale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return a, svc
}

// seedRows: d1 published and drafted in English, drafted in French; d2 an
// English draft only.
func seedRows() []map[string]any {
	return []map[string]any{
		{"id": 1.0, "doc": "d1", "lang": "en", "state": "live", "title": "One", "n": 1.0, "tag": "a"},
		{"id": 2.0, "doc": "d1", "lang": "en", "state": "draft", "title": "One (edited)", "n": 1.0, "tag": "a"},
		{"id": 3.0, "doc": "d1", "lang": "fr", "state": "draft", "title": "Un", "n": 1.0, "tag": "a"},
		{"id": 4.0, "doc": "d2", "lang": "en", "state": "draft", "title": "Two (draft)", "n": 2.0, "tag": "b"},
	}
}
