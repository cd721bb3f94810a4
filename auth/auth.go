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

	"github.com/aposproxy/aposproxy/auth/internal/sqldb"
	"github.com/aposproxy/aposproxy/auth/store"
	"github.com/aposproxy/aposproxy/auth/users"
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
	dbs     []*sqldb.DB
	cookies cookieNames
}

// New opens the store and the users tables of cfg's [auth]. Close
// releases them.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (_ *Auth, err error) {
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
	opened := map[string]*sqldb.DB{}
	open := func(key string, db config.Database) (*sqldb.DB, error) {
		if d, ok := opened[key]; ok {
			return d, nil
		}
		d, err := sqldb.Open(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		opened[key] = d
		a.dbs = append(a.dbs, d)
		return d, nil
	}
	sources := []users.Source{users.NewListed(cfg.Auth.Users, cfg.Auth.CaseInsensitive)}
	for i, t := range cfg.Auth.Tables {
		db, err := open("databases."+t.Database, cfg.Databases[t.Database])
		if err != nil {
			return nil, fmt.Errorf("auth.tables[%d]: %w", i, err)
		}
		sources = append(sources, users.NewTable(db, t, cfg.Auth.CaseInsensitive))
	}
	if a.users, err = users.NewDirectory(sources...); err != nil {
		return nil, err
	}
	if a.store, err = openStore(ctx, cfg, open); err != nil {
		return nil, fmt.Errorf("auth.store: %w", err)
	}
	return a, nil
}

// openStore opens the store that auth.store chooses.
func openStore(ctx context.Context, cfg *config.Config, open func(string, config.Database) (*sqldb.DB, error)) (store.Store, error) {
	s := cfg.Auth.Store
	if s.Kind == "redis" {
		return store.NewRedis(ctx, s.RedisURL, s.Prefix)
	}
	key, db := "file "+s.File, config.Database{Driver: "sqlite", DSN: "file:" + s.File}
	if s.Database != "" {
		key, db = "databases."+s.Database, cfg.Databases[s.Database]
	}
	d, err := open(key, db)
	if err != nil {
		return nil, err
	}
	return store.NewSQL(ctx, d, s.Prefix)
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

// Close closes the store and the databases New opened.
func (a *Auth) Close() {
	if a.store != nil {
		_ = a.store.Close()
	}
	for _, db := range a.dbs {
		_ = db.Close()
	}
}
