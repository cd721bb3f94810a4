package sqlbackend

import (
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// fieldOf returns the API field of the column a driver error names, or of
// the longest column name found in its hint (a constraint name such as
// "products_price_cents_check", or a CHECK expression).
func (a *Adapter) fieldOf(e sqldb.DriverError) string {
	best := -1
	for i := range a.fields {
		col := a.fields[i].column
		if e.Column != "" {
			if strings.EqualFold(col, e.Column) {
				return a.fields[i].name
			}
			continue
		}
		if containsWord(e.Hint, col) && (best < 0 || len(col) > len(a.fields[best].column)) {
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
