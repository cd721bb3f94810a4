package declared

import (
	"strings"
	"testing"
)

// TestRoutesAreNotPublicByDefault: a route that does not say public =
// true is never open to anonymous callers, even in a module named after a
// type anonymous callers may read (the shop's GET customer/:_id/orders
// was).
func TestRoutesAreNotPublicByDefault(t *testing.T) {
	src := strings.Replace(testConfig, "[modules.notes]", `[modules.note]
database = "db"

[modules.note.api_routes.get.":_id/stars"]
sql = ["SELECT stars FROM notes WHERE id = :_id"]

[modules.note.api_routes.get.open]
public = true
sql = ["SELECT COUNT(*) AS n FROM notes"]

[modules.notes]`, 1)
	base, err := start(t, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, key string
		status          int
		want            string
	}{
		{"the type is public", "/note/1", "", 200, `"title":"One"`},
		{"its module's route is not", "/note/1/stars", "", 403, `{"name":"forbidden","data":{},"message":"forbidden"}`},
		{"a guest reads it", "/note/1/stars", "guest-key", 200, `{"stars":1}`},
		{"a route that says public = true", "/note/open", "", 200, `{"n":3}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, "GET", base+tc.path, tc.key, "")
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s\nwant %d %s", status, body, tc.status, tc.want)
			}
		})
	}
}
