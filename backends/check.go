package backends

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqlbackend"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/backends/upstream"
	"github.com/aposproxy/aposproxy/config"
)

// Check is `aposproxy validate -live`: it opens what cfg's types use and
// checks each type against its live backend as Open and Verify do, but
// goes on past every failure, so that one run reports every mistake: a
// database that cannot be opened (once, not once per type), a table or
// column that is missing, an upstream mapping that does not fit, and,
// unlike a start, a service that does not answer. Each error starts with
// its key path ("types.product: ..."). What it opened is closed again;
// like a start, it creates the tables of store types that are missing.
func Check(ctx context.Context, cfg *config.Config) []error {
	s := &Set{databases: map[string]*sqldb.DB{}, clients: map[string]*upstream.Client{}}
	defer s.Close()
	down := map[string]bool{} // databases and upstreams that failed to open
	var errs []error
	for _, name := range cfg.TypeOrder {
		if err := s.checkType(ctx, cfg, name, down); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// checkType checks one type; an error opening its database or upstream is
// reported only the first time.
func (s *Set) checkType(ctx context.Context, cfg *config.Config, name string, down map[string]bool) error {
	t := cfg.Types[name]
	prefix := func(err error) error {
		if strings.HasPrefix(err.Error(), "types."+name) {
			return err
		}
		return fmt.Errorf("types.%s: %w", name, err)
	}
	if t.Database != "" {
		if down["databases."+t.Database] {
			return nil
		}
		db, err := s.database(ctx, cfg, t.Database)
		if err != nil {
			down["databases."+t.Database] = true
			return err
		}
		if _, err := sqlbackend.New(db, t, sqlbackend.Options{DefaultLocale: cfg.Locales.Default}); err != nil {
			return prefix(err)
		}
		return nil
	}
	if down["upstreams."+t.Upstream] {
		return nil
	}
	c, err := s.client(cfg, t.Upstream)
	if err != nil {
		down["upstreams."+t.Upstream] = true
		return err
	}
	a, err := upstream.New(c, t, upstream.Options{DefaultLocale: cfg.Locales.Default})
	if err != nil {
		return prefix(err)
	}
	if err := a.Probe(ctx); err != nil {
		var m *upstream.MappingError
		if errors.As(err, &m) {
			return err
		}
		return prefix(fmt.Errorf("the service did not answer: %w", err))
	}
	return nil
}
