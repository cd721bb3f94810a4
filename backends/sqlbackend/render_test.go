package sqlbackend

import (
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

func TestAppendValue(t *testing.T) {
	when := time.Date(2024, 1, 5, 9, 14, 0, 123456789, time.FixedZone("CET", 3600))
	text := func(s string) cell { return cell{typ: cellText, text: []byte(s)} }
	for _, tc := range []struct {
		name string
		kind apos.Kind
		c    cell
		want string
	}{
		{"null", apos.Integer, cell{}, `null`},
		{"string", apos.String, text("a \"quoted\"\n\tline \\ <b>"), `"a \"quoted\"\n\tline \\ <b>"`},
		{"string with controls", apos.String, text("\x00\x1f"), `"\u0000\u001f"`},
		{"string utf-8", apos.String, text("Étagère ✓"), `"Étagère ✓"`},
		{"string bad utf-8", apos.String, text("a\xffb"), `"a\ufffdb"`},
		{"string line separator", apos.String, text("a\u2028b"), `"a\u2028b"`},
		{"string from integer", apos.String, cell{typ: cellInt, i: 42}, `"42"`},
		{"select", apos.Select, text("red"), `"red"`},
		{"integer", apos.Integer, cell{typ: cellInt, i: -7}, `-7`},
		{"integer as text", apos.Integer, text("12"), `12`},
		{"decimal as text", apos.Integer, text("12.50"), `12.50`},
		{"integer not a number", apos.Integer, text("n/a"), `"n/a"`},
		{"float", apos.Float, cell{typ: cellFloat, f: 1.5}, `1.5`},
		{"float large", apos.Float, cell{typ: cellFloat, f: 1e21}, `1e+21`},
		{"float small", apos.Float, cell{typ: cellFloat, f: 0.000001}, `0.000001`},
		{"float tiny", apos.Float, cell{typ: cellFloat, f: 1e-7}, `1e-07`},
		{"float from integer", apos.Float, cell{typ: cellInt, i: 3}, `3`},
		{"boolean", apos.Boolean, cell{typ: cellBool, b: true}, `true`},
		{"boolean from 0", apos.Boolean, cell{typ: cellInt, i: 0}, `false`},
		{"boolean from text", apos.Boolean, text("t"), `true`},
		{"boolean unreadable", apos.Boolean, text("maybe"), `"maybe"`},
		{"date", apos.Date, cell{typ: cellTime, t: time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)}, `"2025-01-15"`},
		{"date as text", apos.Date, text("2025-01-15 00:00:00"), `"2025-01-15"`},
		{"datetime", apos.DateTime, cell{typ: cellTime, t: when}, `"2024-01-05T08:14:00.123Z"`},
		{"datetime legacy text", apos.DateTime, text("2024-01-05 09:14:00"), `"2024-01-05T09:14:00.000Z"`},
		{"datetime RFC 3339", apos.DateTime, text("2024-01-05T09:14:00.5+02:00"), `"2024-01-05T07:14:00.500Z"`},
		{"datetime with fraction", apos.DateTime, text("2024-01-05 09:14:00.25"), `"2024-01-05T09:14:00.250Z"`},
		{"datetime unreadable", apos.DateTime, text("yesterday"), `"yesterday"`},
		{"datetime out of range", apos.DateTime, text("2024-13-05 09:14:00"), `"2024-13-05 09:14:00"`},
		{"json", apos.JSON, text(`{"a": [1, 2]}`), `{"a":[1,2]}`},
		{"json compact keeps strings", apos.JSON, text("{ \"a b\" : \"c \\\" d\",\n\t\"e\": null }"), `{"a b":"c \" d","e":null}`},
		{"json not json", apos.JSON, text(`{oops`), `"{oops"`},
		{"json number", apos.JSON, cell{typ: cellInt, i: 5}, `5`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(appendValue(nil, tc.kind, &tc.c)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestIsJSONNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "-1": true, "10.25": true, "1e5": true, "-0.5E-3": true,
		"": false, "-": false, "01": false, "1.": false, ".5": false, "1e": false, "NaN": false, "1 ": false,
	} {
		if got := isJSONNumber([]byte(s)); got != want {
			t.Errorf("%q: got %v, want %v", s, got, want)
		}
	}
}

// kindsDDL is a table with a column of each kind the fixture lacks, as each
// engine types them.
var kindsDDL = map[string]string{
	"sqlite":   `CREATE TABLE kinds (id INTEGER PRIMARY KEY, score REAL, born DATE, doc TEXT, label TEXT);`,
	"postgres": `CREATE TABLE kinds (id SERIAL PRIMARY KEY, score DOUBLE PRECISION, born DATE, doc TEXT, label TEXT);`,
	"mysql":    `CREATE TABLE kinds (id INTEGER PRIMARY KEY AUTO_INCREMENT, score DOUBLE, born DATE, doc TEXT, label TEXT);`,
}

// TestKinds reads and writes floats, dates, json kept as text and NULLs on
// an unlocalized type with integer keys, on every engine.
func TestKinds(t *testing.T) {
	no := false
	typ := &config.Type{
		Name: "kind", Table: "kinds", Key: "id", NewKeys: "database", Storage: "autopublish", Localized: &no,
		Fields: []config.Field{
			{Name: "score", Column: "score", Kind: "float"},
			{Name: "born", Column: "born", Kind: "date"},
			{Name: "doc", Column: "doc", Kind: "json"},
			{Name: "label", Column: "label", Kind: "string"},
		},
	}
	s := apos.Scope{Mode: apos.Published}
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		run(t, db, kindsDDL[e.Name]+"\n"+
			"INSERT INTO kinds (score, born, doc, label) VALUES (2.25, '2024-02-29', '{\"a\": [1]}', 'x');\n"+
			"INSERT INTO kinds (score, born, doc, label) VALUES (NULL, NULL, 'not json', NULL);\n")
		a := mustNew(t, db, typ)
		for id, want := range map[string]string{
			"1": `{"score":2.25,"born":"2024-02-29","doc":{"a":[1]},"label":"x"}`,
			"2": `{"score":null,"born":null,"doc":"not json","label":null}`,
		} {
			rec, err := a.Get(t.Context(), s, id)
			if err != nil {
				t.Fatal(err)
			}
			adaptertest.SameJSON(t, rec.Fields, want)
		}
		for _, id := range []string{"3", "x", "01", "b-MQ"} {
			if _, err := a.Get(t.Context(), s, id); err != apos.ErrNotFound {
				t.Errorf("get %q: error %v, want notfound", id, err)
			}
		}
		rec, err := a.Insert(t.Context(), s, &adapters.Insert{Values: []adapters.Value{
			{Field: "score", V: -0.5}, {Field: "born", V: "1999-12-31"},
			{Field: "doc", V: adapters.RawJSON(`[true]`)}, {Field: "label", V: "new"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if rec.DocID != "3" {
			t.Errorf("made key %q, want 3", rec.DocID)
		}
		adaptertest.SameJSON(t, rec.Fields, `{"score":-0.5,"born":"1999-12-31","doc":[true],"label":"new"}`)
		got, err := a.Distinct(t.Context(), &adapters.Query{Scope: s}, "score")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != (adapters.Counted{Value: -0.5, Count: 1}) || got[1] != (adapters.Counted{Value: 2.25, Count: 1}) {
			t.Errorf("distinct scores %v", got)
		}
	})
}
