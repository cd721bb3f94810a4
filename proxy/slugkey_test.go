package proxy

import (
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
)

// TestSlugFromKey: a title that gives no slug takes the key's
// (docs/api-rules.md#129).
func TestSlugFromKey(t *testing.T) {
	d := testType()
	d.slugFromTitle = true
	for _, tc := range []struct{ title, id, want string }{
		{"?", "P-42", `,"slug":"p-42"`},
		{"Blue Chair", "P-42", `,"slug":"blue-chair"`},
	} {
		r := &adapters.Record{DocID: tc.id, Fields: []byte(`{"title":"` + tc.title + `"}`)}
		if got := string(d.appendSlugMember(nil, r, nil)); got != tc.want {
			t.Errorf("title %q: %s, want %s", tc.title, got, tc.want)
		}
	}
}
