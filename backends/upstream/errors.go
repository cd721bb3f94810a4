package upstream

import (
	"errors"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// defaultStatuses translate the usual statuses; any other is the service
// failing (502).
var defaultStatuses = map[int]*apos.Error{
	400: apos.ErrInvalid,
	404: apos.ErrNotFound,
	409: apos.ErrConflict,
	422: apos.ErrInvalid,
	429: apos.ErrUnavailable,
}

// errorMap reads and translates the service's error answers.
type errorMap struct {
	code, message, fields string // gjson paths
	codes                 map[string]*apos.Error
	statuses              map[int]*apos.Error
	stale                 string
	expose                bool
}

// errStale marks a replace refused because its revision is stale.
var errStale = errors.New("stale revision")

// newErrorMap prepares the translation of error answers that Load
// checked.
func newErrorMap(c *config.ServiceErrors) errorMap {
	return errorMap{
		code: c.Code, message: c.Message, fields: c.Fields,
		codes: c.CodeErrors(), statuses: c.StatusErrors(),
		stale: c.Stale, expose: c.ExposeMessages,
	}
}

// sentinel is the Apostrophe error an error answer maps to, and its code:
// the configured codes win over the configured statuses, which win over
// the defaults; anything else is the service failing (502).
func (e *errorMap) sentinel(status int, body []byte) (*apos.Error, string) {
	code := ""
	if e.code != "" {
		code = gjson.GetBytes(body, e.code).String()
	}
	sentinel := e.codes[code]
	if sentinel == nil {
		sentinel = e.statuses[status]
	}
	if sentinel == nil {
		sentinel = defaultStatuses[status]
	}
	if sentinel == nil {
		sentinel = apos.ErrBadGateway
	}
	return sentinel, code
}

// clientError reports whether an error answer is mapped to a client's
// error (invalid, forbidden, notfound, conflict): the service is healthy
// and refused a bad request, which the circuit breaker must not count.
func (e *errorMap) clientError(status int, body []byte) bool {
	s, _ := e.sentinel(status, body)
	return s != apos.ErrBadGateway && s != apos.ErrUnavailable
}

// failed translates an error answer (any status but 2xx) into an
// Apostrophe error. The service's own text reaches clients only when
// expose_messages is on; it is always kept for the logs.
func (a *Adapter) failed(res answer, op string) error {
	e := &a.errs
	sentinel, code := e.sentinel(res.status, res.body)
	msg := ""
	if e.message != "" {
		msg = gjson.GetBytes(res.body, e.message).String()
	}
	cause := fmt.Errorf("upstream %s: %s answered %d %s: %s", a.c.name, op, res.status, code, msg)
	if op == "replace" && res.status == 409 && (e.stale == "" || code == e.stale) {
		return apos.Wrap(apos.ErrConflict, "", fmt.Errorf("%w: %w", errStale, cause))
	}
	if !e.expose {
		msg = ""
	}
	if sentinel == apos.ErrInvalid && e.fields != "" {
		if v := a.fieldErrors(gjson.GetBytes(res.body, e.fields)); v != nil {
			return v
		}
	}
	return apos.Wrap(sentinel, msg, cause)
}

// fieldErrors maps a service's field errors (service path -> reason) onto
// API fields, in schema order. Errors on paths the type does not map are
// left out: clients could not act on them.
func (a *Adapter) fieldErrors(fields gjson.Result) *apos.ValidationError {
	if !fields.IsObject() {
		return nil
	}
	reasons := map[string]string{}
	fields.ForEach(func(path, reason gjson.Result) bool {
		if name, ok := a.byPath[path.String()]; ok {
			reasons[name] = reason.String()
		}
		return true
	})
	var v apos.ValidationError
	for _, f := range a.fields {
		reason, ok := reasons[f.name]
		if !ok {
			continue
		}
		fe := apos.FieldError{Path: f.name, Name: reason}
		switch reason {
		case "required", "invalid", "min", "max":
		default:
			fe.Name = "invalid"
			if a.errs.expose {
				fe.Msg = reason
			}
		}
		v.Fields = append(v.Fields, fe)
	}
	if len(v.Fields) == 0 {
		return nil
	}
	return &v
}
