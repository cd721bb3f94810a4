// Package upstream serves a document type from a legacy JSON service over
// HTTP, mapped by the type's [types.<name>.service] table (config.Service):
// each Apostrophe operation becomes a call to one of the service's routes,
// service items become records with gjson, written values go into service
// bodies with sjson, and the service's errors become Apostrophe's.
//
// The service's limits become documented behaviour rather than surprises:
//   - A page larger than the service's largest is fetched in several calls,
//     at most Concurrency at once; _ids are fetched one call per id.
//   - Sorting, filters and search go as far as the type's mapping says
//     (service.sort, service.filters, service.search); anything else is
//     refused with 400 rather than answered wrongly.
//   - Every answer is checked against the document, locale and mode asked
//     for: a service that ignores a parameter never gets one variant served
//     as another (a single read answers 404; a list answers 502).
//   - A PATCH or PUT is a read, a merge into the item as read (keeping the
//     fields the type does not map, such as a revision counter) and a
//     replace; a replace refused as stale is read, merged and sent again
//     once, then answered 409 conflict.
//   - Writes that touch two variants (creating in published mode, deleting
//     a draft, publishing by copy) are several calls: the service has no
//     transactions. A failed second create deletes the first; deletes
//     remove the published variant first, so a failure never leaves a
//     published document without its draft.

package upstream

import (
	"context"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// Options carries what config.Type alone does not say.
type Options struct {
	// DefaultLocale is the configured default locale.
	DefaultLocale string
}

// Adapter serves one type from a service. It implements adapters.Adapter
// and adapters.Pinger.
type Adapter struct {
	c      *Client
	schema *apos.Schema
	fields []field // in schema order
	// byPath names the API field of each service path, for field errors.
	byPath map[string]string
	// writableNames lists the fields clients write, which tell whether a
	// draft differs from its published variant.
	writableNames []string

	keyPath string // the item's id, the {key} of the routes
	// groupPath ties the variants of a document that are records of their
	// own (service.group); "" when every variant shares the key.
	groupPath  string
	localePath string // the item's locale, or ""
	modePath   string // the item's mode, or ""
	// paths finds the values of an item at the key, the locale and mode
	// it is checked against, and every field, in one pass; the slots of
	// the first three (-1 when not checked).
	paths                        itemPaths
	idSlot, localeSlot, modeSlot int
	columns                      bool // each mode is its own variant
	// allLocales is false when the service holds the default locale only.
	allLocales    bool
	defaultLocale string
	locales       map[string]string    // API locale -> service value
	modes         map[apos.Mode]string // API mode -> service value

	list, get, create, replace, remove route
	publish, unpublish                 *route // nil: the service has no such route

	paging      config.ServicePaging
	sort        *config.ServiceSort
	sortPaths   map[string]string // API field -> service path, of sortable fields
	search      config.ServiceSearch
	filters     map[string]filter // API field -> how the service filters by it
	items       string            // gjson paths into answers
	total       string
	totalHeader string
	item        string
	errs        errorMap

	concurrency int
}

var (
	_ adapters.Adapter = (*Adapter)(nil)
	_ adapters.Pinger  = (*Adapter)(nil)
)

// New builds the adapter of one type on a client; t comes from config.Load
// or config.Parse, which checked its service mapping (naming the file,
// line and key path of every mistake) and set its defaults. New refuses a
// type without a service table, and a localized one without
// opts.DefaultLocale.
func New(c *Client, t *config.Type, opts Options) (*Adapter, error) {
	return build(c, t, opts)
}

// Schema describes the type.
func (a *Adapter) Schema() *apos.Schema { return a.schema }

// Ping lists one item in the default locale's published mode: a cheap
// call that proves the service answers, and answers as configured.
func (a *Adapter) Ping(ctx context.Context) error {
	_, err := a.List(ctx, &adapters.Query{
		Scope:     apos.Scope{Locale: a.defaultLocale, Mode: apos.Published},
		Page:      1,
		PerPage:   1,
		CountOnly: true,
	})
	return err
}
