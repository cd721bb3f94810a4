package proxy

import (
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

func TestStampUser(t *testing.T) {
	d := testType()
	d.schema.Fields = append(d.schema.Fields, apos.Field{Name: "updatedBy", Kind: apos.String, ReadOnly: true, Auto: apos.AutoUser})
	d.fields["updatedBy"] = &d.schema.Fields[len(d.schema.Fields)-1]
	tests := []struct {
		name string
		who  *apos.Principal
		want string
	}{
		{"a logged-in user", &apos.Principal{Role: apos.Editor, Username: "editor", Title: "Ed", Via: "bearer"}, "editor"},
		{"an API key", &apos.Principal{Role: apos.Admin, Title: "System Task", Via: "apikey"}, "System Task"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &call{who: tt.who}
			st := c.stamp()
			if time.Since(st.now) > time.Minute || st.now.Location() != time.UTC {
				t.Fatalf("stamp time %v", st.now)
			}
			vals, err := d.convert(gjson.Parse(`{"title":"A","updatedBy":"forged"}`), writePatch, map[string]bool{"title": true}, st)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if v.Field == "updatedBy" {
					if v.V != tt.want {
						t.Fatalf("updatedBy = %v, want %s", v.V, tt.want)
					}
					return
				}
			}
			t.Fatalf("no updatedBy among %v", vals)
		})
	}
}
