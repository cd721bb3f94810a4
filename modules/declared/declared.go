// Package declared serves the modules a configuration declares
// ([modules.<name>] in docs/config.md): each becomes a modules.Module whose
// handlers run the route's SQL statements in one transaction, or call its
// upstream service, and shape the answer. Values reach SQL only as bound
// parameters and reach a service only escaped or encoded as JSON.
package declared

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/backends/upstream"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/aposproxy/aposproxy/modules"
)

// Documents renders documents as the type routes do; *proxy.Server is
// one. A route whose result is "document" answers with one.
type Documents interface {
	// Document renders the document rawID of the type typeName as
	// GET <prefix>/<typeName>/<rawID> would for r's caller and query.
	Document(r *endpoint.Request, typeName, rawID string) ([]byte, error)
}

// Modules builds the modules cfg declares, on the set's databases and
// upstreams; docs renders the documents routes answer with. It compiles
// every statement for its engine and checks every parameter a statement,
// call or document uses: each mistake is reported with its key path, such
// as modules.customer.api_routes.post.merge.sql[0], and stops the start.
func Modules(ctx context.Context, cfg *config.Config, set *backends.Set, docs Documents) ([]*modules.Module, error) {
	var mods []*modules.Module
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(cfg.Modules)) {
		b := builder{ctx: ctx, cfg: cfg, set: set, docs: docs, m: cfg.Modules[name]}
		mod, err := b.build()
		errs = append(errs, err)
		mods = append(mods, mod)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return mods, nil
}

// builder builds one module.
type builder struct {
	ctx  context.Context
	cfg  *config.Config
	set  *backends.Set
	docs Documents
	m    *config.Module
	// failed: opening the module's backend failed, and was reported.
	failed bool
}

func (b *builder) build() (*modules.Module, error) {
	path := config.ModulePath(b.m.Name)
	mod := &modules.Module{Name: b.m.Name, APIRoutes: modules.APIRoutes{}, Roles: map[string]apos.Role{}}
	var errs []error
	b.m.EachRoute(func(ref config.RouteRef) {
		h, err := b.route(ref, path+"."+ref.Key)
		if err != nil {
			if err != errReported {
				errs = append(errs, err)
			}
			return
		}
		key := ref.Handler
		if key == "" {
			key = strings.ToLower(ref.Method) + " " + ref.Name
		}
		if ref.Route.Public {
			mod.Roles[key] = apos.Anonymous
		} else if role, ok := apos.ParseRole(ref.Route.Role); ok {
			mod.Roles[key] = role
		}
		setHandler(mod, ref, h)
	})
	return mod, errors.Join(errs...)
}

// setHandler puts h in mod as the REST handler ref names, or else as the
// apiRoute of ref's method and name. A REST route with an _id finds it
// among the request's path parameters (params.go), so its handler leaves
// the id argument aside.
func setHandler(mod *modules.Module, ref config.RouteRef, h modules.Handler) {
	withID := func(req *modules.Request, _ string) (any, error) { return h(req) }
	rest := map[string]*modules.Handler{"getAll": &mod.GetAll, "post": &mod.Post}
	restWithID := map[string]*modules.IDHandler{"getOne": &mod.GetOne, "put": &mod.Put, "patch": &mod.Patch, "delete": &mod.Delete}
	if p := rest[ref.Handler]; p != nil {
		*p = h
		return
	}
	if p := restWithID[ref.Handler]; p != nil {
		*p = withID
		return
	}
	method := strings.ToLower(ref.Method)
	if mod.APIRoutes[method] == nil {
		mod.APIRoutes[method] = map[string]modules.Handler{}
	}
	mod.APIRoutes[method][ref.Name] = h
}

// route builds the handler of one route, whose key path is rp.
func (b *builder) route(ref config.RouteRef, rp string) (modules.Handler, error) {
	r := ref.Route
	sh := shape{result: r.Result, getAll: ref.Handler == "getAll", docs: b.docs}
	if r.Document != nil {
		sh.docType, sh.docID = r.Document.Type, r.Document.ID
	}
	var p *params
	var h modules.Handler
	if len(r.SQL) > 0 {
		db, err := b.database()
		if err != nil {
			return nil, err
		}
		sr, err := newSQLRoute(b.ctx, db, ref, rp, sh)
		if err != nil {
			return nil, err
		}
		p, h = sr.p, sr.handle
	} else {
		c, err := b.upstream()
		if err != nil {
			return nil, err
		}
		cr, err := newCallRoute(c, ref, rp, sh)
		if err != nil {
			return nil, err
		}
		p, h = cr.p, cr.handle
	}
	if r.Document != nil && !p.provides(r.Document.ID) {
		return nil, fmt.Errorf("%s.document.id: %s", rp, p.missing(r.Document.ID))
	}
	return h, nil
}

// database opens the module's database. The set opens each database
// once; a failure is reported once, by the first route.
func (b *builder) database() (*sqldb.DB, error) {
	db, err := b.set.Database(b.ctx, b.cfg, b.m.Database)
	return db, b.once(err, "database")
}

// upstream gets the module's upstream client, like database.
func (b *builder) upstream() (*upstream.Client, error) {
	c, err := b.set.Upstream(b.cfg, b.m.Upstream)
	return c, b.once(err, "upstream")
}

// errReported stands for a failure to open a backend that was reported.
var errReported = errors.New("reported")

// once names err by the module's key (database or upstream) the first
// time, and is errReported afterwards.
func (b *builder) once(err error, key string) error {
	switch {
	case err == nil:
		return nil
	case b.failed:
		return errReported
	}
	b.failed = true
	return fmt.Errorf("%s.%s: %w", config.ModulePath(b.m.Name), key, err)
}
