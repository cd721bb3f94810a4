// Package backends builds the adapter of every configured type: it opens
// each named database and upstream once, builds the types on them, and
// checks them against the live backends. The set owns the pools: the
// login machinery and the declared routes get theirs from it (Database).
package backends

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/backends/sqlbackend"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/backends/upstream"
	"github.com/aposproxy/aposproxy/config"
)

// Set is the open backends of one configuration.
type Set struct {
	// Adapters holds one adapter per configured type name.
	Adapters  map[string]adapters.Adapter
	databases map[string]*sqldb.DB
	clients   map[string]*upstream.Client
	sql       []*sqlbackend.Adapter // in file order, for Verify
	upstream  []*upstream.Adapter   // in file order, for Verify
}

// Open opens what cfg's types use and builds their adapters. Databases
// and upstreams that no type uses are not opened. On error everything
// opened so far is closed.
func Open(ctx context.Context, cfg *config.Config) (_ *Set, err error) {
	s := &Set{
		Adapters:  map[string]adapters.Adapter{},
		databases: map[string]*sqldb.DB{},
		clients:   map[string]*upstream.Client{},
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	for _, name := range cfg.TypeOrder {
		t := cfg.Types[name]
		switch {
		case t.Database != "":
			db, err := s.database(ctx, cfg, t.Database)
			if err != nil {
				return nil, err
			}
			a, err := sqlbackend.New(db, t, sqlbackend.Options{DefaultLocale: cfg.Locales.Default})
			if err != nil {
				return nil, fmt.Errorf("types.%s: %w", name, err)
			}
			s.sql = append(s.sql, a)
			s.Adapters[name] = a
		case t.Upstream != "":
			c, err := s.client(cfg, t.Upstream)
			if err != nil {
				return nil, err
			}
			a, err := upstream.New(c, t, upstream.Options{DefaultLocale: cfg.Locales.Default})
			if err != nil {
				return nil, err // its errors already name the key path
			}
			s.upstream = append(s.upstream, a)
			s.Adapters[name] = a
		default:
			return nil, fmt.Errorf("types.%s: needs a database or an upstream", name)
		}
	}
	return s, nil
}

// database returns the pool of [databases.<name>], opening it the first
// time, with the request timeout that bounds its connections on
// PostgreSQL (sqldb.Open).
func (s *Set) database(ctx context.Context, cfg *config.Config, name string) (*sqldb.DB, error) {
	return openOnce(s.databases, "databases", name, func() (*sqldb.DB, error) {
		dc := cfg.Databases[name]
		dc.RequestTimeout = cfg.Server.RequestTimeout.Duration
		return sqldb.Open(ctx, dc)
	})
}

// client returns the client of [upstreams.<name>], making it the first
// time.
func (s *Set) client(cfg *config.Config, name string) (*upstream.Client, error) {
	return openOnce(s.clients, "upstreams", name, func() (*upstream.Client, error) {
		return upstream.NewClient(name, cfg.Upstreams[name])
	})
}

// openOnce returns opened[name], opening it the first time; an error
// names the key path section.name.
func openOnce[T any](opened map[string]T, section, name string, open func() (T, error)) (T, error) {
	if v, ok := opened[name]; ok {
		return v, nil
	}
	v, err := open()
	if err != nil {
		var none T
		return none, fmt.Errorf("%s.%s: %w", section, name, err)
	}
	opened[name] = v
	return v, nil
}

// Verify checks every SQL type's table and columns against the live
// database, and lists one item of every upstream type to check its
// mapping, and reports every mismatch. A service that does not answer is
// only logged: a service that is down must not stop the rest of the API.
func (s *Set) Verify(ctx context.Context) error {
	errs := []error{s.VerifyDatabases(ctx)}
	for _, p := range s.ProbeUpstreams(ctx) {
		var m *upstream.MappingError
		switch {
		case errors.As(p.Err, &m):
			errs = append(errs, p.Err)
		case p.Err != nil:
			slog.Warn("upstream type not checked at start: its service did not answer", "type", p.Type, "err", p.Err)
		}
	}
	return errors.Join(errs...)
}

// VerifyDatabases checks every SQL type's table and columns against the
// live database and reports every mismatch.
func (s *Set) VerifyDatabases(ctx context.Context) error {
	var errs []error
	for _, a := range s.sql {
		if err := a.Verify(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Probe is the outcome of checking one upstream type against its live
// service.
type Probe struct {
	Type string
	// Err is nil when the mapping fits, an *upstream.MappingError naming
	// the key when it cannot work, or the failure of a service that did
	// not answer.
	Err error
}

// ProbeUpstreams lists one item of every upstream type, in file order, and
// checks it against the type's mapping (upstream.Adapter.Probe).
func (s *Set) ProbeUpstreams(ctx context.Context) []Probe {
	out := make([]Probe, len(s.upstream))
	for i, a := range s.upstream {
		out[i] = Probe{Type: a.Schema().Type, Err: a.Probe(ctx)}
	}
	return out
}

// Close closes every database and client.
func (s *Set) Close() {
	for _, db := range s.databases {
		_ = db.Close()
	}
	for _, c := range s.clients {
		c.Close()
	}
}
