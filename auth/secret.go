package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"

	"github.com/aposproxy/aposproxy/auth/users"
)

// secretBytes is the entropy of tokens and session ids: 160 bits.
const secretBytes = 20

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newSecret returns a random token or session id: 32 lowercase letters
// and digits, like Apostrophe's ids, but of 160 random bits.
func newSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return lowerBase32.EncodeToString(b)
}

// storeKey is what the store keeps of a secret: its SHA-256. Secrets are
// random and long, so a plain hash cannot be reversed or guessed, and a
// leaked store holds nothing that logs anyone in.
func storeKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// loginThrottleKey names the failure counter of a login: the user's when
// the name typed resolves to one, so that every name of theirs (username,
// email) counts against one allowance, else the name's as typed.
func loginThrottleKey(u *users.User, typed string, fold bool) string {
	if u != nil {
		return throttleKey("uid", u.Source+"/"+u.ID, false)
	}
	return throttleKey("user", typed, fold)
}

// throttleKey names the failure counter of a user, a username or an
// address, hashed so that the store never holds what someone typed as a
// username (sometimes a password).
func throttleKey(kind, value string, fold bool) string {
	if fold {
		value = strings.ToLower(value)
	}
	sum := sha256.Sum256([]byte(value))
	return kind + ":" + hex.EncodeToString(sum[:16])
}
