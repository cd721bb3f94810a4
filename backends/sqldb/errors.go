package sqldb

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

// ErrorClass is what a driver error means to a client.
type ErrorClass int

// The error classes, from the dialects' codes.
const (
	ClassOther       ErrorClass = iota // unexpected: an internal error
	ClassConflict                      // unique or primary key violation
	ClassReferenced                    // a delete refused by a foreign key
	ClassRequired                      // NOT NULL violation
	ClassInvalid                       // CHECK, foreign key, bad type, too long
	ClassUnavailable                   // the server is down or refuses work
	ClassTimeout                       // the deadline passed
)

// DriverError is a classified driver error. Column is the column the
// engine named, when it did; Hint is other text (a constraint name or
// expression) that may contain a column name.
type DriverError struct {
	Class  ErrorClass
	Column string
	Hint   string
	// Reason is which constraint the value broke, for the client's
	// message: one of the Reason constants, "" when the engine did not say.
	Reason string
}

// The reasons a value is refused (DriverError.Reason).
const (
	ReasonForeignKey = "foreign key"
	ReasonTooLong    = "too long"
	ReasonRange      = "out of range"
	ReasonCharset    = "character set"
	ReasonNotNull    = "not null"
	ReasonUnique     = "unique"
	ReasonCheck      = "check"
	ReasonType       = "type"
)

// reasonMsgs are the client messages of the reasons, after the field's
// name.
var reasonMsgs = map[string]string{
	ReasonForeignKey: "refers to a document that does not exist (foreign key).",
	ReasonTooLong:    "is too long for its column.",
	ReasonRange:      "is out of the range its column keeps.",
	ReasonCharset:    "has characters outside its column's character set.",
	ReasonNotNull:    "is required (the column is NOT NULL).",
	ReasonUnique:     "is already used by another document (unique).",
	ReasonCheck:      "breaks a CHECK constraint of its column.",
	ReasonType:       "is not a value its column keeps.",
}

// ReasonMsg is the client message of a refused value of field: "price
// is out of the range its column keeps."; "" for no reason.
func ReasonMsg(field, reason string) string {
	m, ok := reasonMsgs[reason]
	if !ok {
		return ""
	}
	if field == "" {
		field = "A value"
	}
	return field + " " + m
}

// The messages of the conflicts Fail reports, for the client: they never
// contain driver text. The SQL backend reports the same conflicts it finds
// itself with them.
const (
	MsgConflict   = "A document with this key already exists."
	MsgReferenced = "The document is still referenced by other documents."
)

// Classify sorts err with the engine's codes first, then with what every
// driver shares: broken connections and passed deadlines (of ctx too).
func (db *DB) Classify(ctx context.Context, err error) DriverError {
	if e := db.dialect.classify(err); e.Class != ClassOther {
		return e
	}
	var netErr *net.OpError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.As(err, &netErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, io.ErrUnexpectedEOF):
		return DriverError{Class: ClassUnavailable}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		ctx.Err() != nil:
		return DriverError{Class: ClassTimeout}
	}
	return DriverError{}
}

// Fail turns a driver error into an apos error (conflict, invalid,
// unavailable, timeout), with the cause kept for the logs only; apos
// errors and unexpected errors come back as they are. Validation errors
// name the API field when the column can be told from the driver's error:
// fieldOf maps the classified error to it, and may be nil.
func (db *DB) Fail(ctx context.Context, err error, fieldOf func(DriverError) string) error {
	if err == nil {
		return nil
	}
	var ae *apos.Error
	var ve *apos.ValidationError
	if errors.As(err, &ae) || errors.As(err, &ve) {
		return err
	}
	e := db.Classify(ctx, err)
	switch e.Class {
	case ClassConflict:
		if path := pathOf(e, fieldOf); path != "" {
			ae := apos.Wrap(apos.ErrConflict, ReasonMsg(path, ReasonUnique), err)
			ae.Data = map[string]any{"path": path}
			return ae
		}
		return apos.Wrap(apos.ErrConflict, MsgConflict, err)
	case ClassReferenced:
		return apos.Wrap(apos.ErrConflict, MsgReferenced, err)
	case ClassRequired, ClassInvalid:
		name := "invalid"
		if e.Class == ClassRequired {
			name = "required"
		}
		path := pathOf(e, fieldOf)
		return apos.Invalid(path, name, ReasonMsg(path, e.Reason))
	case ClassUnavailable:
		return apos.Wrap(apos.ErrUnavailable, "", err)
	case ClassTimeout:
		return apos.Wrap(apos.ErrTimeout, "", err)
	}
	return err
}

// pathOf is the API field fieldOf finds for e, "" when none.
func pathOf(e DriverError, fieldOf func(DriverError) string) string {
	if fieldOf == nil {
		return ""
	}
	return fieldOf(e)
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

// after returns what follows marker in msg, or "".
func after(msg, marker string) string {
	if _, rest, ok := strings.Cut(msg, marker); ok {
		return rest
	}
	return ""
}
