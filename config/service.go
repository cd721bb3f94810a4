package config

import (
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

// Service maps a type onto the routes of a legacy HTTP service: the table
// [types.<name>.service] of a type that names an upstream. The item itself
// is described by the type's usual keys, read as paths into the service's
// JSON items: `key` is the item's id field, `locale.column` and
// `mode.column` its language and state fields (their `values` translate the
// service's values, e.g. live = "published"), and each field's `column` is
// a dotted path such as "warehouse.code". Load checks this table with the
// rest of the file (validate_upstream.go); the upstream adapter only
// builds calls from it.
type Service struct {
	// List, Get, Create, Replace and Delete are the service's routes for
	// Apostrophe's operations; Publish (optional) makes a draft the
	// published variant, and Unpublish (optional) removes the published
	// variant (without it, unpublishing deletes it). Each is a method, a
	// path template and, for publish and unpublish, a body template.
	List      ServiceOperation `toml:"list"`
	Get       ServiceOperation `toml:"get"`
	Create    ServiceOperation `toml:"create"`
	Replace   ServiceOperation `toml:"replace"`
	Delete    ServiceOperation `toml:"delete"`
	Publish   ServiceOperation `toml:"publish"`
	Unpublish ServiceOperation `toml:"unpublish"`
	// Group, when set, is the path of the field that ties the variants of
	// one document when each locale and mode variant is a record of its
	// own, with a key of its own (json-server and most REST services): the
	// group's value is the aposDocId, and the type's key is the record's
	// own id, the {key} of the routes. A variant is found by listing with
	// <group>=<aposDocId> and the locale and mode of the list route. Empty:
	// the service keeps one key for every variant of a document and tells
	// variants apart by the {locale} and {mode} of its routes.
	Group string `toml:"group"`
	// Paging says how a list asks for one page.
	Paging ServicePaging `toml:"paging"`
	// Sort says how a list asks for an order; nil: the service lists in
	// its own order and sorting answers 400.
	Sort *ServiceSort `toml:"sort"`
	// Search says how a list searches; empty means the service cannot
	// search, and a search answers 400 invalid.
	Search ServiceSearch `toml:"search"`
	// Filters maps API field names to how the service filters by them:
	// a query parameter's name (the service decides how it matches, one
	// value), or parameter templates per operator.
	Filters map[string]ServiceFilter `toml:"filters"`
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
	// Method defaults to GET for list and get, POST for create, publish
	// and unpublish, PUT for replace and DELETE for delete; Load
	// upper-cases it.
	Method string `toml:"method"`
	Path   string `toml:"path"`
	// Body is the JSON body of publish and unpublish, such as
	// {"status":"published"}; placeholders such as {key} may stand inside
	// its strings. Empty: no body.
	Body string `toml:"body"`
}

// ServicePaging names the paging query parameters: Offset and Limit (e.g.
// start/count), Page and Size (1-based page number and page size), or
// Start and End (0-based, end excluded, as json-server's _start/_end).
type ServicePaging struct {
	Offset string `toml:"offset"`
	Limit  string `toml:"limit"`
	Page   string `toml:"page"`
	Size   string `toml:"size"`
	Start  string `toml:"start"`
	End    string `toml:"end"`
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
	// TotalHeader, instead of Total, names the answer header that holds
	// the total count of a list, such as X-Total-Count.
	TotalHeader string `toml:"total_header"`
	Item        string `toml:"item"` // the item of get, create, replace and publish
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

// serviceOp is one operation of a service, as defaults and checks see it.
type serviceOp struct {
	key    string // its key in the service table
	op     *ServiceOperation
	method string // its default method
	one    bool   // it addresses one item, so its path needs {key}
}

// operations lists the service's operations in the order of the table.
func (s *Service) operations() []serviceOp {
	return []serviceOp{
		{"list", &s.List, "GET", false},
		{"get", &s.Get, "GET", true},
		{"create", &s.Create, "POST", false},
		{"replace", &s.Replace, "PUT", true},
		{"delete", &s.Delete, "DELETE", true},
		{"publish", &s.Publish, "POST", true},
		{"unpublish", &s.Unpublish, "POST", true},
	}
}

// setDefaults gives each operation with a path its method, upper-cased,
// and sets the concurrency.
func (s *Service) setDefaults() {
	for _, o := range s.operations() {
		if o.op.Path != "" {
			setZero(&o.op.Method, o.method)
		}
		o.op.Method = strings.ToUpper(o.op.Method)
	}
	setZero(&s.Concurrency, defaultConcurrency)
}

// ServesAllLocales reports whether the service of an upstream type holds
// every locale: its items have a locale field, or its list or get route
// takes {locale}. When it does not, it holds the default locale only, and
// other locales are empty.
func (t *Type) ServesAllLocales() bool {
	if t.Service == nil || t.Localized == nil || !*t.Localized {
		return false
	}
	return t.Locale.Column != "" || usesVar(t.Service.List.Template(), VarLocale) || usesVar(t.Service.Get.Template(), VarLocale)
}

// serviceErrors are the Apostrophe errors a service's error answer may be
// mapped to.
var serviceErrors = []*apos.Error{apos.ErrInvalid, apos.ErrForbidden, apos.ErrNotFound, apos.ErrConflict, apos.ErrBadGateway, apos.ErrUnavailable}

// serviceError returns the error of serviceErrors named name, or nil.
func serviceError(name string) *apos.Error {
	for _, e := range serviceErrors {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// errorStatus reads a key of Statuses: an error status, 400 to 599.
func errorStatus(key string) (int, bool) {
	n, err := strconv.Atoi(key)
	return n, err == nil && n >= 400 && n <= 599
}

// CodeErrors gives the Apostrophe error each error code of Codes becomes.
func (e *ServiceErrors) CodeErrors() map[string]*apos.Error {
	m := make(map[string]*apos.Error, len(e.Codes))
	for code, name := range e.Codes {
		if err := serviceError(name); err != nil {
			m[code] = err
		}
	}
	return m
}

// StatusErrors gives the Apostrophe error each status of Statuses becomes.
func (e *ServiceErrors) StatusErrors() map[int]*apos.Error {
	m := make(map[int]*apos.Error, len(e.Statuses))
	for key, name := range e.Statuses {
		if status, ok := errorStatus(key); ok && serviceError(name) != nil {
			m[status] = serviceError(name)
		}
	}
	return m
}
