package config

// Service maps a type onto the routes of a legacy HTTP service: the table
// [types.<name>.service] of a type that names an upstream. The item itself
// is described by the type's usual keys, read as paths into the service's
// JSON items: `key` is the item's id field, `locale.column` and
// `mode.column` its language and state fields (their `values` translate the
// service's values, e.g. live = "published"), and each field's `column` is
// a dotted path such as "warehouse.code". The upstream adapter validates
// this table when it builds the type, naming the key path of any mistake.
type Service struct {
	// List, Get, Create, Replace and Delete are the service's routes for
	// Apostrophe's operations; Publish (optional) copies a draft over the
	// published variant. Each is a method and a path template.
	List    ServiceOperation `toml:"list"`
	Get     ServiceOperation `toml:"get"`
	Create  ServiceOperation `toml:"create"`
	Replace ServiceOperation `toml:"replace"`
	Delete  ServiceOperation `toml:"delete"`
	Publish ServiceOperation `toml:"publish"`
	// Paging says how a list asks for one page.
	Paging ServicePaging `toml:"paging"`
	// Search is the query parameter of the service's text search (e.g.
	// "q"); empty means the service cannot search, and a search answers
	// 400 invalid.
	Search string `toml:"search"`
	// Filters maps API field names to the service's query parameters that
	// filter by that field, e.g. { warehouse = "warehouse" }. The service
	// decides how a parameter matches; filters on other fields answer 400.
	Filters map[string]string `toml:"filters"`
	// Response locates things in the service's successful answers.
	Response ServiceResponse `toml:"response"`
	// Errors says how to read and translate the service's error answers.
	Errors ServiceErrors `toml:"errors"`
	// Concurrency caps the calls one request makes at once (a list of _ids
	// is one call per id; a page larger than Paging.Max is several calls).
	// Default 8.
	Concurrency int `toml:"concurrency"`
}

// ServiceOperation is one route of the service. Path is a template such as
// "/v2/items/{key}?language={locale}&state={mode}": {key} is the item's id,
// {locale} and {mode} the request's locale and mode translated through the
// type's value maps; each value is escaped for its place in the URL.
type ServiceOperation struct {
	// Method defaults to GET for list and get, POST for create and
	// publish, PUT for replace and DELETE for delete.
	Method string `toml:"method"`
	Path   string `toml:"path"`
}

// ServicePaging names the paging query parameters: either Offset and Limit
// (e.g. start/count) or Page and Size (1-based page number and page size).
type ServicePaging struct {
	Offset string `toml:"offset"`
	Limit  string `toml:"limit"`
	Page   string `toml:"page"`
	Size   string `toml:"size"`
	// Max is the largest page the service serves (0: no limit). A larger
	// perPage is fetched in several calls, so clients can still ask for up
	// to the type's max_per_page.
	Max int `toml:"max"`
}

// ServiceResponse holds gjson paths (e.g. "data.items"; "@this" is the whole
// body) into the service's successful answers.
type ServiceResponse struct {
	Items string `toml:"items"` // the array of items of a list
	Total string `toml:"total"` // the total count of a list
	Item  string `toml:"item"`  // the item of get, create, replace and publish
}

// ServiceErrors reads the service's error answers. By default the status
// decides: 400 and 422 are invalid, 404 notfound, 409 conflict, 429
// unavailable; any other status means the service failed (502 to clients,
// since the client can do nothing about it, e.g. a 401 on the proxy's own
// token).
type ServiceErrors struct {
	// Code, Message and Fields are gjson paths to the error's code, its
	// message and its field errors (an object of service field paths to
	// reasons such as "required").
	Code    string `toml:"code"`
	Message string `toml:"message"`
	Fields  string `toml:"fields"`
	// Codes maps error codes to Apostrophe's error names (invalid,
	// forbidden, notfound, conflict, badgateway, unavailable); they win
	// over Statuses, which map status codes written as strings ("409").
	Codes    map[string]string `toml:"codes"`
	Statuses map[string]string `toml:"statuses"`
	// Stale is the error code of a replace refused because the revision
	// it carried is stale; the adapter then reads and merges again, once.
	// Empty: any 409 answer to a replace is stale.
	Stale string `toml:"stale"`
	// ExposeMessages passes the service's error messages and field reasons
	// on to clients. Off by default: service text may name internal things.
	ExposeMessages bool `toml:"expose_messages"`
}
