package app

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestExposureWarning: the shipped shop shows nothing personal to
// anonymous callers; a type they may read with an email field, or a
// public route whose SQL names a password or phone column, is warned
// about at start, by key path and field.
func TestExposureWarning(t *testing.T) {
	cfg := shopConfig(t)
	if got := exposures(cfg); len(got) != 0 {
		t.Fatalf("the shipped configuration exposes %+v", got)
	}
	cfg.Types["customer"].ViewRole = "anonymous"
	cfg.Modules["customer"].APIRoutes["get"]["contacts"] = &config.ModuleRoute{Public: true, Result: "list",
		SQL: []config.RouteStatement{{Text: "SELECT u.login, u.pw_hash AS PassWord, c.email, c.Phone_Number FROM users u, customers c"}}}
	want := []exposure{
		{where: "types.customer", fields: []string{"email"}},
		{where: "modules.customer.api_routes.get.contacts", fields: []string{"PassWord", "email", "Phone_Number"}},
	}
	if got := exposures(cfg); !reflect.DeepEqual(got, want) {
		t.Fatalf("exposures = %+v\nwant %+v", got, want)
	}
	var logs testkit.Buffer
	delete(cfg.Modules["customer"].APIRoutes["get"], "contacts")
	serveShop(t, cfg, &logs)
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "where=types.customer fields=email") {
		t.Fatalf("no warning at start:\n%s", out)
	}
}
