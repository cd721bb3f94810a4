package e2e

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/tidwall/gjson"
	_ "modernc.org/sqlite"
)

// legacyDDL is a legacy table of each engine: CamelCase columns, a
// NUMERIC(10,2), a nullable foreign key.
var legacyDDL = map[string][]string{
	"sqlite": {`CREATE TABLE people (PersonId INTEGER PRIMARY KEY, FirstName VARCHAR(20) NOT NULL, LastName VARCHAR(20),
  Price NUMERIC(10,2), ReportsTo INTEGER REFERENCES people(PersonId))`},
	"postgres": {`CREATE TABLE people ("PersonId" INTEGER PRIMARY KEY, "FirstName" VARCHAR(20) NOT NULL, "LastName" VARCHAR(20),
  "Price" NUMERIC(10,2), "ReportsTo" INTEGER REFERENCES people("PersonId"))`},
	"mysql": {`CREATE TABLE people (PersonId INT PRIMARY KEY, FirstName VARCHAR(20) NOT NULL, LastName VARCHAR(20),
  Price NUMERIC(10,2), ReportsTo INT, FOREIGN KEY (ReportsTo) REFERENCES people(PersonId)) ENGINE=InnoDB`},
}

const legacyType = `
[databases.legacy]
driver = "${LEGACY_DB_DRIVER}"
dsn = "${LEGACY_DB_DSN}"

[types.person]
database = "legacy"
table = "people"
key = "PersonId"
localized = false

[[types.person.fields]]
name = "title"
template = "{FirstName} {LastName}"
searchable = true

[[types.person.fields]]
name = "firstName"
column = "FirstName"
required = true

[[types.person.fields]]
name = "lastName"
column = "LastName"

[[types.person.fields]]
name = "price"
column = "Price"
kind = "decimal"

[[types.person.fields]]
name = "reportsTo"
column = "ReportsTo"
kind = "integer"

[[types.person.fields]]
name = "personId"
column = "PersonId"
kind = "integer"
read_only = true
`

// startLegacy starts the binary with the shop and a legacy people table
// of engine e.
func startLegacy(t *testing.T, e testkit.Engine) *shop {
	dsn := e.Fresh(t)
	driver := map[string]string{"sqlite": "sqlite", "postgres": "pgx", "mysql": "mysql"}[e.Name]
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range append(legacyDDL[e.Name],
		"INSERT INTO people VALUES (1, 'Ada', 'Lovelace', 1.10, NULL)",
		"INSERT INTO people VALUES (2, 'Bob', NULL, NULL, 1)") {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	src, err := os.ReadFile(filepath.Join(testkit.Root, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.ReplaceAll(string(src), `"examples/`, `"`+testkit.Root+`/examples/`) + legacyType
	path := filepath.Join(t.TempDir(), "legacy.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LEGACY_DB_DRIVER", e.Name)
	t.Setenv("LEGACY_DB_DSN", dsn)
	return startShopWith(t, e, binary, path)
}

// TestLegacyOverHTTP: on each engine, a decimal round-trips exactly or
// is refused naming its field, renders with its scale; NULL filters, a
// computed title, the key as a field.
func TestLegacyOverHTTP(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		s := startLegacy(t, e)
		get := func(path string) string {
			r := s.do(t, "GET", path, adminKey, "")
			if r.status != 200 {
				t.Fatalf("GET %s: %d %s", path, r.status, r.body)
			}
			return r.body
		}
		one := get("/person/1")
		for path, want := range map[string]string{"price": "1.10", "title": `"Ada Lovelace"`, "personId": "1"} {
			if got := gjson.Get(one, path).Raw; got != want {
				t.Errorf("%s = %s, want %s", path, got, want)
			}
		}
		r := s.do(t, "PATCH", "/person/1", adminKey, `{"price": 1.999}`)
		if r.status != 400 || gjson.Get(r.body, "data.errors.0.path").Str != "price" {
			t.Errorf("PATCH price 1.999: %d %s, want 400 naming price", r.status, r.body)
		}
		r = s.do(t, "PATCH", "/person/1", adminKey, `{"price": "12345678.90", "title": "ignored"}`)
		if r.status != 200 || gjson.Get(r.body, "price").Raw != "12345678.90" || gjson.Get(r.body, "title").Str != "Ada Lovelace" {
			t.Errorf("PATCH price 12345678.90: %d %s", r.status, r.body)
		}
		r = s.do(t, "PATCH", "/person/2", adminKey, `{"reportsTo": 99}`)
		if r.status != 400 || gjson.Get(r.body, "data.errors.0.path").Str != "reportsTo" {
			t.Errorf("PATCH a missing reportsTo: %d %s, want 400 naming reportsTo", r.status, r.body)
		}
		for q, want := range map[string]string{
			"reportsTo=null":     "1",
			"reportsTo[eq]=null": "1",
			"reportsTo[ne]=null": "2",
			"lastName[eq]=null":  "2",
			"search=bob":         "2",
			"price=12345678.9":   "1",
		} {
			var ids []string
			for _, d := range gjson.Get(get("/person?"+q), "results.#.personId").Array() {
				ids = append(ids, d.Raw)
			}
			if got := strings.Join(ids, ","); got != want {
				t.Errorf("?%s: %s, want %s", q, got, want)
			}
		}
	})
}
