package sqlbackend

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
)

// keyPart is one column of a type's key.
type keyPart struct {
	column string // quoted
	// intKey: the column holds integers; keyRange bounds them.
	intKey   bool
	keyRange sqldb.IntRange
}

// mapKey sets the key's SQL. A one-column key is the column itself; a
// composite key reads and compares as one text, apos.JoinKey's (each
// part as text with ~ and / escaped, joined with /), so that every query
// and the proxy's own tables (which keep keys as text) treat it as one
// value; an insert writes its parts (insertRow).
func (a *Adapter) mapKey() {
	t, db := a.t, a.db
	cols := t.KeyParts()
	a.parts = make([]keyPart, len(cols))
	a.outerKey = db.CastText(pageAlias + ".c0")
	for i, c := range cols {
		a.parts[i].column = db.QuoteName(c)
	}
	if len(cols) == 1 {
		a.key = a.parts[0].column
		a.keyCast = db.CastText(a.alias + "." + a.key)
		a.keyOrder = []string{a.key}
		return
	}
	joined := func(qualify string) string {
		var exprs, order []string
		for i, p := range a.parts {
			if i > 0 {
				exprs = append(exprs, "'/'")
			}
			text := db.CastText(qualify + p.column)
			exprs = append(exprs, "REPLACE(REPLACE("+text+", '~', '~0'), '/', '~1')")
			order = append(order, qualify+p.column)
		}
		a.keyOrder = order
		return db.Concat(exprs)
	}
	a.keyCast = joined(a.alias + ".")
	a.key = joined("")
}

// setKeyKinds records what describe found of the key's columns, and
// checks that new_keys can make keys for them.
func (a *Adapter) setKeyKinds(ctx context.Context, cols *columns) error {
	for i := range a.parts {
		a.parts[i].intKey, a.parts[i].keyRange = cols.parts[i].intKey, cols.parts[i].keyRange
	}
	a.intKey = !a.composite() && a.parts[0].intKey
	a.keyRange = a.parts[0].keyRange
	switch a.t.NewKeys {
	case config.NewKeysRandom:
		if a.intKey {
			return fmt.Errorf("new_keys \"random\" needs a text key column, and %q holds integers", a.t.Key)
		}
	case config.NewKeysMax, config.NewKeysSequence:
		if !a.intKey {
			return fmt.Errorf("new_keys %q needs one integer key column", a.t.NewKeys)
		}
	}
	if a.t.NewKeys == config.NewKeysSequence {
		if err := a.db.CheckSequence(ctx, a.t.KeySequence); err != nil {
			return fmt.Errorf("key_sequence: %w", err)
		}
	}
	return nil
}

// composite reports whether a's key has several columns.
func (a *Adapter) composite() bool { return len(a.parts) > 1 }

// docIDOf is the aposDocId of the key read as text (a cell's keyString).
func (a *Adapter) docIDOf(text string) string {
	if !a.composite() {
		return apos.EncodeKey(text)
	}
	parts, _ := apos.SplitKey(text, len(a.parts))
	return apos.EncodeKeys(parts)
}

// keyTextOf is the key of docID as the proxy's tables keep it (as text).
func (a *Adapter) keyTextOf(docID string) string {
	parts, _ := apos.DecodeKeys(docID, len(a.parts))
	return apos.JoinKey(parts)
}

// keyOf returns the key value to bind for an aposDocId. ok is false when
// docID is not the aposDocId of any key this table can hold: it does not
// decode, or a key column holds integers and its part is not one (in its
// canonical form, so that each record has one aposDocId) in the column's
// range. A composite key binds as its text (apos.JoinKey).
func (a *Adapter) keyOf(docID string) (key any, ok bool) {
	if !a.composite() {
		// The common case, without the slices of the general one: a GET
		// of one document pays this on every request.
		k, ok := apos.DecodeKey(docID)
		if !ok {
			return nil, false
		}
		return a.partValue(0, k)
	}
	parts, ok := apos.DecodeKeys(docID, len(a.parts))
	if !ok {
		return nil, false
	}
	vals, ok := a.partValues(parts)
	if !ok {
		return nil, false
	}
	if a.composite() {
		return apos.JoinKey(parts), true
	}
	return vals[0], true
}

// partValues returns the values to write for a key's parts.
func (a *Adapter) partValues(parts []string) ([]any, bool) {
	vals := make([]any, len(parts))
	for i, k := range parts {
		v, ok := a.partValue(i, k)
		if !ok {
			return nil, false
		}
		vals[i] = v
	}
	return vals, true
}

// partValue is the value to write for part i of a key, k in its text
// form: k itself, or an integer in the part's range written canonically.
func (a *Adapter) partValue(i int, k string) (any, bool) {
	p := &a.parts[i]
	if !p.intKey {
		return k, true
	}
	n, err := strconv.ParseInt(k, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != k || !p.keyRange.Holds(n) {
		return nil, false
	}
	return n, true
}

// newKey returns the key of a new document before its insert: the one
// its aposDocId (the client's _createId) gives, else the one the type's
// new_keys makes (docs/api-rules.md#103), or nil when the database makes
// it as the row is inserted.
func (a *Adapter) newKey(ctx context.Context, tx *sql.Tx, docID string) (any, error) {
	if docID != "" {
		key, ok := a.keyOf(docID)
		if !ok {
			return nil, apos.Errorf(apos.ErrInvalid, "%q is not a valid id for this type.", docID)
		}
		return key, nil
	}
	switch a.t.NewKeys {
	case config.NewKeysRandom:
		return randomID(), nil
	case config.NewKeysMax:
		n, err := a.db.NextMax(ctx, tx, a.table, a.key)
		return n, a.fail(ctx, err)
	case config.NewKeysSequence:
		n, err := a.db.NextVal(ctx, tx, a.t.KeySequence)
		return n, a.fail(ctx, err)
	case config.NewKeysDatabase:
		if a.parts[0].intKey {
			return nil, nil
		}
	}
	return nil, a.missingKey()
}

// missingKey is the error of a new document without a key that nothing
// makes: it names the key's columns and the ways to get one
// (docs/api-rules.md#103).
func (a *Adapter) missingKey() error {
	return apos.Invalid("_createId", "required", fmt.Sprintf(
		"The key of %s (%s) has no default: send the new document's id as _createId, or configure new_keys "+
			"(database, sequence, max+1, random or client).", a.t.Table, strings.Join(a.t.KeyParts(), ", ")))
}

// keyColumnMissing reports whether the insert error err is the key
// column's NOT NULL (or missing default) refusal.
func (a *Adapter) keyColumnMissing(ctx context.Context, err error) bool {
	e := a.db.Classify(ctx, err)
	if e.Class != sqldb.ClassRequired {
		return false
	}
	return e.Column != "" && strings.EqualFold(e.Column, a.t.Key) || namesWord(e.Hint, a.t.Key)
}

// namesWord reports whether msg holds word as a whole identifier, in
// any case.
func namesWord(msg, word string) bool {
	lower, w := strings.ToLower(msg), strings.ToLower(word)
	for i := strings.Index(lower, w); i >= 0; {
		end := i + len(w)
		if (i == 0 || !identByte(lower[i-1])) && (end == len(lower) || !identByte(lower[end])) {
			return true
		}
		next := strings.Index(lower[i+1:], w)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

func identByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// randomID makes an id like Apostrophe's: 24 lowercase letters and digits,
// the first a letter, from crypto/rand.
func randomID() string {
	const (
		letters  = "abcdefghijklmnopqrstuvwxyz"
		alphabet = letters + "0123456789"
		size     = 24
	)
	id := make([]byte, 0, size)
	var buf [2 * size]byte
	for len(id) < size {
		rand.Read(buf[:])
		for _, b := range buf {
			// Rejecting the bytes past the last whole multiple keeps the
			// characters uniform.
			switch {
			case len(id) == size:
			case len(id) == 0 && int(b) < 256-256%len(letters):
				id = append(id, letters[int(b)%len(letters)])
			case len(id) > 0 && int(b) < 256-256%len(alphabet):
				id = append(id, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(id)
}
