package config

import (
	"strconv"
	"strings"
)

// locate maps each key path of a TOML document onto the line where it is
// written, e.g. "types.product.fields[2].colum" -> 31.
//
// BurntSushi/toml keeps key positions private and names the keys of arrays
// of tables without their index, which is not enough to point a user at
// the third [[types.product.fields]]. This scanner follows only the
// structure of the document (headers, keys, arrays, inline tables) and
// skips values. It runs on documents the library has already accepted, so
// it does not report syntax errors; on input it does not understand it
// still terminates and simply knows fewer lines.
func locate(src string) map[string]int {
	s := &scanner{src: strings.TrimPrefix(src, "\uFEFF"), line: 1, lines: map[string]int{}, arrays: map[string]int{}}
	s.document()
	return s.lines
}

// scanner is the state of locate.
type scanner struct {
	src    string
	pos    int
	line   int            // line of pos, from 1
	lines  map[string]int // key path -> line of its first appearance
	arrays map[string]int // array-of-tables path -> elements seen so far
}

func (s *scanner) document() {
	table := ""
	for {
		s.skipSpace(true)
		if s.eof() {
			return
		}
		start := s.pos
		switch {
		case strings.HasPrefix(s.src[s.pos:], "[["):
			line := s.line
			s.advance(2)
			table = s.header(s.key(), true, line)
		case s.src[s.pos] == '[':
			line := s.line
			s.advance(1)
			table = s.header(s.key(), false, line)
		default:
			s.keyValue(table)
		}
		if s.pos == start {
			s.advance(1)
		}
	}
}

// header resolves a table header to its indexed path: an array of tables
// gets its next index, and a header below one ([a.b] after [[a]]) refers
// to its last element.
func (s *scanner) header(segs []string, array bool, line int) string {
	path := ""
	for i, seg := range segs {
		path = joinKey(path, seg)
		if array && i == len(segs)-1 {
			n := s.arrays[path]
			s.arrays[path] = n + 1
			path = indexKey(path, n)
		} else if n, ok := s.arrays[path]; ok {
			path = indexKey(path, n-1)
		}
	}
	s.mark(path, line)
	return path
}

// keyValue scans "a.b = value" inside table.
func (s *scanner) keyValue(table string) {
	line := s.line
	segs := s.key()
	if segs == nil {
		return
	}
	path := table
	for _, seg := range segs {
		path = joinKey(path, seg)
		s.mark(path, line)
	}
	s.skipSpace(false)
	if s.consume("=") {
		s.value(path)
	}
}

func (s *scanner) value(path string) {
	s.skipSpace(false)
	if s.eof() {
		return
	}
	switch rest := s.src[s.pos:]; {
	case rest[0] == '{':
		s.inlineTable(path)
	case rest[0] == '[':
		s.array(path)
	case strings.HasPrefix(rest, `"""`), strings.HasPrefix(rest, `'''`):
		s.multiline(rest[:3])
	case rest[0] == '"' || rest[0] == '\'':
		s.quoted()
	default:
		for !s.eof() && !strings.ContainsRune(",]}\n#", rune(s.src[s.pos])) {
			s.advance(1)
		}
	}
}

func (s *scanner) inlineTable(path string) {
	s.items("}", func() { s.keyValue(path) })
}

func (s *scanner) array(path string) {
	i := 0
	s.items("]", func() {
		elem := indexKey(path, i)
		s.mark(elem, s.line)
		s.value(elem)
		i++
	})
}

// items scans the comma-separated items of an inline table or an array up
// to its closing character, with item for each. An item that reads
// nothing is passed over a character at a time, so that malformed input
// never stops the scan.
func (s *scanner) items(closing string, item func()) {
	s.advance(1)
	for {
		s.skipSpace(true)
		if s.eof() || s.consume(closing) {
			return
		}
		if s.consume(",") {
			continue
		}
		start := s.pos
		item()
		if s.pos == start {
			s.advance(1)
		}
	}
}

// key scans a dotted key and returns its segments, unquoted.
func (s *scanner) key() []string {
	var segs []string
	for {
		s.skipSpace(false)
		if s.eof() {
			return segs
		}
		start := s.pos
		switch s.src[s.pos] {
		case '"', '\'':
			s.quoted()
			seg := s.src[start:s.pos]
			if u, err := strconv.Unquote(seg); err == nil && seg[0] == '"' {
				seg = u
			} else {
				seg = strings.Trim(seg, `"'`)
			}
			segs = append(segs, seg)
		default:
			for !s.eof() && isBareKey(s.src[s.pos:s.pos+1]) {
				s.advance(1)
			}
			if s.pos == start {
				return segs
			}
			segs = append(segs, s.src[start:s.pos])
		}
		s.skipSpace(false)
		if !s.consume(".") {
			return segs
		}
	}
}

// quoted skips a one-line basic or literal string.
func (s *scanner) quoted() {
	quote := s.src[s.pos]
	s.advance(1)
	for !s.eof() && s.src[s.pos] != quote && s.src[s.pos] != '\n' {
		if quote == '"' && s.src[s.pos] == '\\' {
			s.advance(1)
		}
		s.advance(1)
	}
	s.consume(string(quote))
}

// multiline skips a multi-line string opened by delim: three double or
// three single quotes.
func (s *scanner) multiline(delim string) {
	s.advance(3)
	for !s.eof() && !strings.HasPrefix(s.src[s.pos:], delim) {
		if delim == `"""` && s.src[s.pos] == '\\' {
			s.advance(1)
		}
		s.advance(1)
	}
	s.advance(3)
	// Up to two quotes may sit right before the closing delimiter.
	for range 2 {
		s.consume(delim[:1])
	}
}

// skipSpace skips blanks and comments, and newlines too when newlines is
// set.
func (s *scanner) skipSpace(newlines bool) {
	for !s.eof() {
		switch c := s.src[s.pos]; {
		case c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n'):
			s.advance(1)
		case c == '#':
			for !s.eof() && s.src[s.pos] != '\n' {
				s.advance(1)
			}
		default:
			return
		}
	}
}

func (s *scanner) mark(path string, line int) {
	if _, ok := s.lines[path]; !ok {
		s.lines[path] = line
	}
}

func (s *scanner) consume(tok string) bool {
	if !strings.HasPrefix(s.src[s.pos:], tok) {
		return false
	}
	s.advance(len(tok))
	return true
}

func (s *scanner) advance(n int) {
	for ; n > 0 && !s.eof(); n-- {
		if s.src[s.pos] == '\n' {
			s.line++
		}
		s.pos++
	}
}

func (s *scanner) eof() bool { return s.pos >= len(s.src) }
