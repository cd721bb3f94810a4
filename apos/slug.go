package apos

import (
	"unicode"
	"unicode/utf8"
)

// SlugField is the name of a document's slug, whether a backend maps it
// to a column or keeps it itself (Schema.Slugs).
const SlugField = "slug"

// EmptySlug is the slug of a document whose title gives none, as
// Apostrophe names it.
const EmptySlug = "none"

// AppendSlug appends Apostrophe's slug of s: lower case, runs of anything
// but letters and digits become one dash, no dash at either end. Letters
// and digits of every script are kept.
func AppendSlug(dst []byte, s string) []byte {
	start := len(dst)
	dash := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			r = unicode.ToLower(r)
		default:
			dash = len(dst) > start
			continue
		}
		if dash {
			dst = append(dst, '-')
			dash = false
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// Slugify returns Apostrophe's slug of s (see AppendSlug); empty when s
// has no letter or digit.
func Slugify(s string) string { return string(AppendSlug(nil, s)) }
