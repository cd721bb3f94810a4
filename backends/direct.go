package backends

import (
	"context"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/backends/upstream"
	"github.com/aposproxy/aposproxy/config"
)

// Database returns the pool of cfg's [databases.<name>], for the login
// machinery and the routes a configuration declares, which share it with
// the types. A database no type uses is opened now and closed with the
// set, like the others; each is opened only once.
func (s *Set) Database(ctx context.Context, cfg *config.Config, name string) (*sqldb.DB, error) {
	return s.database(ctx, cfg, name)
}

// Upstream returns the client of cfg's [upstreams.<name>], shared with the
// types on that service, for the routes a configuration declares.
func (s *Set) Upstream(cfg *config.Config, name string) (*upstream.Client, error) {
	return s.client(cfg, name)
}
