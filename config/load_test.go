package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// minimal is the smallest valid configuration: one database, one type.
const minimal = `[databases.db]
driver = "sqlite"
dsn = "file:x.db"

[types.thing]
database = "db"
table = "things"

[[types.thing.fields]]
name = "title"
`

// parseEnv parses src as a file in /srv/conf with env as the environment.
func parseEnv(src string, env map[string]string) (*Config, error) {
	return parse([]byte(src), "/srv/conf", "", mapLookup(env))
}

// configErrors unpacks the mistakes returned by parse.
func configErrors(t *testing.T, err error) []*Error {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var out []*Error
	for _, e := range append([]error{err}, unwrapAll(err)...) {
		if ce, ok := e.(*Error); ok {
			out = append(out, ce)
		}
	}
	if len(out) == 0 {
		t.Fatalf("error %v holds no *Error", err)
	}
	return out
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return nil
}

// wantError checks that err holds a mistake at path, on line, whose
// message contains msg.
func wantError(t *testing.T, err error, path string, line int, msg string) {
	t.Helper()
	errs := configErrors(t, err)
	for _, e := range errs {
		if e.Path == path {
			if e.Line != line || !strings.Contains(e.Msg, msg) {
				t.Fatalf("got %v, want line %d and message containing %q", e, line, msg)
			}
			if !strings.Contains(err.Error(), e.Error()) {
				t.Fatalf("error text %q does not show %q", err, e)
			}
			return
		}
	}
	t.Fatalf("no error at %s in:\n%v", path, err)
}

// mistake is a change that breaks a valid configuration in one place, and
// the error expected of it.
type mistake struct {
	name     string
	old, new string // every old becomes new (a renamed table takes its sub-tables along)
	path     string
	at       string // the text on the expected line, in the changed file
	msg      string
}

// apply makes the change to valid and parses the result; it returns the
// changed text and the error.
func (m mistake) apply(t *testing.T, valid string) (string, error) {
	t.Helper()
	if !strings.Contains(valid, m.old) {
		t.Fatalf("%q is not in the valid configuration", m.old)
	}
	src := strings.ReplaceAll(valid, m.old, m.new)
	_, err := parseEnv(src, nil)
	return src, err
}

// lineOf gives the 1-based line of the first occurrence of s in src.
func lineOf(t *testing.T, src, s string) int {
	t.Helper()
	i := strings.Index(src, s)
	if i < 0 {
		t.Fatalf("%q is not in the source", s)
	}
	return strings.Count(src[:i], "\n") + 1
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		add  string // appended to minimal
		path string
		at   string // where the mistake is; its line is expected
		msg  string
	}{
		{"unknown top-level table", "[sever]\nlisten = \"x\"\n", "sever", "[sever]", "unknown key"},
		{"keys are case-sensitive", "[server]\nListen = \"x\"\n", "server.Listen", "Listen", "unknown key"},
		{"unknown key in the second field", "[[types.thing.fields]]\nname = \"b\"\ncolum = \"c\"\n",
			"types.thing.fields[1].colum", "colum", "unknown key"},
		{"unknown key in an inline table", "[types.other]\nmode = { colum = \"s\" }\n", "types.other.mode.colum", "mode = {", "unknown key"},
		{"Name is not a key", "[types.other]\nname = \"x\"\n", "types.other.name", "name = \"x\"", "unknown key"},
		{"unknown choice key", "[[types.thing.fields]]\nname = \"c\"\nchoices = [\"a\", { value = \"b\", lbl = \"B\" }]\n",
			"types.thing.fields[1].choices[1]", "{ value", `unknown key "lbl"`},
		{"choice of the wrong type", "[[types.thing.fields]]\nname = \"c\"\nchoices = [1]\n",
			"types.thing.fields[1].choices[0]", "choices", "a choice must be a string or a table"},
		{"string for an integer", "[server]\nmax_body_bytes = \"1MB\"\n", "server.max_body_bytes", "max_body_bytes", "must be an integer, not a string"},
		{"string for a boolean", "[[types.thing.fields]]\nname = \"b\"\nrequired = \"yes\"\n",
			"types.thing.fields[1].required", "required", "must be true or false, not a string"},
		{"bad duration", "[server]\nrequest_timeout = \"5 seconds\"\n", "server.request_timeout", "request_timeout", "time: unknown unit"},
		{"negative duration", "[server]\nidle_timeout = \"-1s\"\n", "server.idle_timeout", "idle_timeout", "must not be negative"},
		{"number for a duration", "[server]\nread_timeout = 5\n", "server.read_timeout", "read_timeout", "must be a string, not an integer"},
		{"table for a string", "[types.other]\ntable = { name = \"x\" }\n", "types.other.table", "table = {", "must be a string, not a table"},
		{"string for an array", "[[types.thing.fields]]\nname = \"c\"\nchoices = \"red\"\n",
			"types.thing.fields[1].choices", "choices", "must be an array, not a string"},
		{"string for a table", "[locales]\nlist = \"en\"\n", "locales.list", "list", "must be an array, not a string"},
		{"integer for a type", "[types]\nother = 1\n", "types.other", "other", "must be a table, not an integer"},
		{"date for a string", "[server]\nlisten = 1979-05-27\n", "server.listen", "listen", "not a date or time"},
		{"unset variable", "[upstreams.u]\nurl = \"${UPSTREAM_URL}\"\n", "upstreams.u.url", "url", "environment variable UPSTREAM_URL is not set"},
		{"unset variable in an array", "[databases.db2]\ndriver = \"sqlite\"\ndsn = \"x\"\nbootstrap = [\n\"a.sql\",\n\"${SEED}\"]\n",
			"databases.db2.bootstrap[1]", "${SEED}", "SEED is not set"},
		{"unset variable in a map value", "[upstreams.u]\nurl = \"http://x\"\nheaders = { X-Token = \"${TOKEN}\" }\n",
			"upstreams.u.headers.X-Token", "headers", "TOKEN is not set"},
		{"default secret", "[api_keys.k]\nrole = \"admin\"\nsecret = \"${K:-changeme}\"\n", "api_keys.k.secret", "secret", "a secret takes no default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := minimal + tt.add
			_, err := parseEnv(src, nil)
			wantError(t, err, tt.path, lineOf(t, src, tt.at), tt.msg)
		})
	}
}

func TestSyntaxError(t *testing.T) {
	src := minimal + "[server]\nlisten = @\n"
	_, err := parseEnv(src, nil)
	errs := configErrors(t, err)
	if errs[0].Line != lineOf(t, src, "@") {
		t.Fatalf("syntax error %v has the wrong line", errs[0])
	}
}

// TestAllErrorsReported checks that one load reports every mistake, in
// file order, and that a bad file stops before defaults and validation.
func TestAllErrorsReported(t *testing.T) {
	src := minimal + "[server]\nlisten = 1\nprefix = 2\n[[types.thing.fields]]\nname = \"x\"\nkind = 3\ncolum = \"y\"\n"
	_, err := parseEnv(src, nil)
	var paths []string
	for _, e := range configErrors(t, err) {
		paths = append(paths, e.Path)
	}
	want := []string{"server.listen", "server.prefix", "types.thing.fields[1].kind", "types.thing.fields[1].colum"}
	if !slices.Equal(paths, want) {
		t.Fatalf("paths = %v, want %v (in file order)", paths, want)
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "config.toml", Line: 3, Path: "server.listen", Msg: "bad"}, "config.toml:3: server.listen: bad"},
		{Error{Line: 3, Path: "server.listen", Msg: "bad"}, "line 3: server.listen: bad"},
		{Error{File: "config.toml", Path: "types.x.table", Msg: "is required"}, "config.toml: types.x.table: is required"},
		{Error{Path: "types.x.table", Msg: "is required"}, "types.x.table: is required"},
		{Error{Line: 1, Msg: "expected '='"}, "line 1: expected '='"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Fatalf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEnvironment(t *testing.T) {
	src := `[server]
listen = "${LISTEN:-0.0.0.0:80}"
prefix = "${PREFIX}"
request_timeout = "${TIMEOUT:-7s}"

[upstreams.u]
url = "http://x/$${literal}"

[api_keys.set]
role = "admin"
secret = "${SET_KEY}"

[api_keys.unset]
role = "editor"
secret = "${UNSET_KEY}"

[api_keys.empty]
role = "guest"
secret = ""
` + minimal
	cfg, err := parseEnv(src, map[string]string{"PREFIX": "/api", "SET_KEY": "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"default", cfg.Server.Listen, "0.0.0.0:80"},
		{"set", cfg.Server.Prefix, "/api"},
		{"duration", cfg.Server.RequestTimeout.String(), "7s"},
		{"escape", cfg.Upstreams["u"].URL, "http://x/${literal}"},
		{"secret", cfg.APIKeys["set"].Secret, "s3cret"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if len(cfg.APIKeys) != 1 {
		t.Errorf("API keys %v: keys without a secret must be dropped", cfg.APIKeys)
	}
}

func TestTypeOrderAndPaths(t *testing.T) {
	src := minimal + `[types.zebra]
database = "db"
table = "z"
fields = [{ name = "a" }]

[types.apple]
database = "db"
table = "a"
fields = [{ name = "a" }]

[databases.pg]
driver = "postgres"
dsn = "postgres://x"
bootstrap = ["schema.sql"]

[databases.lite]
driver = "sqlite"
dsn = "file:y.db"
bootstrap = ["sql/schema.sql", "/abs/seed.sql"]
`
	cfg, err := parseEnv(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"thing", "zebra", "apple"}; !slices.Equal(cfg.TypeOrder, want) {
		t.Errorf("TypeOrder = %v, want %v", cfg.TypeOrder, want)
	}
	for _, name := range cfg.TypeOrder {
		if cfg.Types[name].Name != name {
			t.Errorf("type %s has Name %q", name, cfg.Types[name].Name)
		}
	}
	if cfg.Dir != "/srv/conf" {
		t.Errorf("Dir = %q", cfg.Dir)
	}
	if got, want := cfg.Databases["lite"].Bootstrap, []string{"/srv/conf/sql/schema.sql", "/abs/seed.sql"}; !slices.Equal(got, want) {
		t.Errorf("sqlite bootstrap = %v, want %v", got, want)
	}
	if got := cfg.Databases["pg"].Bootstrap; got != nil {
		t.Errorf("postgres bootstrap = %v, want it dropped", got)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "aposproxy.toml")
	if err := os.WriteFile(path, []byte(minimal+"[server]\nlisten = 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var e *Error
	if !errors.As(err, &e) || e.File != path || !strings.HasPrefix(err.Error(), path+":") {
		t.Fatalf("Load error %v does not name the file", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v", err)
	}
	if err := os.WriteFile(path, []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dir != dir {
		t.Fatalf("Dir = %q, want %q", cfg.Dir, dir)
	}
	if cfg, err = Parse([]byte(minimal), dir); err != nil {
		t.Fatal(err)
	}
	if cfg.Dir != dir {
		t.Fatalf("Parse: Dir = %q, want %q", cfg.Dir, dir)
	}
}

// TestLoadRepoConfig loads the shop's config.toml at the repository root.
func TestLoadRepoConfig(t *testing.T) {
	const path = "../config.toml"
	if _, err := os.Stat(path); err != nil {
		t.Skip("no config.toml at the repository root")
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.TypeOrder) == 0 || len(cfg.TypeOrder) != len(cfg.Types) {
		t.Fatalf("TypeOrder %v does not list the %d types", cfg.TypeOrder, len(cfg.Types))
	}
}

// TestDocExamples loads the TOML examples of docs/config.md together, so
// that the reference stays true to the loader.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/config.md")
	if err != nil {
		t.Skip("no docs/config.md")
	}
	var src strings.Builder
	for _, block := range strings.Split(string(doc), "```toml\n")[1:] {
		toml, _, _ := strings.Cut(block, "```")
		src.WriteString(toml + "\n")
	}
	cfg, err := parseEnv(src.String(), map[string]string{"INVENTORY_TOKEN": "t"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"article", "@apostrophecms/global", "@apostrophecms/page", "@apostrophecms/user", "product", "inventory-item", "@apostrophecms/image"}; !slices.Equal(cfg.TypeOrder, want) {
		t.Fatalf("the examples define types %v, want %v", cfg.TypeOrder, want)
	}
}
