package users

import (
	"context"
	"strings"

	"github.com/aposproxy/aposproxy/config"
)

// Listed is the users written in the configuration ([[auth.users]]).
type Listed struct {
	users []User
	fold  bool
}

// NewListed returns the source of the listed users; fold compares login
// names without regard to case.
func NewListed(list []config.AuthUser, fold bool) *Listed {
	l := &Listed{fold: fold}
	for _, u := range list {
		l.users = append(l.users, User{Source: l.Name(), ID: u.ID, Username: u.Username, Title: u.Title,
			Email: u.Email, Role: u.Role, hash: u.PasswordHash})
	}
	return l
}

// Name implements Source.
func (l *Listed) Name() string { return "config" }

// ByLogin implements Source: the username or the email.
func (l *Listed) ByLogin(_ context.Context, login string) (*User, error) {
	eq := func(a, b string) bool { return a == b }
	if l.fold {
		eq = strings.EqualFold
	}
	for i := range l.users {
		if u := &l.users[i]; eq(u.Username, login) || u.Email != "" && eq(u.Email, login) {
			c := *u
			return &c, nil
		}
	}
	return nil, nil
}

// ByID implements Source.
func (l *Listed) ByID(_ context.Context, id string) (*User, error) {
	for i := range l.users {
		if l.users[i].ID == id {
			c := l.users[i]
			return &c, nil
		}
	}
	return nil, nil
}
