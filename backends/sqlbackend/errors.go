package sqlbackend

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/aposproxy/aposproxy/apos"
)

// errClass is what a driver error means to a client.
type errClass int

// The error classes, from the dialects' codes.
const (
	classOther       errClass = iota // unexpected: an internal error
	classConflict                    // unique or primary key violation
	classReferenced                  // a delete refused by a foreign key
	classRequired                    // NOT NULL violation
	classInvalid                     // CHECK, foreign key, bad type, too long
	classUnavailable                 // the server is down or refuses work
	classTimeout                     // the deadline passed
)

// dbError is a classified driver error. column is the column the engine
// named, when it did; hint is other text (a constraint name or expression)
// that may contain a column name.
type dbError struct {
	class  errClass
	column string
	hint   string
}

// Client messages; they never contain driver text.
const (
	msgConflict   = "A document with this key already exists."
	msgReferenced = "The document is still referenced by other documents."
)

// classify sorts err with the dialect's codes first, then with what every
// driver shares: broken connections and passed deadlines.
func classify(ctx context.Context, d dialect, err error) dbError {
	if e := d.classify(err); e.class != classOther {
		return e
	}
	var netErr *net.OpError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.As(err, &netErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, io.ErrUnexpectedEOF):
		return dbError{class: classUnavailable}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		ctx.Err() != nil:
		return dbError{class: classTimeout}
	}
	return dbError{}
}

// fail turns a driver error into one of the apos package's errors, with
// the cause kept for the logs only. Validation errors name the API field
// when the column can be told from the driver's error; fieldOf maps a column
// name to it and may be nil.
func fail(ctx context.Context, d dialect, err error, fieldOf func(dbError) string) error {
	if err == nil {
		return nil
	}
	var ae *apos.Error
	var ve *apos.ValidationError
	if errors.As(err, &ae) || errors.As(err, &ve) {
		return err
	}
	e := classify(ctx, d, err)
	switch e.class {
	case classConflict:
		return apos.Wrap(apos.ErrConflict, msgConflict, err)
	case classReferenced:
		return apos.Wrap(apos.ErrConflict, msgReferenced, err)
	case classRequired, classInvalid:
		name := "invalid"
		if e.class == classRequired {
			name = "required"
		}
		path := ""
		if fieldOf != nil {
			path = fieldOf(e)
		}
		return apos.Invalid(path, name, "")
	case classUnavailable:
		return apos.Wrap(apos.ErrUnavailable, "", err)
	case classTimeout:
		return apos.Wrap(apos.ErrTimeout, "", err)
	}
	return err
}

// quotedAfter returns the text between the two quote characters q that
// follow marker in msg, or "".
func quotedAfter(msg, marker string, q byte) string {
	i := strings.Index(msg, marker)
	if i < 0 {
		return ""
	}
	rest := msg[i+len(marker):]
	start := strings.IndexByte(rest, q)
	if start < 0 {
		return ""
	}
	rest = rest[start+1:]
	end := strings.IndexByte(rest, q)
	if end < 0 {
		return ""
	}
	return rest[:end]
}

// fieldOf returns the API field of the column a driver error names, or of
// the longest column name found in its hint (a constraint name such as
// "products_price_cents_check", or a CHECK expression).
func (a *Adapter) fieldOf(e dbError) string {
	best := -1
	for i := range a.fields {
		col := a.fields[i].column
		if e.column != "" {
			if strings.EqualFold(col, e.column) {
				return a.fields[i].name
			}
			continue
		}
		if containsWord(e.hint, col) && (best < 0 || len(col) > len(a.fields[best].column)) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return a.fields[best].name
}

// containsWord reports whether s contains word delimited by anything but
// letters and digits (underscores delimit too: "products_price_check"
// contains "price").
func containsWord(s, word string) bool {
	isWord := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i := 0; word != "" && i+len(word) <= len(s); i++ {
		if !strings.EqualFold(s[i:i+len(word)], word) {
			continue
		}
		if (i == 0 || !isWord(s[i-1])) && (i+len(word) == len(s) || !isWord(s[i+len(word)])) {
			return true
		}
	}
	return false
}
