package sqlbackend

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
)

// peopleDDL is a legacy table with CamelCase columns, a NUMERIC, naive
// datetimes with and without milliseconds, a foreign key, a unique
// column and (MySQL) a utf8mb3 column.
var peopleDDL = map[string]string{
	"sqlite": `CREATE TABLE dept (id INTEGER PRIMARY KEY);
CREATE TABLE people (PersonId INTEGER PRIMARY KEY, FirstName VARCHAR(20) NOT NULL, LastName VARCHAR(20),
  Price NUMERIC(10,2) CHECK (Price >= 0), BirthDate DATETIME, Hired DATETIME, DeptId INTEGER REFERENCES dept(id), Email VARCHAR(40) UNIQUE);`,
	"postgres": `CREATE TABLE dept (id INTEGER PRIMARY KEY);
CREATE TABLE people ("PersonId" INTEGER PRIMARY KEY, "FirstName" VARCHAR(20) NOT NULL, "LastName" VARCHAR(20),
  "Price" NUMERIC(10,2) CHECK ("Price" >= 0), "BirthDate" TIMESTAMP(0), "Hired" TIMESTAMP(3), "DeptId" INTEGER REFERENCES dept(id), "Email" VARCHAR(40) UNIQUE);`,
	"mysql": `CREATE TABLE dept (id INT PRIMARY KEY) ENGINE=InnoDB;
CREATE TABLE people (PersonId INT PRIMARY KEY, FirstName VARCHAR(20) NOT NULL, LastName VARCHAR(20) CHARACTER SET utf8,
  Price NUMERIC(10,2) CHECK (Price >= 0), BirthDate DATETIME, Hired DATETIME(3), DeptId INT, Email VARCHAR(40) UNIQUE,
  FOREIGN KEY (DeptId) REFERENCES dept(id)) ENGINE=InnoDB;`,
}

const peopleRows = `INSERT INTO dept VALUES (1);
INSERT INTO people VALUES (1, 'Ada', 'Lovelace', 1.10, '1970-05-29 00:00:00', NULL, 1, 'ada@example.com');
INSERT INTO people VALUES (2, 'Bob', NULL, NULL, NULL, NULL, NULL, NULL);`

// peopleType maps people with a computed title, the key as a field, a
// decimal and dates.
func peopleType(e string) *config.Type {
	f := false
	key := "PersonId"
	return &config.Type{Name: "person", Database: "test", Table: "people", Key: key, Storage: "autopublish", Localized: &f,
		Fields: []config.Field{
			{Name: "title", Kind: "string", Template: "{FirstName} {LastName}", ReadOnly: true, Searchable: true},
			{Name: "firstName", Column: "FirstName", Kind: "string"},
			{Name: "lastName", Column: "LastName", Kind: "string"},
			{Name: "price", Column: "Price", Kind: "decimal"},
			{Name: "birth", Column: "BirthDate", Kind: "date"},
			{Name: "hired", Column: "Hired", Kind: "datetime"},
			{Name: "dept", Column: "DeptId", Kind: "integer"},
			{Name: "email", Column: "Email", Kind: "string"},
			{Name: "personId", Column: key, Kind: "integer", ReadOnly: true},
		}}
}

// peopleOn creates and seeds people on db and maps it.
func peopleOn(t *testing.T, e testkit.Engine, db *sqldb.DB) *Adapter {
	run(t, db, peopleDDL[e.Name])
	run(t, db, peopleRows)
	return mustNew(t, db, peopleType(e.Name))
}

var noScope = apos.Scope{Mode: apos.Published}

// TestLegacyMapping: a decimal renders with its column's scale on every
// engine, a computed title and the key as a field read and search, a
// date in a DATETIME column comes back in that column's form, NULL
// filters match.
func TestLegacyMapping(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		a := peopleOn(t, e, db)
		if f := a.Schema().Field("price"); f.Precision != 10 || f.Scale != 2 {
			t.Errorf("price precision %d scale %d, want 10, 2", f.Precision, f.Scale)
		}
		rec, err := a.Get(t.Context(), noScope, "1")
		if err != nil {
			t.Fatal(err)
		}
		for path, want := range map[string]string{"price": "1.10", "title": `"Ada Lovelace"`, "personId": "1", "birth": `"1970-05-29"`} {
			if got := gjson.GetBytes(rec.Fields, path).Raw; got != want {
				t.Errorf("%s = %s, want %s (%s)", path, got, want, rec.Fields)
			}
		}
		if got := gjson.GetBytes(mustGet(t, a, "2"), "title").Raw; got != `"Bob "` {
			t.Errorf("title with a NULL column: %s", got)
		}
		list := func(q adapters.Query) []string {
			q.Scope, q.Page, q.PerPage = noScope, 1, 10
			p, err := a.List(t.Context(), &q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range p.Records {
				ids = append(ids, r.DocID)
			}
			return ids
		}
		for name, tc := range map[string]struct {
			q    adapters.Query
			want string
		}{
			"null":     {adapters.Query{Filters: []adapters.Filter{{Field: "dept", Op: adapters.OpEqual, Values: []any{nil}}}}, "2"},
			"not null": {adapters.Query{Filters: []adapters.Filter{{Field: "dept", Op: adapters.OpNotNull}}}, "1"},
			"decimal":  {adapters.Query{Filters: []adapters.Filter{{Field: "price", Op: adapters.OpEqual, Values: []any{"1.10"}}}}, "1"},
			"date":     {adapters.Query{Filters: []adapters.Filter{{Field: "birth", Op: adapters.OpEqual, Values: []any{"1970-05-29"}}}}, "1"},
			"search":   {adapters.Query{Search: "ada lov"}, "1"},
			"sort":     {adapters.Query{Sort: []adapters.Sort{{Field: "title", Desc: true}}}, "2,1"},
		} {
			if got := strings.Join(list(tc.q), ","); got != tc.want {
				t.Errorf("%s: %s, want %s", name, got, tc.want)
			}
		}
	})
}

func mustGet(t *testing.T, a *Adapter, id string) []byte {
	t.Helper()
	rec, err := a.Get(t.Context(), noScope, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Fields
}

// set updates record 1 with vals and returns its fields, or the error.
func set(t *testing.T, a *Adapter, vals ...adapters.Value) ([]byte, error) {
	rec, err := a.Update(t.Context(), noScope, "1", func(*adapters.Record) ([]adapters.Value, error) { return vals, nil })
	if err != nil {
		return nil, err
	}
	return rec.Fields, nil
}

// TestLegacyWrites: decimals and dates are written exactly and in the
// column's form, milliseconds kept where the column keeps them and
// dropped (never rounded) where it does not.
func TestLegacyWrites(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		a := peopleOn(t, e, db)
		at := time.Date(2024, 3, 1, 10, 20, 30, 999_000_000, time.UTC)
		got, err := set(t, a, adapters.Value{Field: "price", V: "12345678.99"},
			adapters.Value{Field: "birth", V: "1980-01-02"}, adapters.Value{Field: "hired", V: at})
		if err != nil {
			t.Fatal(err)
		}
		hired := map[string]string{"sqlite": "2024-03-01T10:20:30.000Z", "postgres": "2024-03-01T10:20:30.999Z", "mysql": "2024-03-01T10:20:30.999Z"}[e.Name]
		for path, want := range map[string]string{"price": "12345678.99", "birth": `"1980-01-02"`, "hired": `"` + hired + `"`} {
			if v := gjson.GetBytes(got, path).Raw; v != want {
				t.Errorf("%s = %s, want %s", path, v, want)
			}
		}
		if e.Name == "sqlite" {
			var raw string
			if err := db.QueryRow(`SELECT CAST(BirthDate AS TEXT) FROM people WHERE PersonId = 1`).Scan(&raw); err != nil || raw != "1980-01-02 00:00:00" {
				t.Errorf("the date is stored as %q (%v), want the column's form 1980-01-02 00:00:00", raw, err)
			}
		}
	})
}

// TestLegacyErrors: each constraint broken on each engine names the
// field, and says why.
func TestLegacyErrors(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		a := peopleOn(t, e, db)
		for _, tc := range []struct {
			name, path, reason string
			v                  adapters.Value
			skip               string // the engine that keeps the value
		}{
			{"foreign key", "dept", "foreign key", adapters.Value{Field: "dept", V: int64(99)}, ""},
			{"too long", "firstName", "Too long", adapters.Value{Field: "firstName", V: strings.Repeat("é", 21)}, ""},
			{"not null", "firstName", "required", adapters.Value{Field: "firstName", V: nil}, ""},
			{"check", "price", "CHECK", adapters.Value{Field: "price", V: "-1.00"}, ""},
			{"range", "dept", "range", adapters.Value{Field: "dept", V: int64(1) << 40}, "sqlite"},
			{"character set", "lastName", "character set", adapters.Value{Field: "lastName", V: "smile 😀"}, "not mysql"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := set(t, a, tc.v)
				if tc.skip == e.Name || tc.skip == "not mysql" && e.Name != "mysql" {
					if err == nil || tc.name == "range" {
						return
					}
				}
				var ve *apos.ValidationError
				if !errors.As(err, &ve) || len(ve.Fields) != 1 {
					t.Fatalf("error %#v, want a validation error", err)
				}
				fe := ve.Fields[0]
				if fe.Path != tc.path || !strings.Contains(fe.Msg+" "+fe.Name, tc.reason) {
					t.Errorf("error %+v, want path %s and a message with %q", fe, tc.path, tc.reason)
				}
			})
		}
		t.Run("unique", func(t *testing.T) {
			_, err := a.Update(t.Context(), noScope, "2", func(*adapters.Record) ([]adapters.Value, error) {
				return []adapters.Value{{Field: "email", V: "ada@example.com"}}, nil
			})
			ae, ok := apos.AsError(err)
			if !ok || !errors.Is(err, apos.ErrConflict) || ae.Data["path"] != "email" || !strings.Contains(ae.Message, "unique") {
				t.Errorf("error %#v, want a conflict naming email", err)
			}
		})
	})
}

// TestKindChecks: a field's kind must fit its column's type, and a
// column is looked up with the engine's case rule, the message giving
// the spelling to use.
func TestKindChecks(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		run(t, db, peopleDDL[e.Name])
		for _, tc := range []struct {
			name  string
			edit  func(*config.Type)
			want  string // "" on engines where it starts
			where string // the engine where want applies; "": all
		}{
			{"integer over NUMERIC(10,2)", func(t *config.Type) { t.Fields[3].Kind = "integer" }, "does not hold integer values", ""},
			{"integer over VARCHAR", func(t *config.Type) { t.Fields[7].Kind = "integer" }, "does not hold integer values", ""},
			{"datetime over VARCHAR", func(t *config.Type) { t.Fields[7].Kind = "datetime" }, "text_format", "not sqlite"},
			{"select over INT", func(t *config.Type) {
				t.Fields[6].Kind, t.Fields[6].Choices = "select", []config.Choice{{Value: "a"}}
			}, "integer choices", ""},
			{"column case", func(t *config.Type) { t.Fields[1].Column = "firstname" }, `did you mean "FirstName"?`, "postgres"},
			{"scale contradicted", func(t *config.Type) { t.Fields[3].Precision, t.Fields[3].Scale = 10, 3 }, "scale = 3", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				typ := peopleType(e.Name)
				tc.edit(typ)
				_, err := New(db, typ, Options{DefaultLocale: "en"})
				applies := tc.where == "" || tc.where == e.Name || tc.where == "not sqlite" && e.Name != "sqlite"
				switch {
				case !applies && err != nil:
					t.Errorf("error %v, want none on %s", err, e.Name)
				case applies && (err == nil || !strings.Contains(err.Error(), tc.want)):
					t.Errorf("error %v, want one with %q", err, tc.want)
				}
			})
		}
	})
}

// TestTimeZone: naive datetimes are read and written in the database's
// time_zone.
func TestTimeZone(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		db := open(t, config.Database{Driver: e.Name, DSN: e.Fresh(t), MaxOpen: 2, TimeZone: "Europe/Paris"})
		run(t, db, peopleDDL[e.Name])
		run(t, db, peopleRows)
		run(t, db, `UPDATE people SET `+db.QuoteName("Hired")+` = '2024-07-01 12:00:00' WHERE `+db.QuoteName("PersonId")+` = 1`)
		a := mustNew(t, db, peopleType(e.Name))
		if got := gjson.GetBytes(mustGet(t, a, "1"), "hired").Str; got != "2024-07-01T10:00:00.000Z" {
			t.Errorf("noon in Paris read as %s, want 10:00 UTC", got)
		}
		if _, err := set(t, a, adapters.Value{Field: "hired", V: time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		var raw string
		q := `SELECT ` + db.CastText(db.QuoteName("Hired")) + ` FROM people WHERE ` + db.QuoteName("PersonId") + ` = 1`
		if err := db.QueryRow(q).Scan(&raw); err != nil || !strings.HasPrefix(raw, "2024-01-01 09:00:00") {
			t.Errorf("08:00 UTC stored as %q (%v), want Paris's 09:00", raw, err)
		}
	})
}
