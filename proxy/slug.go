package proxy

import (
	"unicode"
	"unicode/utf8"
)

// appendSlug appends Apostrophe's slug of title: lower case, runs of
// anything but letters and digits become one dash, no dash at either end.
func appendSlug(dst []byte, title string) []byte {
	start := len(dst)
	dash := false
	for _, r := range title {
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
