// Package backends builds the adapter of every configured type: it opens
// each named database and upstream once, builds the types on them, and
// checks them against the live backends. The set owns the pools: the
// login machinery and the declared routes get theirs from it (Database).
package backends

import (
	"context"
	"errors"
	"fmt"

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
			s.Adapters[name] = a
		default:
			return nil, fmt.Errorf("types.%s: needs a database or an upstream", name)
		}
	}
	return s, nil
}

// database returns the pool of [databases.<name>], opening it the first
// time.
func (s *Set) database(ctx context.Context, cfg *config.Config, name string) (*sqldb.DB, error) {
	if db, ok := s.databases[name]; ok {
		return db, nil
	}
	db, err := sqldb.Open(ctx, cfg.Databases[name])
	if err != nil {
		return nil, fmt.Errorf("databases.%s: %w", name, err)
	}
	s.databases[name] = db
	return db, nil
}

func (s *Set) client(cfg *config.Config, name string) (*upstream.Client, error) {
	if c, ok := s.clients[name]; ok {
		return c, nil
	}
	c, err := upstream.NewClient(name, cfg.Upstreams[name])
	if err != nil {
		return nil, fmt.Errorf("upstreams.%s: %w", name, err)
	}
	s.clients[name] = c
	return c, nil
}

// Verify checks every SQL type's table and columns against the live
// database and reports every mismatch. Upstream types are not checked at
// start: a service that is down must not stop the rest of the API.
func (s *Set) Verify(ctx context.Context) error {
	var errs []error
	for _, a := range s.sql {
		if err := a.Verify(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
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
