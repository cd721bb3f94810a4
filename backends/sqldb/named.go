package sqldb

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Statement is an SQL statement from the configuration, written with named
// parameters (:name), compiled for one engine: the parameters become the
// engine's placeholders, and every value is bound, never spliced.
type Statement struct {
	text string
	// binds is the parameter of each placeholder, in order: with ?, a
	// parameter used twice is bound twice; PostgreSQL's $n are numbered
	// by name.
	binds []string
	// names are the distinct parameters, in order of first use.
	names []string
	// rows: the statement gives rows (SELECT, WITH, RETURNING, ...)
	// rather than a count of affected rows.
	rows bool
	// readOnly: a SELECT that neither writes nor locks.
	readOnly bool
}

// Params lists the statement's parameters, in order of first use.
func (s *Statement) Params() []string { return s.names }

// ReturnsRows reports whether the statement gives rows rather than a count
// of the rows it changed.
func (s *Statement) ReturnsRows() bool { return s.rows }

// ReadOnly reports whether the statement is a SELECT that neither writes
// nor locks rows (no FOR UPDATE or FOR SHARE), so that a transaction of
// such statements can be read-only.
func (s *Statement) ReadOnly() bool { return s.readOnly }

// trailingForUpdate matches a final FOR UPDATE, which SQLite does not
// know: its transactions take the write lock when they begin.
var trailingForUpdate = regexp.MustCompile(`(?is)\s+for\s+update\s*;?\s*$`)

// writeWords mark a statement that writes or locks, wherever they appear.
var writeWords = map[string]bool{"UPDATE": true, "INSERT": true, "DELETE": true, "MERGE": true, "REPLACE": true, "SHARE": true, "LOCK": true, "INTO": true}

// rowKeywords start statements that give rows.
var rowKeywords = map[string]bool{"SELECT": true, "WITH": true, "VALUES": true, "SHOW": true, "EXPLAIN": true, "TABLE": true, "PRAGMA": true}

// Compile compiles src for db's engine. A parameter is ":" and a name
// ([A-Za-z_][A-Za-z0-9_]*) outside string literals, quoted identifiers and
// comments; "::" (PostgreSQL's cast) is left alone. Positional placeholders
// are refused, so that every value goes through a name. A trailing
// FOR UPDATE is dropped on SQLite, so that one statement locks rows on
// every engine.
func (db *DB) Compile(src string) (*Statement, error) {
	src = strings.TrimSpace(src)
	locks := trailingForUpdate.MatchString(src)
	if _, ok := db.dialect.(sqliteDialect); ok {
		src = trailingForUpdate.ReplaceAllString(src, "")
	}
	src = strings.TrimSuffix(src, ";")
	if src == "" {
		return nil, fmt.Errorf("empty statement")
	}
	pg := db.dialect.bindType() == sqlx.DOLLAR
	sc := scanner{src: src, postgres: pg}
	st := &Statement{}
	var b strings.Builder
	first, writes := "", locks
	for !sc.done() {
		tok, err := sc.next()
		if err != nil {
			return nil, err
		}
		switch tok.kind {
		case tokParam:
			n := slices.Index(st.names, tok.text)
			if n < 0 {
				n = len(st.names)
				st.names = append(st.names, tok.text)
			}
			if pg {
				// One placeholder per name: PostgreSQL then infers its
				// type from any of its uses (:x IS NULL alone tells none).
				b.WriteString("$" + strconv.Itoa(n+1))
				continue
			}
			st.binds = append(st.binds, tok.text)
			b.WriteByte('?')
			continue
		case tokWord:
			w := strings.ToUpper(tok.text)
			if first == "" {
				first = w
			}
			st.rows = st.rows || w == "RETURNING"
			writes = writes || writeWords[w]
		}
		b.WriteString(tok.text)
	}
	st.rows = st.rows || rowKeywords[first]
	st.readOnly = first == "SELECT" && !writes
	st.text = b.String()
	if pg {
		st.binds = st.names
	}
	return st, nil
}

// tokKind is what a scanned piece of SQL is.
type tokKind uint8

const (
	tokOther tokKind = iota // punctuation, spaces, literals, comments
	tokWord                 // a bare word
	tokParam                // :name (text is the name)
)

type token struct {
	kind tokKind
	text string
}

// scanner cuts SQL into the pieces Compile needs to tell apart.
type scanner struct {
	src      string
	i        int
	postgres bool // dollar quotes and $n placeholders
}

func (s *scanner) done() bool { return s.i >= len(s.src) }

func (s *scanner) next() (token, error) {
	start, c := s.i, s.src[s.i]
	switch {
	case c == '\'' || c == '"' || c == '`':
		return s.quoted(start, c)
	case c == '-' && s.peek(1) == '-':
		end := strings.IndexByte(s.src[start:], '\n')
		return s.until(start, end, 1), nil
	case c == '/' && s.peek(1) == '*':
		end := strings.Index(s.src[start+2:], "*/")
		if end < 0 {
			return token{}, fmt.Errorf("unclosed /* comment")
		}
		s.i = start + 2 + end + 2
		return token{tokOther, s.src[start:s.i]}, nil
	case c == ':' && s.peek(1) == ':':
		s.i += 2
		return token{tokOther, "::"}, nil
	case c == ':' && isNameStart(s.peek(1)):
		s.i++
		for !s.done() && isNameByte(s.src[s.i]) {
			s.i++
		}
		return token{tokParam, s.src[start+1 : s.i]}, nil
	case c == '?':
		if s.postgres {
			s.i++ // PostgreSQL's jsonb operator
			return token{tokOther, "?"}, nil
		}
		return token{}, fmt.Errorf("positional placeholder ? at offset %d: use a named parameter such as :id", start)
	case c == '$' && s.postgres:
		return s.dollar(start)
	case isNameStart(c):
		for !s.done() && (isNameByte(s.src[s.i]) || s.src[s.i] == '$') {
			s.i++
		}
		return token{tokWord, s.src[start:s.i]}, nil
	}
	s.i++
	return token{tokOther, s.src[start:s.i]}, nil
}

func (s *scanner) peek(n int) byte {
	if s.i+n < len(s.src) {
		return s.src[s.i+n]
	}
	return 0
}

// until returns the text from start to start+end+extra, or to the end of
// the source when end is negative.
func (s *scanner) until(start, end, extra int) token {
	if end < 0 {
		s.i = len(s.src)
	} else {
		s.i = start + end + extra
	}
	return token{tokOther, s.src[start:s.i]}
}

// quoted reads a string literal or quoted identifier; a doubled quote
// character stands for itself.
func (s *scanner) quoted(start int, q byte) (token, error) {
	for i := start + 1; i < len(s.src); i++ {
		if s.src[i] != q {
			continue
		}
		if i+1 < len(s.src) && s.src[i+1] == q {
			i++
			continue
		}
		s.i = i + 1
		return token{tokOther, s.src[start:s.i]}, nil
	}
	return token{}, fmt.Errorf("unclosed %c at offset %d", q, start)
}

// dollar reads a PostgreSQL dollar-quoted string ($$...$$ or $tag$...$tag$)
// and refuses a positional $n placeholder.
func (s *scanner) dollar(start int) (token, error) {
	j := start + 1
	if j < len(s.src) && s.src[j] >= '0' && s.src[j] <= '9' {
		return token{}, fmt.Errorf("positional placeholder $%c at offset %d: use a named parameter such as :id", s.src[j], start)
	}
	for j < len(s.src) && isNameByte(s.src[j]) {
		j++
	}
	if j >= len(s.src) || s.src[j] != '$' {
		s.i = start + 1
		return token{tokOther, "$"}, nil
	}
	tag := s.src[start : j+1]
	end := strings.Index(s.src[j+1:], tag)
	if end < 0 {
		return token{}, fmt.Errorf("unclosed %s string at offset %d", tag, start)
	}
	s.i = j + 1 + end + len(tag)
	return token{tokOther, s.src[start:s.i]}, nil
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isNameByte(c byte) bool { return isNameStart(c) || c >= '0' && c <= '9' }
