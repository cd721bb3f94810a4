package adaptertest

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// Products is the fixture of a SQL table: the documents as products whose
// fields, in order, are title (string, required, searchable), price
// (integer), color (select: red, green, blue, black), inStock (boolean),
// attributes (json), createdAt (datetime, auto create) and updatedAt
// (datetime, auto update). Seed a table with Rows. The backend must refuse
// a negative price (a CHECK constraint) and make random keys.
//
//	key     locale  price  color  inStock
//	chair1  en       1200  red    true
//	table2  en      25000  green  false
//	lamp3   en        500  green  true
//	sofa4   en       4000  blue   true
//	rug5    en       1500  -      false
//	stool6  en       4000  black  true
//	chair1  fr       1200  red    true
//	bench7  fr       3000  green  false
//
// The chair1 en draft has a later updatedAt than its published record (an
// auto field, so it is not modified).
func Products() *Fixture {
	f := &Fixture{
		Schema: &apos.Schema{
			Type:      "product",
			Localized: true,
			Storage:   apos.Columns,
			Fields: []apos.Field{
				{Name: "title", Kind: apos.String, Required: true, Searchable: true},
				{Name: "price", Kind: apos.Integer},
				{Name: "color", Kind: apos.Select, Choices: []apos.Choice{
					{Value: "red", Label: "Red"}, {Value: "green", Label: "Green"},
					{Value: "blue", Label: "Blue"}, {Value: "black", Label: "Black"},
				}},
				{Name: "inStock", Kind: apos.Boolean},
				{Name: "attributes", Kind: apos.JSON},
				{Name: "createdAt", Kind: apos.DateTime, ReadOnly: true, Auto: apos.AutoCreate},
				{Name: "updatedAt", Kind: apos.DateTime, ReadOnly: true, Auto: apos.AutoUpdate},
			},
		},
		NewKey: regexp.MustCompile(`^[a-z][a-z0-9]{23}$`),
		New: []adapters.Value{
			{Field: "title", V: "Glass Vase"},
			{Field: "price", V: int64(999)},
			{Field: "color", V: nil},
			{Field: "inStock", V: true},
			{Field: "attributes", V: adapters.RawJSON(`{"fragile":true}`)},
			{Field: "createdAt", V: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
			{Field: "updatedAt", V: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
		},
		NewFields: `{"title":"Glass Vase","price":999,"color":null,"inStock":true,"attributes":{"fragile":true},` +
			`"createdAt":"2025-01-02T03:04:05.000Z","updatedAt":"2025-01-02T03:04:05.000Z"}`,
		Edit: []adapters.Value{{Field: "price", V: int64(1300)}, {Field: "color", V: "blue"}},
		Invalid: []Invalid{
			{Name: "no title", Value: adapters.Value{Field: "title", V: nil}, Path: "title"},
			{Name: "negative price", Value: adapters.Value{Field: "price", V: int64(-1)}, Path: "price"},
		},
		Sorts:    productSorts,
		Filters:  productFilters,
		Distinct: productDistinct,
	}
	for _, r := range Rows() {
		f.Docs = append(f.Docs, Doc{Key: r.Key, Scope: apos.Scope{Locale: r.Locale, Mode: r.Mode}, Fields: r.fields()})
	}
	chair := Rows()[0] // the published chair1
	chair.Price, chair.Color = 1300, "blue"
	f.Edited = chair.fields()
	return f
}

// Row is one record of the Products fixture, as a SQL table holds it.
type Row struct {
	Key        string
	Locale     string
	Mode       apos.Mode
	Title      string
	Price      int64
	Color      string // "" is no color (NULL)
	InStock    bool
	Attributes string // JSON text; "" is NULL
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Rows returns the Products fixture's records (a new slice on each call).
func Rows() []Row {
	var rows []Row
	both := func(r Row) {
		pub := r
		pub.Mode = apos.Published
		r.Mode = apos.Draft
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
	rows = append(rows, Row{Key: "lamp3", Locale: "en", Mode: apos.Draft, Title: "Green Lamp", Price: 500,
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

// fields is the JSON object an adapter must give for r, in schema order.
func (r Row) fields() string {
	str := func(s string) string {
		if s == "" {
			return "null"
		}
		return strconv.Quote(s)
	}
	attrs := r.Attributes
	if attrs == "" {
		attrs = "null"
	}
	return fmt.Sprintf(`{"title":%q,"price":%d,"color":%s,"inStock":%t,"attributes":%s,"createdAt":%q,"updatedAt":%q}`,
		r.Title, r.Price, str(r.Color), r.InStock, attrs, iso(r.CreatedAt), iso(r.UpdatedAt))
}

// at parses a fixture time, in UTC.
func at(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return t
}
