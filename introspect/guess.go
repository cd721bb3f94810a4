package introspect

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// The column names taken for a locale or a mode column, or for a
// document's title; each guess gets a # review: comment.
var (
	localeNames = []string{"lang", "language", "locale", "lng", "language_code", "locale_code"}
	modeNames   = []string{"status", "state", "mode", "publication_status", "workflow_state"}
	titleNames  = []string{"title", "name", "headline", "label", "subject"}
	// draftValues and publishedValues are the mode values read as
	// Apostrophe's draft and published modes.
	draftValues     = []string{"draft", "drafts", "pending", "preview", "unpublished", "wip"}
	publishedValues = []string{"published", "live", "public", "online", "active", "released"}
)

// typeName is the Apostrophe type name of a table: lower case, words
// joined by -, the last one made singular (categories -> category).
func typeName(table string) string {
	n := strings.ToLower(strings.ReplaceAll(table, "_", "-"))
	switch {
	case strings.HasSuffix(n, "ies") && len(n) > 4:
		return n[:len(n)-3] + "y"
	case strings.HasSuffix(n, "sses"), strings.HasSuffix(n, "ches"), strings.HasSuffix(n, "shes"), strings.HasSuffix(n, "xes"):
		return n[:len(n)-2]
	case strings.HasSuffix(n, "s") && !strings.HasSuffix(n, "ss") && len(n) > 2:
		return n[:len(n)-1]
	}
	return n
}

// fieldName is the API name of a column: camelCase (price_cents ->
// priceCents), starting with a letter.
func fieldName(column string) string {
	var b strings.Builder
	upper := false
	for _, r := range column {
		switch {
		case r == '_' || r == '-' || r == ' ' || r == '.':
			upper = b.Len() > 0
		case unicode.IsLetter(r) || unicode.IsDigit(r) && b.Len() > 0:
			if upper {
				r = unicode.ToUpper(r)
			} else if b.Len() == 0 {
				r = unicode.ToLower(r)
			}
			b.WriteRune(r)
			upper = false
		}
	}
	if b.Len() == 0 {
		return "field"
	}
	return b.String()
}

var (
	intType   = regexp.MustCompile(`^(tiny|small|medium|big)?int(eger)?\b|^int[248]$|serial|^integer`)
	floatType = regexp.MustCompile(`^(real|float|double|numeric|decimal|money)`)
	boolName  = regexp.MustCompile(`^(is|has|can|in|allow|enable)_|^(active|enabled|published|visible|deleted|archived)$`)
	passwords = regexp.MustCompile(`(^|_)(password|passwd|pw)(_|$)|^(pw|password)_?hash$`)
)

// kindOf guesses the field kind of a column from its type and, where the
// type does not tell (SQLite's INTEGER booleans and TEXT times), its name;
// review says why a guess needs a look.
func kindOf(c Column) (kind, review string) {
	t, name := c.Type, strings.ToLower(c.Name)
	switch {
	case passwords.MatchString(name):
		return "password", "a password hash: written in plain text, kept as bcrypt, never shown"
	case strings.HasPrefix(t, "bool") || t == "tinyint(1)" || t == "bit(1)":
		return "boolean", ""
	case intType.MatchString(t):
		if boolName.MatchString(name) {
			return "boolean", "an integer column whose name reads as a yes/no flag"
		}
		return "integer", ""
	case floatType.MatchString(t):
		return "float", ""
	case strings.HasPrefix(t, "json"):
		return "json", ""
	case t == "date":
		return "date", ""
	case strings.HasPrefix(t, "timestamp") || strings.HasPrefix(t, "datetime"):
		return "datetime", ""
	case strings.HasSuffix(name, "_at") || strings.HasSuffix(name, "_time"):
		return "datetime", "a " + t + " column whose name reads as a time"
	}
	return "string", ""
}

// pick returns the first column of t whose name is one of names (in the
// order of names), or nil.
func pick(t *Table, names []string, skip ...string) *Column {
	for _, n := range names {
		for i, c := range t.Columns {
			if strings.EqualFold(c.Name, n) && !slices.Contains(skip, c.Name) {
				return &t.Columns[i]
			}
		}
	}
	return nil
}

// modeValues maps the values a mode column holds onto draft and
// published; unknown values are left out and reported.
func modeValues(seen []string) (values map[string]string, unknown []string) {
	values = map[string]string{}
	for _, v := range seen {
		switch l := strings.ToLower(v); {
		case slices.Contains(draftValues, l):
			values[v] = "draft"
		case slices.Contains(publishedValues, l):
			values[v] = "published"
		default:
			unknown = append(unknown, v)
		}
	}
	return values, unknown
}
