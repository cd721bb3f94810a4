package app

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/backends"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
)

// CheckLive checks cfg against its live backends for
// `aposproxy validate -live`, reporting every mistake rather than the
// first: each type against its table or service (backends.Check, where a
// service that does not answer is a mistake too) and each users table of
// [auth] against its columns. Every error starts with its key path.
func CheckLive(ctx context.Context, cfg *config.Config) []error {
	errs := backends.Check(ctx, cfg)
	dbs := map[string]*sqldb.DB{}
	defer func() {
		for _, db := range dbs {
			_ = db.Close()
		}
	}()
	for i, t := range cfg.Auth.Tables {
		db, ok := dbs[t.Database]
		if !ok {
			var err error
			if db, err = sqldb.Open(ctx, cfg.Databases[t.Database]); err != nil {
				errs = append(errs, fmt.Errorf("auth.tables[%d]: databases.%s: %w", i, t.Database, err))
				continue
			}
			dbs[t.Database] = db
		}
		errs = append(errs, checkUsersTable(ctx, db, t, fmt.Sprintf("auth.tables[%d]", i))...)
	}
	return errs
}

// checkUsersTable checks that a users table has every column t names,
// each missing one reported at its key (path is the table's key path). It
// reads the table's columns rather than selecting them, because SQLite
// takes a double-quoted name that is no column for a string.
func checkUsersTable(ctx context.Context, db *sqldb.DB, t config.UserTable, path string) []error {
	rows, err := db.QueryContext(ctx, "SELECT * FROM "+db.QuoteName(t.Table)+" WHERE 1 = 0")
	if err != nil {
		return []error{fmt.Errorf("%s.table: table %q cannot be read: %w", path, t.Table, db.Fail(ctx, err, nil))}
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return []error{fmt.Errorf("%s.table: %w", path, err)}
	}
	have := map[string]bool{}
	for _, n := range names {
		have[strings.ToLower(n)] = true
	}
	keys := map[string]string{"id": t.ID, "password": t.Password, "title": t.Title, "email": t.Email,
		"role.column": t.Role.Column, "active": t.Active}
	for i, c := range t.Login {
		keys[fmt.Sprintf("login[%d]", i)] = c
	}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if c := keys[k]; c != "" && !have[strings.ToLower(c)] {
			errs = append(errs, fmt.Errorf("%s.%s: table %q has no column %q", path, k, t.Table, c))
		}
	}
	return errs
}
