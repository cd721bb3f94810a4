// Package adaptertest is the behaviour suite every adapters.Adapter must
// pass. A backend's test seeds the fixture below into a fresh backend, and
// hands Run a factory that returns an adapter over it; Run calls the factory
// once for the reads and once for each write, so each write starts from
// the fixture again. The package is for _test files only.
//
// # The fixture
//
// One localized type, "product", with columns storage (separate draft and
// published records) in the locales en and fr. Its fields, in order, are
// those of Schema: title (string, required, searchable), price (integer),
// color (select: red, green, blue, black), inStock (boolean), attributes
// (json), createdAt (datetime, auto create) and updatedAt (datetime, auto
// update). Its records are Rows:
//
//	key     locale  modes      title                  price  color  inStock
//	chair1  en      pub+draft  Red Chair               1200  red    true
//	table2  en      pub+draft  Oak Table              25000  green  false
//	lamp3   en      draft      Green Lamp               500  green  true
//	sofa4   en      pub+draft  blue sofa               4000  blue   true
//	rug5    en      pub+draft  Rug 100% wool_blend     1500  -      false
//	stool6  en      pub+draft  Bar Stool               4000  black  true
//	chair1  fr      pub+draft  Chaise Rouge            1200  red    true
//	bench7  fr      pub+draft  Banc                    3000  green  false
//
// The drafts equal their published records except: the chair1 en draft has
// a later updatedAt (an auto field, so it is not modified), and the table2
// draft is titled "Oak Table (revised)" (modified). lamp3 was never
// published.
//
// The backend must refuse a document without a title and a negative
// price (NOT NULL and CHECK constraints, or the service's own validation),
// and it must make new keys itself (the type's new keys are random).
package adaptertest

import (
	"time"

	"github.com/aposproxy/aposproxy/adapters"
)

// Schema returns the schema the fixture's adapter must describe.
func Schema() *adapters.Schema {
	return &adapters.Schema{
		Type:      "product",
		Localized: true,
		Storage:   adapters.Columns,
		Fields: []adapters.Field{
			{Name: "title", Kind: adapters.String, Required: true, Searchable: true},
			{Name: "price", Kind: adapters.Integer},
			{Name: "color", Kind: adapters.Select, Choices: []adapters.Choice{
				{Value: "red", Label: "Red"}, {Value: "green", Label: "Green"},
				{Value: "blue", Label: "Blue"}, {Value: "black", Label: "Black"},
			}},
			{Name: "inStock", Kind: adapters.Boolean},
			{Name: "attributes", Kind: adapters.JSON},
			{Name: "createdAt", Kind: adapters.DateTime, ReadOnly: true, Auto: adapters.AutoCreate},
			{Name: "updatedAt", Kind: adapters.DateTime, ReadOnly: true, Auto: adapters.AutoUpdate},
		},
	}
}

// Row is one record of the fixture.
type Row struct {
	Key        string
	Locale     string
	Mode       adapters.Mode
	Title      string
	Price      int64
	Color      string // "" is no color (NULL)
	InStock    bool
	Attributes string // JSON text; "" is NULL
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Rows returns the fixture's records (a new slice on each call).
func Rows() []Row {
	var rows []Row
	both := func(r Row) {
		pub := r
		pub.Mode = adapters.Published
		r.Mode = adapters.Draft
		rows = append(rows, pub, r)
	}
	chair := Row{Key: "chair1", Locale: "en", Title: "Red Chair", Price: 1200, Color: "red", InStock: true,
		Attributes: `{"legs": 4, "tags": ["wood"]}`, CreatedAt: at("2024-01-05 09:14:00"), UpdatedAt: at("2024-03-01 10:00:00")}
	both(chair)
	rows[len(rows)-1].UpdatedAt = at("2024-03-02 11:30:00")
	table := Row{Key: "table2", Locale: "en", Title: "Oak Table", Price: 25000, Color: "green",
		Attributes: `{"legs": 4}`, CreatedAt: at("2024-02-10 08:00:00"), UpdatedAt: at("2024-02-11 08:00:00")}
	both(table)
	rows[len(rows)-1].Title = "Oak Table (revised)"
	rows = append(rows, Row{Key: "lamp3", Locale: "en", Mode: adapters.Draft, Title: "Green Lamp", Price: 500,
		Color: "green", InStock: true, CreatedAt: at("2024-04-01 12:00:00"), UpdatedAt: at("2024-04-01 12:00:00")})
	both(Row{Key: "sofa4", Locale: "en", Title: "blue sofa", Price: 4000, Color: "blue", InStock: true,
		Attributes: `{"seats": 3}`, CreatedAt: at("2024-05-20 16:45:00"), UpdatedAt: at("2024-05-21 09:00:00")})
	both(Row{Key: "rug5", Locale: "en", Title: "Rug 100% wool_blend", Price: 1500,
		CreatedAt: at("2024-06-01 07:30:00"), UpdatedAt: at("2024-06-01 07:30:00")})
	both(Row{Key: "stool6", Locale: "en", Title: "Bar Stool", Price: 4000, Color: "black", InStock: true,
		Attributes: `{"legs": 3}`, CreatedAt: at("2023-11-30 23:59:59"), UpdatedAt: at("2024-01-02 00:00:00")})
	chair.Locale, chair.Title = "fr", "Chaise Rouge"
	both(chair)
	both(Row{Key: "bench7", Locale: "fr", Title: "Banc", Price: 3000, Color: "green",
		CreatedAt: at("2024-07-07 07:07:07"), UpdatedAt: at("2024-07-07 07:07:07")})
	return rows
}

// at parses a fixture time, in UTC.
func at(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return t
}
