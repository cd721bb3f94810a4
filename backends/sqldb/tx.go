package sqldb

import (
	"context"
	"database/sql"
	"time"
)

// Tx is one transaction running configured statements (see Statement), as
// the routes a configuration declares do.
type Tx struct {
	db *DB
	tx *sql.Tx
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled
// back otherwise. Driver errors, from fn's statements or the commit, come
// back mapped by Fail (409 conflict, 400 invalid, 503, 504), with the
// driver's text kept for the logs only. A readOnly transaction (of
// statements whose ReadOnly is true) does not take SQLite's write lock,
// which writers take at BEGIN; PostgreSQL and MySQL refuse writes in it.
func (db *DB) InTx(ctx context.Context, readOnly bool, fn func(*Tx) error) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return db.Fail(ctx, err, nil)
	}
	defer tx.Rollback()
	if err := fn(&Tx{db: db, tx: tx}); err != nil {
		return db.Fail(ctx, err, nil)
	}
	return db.Fail(ctx, tx.Commit(), nil)
}

// Check has the engine prepare st, which checks its tables and columns
// and, on PostgreSQL, that the type of each parameter can be told; the
// error is the engine's own text, for the operator. Statements run
// unprepared: the engines cache their plans by text.
func (db *DB) Check(ctx context.Context, st *Statement) error {
	p, err := db.PrepareContext(ctx, st.text)
	if err != nil {
		return err
	}
	return p.Close()
}

// Query runs st, a statement that returns rows (ReturnsRows), with the
// values of its parameters by name; a parameter missing from args is
// NULL. Values are nil, string, int64, float64, bool, time.Time or []byte.
func (t *Tx) Query(ctx context.Context, st *Statement, args map[string]any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, st.text, t.bind(st, args)...)
}

// Exec runs st, a statement that returns no rows, with args as Query
// takes them, and returns how many rows it changed (on MySQL: matched, as
// on the other engines).
func (t *Tx) Exec(ctx context.Context, st *Statement, args map[string]any) (int64, error) {
	res, err := t.tx.ExecContext(ctx, st.text, t.bind(st, args)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// bind returns the values of st's placeholders, in order, as the engine
// stores them.
func (t *Tx) bind(st *Statement, args map[string]any) []any {
	bound := make([]any, len(st.binds))
	d := t.db.dialect
	for i, name := range st.binds {
		switch v := args[name].(type) {
		case bool:
			bound[i] = d.bindBool(v)
		case time.Time:
			bound[i] = d.bindTime(v)
		default:
			bound[i] = v
		}
	}
	return bound
}
