// Package users finds the people who may log in: users listed in the
// configuration and users tables of existing databases, tried in order.
// It only reads them; it never writes or logs a password.
package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/aposproxy/aposproxy/apos"
)

// User is someone who may log in, as their source describes them.
type User struct {
	Source   string // the source's name, which grants record
	ID       string
	Username string
	Title    string
	Email    string
	Role     string // guest, contributor, editor or admin
	hash     string
}

// Stamp fingerprints the user's password hash: it changes when the
// password does, so that grants made before no longer match (Apostrophe
// logs a user out everywhere when their password changes).
func (u *User) Stamp() string {
	sum := sha256.Sum256([]byte(u.hash))
	return hex.EncodeToString(sum[:8])
}

// Source is one place users come from. Both methods return nil, nil for a
// user that does not exist, is inactive, or has no role the proxy knows.
type Source interface {
	Name() string
	ByLogin(ctx context.Context, login string) (*User, error)
	ByID(ctx context.Context, id string) (*User, error)
}

// Directory tries its sources in order.
type Directory struct {
	sources []Source
	byName  map[string]Source
	// dummy is checked when no source knows a username, so that a missing
	// user costs as much time as a wrong password.
	dummy []byte
}

// NewDirectory returns a directory over sources, tried in that order.
func NewDirectory(sources ...Source) (*Directory, error) {
	d := &Directory{sources: sources, byName: map[string]Source{}}
	for _, s := range sources {
		d.byName[s.Name()] = s
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	var err error
	d.dummy, err = bcrypt.GenerateFromPassword(secret[:], bcrypt.DefaultCost)
	return d, err
}

// Login returns the user that username and password identify, or nil for
// bad credentials.
func (d *Directory) Login(ctx context.Context, username, password string) (*User, error) {
	u, err := d.Find(ctx, username)
	if err != nil || !d.Check(u, password) {
		return nil, err
	}
	return u, nil
}

// Find returns the user a login name (a username, or an email where the
// source compares it) names, or nil. The first source that knows the name
// decides. A name with a NUL or invalid UTF-8 names nobody: no text column
// holds it, and PostgreSQL refuses even to compare it.
func (d *Directory) Find(ctx context.Context, login string) (*User, error) {
	if !utf8.ValidString(login) || strings.ContainsRune(login, 0) {
		return nil, nil
	}
	for _, s := range d.sources {
		u, err := s.ByLogin(ctx, login)
		if u != nil || err != nil {
			return u, err
		}
	}
	return nil, nil
}

// Check reports whether password is u's. For a nil user it compares with
// a dummy hash, so that a missing user costs as much time as a wrong
// password.
func (d *Directory) Check(u *User, password string) bool {
	if u == nil {
		_ = bcrypt.CompareHashAndPassword(d.dummy, []byte(password))
		return false
	}
	return checkPassword(u.hash, password)
}

// Get returns the user id of source, or nil when they no longer exist or
// may no longer log in.
func (d *Directory) Get(ctx context.Context, source, id string) (*User, error) {
	s, ok := d.byName[source]
	if !ok {
		return nil, nil
	}
	return s.ByID(ctx, id)
}

// checkPassword compares a password with a bcrypt hash ($2a$, $2b$, or
// $2y$ as PHP writes them).
func checkPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// roles are the roles a user may have.
var roles = map[string]bool{apos.Guest.String(): true, apos.Contributor.String(): true, apos.Editor.String(): true, apos.Admin.String(): true}
