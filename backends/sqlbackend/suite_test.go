package sqlbackend

import (
	"fmt"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/adapters/adaptertest"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// catalogDDL creates the table of adaptertest's Products fixture on
// engine, with legacy names (sku, lang EN/FR, state draft/live,
// price_cents...) and the constraints the suite expects: a title and a
// price that is not negative. The engines differ in the types of the
// boolean, JSON and datetime columns.
func catalogDDL(engine string) string {
	types := map[string][3]string{
		"sqlite":   {"INTEGER", "TEXT", "TEXT"},
		"postgres": {"BOOLEAN", "JSONB", "TIMESTAMP"},
		"mysql":    {"BOOLEAN", "JSON", "DATETIME"},
	}[engine]
	return fmt.Sprintf(`CREATE TABLE catalog (
  sku VARCHAR(32) NOT NULL, lang CHAR(2) NOT NULL, state VARCHAR(8) NOT NULL,
  name VARCHAR(200) NOT NULL, price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  colour VARCHAR(16), in_stock %[1]s NOT NULL, attrs %[2]s,
  created %[3]s NOT NULL, changed %[3]s NOT NULL,
  PRIMARY KEY (sku, lang, state));`, types[0], types[1], types[2])
}

// catalogType maps the catalog table onto the Products fixture's type.
func catalogType() *config.Type {
	localized := true
	return &config.Type{
		Name: "product", Database: "test", Table: "catalog", Key: "sku", NewKeys: "random",
		Storage: "columns", Localized: &localized,
		Locale: config.ValueMap{Column: "lang", Values: map[string]string{"EN": "en", "FR": "fr"}},
		Mode:   config.ValueMap{Column: "state", Values: map[string]string{"draft": "draft", "live": "published"}},
		Fields: []config.Field{
			{Name: "title", Column: "name", Kind: "string", Required: true, Searchable: true},
			{Name: "price", Column: "price_cents", Kind: "integer"},
			{Name: "color", Column: "colour", Kind: "select", Choices: []config.Choice{
				{Value: "red", Label: "Red"}, {Value: "green", Label: "Green"},
				{Value: "blue", Label: "Blue"}, {Value: "black", Label: "Black"},
			}},
			{Name: "inStock", Column: "in_stock", Kind: "boolean"},
			{Name: "attributes", Column: "attrs", Kind: "json"},
			{Name: "createdAt", Column: "created", Kind: "datetime", ReadOnly: true, Auto: "create"},
			{Name: "updatedAt", Column: "changed", Kind: "datetime", ReadOnly: true, Auto: "update"},
		},
	}
}

// catalogOn seeds db, a new database of engine e, with the suite's rows,
// and returns the catalog type's adapter over it.
func catalogOn(t testing.TB, db *sqldb.DB, e testkit.Engine) *Adapter {
	t.Helper()
	seedCatalog(t, db, e.Name, adaptertest.Rows())
	return mustNew(t, db, catalogType())
}

// seedCatalog creates the catalog table on db and fills it with the
// fixture's rows.
func seedCatalog(t testing.TB, db *sqldb.DB, engine string, rows []adaptertest.Row) {
	t.Helper()
	if _, err := db.Exec(catalogDDL(engine)); err != nil {
		t.Fatal(err)
	}
	d := db
	insert := db.Rebind(`INSERT INTO catalog (sku, lang, state, name, price_cents, colour, in_stock, attrs, created, changed)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	for _, r := range rows {
		state := "draft"
		if r.Mode == apos.Published {
			state = "live"
		}
		lang := map[string]string{"en": "EN", "fr": "FR"}[r.Locale]
		if _, err := db.Exec(insert, r.Key, lang, state, r.Title, r.Price, null(r.Color),
			d.BindBool(r.InStock), null(r.Attributes), d.BindTime(r.CreatedAt), d.BindTime(r.UpdatedAt)); err != nil {
			t.Fatal(err)
		}
	}
}

// productCaps are what the SQL adapter can do with the Products fixture:
// every optional list feature.
var productCaps = adaptertest.Caps{
	Sort:         true,
	Filters:      []string{"title", "price", "color", "inStock", "createdAt", "updatedAt"},
	Range:        true,
	In:           true,
	Distinct:     true,
	Autocomplete: true,
	Combine:      true,
	ListModified: true,
}

func TestSuite(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		adaptertest.Run(t, adaptertest.Config{
			New: func(t *testing.T) adapters.Adapter {
				return catalogOn(t, fresh(t, e), e)
			},
			Fixture: adaptertest.Products(),
			Caps:    productCaps,
		})
	})
}
