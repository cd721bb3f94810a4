package sqldb

import "strings"

// Concat is the SQL expression joining the texts parts: CONCAT on MySQL
// (where || is OR), || elsewhere. A NULL part makes the whole NULL:
// callers wrap nullable parts in COALESCE.
func (db *DB) Concat(parts []string) string {
	if db.Engine() == "mysql" {
		return "CONCAT(" + strings.Join(parts, ", ") + ")"
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// Literal is s as an SQL string literal. s must hold neither quotes nor
// backslashes (MySQL reads backslashes as escapes): callers check.
func Literal(s string) string { return "'" + s + "'" }
