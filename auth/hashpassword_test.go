package auth

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashPassword(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		hashes string // the password the printed hash must match
	}{
		{"a line", []string{"-cost", "4"}, "s3cret pass\n", 0, "s3cret pass"},
		{"no newline", []string{"-cost", "4"}, "s3cret", 0, "s3cret"},
		{"empty input", nil, "", 2, ""},
		{"the password as an argument", []string{"s3cret"}, "", 2, ""},
		{"bad cost", []string{"-cost", "99"}, "x\n", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := HashPassword(tt.args, strings.NewReader(tt.stdin), &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, errOut.String())
			}
			if tt.hashes == "" {
				return
			}
			hash := strings.TrimSpace(out.String())
			if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(tt.hashes)); err != nil {
				t.Fatalf("printed %q: %v", hash, err)
			}
		})
	}
}

// TestSeedPasswords pins the passwords of the shop's seed users, which
// the README's tour and the e2e tests use: "<login>-pass".
func TestSeedPasswords(t *testing.T) {
	seed, err := os.ReadFile("../examples/shop/seed.sql")
	if err != nil {
		t.Skip("no shop seed")
	}
	rows := regexp.MustCompile(`INSERT INTO users \(id, login, email, pw_hash, role, active\) VALUES \(\d+, '(\w+)', '[^']*', '([^']+)'`).
		FindAllStringSubmatch(string(seed), -1)
	if len(rows) != 5 {
		t.Fatalf("found %d seed users, want 5", len(rows))
	}
	for _, r := range rows {
		t.Run(r[1], func(t *testing.T) {
			if err := bcrypt.CompareHashAndPassword([]byte(r[2]), []byte(r[1]+"-pass")); err != nil {
				t.Fatalf("%s's password is not %s-pass: %v", r[1], r[1], err)
			}
		})
	}
}
