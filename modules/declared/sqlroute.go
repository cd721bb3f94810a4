package declared

import (
	"context"
	"fmt"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqlbackend"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/modules"
)

// maxRows bounds the rows one statement may return: a route that may
// return more pages them with :_limit and :_offset.
const maxRows = 1000

// sqlRoute is a route backed by statements run in one transaction.
type sqlRoute struct {
	db    *sqldb.DB
	p     *params
	steps []step
	total *sqldb.Statement // getAll's total count, or nil
	shape shape
	// readOnly: every statement reads without locking, so the
	// transaction need not take SQLite's write lock.
	readOnly bool
}

// step is one compiled statement and what it must do.
type step struct {
	st      *sqldb.Statement
	expect  *int
	fail    *apos.Error
	returns []string
}

// newSQLRoute compiles the route's statements for db and checks that each
// parameter they use is provided; errors name the statement's key path.
func newSQLRoute(ctx context.Context, db *sqldb.DB, ref config.RouteRef, path string, sh shape) (*sqlRoute, error) {
	r := &sqlRoute{db: db, p: newParams(ref), shape: sh}
	for i, s := range ref.Route.SQL {
		sp := fmt.Sprintf("%s.sql[%d]", path, i)
		st, err := r.compile(ctx, s.Text, sp)
		if err != nil {
			return nil, err
		}
		name := s.Error
		if name == "" {
			name = "invalid"
		}
		r.steps = append(r.steps, step{st: st, expect: s.ExpectRows, fail: apos.NewError(name, s.Message, nil), returns: s.Returns})
		r.p.returned = append(r.p.returned, s.Returns...)
	}
	r.readOnly = true
	for _, s := range r.steps {
		r.readOnly = r.readOnly && s.st.ReadOnly()
	}
	last := r.steps[len(r.steps)-1].st
	if (sh.result == "one" || sh.result == "list") && !last.ReturnsRows() {
		return nil, fmt.Errorf("%s.result: %s needs rows, and the last statement returns none (use count or none)", path, sh.result)
	}
	if ref.Route.Total != "" {
		var err error
		if r.total, err = r.compile(ctx, ref.Route.Total, path+".total"); err != nil {
			return nil, err
		}
		r.readOnly = r.readOnly && r.total.ReadOnly()
	}
	return r, nil
}

// compile compiles one statement, checks that each parameter it uses is
// provided, and has the engine check it: its refusal (a missing table, a
// parameter whose type PostgreSQL cannot tell) stops the start with its
// text, which is the operator's to read.
func (r *sqlRoute) compile(ctx context.Context, text, path string) (*sqldb.Statement, error) {
	st, err := r.db.Compile(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	for _, name := range st.Params() {
		if !r.p.provides(name) {
			return nil, fmt.Errorf("%s: %s", path, r.p.missing(name))
		}
	}
	if err := r.db.Check(ctx, st); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	ranges, err := r.db.IntRanges(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	r.p.bound(ranges)
	return st, nil
}

// handle runs the statements and shapes the last one's result.
func (r *sqlRoute) handle(req *modules.Request) (any, error) {
	vals, err := r.p.values(req)
	if err != nil {
		return nil, err
	}
	var last *sqlbackend.Result
	total := -1
	err = r.db.InTx(req.Context, r.readOnly, func(tx *sqldb.Tx) error {
		for _, s := range r.steps {
			res, err := s.run(req.Context, tx, vals)
			if err != nil {
				return err
			}
			last = res
		}
		if r.total == nil {
			return nil
		}
		res, err := sqlbackend.Run(req.Context, tx, r.total, vals, 1)
		if err == nil {
			total, err = firstInt(res)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r.shape.answer(req, vals, last.Rows, int(last.Count), total)
}

// run runs one step: its expectation, then its returns.
func (s *step) run(ctx context.Context, tx *sqldb.Tx, vals map[string]any) (*sqlbackend.Result, error) {
	res, err := sqlbackend.Run(ctx, tx, s.st, vals, maxRows)
	if err != nil {
		return nil, err
	}
	if s.expect != nil && res.Count != int64(*s.expect) {
		return nil, s.fail
	}
	for i, name := range s.returns {
		vals[name] = nil
		if i < len(res.First) {
			vals[name] = res.First[i]
		}
	}
	return res, nil
}

// firstInt reads a total count: the first column of the first row.
func firstInt(res *sqlbackend.Result) (int, error) {
	if len(res.First) > 0 {
		switch n := res.First[0].(type) {
		case int64:
			return int(n), nil
		case float64:
			return int(n), nil
		}
	}
	return 0, fmt.Errorf("the total statement gave %v, not a count", res.First)
}
