package sqldb

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// bootstrap runs the SQL files in one transaction.
func (db *DB) bootstrap(ctx context.Context, files []string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("bootstrap: %w", err)
		}
		for i, stmt := range SplitStatements(string(src)) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("bootstrap %s: statement %d: %w", file, i+1, err)
			}
		}
	}
	return tx.Commit()
}

// SplitStatements splits an SQL script into statements. A statement ends
// with a line whose last character is ';'. Lines holding only a "--"
// comment are dropped, so a comment never ends a statement; a ';' at the
// end of a line inside a string literal would, which the scripts this reads
// (schemas and seeds) do not have.
func SplitStatements(src string) []string {
	var stmts []string
	var cur strings.Builder
	for line := range strings.Lines(src) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(trimmed, ";") {
			stmts = append(stmts, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		stmts = append(stmts, rest)
	}
	return stmts
}
