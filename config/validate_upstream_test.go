package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// validService is a type served by an upstream, as in the inventory
// example: localized, with a mode field, and every service key. Each case
// of TestValidateService breaks it in one place.
const validService = `[locales]
default = "en"

[[locales.list]]
name = "en"

[[locales.list]]
name = "fr"

[upstreams.inventory]
url = "http://127.0.0.1:4100"

[types.inventory-item]
upstream = "inventory"
key = "itemId"
storage = "columns"
locale = { column = "language" }
mode = { column = "state", values = { live = "published" } }

[[types.inventory-item.fields]]
name = "title"
column = "label"

[[types.inventory-item.fields]]
name = "quantity"
column = "qty"
kind = "integer"

[[types.inventory-item.fields]]
name = "warehouse"
column = "warehouse.code"

[[types.inventory-item.fields]]
name = "aisle"
column = "warehouse.aisle"

[types.inventory-item.service]
list = { path = "/v2/items?language={locale}&state={mode}" }
get = { path = "/v2/items/{key}?language={locale}&state={mode}" }
create = { method = "post", path = "/v2/items?language={locale}&state={mode}" }
replace = { path = "/v2/items/{key}?language={locale}&state={mode}" }
delete = { path = "/v2/items/{key}?language={locale}&state={mode}" }
publish = { path = "/v2/items/{key}/promote?language={locale}" }
paging = { offset = "start", limit = "count", max = 100 }
search = "q"
filters = { warehouse = "warehouse" }

[types.inventory-item.service.response]
items = "data.items"
total = "data.total"
item = "data.item"

[types.inventory-item.service.errors]
code = "error.code"
stale = "STALE_REVISION"
codes = { NOT_FOUND = "notfound", DUPLICATE = "conflict" }
statuses = { "410" = "notfound" }
`

func TestValidServiceConfig(t *testing.T) {
	if _, err := parseEnv(validService, nil); err != nil {
		t.Fatal(err)
	}
}

// TestValidateService: every static mistake of a service mapping stops
// the load, at its key path and line, with exactly this message.
func TestValidateService(t *testing.T) {
	const svc = "[types.inventory-item.service]"
	const p = "types.inventory-item."
	tests := []mistake{ // changes to validService
		// The table itself.
		{"no service", validService[strings.Index(validService, svc):], "", p + "service", "[types.inventory-item]",
			"is required for types with an upstream: it maps the type's operations onto the service's routes"},

		// Routes.
		{"missing get path", `get = { path = "/v2/items/{key}?language={locale}&state={mode}" }`, "", p + "service.get.path", svc,
			"is required: a path template such as /v2/items/{key}"},
		{"missing create path", `create = { method = "post", path = "/v2/items?language={locale}&state={mode}" }`, "", p + "service.create.path", svc,
			"is required unless the type is read_only: a path template such as /v2/items/{key}"},
		{"relative path", `list = { path = "/v2/items?`, `list = { path = "v2/items?`, p + "service.list.path", "list =", "must start with /"},
		{"space in a path", `list = { path = "/v2/items?`, `list = { path = "/v2/all items?`, p + "service.list.path", "list =", "must not contain # or spaces"},
		{"unknown placeholder", `get = { path = "/v2/items/{key}`, `get = { path = "/v2/items/{id}`, p + "service.get.path", "get =",
			"placeholder {id} is not available here (use {key}, {locale}, {mode})"},
		{"key in a list", `list = { path = "/v2/items?`, `list = { path = "/v2/items/{key}?`, p + "service.list.path", "list =",
			"placeholder {key} is not available here (use {locale}, {mode})"},
		{"unclosed placeholder", `get = { path = "/v2/items/{key}?language={locale}&state={mode}" }`, `get = { path = "/v2/items/{key" }`,
			p + "service.get.path", "get =", `unclosed { in "/v2/items/{key"`},
		{"empty placeholder", `get = { path = "/v2/items/{key}`, `get = { path = "/v2/items/{}/{key}`, p + "service.get.path", "get =",
			`{} names no placeholder in "/v2/items/{}/{key}?language={locale}&state={mode}"`},
		{"no key", `delete = { path = "/v2/items/{key}?`, `delete = { path = "/v2/items?`, p + "service.delete.path", "delete =", "must use {key}"},
		{"no mode", `replace = { path = "/v2/items/{key}?language={locale}&state={mode}" }`, `replace = { path = "/v2/items/{key}?language={locale}" }`,
			p + "service.replace.path", "replace =", "must use {mode}"},
		{"no locale", `get = { path = "/v2/items/{key}?language={locale}&state={mode}" }`, `get = { path = "/v2/items/{key}?state={mode}" }`,
			p + "service.get.path", "get =", "must use {locale}"},
		{"publish without key", `publish = { path = "/v2/items/{key}/promote?`, `publish = { path = "/v2/promote?`, p + "service.publish.path", "publish =", "must use {key}"},
		{"publish with mode", `/promote?language={locale}"`, `/promote?state={mode}"`, p + "service.publish.path", "publish =",
			"placeholder {mode} is not available here (use {key}, {locale})"},
		{"list of an unlocalized autopublish type", "storage = \"columns\"\nlocale = { column = \"language\" }\nmode = { column = \"state\", values = { live = \"published\" } }\n", "",
			p + "service.list.path", "list =", "placeholder {locale} is not available here (this path takes none)"},
		{"bad method", `method = "post"`, `method = "FETCH"`, p + "service.create.method", "create =", "must be one of GET, POST, PUT, PATCH, DELETE"},

		// Lists.
		{"both paging styles", `max = 100 }`, `max = 100, page = "p" }`, p + "service.paging", "paging =", "set one pair: offset and limit, page and size, or start and end"},
		{"no paging", `paging = { offset = "start", limit = "count", max = 100 }`, "", p + "service.paging", svc, "set one pair: offset and limit, page and size, or start and end"},
		{"half a paging style", `limit = "count", `, "", p + "service.paging", "paging =", "offset and limit go together"},
		{"half the other style", `offset = "start", limit = "count"`, `size = "n"`, p + "service.paging", "paging =", "page and size go together"},
		{"negative max", `max = 100`, `max = -1`, p + "service.paging.max", "paging =", "must not be negative"},
		{"filter of no field", `filters = { warehouse = "warehouse" }`, `filters = { shelf = "shelf" }`, p + "service.filters.shelf", "filters =",
			"no field named shelf in the type's fields"},
		{"filter without a parameter", `filters = { warehouse = "warehouse" }`, `filters = { warehouse = "" }`, p + "service.filters.warehouse", "filters =",
			"names no query parameter"},
		{"negative concurrency", `search = "q"`, "search = \"q\"\nconcurrency = -1", p + "service.concurrency", "concurrency", "must be at least 1"},

		// Answers and errors.
		{"no items path", "items = \"data.items\"\n", "", p + "service.response.items", "[types.inventory-item.service.response]",
			"is required: a gjson path such as data.items, or @this for the whole answer"},
		{"unknown error name", `DUPLICATE = "conflict"`, `DUPLICATE = "gone"`, p + "service.errors.codes.DUPLICATE", "codes =",
			"must be one of invalid, forbidden, notfound, conflict, badgateway, unavailable"},
		{"status that is no error", `"410" = "notfound"`, `"200" = "notfound"`, p + "service.errors.statuses.200", "statuses =",
			"must be an error status from 400 to 599"},
		{"status of an unknown error name", `"410" = "notfound"`, `"410" = "gone"`, p + "service.errors.statuses.410", "statuses =",
			"must be one of invalid, forbidden, notfound, conflict, badgateway, unavailable"},
		{"codes without a code path", "code = \"error.code\"\n", "", p + "service.errors.code", "[types.inventory-item.service.errors]",
			"is required by codes and stale: the gjson path of the error's code"},

		// Paths into items.
		{"overlapping fields", `column = "warehouse.code"`, `column = "warehouse"`, p + "fields[3].column", `column = "warehouse.aisle"`,
			"warehouse.aisle overlaps warehouse, mapped by types.inventory-item.fields[2].column: writing one would overwrite the other"},
		{"field inside the key", `column = "qty"`, `column = "itemId.qty"`, p + "fields[1].column", `column = "itemId.qty"`,
			"itemId.qty overlaps itemId, mapped by types.inventory-item.key: writing one would overwrite the other"},
		{"gjson syntax in a path", `column = "label"`, `column = "labels.#"`, p + "fields[0].column", `column = "labels.#"`,
			"must be a JSON field name or a dotted path such as warehouse.code"},
		{"overlay storage", `storage = "columns"`, `storage = "overlay"`, p + "storage", "storage =", `storage "overlay" is for types with a database`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := tt.apply(t, validService)
			want := &Error{Line: lineOf(t, src, tt.at), Path: tt.path, Msg: tt.msg}
			for _, e := range configErrors(t, err) {
				if e.Path == tt.path && e.Msg == tt.msg {
					if e.Line != want.Line {
						t.Fatalf("got %v, want %v", e, want)
					}
					return
				}
			}
			t.Fatalf("no error\n%v\nin\n%v", want, err)
		})
	}
}

// TestEmptyService: an empty service table fails at its own line, naming
// what it needs.
func TestEmptyService(t *testing.T) {
	src := validService[:strings.Index(validService, "list = {")]
	_, err := parseEnv(src, nil)
	line := lineOf(t, src, "[types.inventory-item.service]")
	var got []string
	for _, e := range configErrors(t, err) {
		if e.Line != line {
			t.Errorf("%v is not at line %d", e, line)
		}
		got = append(got, e.Path)
	}
	const p = "types.inventory-item.service."
	want := []string{p + "list.path", p + "get.path", p + "create.path", p + "replace.path", p + "delete.path", p + "paging",
		p + "response.items", p + "response.total", p + "response.item"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors at\n%q\nwant\n%q", got, want)
	}
}

// TestEveryServiceMistake: one load reports every mistake of a mapping.
func TestEveryServiceMistake(t *testing.T) {
	src := strings.Replace(validService, `list = { path = "/v2/items?language={locale}&state={mode}" }`, "", 1)
	src = strings.Replace(src, `get = { path = "/v2/items/{key}?language={locale}&state={mode}" }`, "", 1)
	_, err := parseEnv(src, nil)
	const p = "types.inventory-item.service."
	for _, path := range []string{p + "list.path", p + "get.path"} {
		wantError(t, err, path, lineOf(t, src, "[types.inventory-item.service]"), "is required")
	}
}

// TestReadOnlyService: a read-only type needs no write routes, and an
// unlocalized autopublish type's routes take no locale or mode.
func TestReadOnlyService(t *testing.T) {
	src := validService
	for _, op := range []string{"create", "replace", "delete", "publish"} {
		i := strings.Index(src, op+" = {")
		src = src[:i] + src[i+strings.IndexByte(src[i:], '\n')+1:]
	}
	src = strings.Replace(src, `key = "itemId"`, "key = \"itemId\"\nread_only = true", 1)
	if _, err := parseEnv(src, nil); err != nil {
		t.Fatal(err)
	}
}

// TestServiceDefaults: methods (upper-cased), concurrency and the
// upstream client's settings are set by Load.
func TestServiceDefaults(t *testing.T) {
	cfg, err := parseEnv(validService, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Types["inventory-item"].Service
	got := []string{s.List.Method, s.Get.Method, s.Create.Method, s.Replace.Method, s.Delete.Method, s.Publish.Method}
	if want := []string{"GET", "GET", "POST", "PUT", "DELETE", "POST"}; !reflect.DeepEqual(got, want) {
		t.Errorf("methods = %v, want %v", got, want)
	}
	if s.Concurrency != 8 {
		t.Errorf("concurrency = %d, want 8", s.Concurrency)
	}
	want := Upstream{
		URL:             "http://127.0.0.1:4100",
		ConnectTimeout:  Duration{time.Second},
		ReadTimeout:     Duration{5 * time.Second},
		Timeout:         Duration{5 * time.Second},
		MaxConns:        64,
		MaxBodyBytes:    4 << 20,
		BreakerFailures: 5,
		BreakerCooldown: Duration{5 * time.Second},
		IdleTimeout:     Duration{4 * time.Second},
	}
	if u := cfg.Upstreams["inventory"]; !reflect.DeepEqual(u, want) {
		t.Errorf("upstream = %+v, want %+v", u, want)
	}
	noPublish := strings.Replace(validService, `publish = { path = "/v2/items/{key}/promote?language={locale}" }`, "", 1)
	if cfg, err = parseEnv(noPublish, nil); err != nil {
		t.Fatal(err)
	}
	if op := cfg.Types["inventory-item"].Service.Publish; op != (ServiceOperation{}) {
		t.Errorf("publish without a path = %+v, want nothing", op)
	}
}

// TestServesAllLocales: a service holds every locale when its items or
// its list or get paths carry one; otherwise it holds the default locale.
func TestServesAllLocales(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     bool
	}{
		{"locale field", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseEnv(strings.Replace(validService, tt.old, tt.new, 1), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Types["inventory-item"].ServesAllLocales(); got != tt.want {
				t.Errorf("ServesAllLocales = %v, want %v", got, tt.want)
			}
		})
	}
	// The locale in the paths only: the service holds every locale, and
	// since its items do not say theirs, the mapping is refused.
	src := strings.Replace(validService, `locale = { column = "language" }`, "localized = true", 1)
	_, err := parseEnv(src, nil)
	wantError(t, err, "types.inventory-item.locale.column", lineOf(t, src, "[types.inventory-item]"),
		"is required for a service that holds several locales: each answer is checked against the requested locale, so that another locale's record is never served as this one")
	for _, op := range []string{"list", "get", "create", "replace", "delete", "publish"} {
		src = strings.Replace(src, op+` = { path = "/v2/items`, op+` = { path = "/v2/en/items`, 1)
	}
	src = strings.ReplaceAll(src, "language={locale}&", "")
	src = strings.ReplaceAll(src, "?language={locale}", "")
	cfg, err := parseEnv(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Types["inventory-item"].ServesAllLocales() {
		t.Error("a service without locales serves them all")
	}
}

func TestTemplate(t *testing.T) {
	op := ServiceOperation{Path: "/v2/{locale}-items/{key}.json?state={mode}"}
	want := []PathPart{{Text: "/v2/"}, {Var: VarLocale}, {Text: "-items/"}, {Var: VarKey}, {Text: ".json?state="}, {Var: VarMode}}
	if got := op.Template(); !reflect.DeepEqual(got, want) {
		t.Errorf("Template = %+v, want %+v", got, want)
	}
	if got := (ServiceOperation{}).Template(); got != nil {
		t.Errorf("no path: %+v", got)
	}
	for _, tt := range []struct{ path, err string }{
		{"items", "must start with /"},
		{"/items#top", "must not contain # or spaces"},
		{"/items/{key", `unclosed { in "/items/{key"`},
		{"/items/{}", `{} names no placeholder in "/items/{}"`},
	} {
		if _, err := parseTemplate(tt.path); err == nil || err.Error() != tt.err {
			t.Errorf("%s: err = %v, want %q", tt.path, err, tt.err)
		}
	}
}
