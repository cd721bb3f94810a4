package sqlbackend

import (
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

// colClass is what a column's type holds, as far as field kinds care.
type colClass uint8

// The column classes; docs/config.md#field-kinds-and-column-types has
// the table of type names per engine.
const (
	classAny      colClass = iota // no declared type (SQLite): anything
	classInteger                  // INT, BIGINT, SMALLINT, TINYINT...
	classDecimal                  // NUMERIC, DECIMAL
	classFloat                    // REAL, DOUBLE, FLOAT
	classText                     // CHAR, VARCHAR, TEXT, CLOB, ENUM
	classBool                     // BOOLEAN, BOOL, BIT
	classDate                     // DATE
	classDateTime                 // TIMESTAMP, DATETIME, TIMESTAMPTZ
	classJSON                     // JSON, JSONB
	classOther                    // anything else (BLOB, UUID, ...)
)

// classify sorts a column type name as the driver spells it ("VARCHAR",
// "NUMERIC(10,2)" for SQLite's declared types, "INT4", "UNSIGNED BIGINT").
func classify(typeName string) colClass {
	n := strings.ToUpper(strings.TrimSpace(typeName))
	if i := strings.IndexByte(n, '('); i >= 0 {
		n = strings.TrimSpace(n[:i])
	}
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(n, w) {
				return true
			}
		}
		return false
	}
	switch {
	case n == "":
		return classAny
	case has("BOOL") || n == "BIT":
		return classBool
	case has("TIMESTAMP", "DATETIME"):
		return classDateTime
	case n == "DATE":
		return classDate
	case has("JSON"):
		return classJSON
	case integerType(n):
		return classInteger
	case has("NUMERIC", "DECIMAL", "NUMBER"):
		return classDecimal
	case has("REAL", "FLOA", "DOUB"):
		return classFloat
	case has("CHAR", "TEXT", "CLOB", "ENUM", "STRING", "NAME"):
		return classText
	}
	return classOther
}

// kindFits says why a field of kind k cannot be kept in a column of class
// c, or "" when it can. textDates says that the field declares (or, on
// SQLite, the engine allows) dates kept as text; scale is a decimal
// column's.
func kindFits(f *apos.Field, c colClass, textDates bool, scale int) string {
	if c == classAny {
		return ""
	}
	ok := false
	switch f.Kind {
	case apos.String, apos.Password:
		ok = c == classText || c == classOther
	case apos.Select:
		ok = c == classText || c == classOther || c == classInteger && integerChoices(f.Choices)
		if c == classInteger && !ok {
			return "a select over an integer column needs integer choices"
		}
	case apos.Integer:
		ok = c == classInteger || c == classDecimal && scale == 0
	case apos.Float:
		ok = c == classFloat || c == classDecimal || c == classInteger
	case apos.Decimal:
		ok = c == classDecimal || c == classInteger
	case apos.Boolean:
		ok = c == classBool || c == classInteger
	case apos.Date:
		ok = c == classDate || c == classDateTime || c == classText && textDates
	case apos.DateTime:
		ok = c == classDateTime || c == classText && textDates
	case apos.JSON, apos.Attachment:
		ok = c == classJSON || c == classText || c == classOther
	}
	if ok {
		return ""
	}
	if (f.Kind == apos.Date || f.Kind == apos.DateTime) && c == classText {
		return "dates kept as text need text_format on the field"
	}
	return "does not hold " + string(f.Kind) + " values"
}

// integerChoices reports whether every choice is the text of an integer.
func integerChoices(choices []apos.Choice) bool {
	for _, c := range choices {
		if _, err := strconv.ParseInt(c.Value, 10, 64); err != nil {
			return false
		}
	}
	return len(choices) > 0
}

// declaredSize reads the precision and scale of a declared type such as
// "NUMERIC(10,2)" or "DECIMAL(5)".
func declaredSize(typeName string) (precision, scale int, ok bool) {
	i, j := strings.IndexByte(typeName, '('), strings.LastIndexByte(typeName, ')')
	if i < 0 || j < i {
		return 0, 0, false
	}
	p, s, _ := strings.Cut(typeName[i+1:j], ",")
	precision, err := strconv.Atoi(strings.TrimSpace(p))
	if err != nil {
		return 0, 0, false
	}
	if strings.TrimSpace(s) != "" {
		if scale, err = strconv.Atoi(strings.TrimSpace(s)); err != nil {
			return 0, 0, false
		}
	}
	return precision, scale, true
}

// suggest returns the column of names that name most likely means, for
// a message: one equal but for case, or for underscores.
func suggest(name string, names []string) string {
	squash := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	for _, n := range names {
		if squash(n) == squash(name) {
			return n
		}
	}
	return ""
}
