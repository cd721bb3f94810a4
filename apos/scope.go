package apos

// Mode is one of the copies Apostrophe keeps of a localized document.
type Mode string

// The modes a document can be read or written in. Previous is Apostrophe's
// internal "undo publish" copy; it is never writable through the API.
const (
	Draft     Mode = "draft"
	Published Mode = "published"
	Previous  Mode = "previous"
)

// Valid reports whether m is a mode a client may address (draft or published).
func (m Mode) Valid() bool { return m == Draft || m == Published }

// Scope is the locale and mode a request works in. Locale is empty for an
// unlocalized type.
type Scope struct {
	Locale string
	Mode   Mode
}
