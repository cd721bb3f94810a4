// Package auth logs users in: Apostrophe's login routes under
// /api/v1/@apostrophecms/login, bearer tokens, cookie sessions with their
// CSRF check, and the throttling of failed logins. Users come from the
// configuration and from legacy users tables (auth/users); tokens,
// sessions and counters live in a store several instances can share
// (auth/store).
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/aposproxy/aposproxy/auth/store"
	"github.com/aposproxy/aposproxy/auth/users"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
)

// Auth is the login machinery of one configuration. Its Authenticate
// recognises bearer tokens and sessions for the front end; Routes are its
// login routes.
type Auth struct {
	cfg     config.Auth
	prefix  string // the API prefix, such as /api/v1
	log     *slog.Logger
	store   store.Store
	users   *users.Directory
	timeout time.Duration // deadline of the store and user lookups of one request
	file    *sqldb.DB     // the store's own SQLite file, when New opened one
	cookies cookieNames
}

// Databases gives the pools of the configured databases; backends.Set is
// one. Auth uses them and leaves them open: their owner closes them.
type Databases interface {
	Database(ctx context.Context, cfg *config.Config, name string) (*sqldb.DB, error)
}

// New opens the store of cfg's [auth] and prepares its users tables, on
// the pools of dbs. Close releases what New opened.
func New(ctx context.Context, cfg *config.Config, dbs Databases, log *slog.Logger) (_ *Auth, err error) {
	a := &Auth{cfg: cfg.Auth, prefix: cfg.Server.Prefix, log: log, timeout: cfg.Server.RequestTimeout.Duration,
		cookies: newCookieNames(cfg.Auth.CookieName)}
	if a.log == nil {
		a.log = slog.Default()
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	sources := []users.Source{users.NewListed(cfg.Auth.Users, cfg.Auth.CaseInsensitive)}
	for i, t := range cfg.Auth.Tables {
		db, err := dbs.Database(ctx, cfg, t.Database)
		if err != nil {
			return nil, fmt.Errorf("auth.tables[%d]: %w", i, err)
		}
		sources = append(sources, users.NewTable(db, t, cfg.Auth.CaseInsensitive))
	}
	if a.users, err = users.NewDirectory(sources...); err != nil {
		return nil, err
	}
	if a.store, err = a.openStore(ctx, cfg, dbs); err != nil {
		return nil, fmt.Errorf("auth.store: %w", err)
	}
	return a, nil
}

// openStore opens the store that auth.store chooses: Redis, the tables of
// a configured database, or a SQLite file of its own, which a keeps to
// close.
func (a *Auth) openStore(ctx context.Context, cfg *config.Config, dbs Databases) (store.Store, error) {
	s := cfg.Auth.Store
	if s.Kind == "redis" {
		return store.NewRedis(ctx, s.RedisURL, s.Prefix)
	}
	if s.Database != "" {
		db, err := dbs.Database(ctx, cfg, s.Database)
		if err != nil {
			return nil, err
		}
		return store.NewSQL(ctx, db, s.Prefix)
	}
	open := func() (*sqldb.DB, error) { return sqldb.OpenFile(ctx, s.File) }
	if len(cfg.Auth.Users) == 0 && len(cfg.Auth.Tables) == 0 {
		// Nobody can log in: no token or session will ever be stored, so
		// no file is needed (docs/config.md#read-only).
		open = func() (*sqldb.DB, error) {
			return sqldb.Open(ctx, config.Database{Driver: "sqlite", DSN: "file:aposproxy-auth?mode=memory", MaxOpen: 1})
		}
	}
	db, err := open()
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", s.File, err)
	}
	a.file = db
	return store.NewSQL(ctx, db, s.Prefix)
}

// Verify checks that every users table answers with the configured
// columns, so that a mapping mistake stops the start rather than every
// login.
func (a *Auth) Verify(ctx context.Context) error {
	var errs []error
	for i, t := range a.cfg.Tables {
		if _, err := a.users.Get(ctx, t.Database+"."+t.Table, "0"); err != nil {
			errs = append(errs, fmt.Errorf("auth.tables[%d]: %s: %w", i, t.Table, err))
		}
	}
	return errors.Join(errs...)
}

// Redis returns the store's Redis client when auth.store is Redis, and
// nil otherwise, so that other caches several instances must share (the
// oEmbed answers) use the same server. The client lives until Close.
func (a *Auth) Redis() *redis.Client {
	if r, ok := a.store.(*store.Redis); ok {
		return r.Client()
	}
	return nil
}

// Close closes the store, and its SQLite file if New opened one; the
// configured databases stay open for their owner.
func (a *Auth) Close() {
	if a.store != nil {
		_ = a.store.Close()
	}
	if a.file != nil {
		_ = a.file.Close()
	}
}
