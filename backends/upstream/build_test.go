package upstream

import (
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/config"
)

func TestNewChecksTheMapping(t *testing.T) {
	const p = "types.inventory-item."
	tests := []struct {
		name  string
		tweak func(t *config.Type, s *config.Service)
		want  []string
	}{
		{"no service", func(t *config.Type, _ *config.Service) { t.Service = nil }, []string{p + "service: missing"}},
		{"missing path", func(_ *config.Type, s *config.Service) { s.Get.Path = "" }, []string{p + "service.get.path: missing"}},
		{"relative path", func(_ *config.Type, s *config.Service) { s.List.Path = "v2/items?language={locale}&state={mode}" },
			[]string{p + "service.list.path: must start with /"}},
		{"unknown placeholder", func(_ *config.Type, s *config.Service) { s.Get.Path = "/v2/items/{id}?language={locale}&state={mode}" },
			[]string{p + "service.get.path: placeholder {id} is not available here (use {key}, {locale}, {mode})"}},
		{"key in a list", func(_ *config.Type, s *config.Service) {
			s.List.Path = "/v2/items/{key}?language={locale}&state={mode}"
		},
			[]string{p + "service.list.path: placeholder {key} is not available here (use {locale}, {mode})"}},
		{"unclosed", func(_ *config.Type, s *config.Service) { s.Get.Path = "/v2/items/{key" }, []string{p + "service.get.path: unclosed {"}},
		{"no key", func(_ *config.Type, s *config.Service) { s.Delete.Path = "/v2/items?language={locale}&state={mode}" },
			[]string{p + "service.delete.path: must use {key}"}},
		{"no mode", func(_ *config.Type, s *config.Service) { s.Replace.Path = "/v2/items/{key}?language={locale}" },
			[]string{p + "service.replace.path: must use {mode}"}},
		{"no locale", func(_ *config.Type, s *config.Service) { s.Get.Path = "/v2/items/{key}?state={mode}" },
			[]string{p + "service.get.path: must use {locale}"}},
		{"publish without key", func(_ *config.Type, s *config.Service) { s.Publish.Path = "/v2/promote?language={locale}" },
			[]string{p + "service.publish.path: must use {key}"}},
		{"publish with mode", func(_ *config.Type, s *config.Service) { s.Publish.Path = "/v2/items/{key}/promote?state={mode}" },
			[]string{p + "service.publish.path: placeholder {mode} is not available here"}},
		{"bad method", func(_ *config.Type, s *config.Service) { s.Create.Method = "FETCH" },
			[]string{p + "service.create.method: must be GET, POST, PUT, PATCH or DELETE"}},
		{"both paging styles", func(_ *config.Type, s *config.Service) { s.Paging.Page = "page" },
			[]string{p + "service.paging: set either offset and limit, or page and size"}},
		{"half a paging style", func(_ *config.Type, s *config.Service) { s.Paging.Limit = "" },
			[]string{p + "service.paging: offset and limit go together"}},
		{"negative max", func(_ *config.Type, s *config.Service) { s.Paging.Max = -1 }, []string{p + "service.paging.max: must not be negative"}},
		{"filter of no field", func(_ *config.Type, s *config.Service) { s.Filters["shelf"] = "shelf" },
			[]string{p + "service.filters.shelf: no such field"}},
		{"no items path", func(_ *config.Type, s *config.Service) { s.Response.Items = "" },
			[]string{p + "service.response.items: missing"}},
		{"unknown error name", func(_ *config.Type, s *config.Service) { s.Errors.Codes["GONE"] = "gone" },
			[]string{p + "service.errors.codes.GONE: must be one of invalid, forbidden, notfound"}},
		{"bad status", func(_ *config.Type, s *config.Service) { s.Errors.Statuses = map[string]string{"200": "invalid"} },
			[]string{p + "service.errors.statuses.200: must be an error status from 400 to 599"}},
		{"codes without a code path", func(_ *config.Type, s *config.Service) { s.Errors.Code = "" },
			[]string{p + "service.errors.code: missing"}},
		{"negative concurrency", func(_ *config.Type, s *config.Service) { s.Concurrency = -1 },
			[]string{p + "service.concurrency: must be at least 1"}},
		{"overlapping fields", func(t *config.Type, _ *config.Service) { t.Fields[2].Column = "warehouse" },
			[]string{p + `fields[3].column: "warehouse.aisle" overlaps "warehouse" (fields[2].column)`}},
		{"gjson syntax in a path", func(t *config.Type, _ *config.Service) { t.Fields[0].Column = "labels.#" },
			[]string{p + `fields[0].column: "labels.#" is not a path`}},
		{"overlay storage", func(t *config.Type, _ *config.Service) { t.Storage = "overlay" },
			[]string{p + "storage: must be columns or autopublish"}},
		{"every mistake at once", func(_ *config.Type, s *config.Service) { s.Get.Path, s.List.Path = "", "" },
			[]string{p + "service.list.path: missing", p + "service.get.path: missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := snippet(t, "http://127.0.0.1:1")
			typ := cfg.Types["inventory-item"]
			tt.tweak(typ, typ.Service)
			c, err := NewClient("inventory", cfg.Upstreams["inventory"])
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = New(c, typ, Options{DefaultLocale: "en"})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not say\n%s", err, w)
				}
			}
		})
	}
}

func TestNewClient(t *testing.T) {
	for _, tt := range []struct {
		url, err string
	}{
		{"ftp://127.0.0.1", "url: must be an http or https URL"},
		{"http://", "url: must be an http or https URL"},
		{"http://u:p@127.0.0.1", "url: must not have a query, a fragment or credentials"},
		{"http://127.0.0.1/x?y=1", "url: must not have a query, a fragment or credentials"},
	} {
		_, err := NewClient("x", config.Upstream{URL: tt.url})
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: err = %v, want %q", tt.url, err, tt.err)
		}
	}
}
