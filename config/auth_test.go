package config

import (
	"strings"
	"testing"
	"time"
)

// validAuth is a configuration with every [auth] section; each case of
// TestValidateAuth breaks it in one place.
const validAuth = `[databases.shop]
driver = "sqlite"
dsn = "file:shop.db"

[auth]
cookie_name = "shop.app"

[[auth.users]]
username = "ops"
role = "admin"
password_hash = "$2a$10$qD2qhECbsUeVM6mf0yEXNe/wwhZtMjF0SNkJb/0YHmV0yjUUGimCq"

[[auth.tables]]
database = "shop"
table = "users"
login = ["login", "email"]
password = "pw_hash"
role = { column = "role", values = { staff = "editor" } }
active = "active"

[auth.store]
kind = "redis"
redis_url = "redis://127.0.0.1:6379/0"

[auth.cors]
origins = ["https://shop.example"]
credentials = true
`

func TestValidateAuth(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // the change to validAuth
		path     string
		msg      string
	}{
		{"bad cookie name", `cookie_name = "shop.app"`, `cookie_name = "shop app"`, "auth.cookie_name", "must be letters"},
		{"user without a name", `username = "ops"`, `username = ""`, "auth.users[0].username", "is required"},
		{"user listed twice", `[[auth.tables]]`, "[[auth.users]]\nusername = \"ops\"\nrole = \"guest\"\npassword_hash = \"$2a$x\"\n\n[[auth.tables]]", "auth.users[1].username", "listed twice"},
		{"anonymous user", `role = "admin"`, `role = "anonymous"`, "auth.users[0].role", "must be one of guest"},
		{"plain password", `password_hash = "$2a$10$qD2qhECbsUeVM6mf0yEXNe/wwhZtMjF0SNkJb/0YHmV0yjUUGimCq"`, `password_hash = "hunter2"`, "auth.users[0].password_hash", "must be a bcrypt hash"},
		{"unknown database", `database = "shop"`, `database = "shpo"`, "auth.tables[0].database", "must name an entry of [databases]"},
		{"no login column", `login = ["login", "email"]`, `login = []`, "auth.tables[0].login", "at least one column"},
		{"login column is not an identifier", `login = ["login", "email"]`, `login = ["login", "e mail"]`, "auth.tables[0].login[1]", "plain SQL identifier"},
		{"no password column", `password = "pw_hash"`, ``, "auth.tables[0].password", "is required"},
		{"no role column", `role = { column = "role", values = { staff = "editor" } }`, ``, "auth.tables[0].role.column", "is required"},
		{"unknown role value", `staff = "editor"`, `staff = "boss"`, "auth.tables[0].role.values.staff", "must be one of guest"},
		{"unknown scheme", `active = "active"`, "active = \"active\"\nscheme = \"md5\"", "auth.tables[0].scheme", "must be bcrypt"},
		{"no table", `table = "users"`, ``, "auth.tables[0].table", "is required"},
		{"table is not an identifier", `table = "users"`, `table = "users; drop"`, "auth.tables[0].table", "plain SQL identifier"},
		{"unknown store kind", `kind = "redis"`, `kind = "memcached"`, "auth.store.kind", "must be sql or redis"},
		{"bad Redis URL", `redis_url = "redis://127.0.0.1:6379/0"`, `redis_url = "127.0.0.1:6379"`, "auth.store.redis_url", "redis:// or rediss://"},
		{"unknown store database", `kind = "redis"`, "kind = \"sql\"\ndatabase = \"nope\"", "auth.store.database", "must name an entry"},
		{"bad prefix", `kind = "redis"`, "kind = \"redis\"\nprefix = \"a:b\"", "auth.store.prefix", "plain SQL identifier"},
		{"zero attempts", `[auth.cors]`, "[auth.throttle]\nattempts = -1\n\n[auth.cors]", "auth.throttle", "at least 1"},
		{"any origin with credentials", `origins = ["https://shop.example"]`, `origins = ["*"]`, "auth.cors.origins[0]", "cannot be combined with credentials"},
		{"origin with a path", `origins = ["https://shop.example"]`, `origins = ["https://shop.example/app"]`, "auth.cors.origins[0]", "an origin such as"},
		{"unknown key", `credentials = true`, "credentials = true\nmethods = [\"GET\"]", "auth.cors.methods", "unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(validAuth, tt.old) {
				t.Fatalf("the base config has no %q", tt.old)
			}
			_, err := parseEnv(strings.Replace(validAuth, tt.old, tt.new, 1), nil)
			for _, e := range configErrors(t, err) {
				if e.Path == tt.path && strings.Contains(e.Msg, tt.msg) {
					return
				}
			}
			t.Fatalf("no error at %s containing %q in:\n%v", tt.path, tt.msg, err)
		})
	}
}

func TestAuthDefaults(t *testing.T) {
	cfg, err := parseEnv(validAuth, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Auth
	day := 24 * time.Hour
	if a.TokenLifetime.Duration != 14*day || a.SessionLifetime.Duration != 14*day || a.FailureDelay.Duration != time.Second || !*a.CSRF {
		t.Errorf("lifetimes, delay or csrf: %+v", a)
	}
	if th := a.Throttle; th.Attempts != 3 || th.Per.Duration != time.Minute || th.Lockout.Duration != time.Minute || th.AddressAttempts != 30 {
		t.Errorf("throttle: %+v", th)
	}
	if u := a.Users[0]; u.ID != "ops" || u.Title != "ops" {
		t.Errorf("user defaults: %+v", u)
	}
	if tb := a.Tables[0]; tb.ID != "id" || tb.Scheme != "bcrypt" || tb.Title != "login" {
		t.Errorf("table defaults: %+v", tb)
	}
	if s := a.Store; s.Prefix != "aposproxy" || s.File != "data/aposproxy-auth.db" {
		t.Errorf("store defaults: %+v", s)
	}
	empty, err := parseEnv("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := empty.Auth; c.Store.Kind != "sql" || len(c.CORS.Origins) != 1 || c.CORS.Origins[0] != "*" || c.CookieName != "aposproxy" {
		t.Errorf("an empty configuration's [auth]: %+v", c)
	}
}

func TestAutoUser(t *testing.T) {
	tests := []struct{ name, old, new, msg string }{
		{"on a string field", "name = \"title\"\ncolumn = \"name\"", "name = \"title\"\ncolumn = \"name\"\nauto = \"user\"", ""},
		{"on a datetime field", `auto = "create"`, `auto = "user"`, "user is only for string fields"},
		{"unknown", `auto = "create"`, `auto = "delete"`, "must be create or update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(valid, tt.old) {
				t.Fatalf("the base config has no %q", tt.old)
			}
			cfg, err := parseEnv(strings.Replace(valid, tt.old, tt.new, 1), nil)
			if tt.msg == "" {
				if err != nil || !cfg.Types["product"].Fields[0].ReadOnly {
					t.Fatalf("err %v; an auto field is read-only", err)
				}
				return
			}
			for _, e := range configErrors(t, err) {
				if strings.Contains(e.Msg, tt.msg) {
					return
				}
			}
			t.Fatalf("no error containing %q in:\n%v", tt.msg, err)
		})
	}
}
