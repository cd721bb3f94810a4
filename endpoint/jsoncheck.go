package endpoint

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// MaxJSONDepth is how deeply a request body's arrays and objects may
// nest. Deeper documents are refused before anything reads them: a
// database's own JSON functions recurse (PostgreSQL's stack depth limit),
// and nothing an editor sends needs more.
const MaxJSONDepth = 64

// CheckJSON validates b as one JSON value in a single pass, without
// recursion: the syntax, UTF-8 strings, a nesting depth of at most
// MaxJSONDepth, and no key twice in one object (a duplicate key would be
// read one way by one reader and another way by the next). Its errors are
// 400 invalid; a duplicate names its key's path.
func CheckJSON(b []byte) error {
	s := scannerPool.Get().(*scanner)
	s.b, s.i = b, 0
	err := s.scan()
	s.reset()
	scannerPool.Put(s)
	return err
}

var (
	errMalformed = apos.Errorf(apos.ErrInvalid, "The request body is not valid JSON.")
	errTooDeep   = apos.Errorf(apos.ErrInvalid, "The request body nests deeper than %d levels.", MaxJSONDepth)
	errNotUTF8   = apos.Errorf(apos.ErrInvalid, "The request body is not valid UTF-8.")
)

// linearKeys is how many keys of one object are compared one by one;
// larger objects switch to a set, so that a body of many keys stays
// linear.
const linearKeys = 16

// scanner is the state of one CheckJSON pass; pooled, so that a body is
// checked without allocating.
type scanner struct {
	b     []byte
	i     int
	stack []frame
	keys  []span // the keys of the open objects, innermost last
	// unescaped holds the keys written with escapes, decoded, so that
	// "\u0074itle" and "title" are one key.
	unescaped []byte
}

// frame is one open array or object.
type frame struct {
	object   bool
	index    int                 // arrays: the index of the current element
	firstKey int                 // objects: where its keys start in keys
	set      map[string]struct{} // objects past linearKeys keys
}

// span is a key: b[from:to], or unescaped[from:to] when decoded.
type span struct {
	from, to int
	decoded  bool
}

var scannerPool = sync.Pool{New: func() any { return &scanner{stack: make([]frame, 0, 8), keys: make([]span, 0, 32)} }}

func (s *scanner) reset() {
	clear(s.stack[:cap(s.stack)]) // drop the sets
	s.b, s.stack, s.keys, s.unescaped = nil, s.stack[:0], s.keys[:0], s.unescaped[:0]
}

// scan reads values until the document is complete.
func (s *scanner) scan() error {
	for {
		complete, err := s.value()
		if err != nil {
			return err
		}
		if !complete {
			continue
		}
		done, err := s.after()
		if err != nil || done {
			return err
		}
	}
}

// value reads one scalar (complete), or opens an array or object and
// reads up to its first value (not complete), or opens and closes an
// empty one (complete).
func (s *scanner) value() (complete bool, err error) {
	s.space()
	if s.i >= len(s.b) {
		return false, errMalformed
	}
	switch c := s.b[s.i]; c {
	case '{', '[':
		if len(s.stack) >= MaxJSONDepth {
			return false, errTooDeep
		}
		s.i++
		s.stack = append(s.stack, frame{object: c == '{', firstKey: len(s.keys)})
		s.space()
		if s.i < len(s.b) && s.b[s.i] == c+2 { // '}' and ']' are '{' and '[' plus 2
			s.i++
			s.pop()
			return true, nil
		}
		if c == '{' {
			return false, s.key()
		}
		return false, nil
	case '"':
		_, err := s.str()
		return true, err
	case 't':
		return true, s.literal("true")
	case 'f':
		return true, s.literal("false")
	case 'n':
		return true, s.literal("null")
	}
	return true, s.number()
}

// after reads what follows a complete value: closing brackets, then a
// comma and the next key, or the end of the document (done).
func (s *scanner) after() (done bool, err error) {
	for {
		s.space()
		if len(s.stack) == 0 {
			if s.i != len(s.b) {
				return false, errMalformed
			}
			return true, nil
		}
		if s.i >= len(s.b) {
			return false, errMalformed
		}
		top := &s.stack[len(s.stack)-1]
		switch c := s.b[s.i]; {
		case c == ',':
			s.i++
			if top.object {
				return false, s.key()
			}
			top.index++
			return false, nil
		case c == '}' && top.object, c == ']' && !top.object:
			s.i++
			s.pop()
		default:
			return false, errMalformed
		}
	}
}

func (s *scanner) pop() {
	top := s.stack[len(s.stack)-1]
	s.keys = s.keys[:top.firstKey]
	s.stack[len(s.stack)-1] = frame{}
	s.stack = s.stack[:len(s.stack)-1]
}

// key reads an object's key and its colon, and refuses a key the object
// already has.
func (s *scanner) key() error {
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return errMalformed
	}
	k, err := s.str()
	if err != nil {
		return err
	}
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != ':' {
		return errMalformed
	}
	s.i++
	top := &s.stack[len(s.stack)-1]
	if s.seen(top, k) {
		return s.duplicate(k)
	}
	s.keys = append(s.keys, k)
	return nil
}

// seen tells whether the object top already has key k, and records it in
// the object's set once it has many keys.
func (s *scanner) seen(top *frame, k span) bool {
	name := s.text(k)
	if top.set != nil {
		if _, ok := top.set[string(name)]; ok {
			return true
		}
		top.set[string(name)] = struct{}{}
		return false
	}
	own := s.keys[top.firstKey:]
	for _, o := range own {
		if string(s.text(o)) == string(name) {
			return true
		}
	}
	if len(own) >= linearKeys {
		top.set = make(map[string]struct{}, 2*len(own))
		for _, o := range own {
			top.set[string(s.text(o))] = struct{}{}
		}
		top.set[string(name)] = struct{}{}
	}
	return false
}

func (s *scanner) text(k span) []byte {
	if k.decoded {
		return s.unescaped[k.from:k.to]
	}
	return s.b[k.from:k.to]
}

// duplicate is the error of key k seen twice, naming its path in the
// body (attributes.tags.0.name).
func (s *scanner) duplicate(k span) error {
	var path []string
	for i, f := range s.stack[:len(s.stack)-1] {
		if f.object {
			path = append(path, string(s.text(s.keys[s.stack[i+1].firstKey-1])))
		} else {
			path = append(path, strconv.Itoa(f.index))
		}
	}
	path = append(path, string(s.text(k)))
	p := strings.Join(path, ".")
	return apos.Invalid(p, "invalid", "The key "+strconv.Quote(p)+" appears twice in the request body.")
}

// str reads a string at s.i (its opening quote) and returns its contents.
func (s *scanner) str() (span, error) {
	start := s.i + 1
	escaped := false
	for s.i = start; s.i < len(s.b); {
		c := s.b[s.i]
		if plain[c] {
			s.i++
			continue
		}
		switch {
		case c == '"':
			s.i++
			if escaped {
				return s.unescape(start - 1), nil
			}
			return span{from: start, to: s.i - 1}, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return span{}, err
			}
		case c < 0x20:
			return span{}, errMalformed
		default:
			r, n := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && n <= 1 {
				return span{}, errNotUTF8
			}
			s.i += n
		}
	}
	return span{}, errMalformed
}

// escape reads one backslash escape at s.i.
func (s *scanner) escape() error {
	s.i++
	if s.i >= len(s.b) {
		return errMalformed
	}
	switch s.b[s.i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i++
		return nil
	case 'u':
		if s.i+4 >= len(s.b) {
			return errMalformed
		}
		for _, h := range s.b[s.i+1 : s.i+5] {
			if !isHex(h) {
				return errMalformed
			}
		}
		s.i += 5
		return nil
	}
	return errMalformed
}

// unescape decodes the escaped string b[quote:s.i] into s.unescaped.
func (s *scanner) unescape(quote int) span {
	from := len(s.unescaped)
	s.unescaped = append(s.unescaped, gjson.ParseBytes(s.b[quote:s.i]).Str...)
	return span{from: from, to: len(s.unescaped), decoded: true}
}

// plain are the bytes a string holds as they are: ASCII but for
// control characters, the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (s *scanner) literal(word string) error {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return errMalformed
	}
	s.i += len(word)
	return nil
}

// number reads a JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
func (s *scanner) number() error {
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case !s.digits():
		return errMalformed
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !s.digits() {
			return errMalformed
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return errMalformed
		}
	}
	return nil
}

// digits reads one or more decimal digits.
func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}
