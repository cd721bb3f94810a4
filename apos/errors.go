package apos

import (
	"errors"
	"fmt"
)

// Error is an error with one of Apostrophe's error names. Its Message and Data
// are safe to show to clients; anything internal stays in Err, which is only
// logged.
type Error struct {
	Name    string         // Apostrophe's name: invalid, forbidden, notfound, conflict, ...
	Message string         // safe for clients; defaults to Name
	Data    map[string]any // safe extra information for clients
	Err     error          // the internal cause, never sent to clients
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Name
	}
	if e.Err != nil {
		return e.Name + ": " + msg + ": " + e.Err.Error()
	}
	return e.Name + ": " + msg
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) true for any *Error with that name.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Name == e.Name && t.Message == "" && t.Data == nil && t.Err == nil
}

// Sentinels with Apostrophe's names. Compare with errors.Is; build detailed
// errors with Errorf or NewError.
var (
	ErrInvalid       = &Error{Name: "invalid"}
	ErrForbidden     = &Error{Name: "forbidden"}
	ErrNotFound      = &Error{Name: "notfound"}
	ErrConflict      = &Error{Name: "conflict"}
	ErrLocked        = &Error{Name: "locked"}
	ErrUnprocessable = &Error{Name: "unprocessable"}
	ErrUnimplemented = &Error{Name: "unimplemented"}
	// ErrPrecondition is a conflict caused by a stale If-Match; it answers 412.
	ErrPrecondition = &Error{Name: "precondition"}
	// ErrBadGateway: the backend is unreachable or answered garbage (502).
	ErrBadGateway = &Error{Name: "badgateway"}
	// ErrUnavailable: the backend or the proxy is overloaded or down (503).
	ErrUnavailable = &Error{Name: "unavailable"}
	// ErrTimeout: the backend did not answer within the deadline (504).
	ErrTimeout = &Error{Name: "timeout"}
	// ErrTooMany: the caller, or everyone, has as much work running as
	// the configuration allows, such as batch jobs; retry later (429).
	ErrTooMany = &Error{Name: "toomany"}
)

// NewError returns an *Error with the given name, client-safe message and data.
func NewError(name, message string, data map[string]any) *Error {
	return &Error{Name: name, Message: message, Data: data}
}

// Errorf returns an *Error named after sentinel whose client message is
// formatted. The message must not contain internal details.
func Errorf(sentinel *Error, format string, args ...any) *Error {
	return &Error{Name: sentinel.Name, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error named after sentinel that keeps cause for the logs
// only; clients see the sentinel's name (or message when given).
func Wrap(sentinel *Error, message string, cause error) *Error {
	return &Error{Name: sentinel.Name, Message: message, Err: cause}
}

// FieldError is one entry of an Apostrophe validation error list.
type FieldError struct {
	Path string // the API field name
	Name string // required, invalid, min, max
	Msg  string // optional message; defaults to Name
}

// Code is the HTTP status Apostrophe gives the field error's name.
func (f FieldError) Code() int {
	switch f.Name {
	case "required", "unprocessable":
		return 422
	case "invalid", "min", "max":
		return 400
	}
	return 500
}

// ValidationError is Apostrophe's 400 invalid with data.errors[].
type ValidationError struct {
	Fields []FieldError
}

func (v *ValidationError) Error() string {
	s := "invalid:"
	for _, f := range v.Fields {
		s += " " + f.Path + " " + f.Name
	}
	return s
}

// Is makes errors.Is(err, ErrInvalid) true for validation errors.
func (v *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a ValidationError for one field.
func Invalid(path, name, msg string) *ValidationError {
	return &ValidationError{Fields: []FieldError{{Path: path, Name: name, Msg: msg}}}
}

// AsError returns err as an *Error when it is one (directly or wrapped).
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
