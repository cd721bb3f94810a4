package attachments

import (
	"crypto/rand"
	"path"
	"strings"
	"unicode"

	"github.com/aposproxy/aposproxy/apos"
)

// idAlphabet is that of Apostrophe's attachment ids (cuid-like: lower-case
// letters and digits); newID draws idLength of them.
const (
	idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	idLength   = 24
)

// newID returns a random attachment id.
func newID() string {
	b := make([]byte, idLength)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// validID says whether id could be an attachment id, before any lookup.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !strings.ContainsRune(idAlphabet, rune(id[i])) {
			return false
		}
	}
	return true
}

// splitName splits an uploaded file name into its base and lower-case
// extension. Only the last path element counts, whichever separator the
// client used, so "../../etc/passwd.png" is "passwd" and "png".
func splitName(filename string) (base, ext string) {
	filename = path.Base(strings.ReplaceAll(filename, `\`, "/"))
	if i := strings.LastIndexByte(filename, '.'); i > 0 {
		return filename[:i], strings.ToLower(filename[i+1:])
	}
	return filename, ""
}

// slugName is the attachment's name: Apostrophe's slug of the base name
// (letters, digits and dashes only, so it is safe in a storage key), or
// "file" when the base name has no letter or digit.
func slugName(base string) string {
	if s := apos.Slugify(base); s != "" {
		return s
	}
	return "file"
}

// sortify is the attachment's title: Apostrophe's sortified base name,
// lower case with runs of anything but letters and digits as one space.
func sortify(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
