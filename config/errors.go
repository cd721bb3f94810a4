package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error is one mistake in the configuration, located by its key path (as
// in "types.product.fields[2].column") and, when the file tells, its line.
// Load and Parse return all mistakes at once, joined with errors.Join, so
// that a user fixes a file in one pass; errors.As finds the first *Error.
type Error struct {
	// File is the configuration file, when Load read one.
	File string
	// Line is the 1-based line of Path in the file or, for a missing key,
	// of the table it belongs in; 0 when the file has neither.
	Line int
	// Path is the key path of the mistake; empty for a syntax error the
	// TOML parser could not attach to a key.
	Path string
	// Msg says what is wrong and, where it helps, what to write instead.
	Msg string
}

// Error formats the mistake as file:line: path: message, leaving out what
// is unknown, so that editors can jump to it.
func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s = fmt.Sprintf("%s:%d", s, e.Line)
		if e.File == "" {
			s = fmt.Sprintf("line %d", e.Line)
		}
	}
	if e.Path != "" {
		s = join(s, e.Path)
	}
	return join(s, e.Msg)
}

func join(prefix, s string) string {
	if prefix == "" {
		return s
	}
	return prefix + ": " + s
}

// errorList collects the mistakes of one load, attaching lines from the
// file to their key paths.
type errorList struct {
	file  string
	lines map[string]int
	errs  []*Error
}

// addf records a mistake at path. A path the file does not write (a
// missing key) gets the line of its nearest written parent, where the key
// belongs.
func (l *errorList) addf(path, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.file, Path: path, Line: l.line(path), Msg: fmt.Sprintf(format, args...)})
}

func (l *errorList) line(path string) int {
	for p := path; p != ""; p = p[:max(strings.LastIndexByte(p, '.'), strings.LastIndexByte(p, '['), 0)] {
		if n, ok := l.lines[p]; ok {
			return n
		}
	}
	return 0
}

// err returns the mistakes in file order (those without a line last), or
// nil when there are none.
func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(l.errs, func(a, b *Error) int {
		if (a.Line == 0) != (b.Line == 0) {
			return cmp.Compare(b.Line, a.Line) // the one with a line first
		}
		return cmp.Compare(a.Line, b.Line)
	})
	errs := make([]error, len(l.errs))
	for i, e := range l.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}
