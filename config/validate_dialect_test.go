package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// jsonServerConfig is the json-server example's configuration: variants
// that are records of their own, totals in a header, sort, filter
// templates and a search by one field.
func jsonServerConfig(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../examples/json-server/config.toml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestJSONServerConfig(t *testing.T) {
	cfg, err := parseEnv(jsonServerConfig(t), map[string]string{"BOOKS_EDITOR_APIKEY": "k"})
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Types["book"].Service
	if s.Group != "docId" || s.Response.TotalHeader != "X-Total-Count" || s.Unpublish.Method != "PATCH" || s.Paging.Page != "_page" {
		t.Errorf("service = %+v", s)
	}
	if !reflect.DeepEqual(s.Search, ServiceSearch{Fields: []string{"title"}}) {
		t.Errorf("search = %+v", s.Search)
	}
	title := s.Filters["title"]
	if title.Contains != "title_like={value}" || title.Escape != EscapeRegex || title.Param != "" {
		t.Errorf("title filter = %+v", title)
	}
	want := []QueryParam{{Name: "year_gte", Value: []PathPart{{Text: ""}, {Var: VarMin}}}, {Name: "year_lte", Value: []PathPart{{Text: ""}, {Var: VarMax}}}}
	if got := ParseQuery(s.Filters["year"].Range); !reflect.DeepEqual(got, want) {
		t.Errorf("range = %+v", got)
	}
	body := []PathPart{{Text: `{"status":"withdrawn"}`}}
	if got := s.Unpublish.BodyTemplate(); !reflect.DeepEqual(got, body) {
		t.Errorf("body = %+v", got)
	}
	if a := cfg.Types["author"].Service; a.Paging.Start != "_start" || a.Paging.End != "_end" {
		t.Errorf("author paging = %+v", a.Paging)
	}
	// The short forms of the inventory example still mean what they did.
	inv, err := parseEnv(validService, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := inv.Types["inventory-item"].Service; !reflect.DeepEqual(s.Search, ServiceSearch{Param: "q"}) || s.Filters["warehouse"] != (ServiceFilter{Param: "warehouse"}) {
		t.Errorf("short forms: search %+v, filters %+v", s.Search, s.Filters)
	}
}

func TestBodyTemplate(t *testing.T) {
	got := parseBody(`{"id":"{key}","in":{"locale":"{locale}"},"n":{}}`)
	want := []PathPart{{Text: `{"id":"`}, {Var: VarKey}, {Text: `","in":{"locale":"`}, {Var: VarLocale}, {Text: `"},"n":{}}`}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parts = %+v\nwant %+v", got, want)
	}
}

// TestValidateDialect: every static mistake of the json-server mapping
// stops the load, at its key path, with this message.
func TestValidateDialect(t *testing.T) {
	const p = "types.book."
	tests := []struct {
		name, old, new, path, msg string
	}{
		{"get with group", `create = { path = "/books" }`, "get = { path = \"/books/{key}\" }\ncreate = { path = \"/books\" }",
			p + "service.get.path", "is not used with group: a variant is found by listing with docId=<aposDocId>"},
		{"group is the key", `group = "docId"`, `group = "id"`, p + "service.group", "column id is already mapped by types.book.key"},
		{"group of an unlocalized type", `list = { path = "/authors" }`, "group = \"g\"\nlist = { path = \"/authors\" }",
			"types.author.service.group", "is only used by localized types"},
		{"no locale field", `locale = { column = "locale" }`, "localized = true", p + "locale.column",
			"is required for a service that holds several locales"},
		{"half a pair", `paging = { page = "_page", size = "_limit" }`, `paging = { start = "_start" }`, p + "service.paging", "start and end go together"},
		{"two pairs", `paging = { page = "_page", size = "_limit" }`, `paging = { page = "_page", size = "_limit", start = "a", end = "b" }`,
			p + "service.paging", "set one pair: offset and limit, page and size, or start and end"},
		{"no total", `total_header = "X-Total-Count"`, "", p + "service.response.total", "is required: a gjson path such as data.total, or total_header"},
		{"both totals", `total_header = "X-Total-Count"`, "total_header = \"X-Total-Count\"\ntotal = \"n\"", p + "service.response.total_header", "set either total or total_header"},
		{"bad header", `total_header = "X-Total-Count"`, `total_header = "X Total"`, p + "service.response.total_header", "must be a header name"},
		{"sort field not sortable", `sort = "title"`, `sort = "-genre"`, p + "sort", "the service cannot sort by genre: list it in service.sort.fields"},
		{"sort of an unknown field", `fields = ["title", "author", "year"]`, `fields = ["title", "pages"]`, p + "service.sort.fields[1]", "no field named pages"},
		{"sort without param", `sort = { param = "_sort", order`, `sort = { order`, p + "service.sort.param", "is required"},
		{"range on a string", `author = { contains = "author_like={value}", escape = "regex" }`, `author = { range = "a={min}&b={max}" }`,
			p + "service.filters.author.range", "is never used: string fields are filtered with contains and prefix"},
		{"contains on a number", `year = { equal = "year={value}",`, `year = { contains = "year={value}", equal = "year={value}",`,
			p + "service.filters.year.contains", "is never used: integer fields are filtered with equal and range"},
		{"range without max", `year_lte={max}`, `year_lte=1900`, p + "service.filters.year.range", "must use {min} and {max}"},
		{"foreign placeholder", `genre = { in = "genre={value}" }`, `genre = { in = "genre={min}" }`, p + "service.filters.genre.in",
			"placeholder {min} is not available here (use {value}, {values})"},
		{"no placeholder", `inStock = { equal = "inStock={value}" }`, `inStock = { equal = "inStock=true" }`, p + "service.filters.inStock.equal",
			"must use {value}"},
		{"not name=value", `inStock = { equal = "inStock={value}" }`, `inStock = { equal = "{value}" }`, p + "service.filters.inStock.equal",
			`"{value}" is not name=value`},
		{"bad escape", `author = { contains = "author_like={value}", escape = "regex" }`, `author = { contains = "author_like={value}", escape = "re" }`,
			p + "service.filters.author.escape", "must be none, regex or like"},
		{"unknown filter key", `inStock = { equal = "inStock={value}" }`, `inStock = { eq = "inStock={value}" }`, p + "service.filters.inStock.eq", "unknown key"},
		{"search of a field not searchable", `search = { fields = ["title"] }`, `search = { fields = ["title", "author"] }`,
			p + "service.search.fields[1]", "author is not a searchable field of the type"},
		{"search misses a searchable field", "name = \"author\"\n", "name = \"author\"\nsearchable = true\n", p + "service.search.fields",
			"must list every searchable field: author is missing"},
		{"search by a field without contains", `title = { contains = "title_like={value}", prefix`, `title = { prefix`, p + "service.search.fields",
			"searches with the contains filter of title: map service.filters.title.contains"},
		{"body not JSON", `body = '{"status":"withdrawn"}'`, `body = '{status:"withdrawn"}'`, p + "service.unpublish.body",
			"must be JSON, with placeholders such as {key} inside its strings"},
		{"placeholder outside a string", `body = '{"status":"withdrawn"}'`, `body = '{"id":{key}}'`, p + "service.unpublish.body",
			"must be JSON, with placeholders such as {key} inside its strings"},
		{"unknown body placeholder", `body = '{"status":"withdrawn"}'`, `body = '{"id":"{row}"}'`, p + "service.unpublish.body",
			"placeholder {row} is not available here (use {key}, {locale}, {mode}, {group})"},
		{"body of a replace", `replace = { path = "/books/{key}" }`, `replace = { path = "/books/{key}", body = '{}' }`, p + "service.replace.body",
			"is only sent by publish and unpublish"},
		{"unpublish of a type without drafts", `list = { path = "/authors" }`, "list = { path = \"/authors\" }\nunpublish = { path = \"/authors/{key}\" }",
			"types.author.service.unpublish.path", `is only used with storage "columns"`},
		{"statuses 500", `item = "@this"`, "item = \"@this\"\n[types.book.service.errors]\nstatuses = { \"500\" = \"teapot\" }",
			p + "service.errors.statuses.500", "must be one of invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := jsonServerConfig(t)
			if !strings.Contains(src, tt.old) {
				t.Fatalf("%q is not in the configuration", tt.old)
			}
			src = strings.Replace(src, tt.old, tt.new, 1)
			_, err := parseEnv(src, map[string]string{"BOOKS_EDITOR_APIKEY": "k"})
			for _, e := range configErrors(t, err) {
				if e.Path == tt.path && strings.Contains(e.Msg, tt.msg) {
					if e.Line == 0 {
						t.Errorf("%v has no line", e)
					}
					return
				}
			}
			t.Fatalf("no error at %s containing %q in\n%v", tt.path, tt.msg, err)
		})
	}
}

// TestIdempotencyHeader: the header must be a header name.
func TestIdempotencyHeader(t *testing.T) {
	src := strings.Replace(validService, `url = "http://127.0.0.1:4100"`, "url = \"http://127.0.0.1:4100\"\nidempotency_header = \"Idem Key\"", 1)
	_, err := parseEnv(src, nil)
	wantError(t, err, "upstreams.inventory.idempotency_header", lineOf(t, src, "idempotency_header"), "must be a header name")
	src = strings.Replace(src, "Idem Key", "Idempotency-Key", 1)
	cfg, err := parseEnv(src, nil)
	if err != nil || cfg.Upstreams["inventory"].IdempotencyHeader != "Idempotency-Key" {
		t.Fatalf("%v %+v", err, cfg)
	}
}
