package sqlbackend

import (
	"context"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// Distinct implements adapters.Distincter: the values of field among the
// records matching q (its filters on field aside), with their counts,
// ordered by value. Empty (NULL) values are left out.
func (a *Adapter) Distinct(ctx context.Context, q *adapters.Query, field string) ([]adapters.Counted, error) {
	ctx = a.db.ReadContext(ctx)
	if v := a.ov.viewOf(q.Scope); v != nil {
		return v.Distinct(ctx, q, field)
	}
	f := a.field(field)
	if f == nil {
		return nil, apos.Invalid(field, "invalid", "")
	}
	b := getBuilder()
	defer putBuilder(b)
	ok, err := a.where(b, q, field)
	if err != nil || !ok {
		return nil, err
	}
	b.text = append(b.text, "SELECT "...)
	b.text = append(b.text, f.quoted...)
	b.text = append(b.text, ", COUNT(*)"...)
	a.from(b)
	b.text = append(b.text, " AND "...)
	b.text = append(b.text, f.quoted...)
	b.text = append(b.text, " IS NOT NULL GROUP BY "...)
	b.text = append(b.text, f.quoted...)
	b.text = append(b.text, " ORDER BY "...)
	b.text = append(b.text, f.quoted...)
	rows, err := a.stmts.cells(ctx, b.text, b.args)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	defer rows.Close()
	var out []adapters.Counted
	var value, count cell
	for rows.Next() {
		if err := rows.Scan(&value, &count); err != nil {
			return nil, a.fail(ctx, err)
		}
		n, _ := count.value(apos.Integer).(int64)
		out = append(out, adapters.Counted{Value: value.fieldValue(f), Count: int(n)})
	}
	return out, a.fail(ctx, rows.Err())
}
