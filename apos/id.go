package apos

import (
	"encoding/base64"
	"slices"
	"strings"
)

// encodedPrefix marks an aposDocId that carries a legacy key which could not
// be written with Apostrophe's id alphabet. Plain keys that happen to start
// with it are encoded too, so the mapping stays reversible.
const encodedPrefix = "b64-"

// DocID is a parsed document _id: "<aposDocId>:<locale>:<mode>" for localized
// types, the bare aposDocId otherwise.
type DocID struct {
	DocID  string // the aposDocId
	Locale string // empty when the _id was bare
	Mode   Mode   // empty when the _id was bare
}

// ParseID splits an _id. A bare aposDocId gives empty Locale and Mode; an
// _id with three parts gives all three, whatever their values (the caller
// decides whether the locale and mode exist). Anything else, or an aposDocId
// outside Apostrophe's alphabet, is not an id: ok is false.
func ParseID(s string) (id DocID, ok bool) {
	first := strings.IndexByte(s, ':')
	if first < 0 {
		return DocID{DocID: s}, validIDPart(s)
	}
	rest := s[first+1:]
	second := strings.IndexByte(rest, ':')
	if second < 0 || strings.IndexByte(rest[second+1:], ':') >= 0 {
		return DocID{}, false
	}
	id = DocID{DocID: s[:first], Locale: rest[:second], Mode: Mode(rest[second+1:])}
	return id, validIDPart(id.DocID) && validIDPart(id.Locale) && validIDPart(string(id.Mode))
}

// String formats the _id; a DocID without locale is the bare aposDocId.
func (d DocID) String() string {
	if d.Locale == "" {
		return d.DocID
	}
	return d.DocID + ":" + d.Locale + ":" + string(d.Mode)
}

// AppendID appends the _id of docID in scope to dst without allocating.
func AppendID(dst []byte, docID string, s Scope) []byte {
	dst = append(dst, docID...)
	if s.Locale == "" {
		return dst
	}
	dst = append(dst, ':')
	dst = append(dst, s.Locale...)
	dst = append(dst, ':')
	return append(dst, s.Mode...)
}

// EncodeKey turns a legacy key into an aposDocId. Keys made of
// [A-Za-z0-9_-] are used as they are; any other key is encoded reversibly
// with base64url behind a marker prefix (never hashed).
func EncodeKey(key string) string {
	if validIDPart(key) && !strings.HasPrefix(key, encodedPrefix) {
		return key
	}
	return encodedPrefix + base64.RawURLEncoding.EncodeToString([]byte(key))
}

// DecodeKey is the inverse of EncodeKey. ok is false when docID is not an
// aposDocId that EncodeKey could have produced.
func DecodeKey(docID string) (key string, ok bool) {
	if !strings.HasPrefix(docID, encodedPrefix) {
		return docID, validIDPart(docID)
	}
	b, err := base64.RawURLEncoding.DecodeString(docID[len(encodedPrefix):])
	if err != nil || EncodeKey(string(b)) != docID {
		return "", false
	}
	return string(b), true
}

// validIDPart reports whether s is non-empty and uses only [A-Za-z0-9_-].
func validIDPart(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// keySep joins the parts of a composite key in its plain aposDocId, and
// partSep in the text that the encoded form carries.
const (
	keySep  = "_"
	partSep = "/"
)

// partEscaper and partUnescaper write and read the parts of a composite
// key in its text form, "part/part", as JSON Pointer does: "~" is "~0"
// and "/" is "~1" within a part.
var (
	partEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	partUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

// JoinKey is the text form of a composite key's parts: each part escaped
// (~ as ~0, / as ~1) and joined with "/". A single part is itself.
func JoinKey(parts []string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = partEscaper.Replace(p)
	}
	return strings.Join(esc, partSep)
}

// SplitKey is the inverse of JoinKey for a key of n parts; ok is false
// when text does not have n parts.
func SplitKey(text string, n int) (parts []string, ok bool) {
	if n == 1 {
		return []string{text}, true
	}
	parts = strings.Split(text, partSep)
	if len(parts) != n {
		return nil, false
	}
	for i, p := range parts {
		parts[i] = partUnescaper.Replace(p)
	}
	return parts, true
}

// EncodeKeys turns the parts of a legacy key into an aposDocId. One part
// is EncodeKey's. Several parts made of [A-Za-z0-9-] are joined with "_"
// ("16_3500"); any others are JoinKey's text encoded with base64url
// behind EncodeKey's marker prefix. The mapping is reversible
// (DecodeKeys) and URL-safe.
func EncodeKeys(parts []string) string {
	if len(parts) == 1 {
		return EncodeKey(parts[0])
	}
	plain := strings.Join(parts, keySep)
	if validIDPart(plain) && !strings.HasPrefix(plain, encodedPrefix) && strings.Count(plain, keySep) == len(parts)-1 &&
		!slices.Contains(parts, "") {
		return plain
	}
	return encodedPrefix + base64.RawURLEncoding.EncodeToString([]byte(JoinKey(parts)))
}

// DecodeKeys is the inverse of EncodeKeys for a key of n parts. ok is
// false when docID is not an aposDocId that EncodeKeys could have
// produced for n parts.
func DecodeKeys(docID string, n int) (parts []string, ok bool) {
	if n == 1 {
		k, ok := DecodeKey(docID)
		return []string{k}, ok
	}
	if strings.HasPrefix(docID, encodedPrefix) {
		b, err := base64.RawURLEncoding.DecodeString(docID[len(encodedPrefix):])
		if err != nil {
			return nil, false
		}
		parts, ok = SplitKey(string(b), n)
	} else {
		parts = strings.Split(docID, keySep)
		ok = len(parts) == n
	}
	if !ok || EncodeKeys(parts) != docID {
		return nil, false
	}
	return parts, true
}
