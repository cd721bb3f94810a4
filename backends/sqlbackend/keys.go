package sqlbackend

import (
	"crypto/rand"
	"strconv"

	"github.com/aposproxy/aposproxy/apos"
)

// keyOf returns the key value to bind for an aposDocId. ok is false when
// docID is not the aposDocId of any key this table can hold: it does not
// decode, or the key column holds integers and docID is not one (in its
// canonical form, so that each record has one aposDocId) in the column's
// range.
func (a *Adapter) keyOf(docID string) (key any, ok bool) {
	k, ok := apos.DecodeKey(docID)
	if !ok {
		return nil, false
	}
	if !a.intKey {
		return k, true
	}
	n, err := strconv.ParseInt(k, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != k || !a.keyRange.Holds(n) {
		return nil, false
	}
	return n, true
}

// newKey returns the key of a new document: the one its aposDocId gives,
// a random one, or nil when the database makes it.
func (a *Adapter) newKey(docID string) (any, error) {
	if docID != "" {
		key, ok := a.keyOf(docID)
		if !ok {
			return nil, apos.Errorf(apos.ErrInvalid, "%q is not a valid id for this type.", docID)
		}
		return key, nil
	}
	switch {
	case a.randomKey:
		return randomID(), nil
	case !a.intKey:
		return nil, apos.Errorf(apos.ErrInvalid, "This type needs an id for new documents.")
	}
	return nil, nil
}

// randomID makes an id like Apostrophe's: 24 lowercase letters and digits,
// the first a letter, from crypto/rand.
func randomID() string {
	const (
		letters  = "abcdefghijklmnopqrstuvwxyz"
		alphabet = letters + "0123456789"
		size     = 24
	)
	id := make([]byte, 0, size)
	var buf [2 * size]byte
	for len(id) < size {
		rand.Read(buf[:])
		for _, b := range buf {
			// Rejecting the bytes past the last whole multiple keeps the
			// characters uniform.
			switch {
			case len(id) == size:
			case len(id) == 0 && int(b) < 256-256%len(letters):
				id = append(id, letters[int(b)%len(letters)])
			case len(id) > 0 && int(b) < 256-256%len(alphabet):
				id = append(id, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(id)
}
