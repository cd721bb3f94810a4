package adaptertest

import "github.com/aposproxy/aposproxy/adapters"

// productSorts are the Products fixture's sorts: strings ignoring case,
// empty values first ascending and last descending, ties by key.
var productSorts = []Case{
	{Name: "title ascending, ignoring case", Query: adapters.Query{Sort: []adapters.Sort{{Field: "title"}}},
		Want: []string{"stool6", "sofa4", "table2", "chair1", "rug5"}},
	{Name: "title descending", Query: adapters.Query{Sort: []adapters.Sort{{Field: "title", Desc: true}}},
		Want: []string{"rug5", "chair1", "table2", "sofa4", "stool6"}},
	{Name: "price ascending, ties by key", Query: adapters.Query{Sort: []adapters.Sort{{Field: "price"}}},
		Want: []string{"chair1", "rug5", "sofa4", "stool6", "table2"}},
	{Name: "price descending, ties by key", Query: adapters.Query{Sort: []adapters.Sort{{Field: "price", Desc: true}}},
		Want: []string{"table2", "sofa4", "stool6", "rug5", "chair1"}},
	{Name: "color ascending, empty first", Query: adapters.Query{Sort: []adapters.Sort{{Field: "color"}}},
		Want: []string{"rug5", "stool6", "sofa4", "table2", "chair1"}},
	{Name: "color descending, empty last", Query: adapters.Query{Sort: []adapters.Sort{{Field: "color", Desc: true}}},
		Want: []string{"chair1", "table2", "sofa4", "stool6", "rug5"}},
	{Name: "two keys", Query: adapters.Query{Sort: []adapters.Sort{{Field: "inStock"}, {Field: "price", Desc: true}}},
		Want: []string{"table2", "rug5", "sofa4", "stool6", "chair1"}},
	{Name: "ids override the sort", Query: adapters.Query{IDs: []string{"table2", "chair1"}, Sort: []adapters.Sort{{Field: "title"}}},
		Want: []string{"table2", "chair1"}},
	{Name: "paged, first", Query: adapters.Query{Page: 1, PerPage: 2, Sort: []adapters.Sort{{Field: "title"}}},
		Want: []string{"stool6", "sofa4"}, Total: 5},
	{Name: "paged, second", Query: adapters.Query{Page: 2, PerPage: 2, Sort: []adapters.Sort{{Field: "title"}}},
		Want: []string{"table2", "chair1"}, Total: 5},
	{Name: "paged, last", Query: adapters.Query{Page: 3, PerPage: 2, Sort: []adapters.Sort{{Field: "title"}}},
		Want: []string{"rug5"}, Total: 5},
	{Name: "paged, past the end", Query: adapters.Query{Page: 4, PerPage: 2, Sort: []adapters.Sort{{Field: "title"}}},
		Want: []string{}, Total: 5},
}

// filter is a Query of one filter.
func filter(field string, op adapters.Op, values ...any) adapters.Query {
	return adapters.Query{Filters: []adapters.Filter{{Field: field, Op: op, Values: values}}}
}

// productFilters are the Products fixture's filters: the operators of
// docs/api-rules.md#23, with LIKE's wildcards and escape character taken literally.
var productFilters = []Case{
	{Name: "contains, ignoring case", Query: filter("title", adapters.OpContains, "TABLE"), Want: []string{"table2"}},
	{Name: "contains several", Query: filter("title", adapters.OpContains, "o"), Want: []string{"rug5", "sofa4", "stool6", "table2"}},
	{Name: "contains _ literally", Query: filter("title", adapters.OpContains, "_"), Want: []string{"rug5"}},
	{Name: "contains % literally", Query: filter("title", adapters.OpContains, "%"), Want: []string{"rug5"}},
	{Name: "contains the escape character", Query: filter("title", adapters.OpContains, "!"), Want: []string{}},
	{Name: "in", Query: filter("color", adapters.OpIn, "red", "blue"), Want: []string{"chair1", "sofa4"}},
	{Name: "in three", Query: filter("color", adapters.OpIn, "red", "blue", "black"), Want: []string{"chair1", "sofa4", "stool6"}},
	{Name: "in nothing", Query: adapters.Query{Filters: []adapters.Filter{{Field: "color", Op: adapters.OpIn, Values: []any{}}}}, Want: []string{}},
	{Name: "range", Query: filter("price", adapters.OpRange, int64(1500), int64(4000)), Want: []string{"rug5", "sofa4", "stool6"}},
	{Name: "range open below", Query: filter("price", adapters.OpRange, nil, int64(1500)), Want: []string{"chair1", "rug5"}},
	{Name: "range open above", Query: filter("price", adapters.OpRange, int64(4001), nil), Want: []string{"table2"}},
	{Name: "range of datetimes", Query: filter("createdAt", adapters.OpRange, at("2024-02-10 08:00:00"), at("2024-05-20 16:45:00")),
		Want: []string{"sofa4", "table2"}},
	{Name: "equal integer", Query: filter("price", adapters.OpEqual, int64(4000)), Want: []string{"sofa4", "stool6"}},
	{Name: "equal false", Query: filter("inStock", adapters.OpEqual, false), Want: []string{"rug5", "table2"}},
	{Name: "equal true", Query: filter("inStock", adapters.OpEqual, true), Want: []string{"chair1", "sofa4", "stool6"}},
	{Name: "equal empty", Query: filter("color", adapters.OpEqual, nil), Want: []string{"rug5"}},
	{Name: "equal in drafts", Query: adapters.Query{Scope: EnDraft, Filters: filter("color", adapters.OpEqual, "green").Filters},
		Want: []string{"lamp3", "table2"}},
	{Name: "combined with search", Query: adapters.Query{Search: "o", Filters: []adapters.Filter{
		{Field: "inStock", Op: adapters.OpEqual, Values: []any{true}},
		{Field: "price", Op: adapters.OpRange, Values: []any{int64(0), int64(4000)}},
	}}, Want: []string{"sofa4", "stool6"}},
	{Name: "paged", Query: adapters.Query{Page: 2, PerPage: 2, Filters: filter("title", adapters.OpContains, "o").Filters},
		Want: []string{"stool6", "table2"}, Total: 4},
}

// productDistinct are the Products fixture's distinct values.
var productDistinct = []DistinctCase{
	{Name: "select", Field: "color",
		Want: []adapters.Counted{{Value: "black", Count: 1}, {Value: "blue", Count: 1}, {Value: "green", Count: 1}, {Value: "red", Count: 1}}},
	{Name: "own filter ignored", Field: "color", Query: adapters.Query{Filters: []adapters.Filter{
		{Field: "color", Op: adapters.OpIn, Values: []any{"red"}},
		{Field: "inStock", Op: adapters.OpEqual, Values: []any{true}},
	}}, Want: []adapters.Counted{{Value: "black", Count: 1}, {Value: "blue", Count: 1}, {Value: "red", Count: 1}}},
	{Name: "integer", Field: "price",
		Want: []adapters.Counted{{Value: int64(1200), Count: 1}, {Value: int64(1500), Count: 1}, {Value: int64(4000), Count: 2}, {Value: int64(25000), Count: 1}}},
	{Name: "boolean", Field: "inStock", Query: filter("color", adapters.OpIn, "red"),
		Want: []adapters.Counted{{Value: true, Count: 1}}},
	{Name: "boolean both", Field: "inStock", Query: adapters.Query{Scope: EnDraft},
		Want: []adapters.Counted{{Value: false, Count: 2}, {Value: true, Count: 4}}},
	{Name: "search and ids", Field: "color", Query: adapters.Query{Search: "o", IDs: []string{"sofa4", "stool6", "chair1"}},
		Want: []adapters.Counted{{Value: "black", Count: 1}, {Value: "blue", Count: 1}}},
}
