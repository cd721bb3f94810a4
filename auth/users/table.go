package users

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
)

// Table reads users from a table of an existing database
// ([[auth.tables]]). Identifiers come from the validated configuration;
// values are always bound.
type Table struct {
	name    string
	db      *sqldb.DB
	byLogin []string // one query per login column, tried in order
	byID    string
	roles   map[string]string
	active  bool
	fold    bool
}

// NewTable prepares the queries of t over db; fold compares login names
// without regard to case.
func NewTable(db *sqldb.DB, t config.UserTable, fold bool) *Table {
	q := db.Quote
	opt := func(col string) string {
		if col == "" {
			return "NULL"
		}
		return q(col)
	}
	active := "NULL"
	if t.Active != "" {
		active = q(t.Active)
	}
	// The last column is the one matched, compared again in Go: MySQL's
	// usual collations ignore case.
	sel := "SELECT " + q(t.ID) + ", " + q(t.Login[0]) + ", " + opt(t.Title) + ", " + opt(t.Email) + ", " +
		q(t.Password) + ", " + q(t.Role.Column) + ", " + active + ", "
	from := " FROM " + q(t.Table) + " WHERE "
	tb := &Table{name: t.Database + "." + t.Table, db: db, roles: t.Role.Values, active: t.Active != "", fold: fold}
	for _, col := range t.Login {
		cond := q(col) + " = ?"
		if fold {
			cond = "LOWER(" + q(col) + ") = LOWER(?)"
		}
		tb.byLogin = append(tb.byLogin, db.Rebind(sel+q(col)+from+cond))
	}
	tb.byID = db.Rebind(sel + "NULL" + from + q(t.ID) + " = ?")
	return tb
}

// Name implements Source.
func (t *Table) Name() string { return t.name }

// ByLogin implements Source.
func (t *Table) ByLogin(ctx context.Context, login string) (*User, error) {
	for _, query := range t.byLogin {
		u, err := t.one(ctx, query, login, login)
		if u != nil || err != nil {
			return u, err
		}
	}
	return nil, nil
}

// ByID implements Source.
func (t *Table) ByID(ctx context.Context, id string) (*User, error) {
	if t.db.Engine() == "postgres" {
		// The id column is often an integer, which PostgreSQL will not
		// compare with a text parameter.
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			return t.one(ctx, t.byID, n, "")
		}
	}
	return t.one(ctx, t.byID, id, "")
}

// one runs a user query and maps its row; inactive users and users
// without a known role are nil. A login query's matched value must equal
// login exactly, unless logins are compared without regard to case.
func (t *Table) one(ctx context.Context, query string, arg any, login string) (*User, error) {
	var id, name, title, email, hash, role, matched sql.NullString
	var active any
	err := t.db.QueryRowContext(ctx, query, arg).Scan(&id, &name, &title, &email, &hash, &role, &active, &matched)
	if errors.Is(err, sql.ErrNoRows) || err == nil && login != "" && !t.fold && matched.String != login {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r := role.String
	if m, ok := t.roles[r]; ok {
		r = m
	}
	if !roles[r] || !hash.Valid || t.active && !truthy(active) {
		return nil, nil
	}
	u := &User{Source: t.name, ID: id.String, Username: name.String, Title: title.String, Email: email.String, Role: r, hash: hash.String}
	if u.Title == "" {
		u.Title = u.Username
	}
	return u, nil
}

// truthy reads an "active" column: true, a non-zero number, or a string
// such as 1, t, true, y or yes.
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case int64:
		return v != 0
	case float64:
		return v != 0
	case []byte:
		return truthyText(string(v))
	case string:
		return truthyText(v)
	}
	return false
}

func truthyText(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "y", "yes", "on", "active":
		return true
	}
	return false
}
