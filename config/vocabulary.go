package config

import (
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

// The names the configuration may use for apos's vocabulary. Roles and
// kinds are apos's; the lists below only say which of them each key takes.
var (
	// fieldKinds are the kinds of a type's fields.
	fieldKinds = []apos.Kind{apos.String, apos.Integer, apos.Float, apos.Boolean, apos.Date, apos.DateTime, apos.JSON, apos.Select, apos.Password, apos.Decimal, apos.Attachment}
	// paramKinds are the kinds of a declared route's parameters.
	paramKinds = []apos.Kind{apos.String, apos.Integer, apos.Float, apos.Boolean, apos.JSON}
	// modes are the modes a type's mode values may give.
	modes = []apos.Mode{apos.Draft, apos.Published}
	// storages are the ways a type may keep modes and locales.
	storages = []apos.Storage{apos.Columns, apos.Autopublish, apos.Overlay}
)

// roleAtLeast reports whether s names a role no lower than lowest.
func roleAtLeast(s string, lowest apos.Role) bool {
	r, ok := apos.ParseRole(s)
	return ok && r >= lowest
}

// rolesFrom lists the role names from lowest up, for messages.
func rolesFrom(lowest apos.Role) string {
	return strings.Join(apos.RoleNames[lowest:], ", ")
}

// isOneOf reports whether s is one of values.
func isOneOf[T ~string](s string, values []T) bool {
	return slices.Contains(values, T(s))
}

// oneOf lists values for messages: "a, b, c".
func oneOf[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
