package sqlbackend

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/aposproxy/aposproxy/apos"
)

// msgKeyNotUnique is what a client reads when a write would have touched
// more rows than the record it names (docs/api-rules.md#101).
const msgKeyNotUnique = "This document's key names more than one row of its table; nothing was changed."

// touched checks that a write by key touched at most most rows (one per
// record it writes): a key that is not unique in the table would
// otherwise update or delete rows of other records. The caller's
// transaction is rolled back on the error (docs/api-rules.md#101).
func (a *Adapter) touched(ctx context.Context, res sql.Result, most int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return a.fail(ctx, err)
	}
	if n > most {
		return apos.Wrap(apos.ErrConflict, msgKeyNotUnique,
			fmt.Errorf("types.%s: a write by key touched %d rows of %s, at most %d expected", a.t.Name, n, a.t.Table, most))
	}
	return nil
}
