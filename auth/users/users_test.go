package users

import (
	"context"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
	"golang.org/x/crypto/bcrypt"
)

// hash is a bcrypt hash of password, at the lowest cost to keep tests fast.
func hash(t *testing.T, password string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// usersTable is a legacy staff table like the shop's, with a role value
// that needs mapping and one of no known role.
const usersTable = `CREATE TABLE staff (id INTEGER PRIMARY KEY, login VARCHAR(80) NOT NULL, email VARCHAR(200),
	pw_hash VARCHAR(100), role VARCHAR(20) NOT NULL, active BOOLEAN NOT NULL)`

func TestDirectory(t *testing.T) {
	testkit.EachEngine(t, func(t *testing.T, e testkit.Engine) {
		ctx := context.Background()
		db, err := sqldb.Open(ctx, config.Database{Driver: e.Name, DSN: e.Fresh(t), MaxOpen: 4})
		db = testkit.Closing(t, db, err)
		if _, err := db.Exec(usersTable); err != nil {
			t.Fatal(err)
		}
		rows := []struct {
			id                       int
			login, email, hash, role string
			active                   bool
		}{
			{2, "editor", "editor@shop.example", hash(t, "editor-pass"), "editor", true},
			{3, "boss", "boss@shop.example", "$2y$" + hash(t, "boss-pass")[4:], "superuser", true},
			{5, "former", "former@shop.example", hash(t, "former-pass"), "editor", false},
			{6, "odd", "", hash(t, "odd-pass"), "janitor", true},
		}
		for _, r := range rows {
			if _, err := db.Exec(db.Rebind("INSERT INTO staff (id, login, email, pw_hash, role, active) VALUES (?, ?, ?, ?, ?, ?)"),
				r.id, r.login, r.email, r.hash, r.role, r.active); err != nil {
				t.Fatal(err)
			}
		}
		table := NewTable(db, config.UserTable{Database: "shop", Table: "staff", ID: "id", Login: []string{"login", "email"},
			Password: "pw_hash", Title: "login", Email: "email", Active: "active",
			Role: config.ValueMap{Column: "role", Values: map[string]string{"superuser": "admin"}}}, false)
		listed := NewListed([]config.AuthUser{{Username: "ops", ID: "ops", Title: "Ops", Role: "admin", PasswordHash: hash(t, "ops-pass")},
			{Username: "editor", ID: "shadow", Role: "guest", PasswordHash: hash(t, "shadow-pass")}}, false)
		dir, err := NewDirectory(listed, table)
		if err != nil {
			t.Fatal(err)
		}
		login := []struct {
			name, user, password string
			wantID, wantRole     string // "" when refused
			wantSource           string
		}{
			{"listed user", "ops", "ops-pass", "ops", "admin", "config"},
			{"the first source that knows a name decides", "editor", "editor-pass", "", "", ""},
			{"listed user shadows the table", "editor", "shadow-pass", "shadow", "guest", "config"},
			{"table user by email", "editor@shop.example", "editor-pass", "2", "editor", "shop.staff"},
			{"PHP's $2y$ and a mapped role", "boss", "boss-pass", "3", "admin", "shop.staff"},
			{"wrong password", "boss", "nope", "", "", ""},
			{"inactive user", "former", "former-pass", "", "", ""},
			{"unknown role", "odd", "odd-pass", "", "", ""},
			{"missing user", "nobody", "x", "", "", ""},
			{"case matters", "BOSS", "boss-pass", "", "", ""},
		}
		for _, tt := range login {
			t.Run(tt.name, func(t *testing.T) {
				u, err := dir.Login(ctx, tt.user, tt.password)
				if err != nil {
					t.Fatal(err)
				}
				if tt.wantID == "" {
					if u != nil {
						t.Fatalf("logged in as %+v", u)
					}
					return
				}
				if u == nil || u.ID != tt.wantID || u.Role != tt.wantRole || u.Source != tt.wantSource {
					t.Fatalf("user = %+v, want id %s role %s source %s", u, tt.wantID, tt.wantRole, tt.wantSource)
				}
				again, err := dir.Get(ctx, u.Source, u.ID)
				if err != nil || again == nil || again.Stamp() != u.Stamp() {
					t.Fatalf("Get(%s, %s) = %+v, %v", u.Source, u.ID, again, err)
				}
			})
		}
		t.Run("a login no text column can hold names nobody", func(t *testing.T) {
			for _, name := range []string{"nul\x00byte", "bad\xff\xfeutf8", "\x00"} {
				if u, err := dir.Login(ctx, name, "x"); u != nil || err != nil {
					t.Errorf("Login(%q) = %+v, %v; want no user and no error", name, u, err)
				}
			}
		})
		t.Run("a changed password changes the stamp", func(t *testing.T) {
			before, _ := dir.Get(ctx, "shop.staff", "2")
			if _, err := db.Exec(db.Rebind("UPDATE staff SET pw_hash = ? WHERE id = 2"), hash(t, "new-pass")); err != nil {
				t.Fatal(err)
			}
			after, _ := dir.Get(ctx, "shop.staff", "2")
			if before == nil || after == nil || before.Stamp() == after.Stamp() {
				t.Fatalf("stamps %+v %+v", before, after)
			}
		})
		t.Run("deactivated users are gone", func(t *testing.T) {
			if u, err := dir.Get(ctx, "shop.staff", "5"); u != nil || err != nil {
				t.Fatalf("Get = %+v, %v", u, err)
			}
		})
		t.Run("case-insensitive logins", func(t *testing.T) {
			fold := NewTable(db, config.UserTable{Database: "shop", Table: "staff", ID: "id", Login: []string{"login"},
				Password: "pw_hash", Role: config.ValueMap{Column: "role", Values: map[string]string{"superuser": "admin"}}}, true)
			if u, err := fold.ByLogin(ctx, "BOSS"); err != nil || u == nil || u.ID != "3" || u.Title != "boss" {
				t.Fatalf("ByLogin = %+v, %v", u, err)
			}
		})
	})
}

// TestMissingUserTiming checks that an unknown username costs about as
// much as a wrong password: both run one bcrypt comparison.
func TestMissingUserTiming(t *testing.T) {
	h, err := bcrypt.GenerateFromPassword([]byte("right"), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := NewDirectory(NewListed([]config.AuthUser{{Username: "known", ID: "k", Role: "editor", PasswordHash: string(h)}}, false))
	if err != nil {
		t.Fatal(err)
	}
	measure := func(user string) time.Duration {
		best := time.Hour
		for range 5 {
			start := time.Now()
			if u, _ := dir.Login(context.Background(), user, "wrong"); u != nil {
				t.Fatal("logged in")
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	wrong, missing := measure("known"), measure("unknown")
	t.Logf("wrong password %v, missing user %v", wrong, missing)
	if missing < wrong/2 || missing > wrong*2 {
		t.Fatalf("a missing user takes %v, a wrong password %v", missing, wrong)
	}
}
