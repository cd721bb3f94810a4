package upstream

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// TestMistakesStopTheLoad: a broken mapping never reaches New; loading
// the configuration names the key path and line of each mistake
// (config/validate_upstream_test.go has every check).
func TestMistakesStopTheLoad(t *testing.T) {
	b, err := os.ReadFile("../../examples/inventory/config.toml.snippet")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(locales+string(b), `get = { path = "/v2/items/{key}?language={locale}&state={mode}" }`, "", 1)
	src = strings.Replace(src, `list = { path = "/v2/items?`, `list = { path = "v2/items?`, 1)
	_, err = config.Parse([]byte(src), ".")
	line := func(s string) int { return strings.Count(src[:strings.Index(src, s)], "\n") + 1 }
	for _, want := range []string{
		fmt.Sprintf("line %d: types.inventory-item.service.list.path: must start with /", line("list = {")),
		fmt.Sprintf("line %d: types.inventory-item.service.get.path: is required", line("[types.inventory-item.service]")),
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error\n%v\ndoes not say\n%s", err, want)
		}
	}
}

// TestNewBuildsTheMapping: New takes the routes, methods, paths and error
// names as Load left them, defaults included.
func TestNewBuildsTheMapping(t *testing.T) {
	a := adapterAt(t, "http://127.0.0.1:1", nil)
	methods := []string{a.list.method, a.get.method, a.create.method, a.replace.method, a.remove.method, a.publish.method}
	if want := []string{"GET", "GET", "POST", "PUT", "DELETE", "POST"}; !reflect.DeepEqual(methods, want) {
		t.Errorf("methods = %v, want %v", methods, want)
	}
	if uri := string(a.get.appendURI(nil, "", &vars{key: "INV-1", locale: "en", mode: "live"})); uri != "/v2/items/INV-1?language=en&state=live" {
		t.Errorf("get = %s", uri)
	}
	if !a.allLocales || !a.columns || a.concurrency != 8 || a.keyPath != "itemId" || a.localePath != "language" || a.modePath != "state" {
		t.Errorf("adapter = %+v", a)
	}
	if a.modes[apos.Published] != "live" || a.modes[apos.Draft] != "draft" {
		t.Errorf("modes = %v", a.modes)
	}
	if a.byPath["warehouse.code"] != "warehouse" || a.byPath["modifiedAt"] != "updatedAt" {
		t.Errorf("byPath = %v", a.byPath)
	}
	if want := []string{"title", "quantity", "warehouse", "aisle"}; !reflect.DeepEqual(a.writableNames, want) {
		t.Errorf("writable = %v, want %v", a.writableNames, want)
	}
	if a.errs.codes["NOT_FOUND"] != apos.ErrNotFound || a.errs.codes["UNAUTHORIZED"] != apos.ErrBadGateway {
		t.Errorf("codes = %v", a.errs.codes)
	}
}

// TestNewNeedsALoadedType: a type that did not come from config.Load is
// refused rather than half built.
func TestNewNeedsALoadedType(t *testing.T) {
	cfg := snippet(t, "http://127.0.0.1:1")
	c, err := NewClient("inventory", cfg.Upstreams["inventory"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	typ := cfg.Types["inventory-item"]
	if _, err := New(c, typ, Options{}); err == nil || !strings.Contains(err.Error(), "types.inventory-item.locale: the default locale is unknown") {
		t.Errorf("no default locale: %v", err)
	}
	typ.Service = nil
	if _, err := New(c, typ, Options{DefaultLocale: "en"}); err == nil || !strings.Contains(err.Error(), "types.inventory-item.service: missing") {
		t.Errorf("no service: %v", err)
	}
}
