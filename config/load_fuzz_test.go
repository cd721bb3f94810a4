package config

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// fuzzSecret is the value of $FUZZ_SECRET in FuzzParse's environment: an
// API key's secret, which no error may quote.
const fuzzSecret = "fuzz-secret-0f9e8d"

// FuzzParse loads any bytes as a configuration: it never panics, and a
// load that fails returns mistakes a user can act on: a TOML syntax error
// with its line, or *Error values each with the key path it is about,
// none quoting an API key's secret. The environment is fixed, so that a
// run depends on its input only.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"../config.toml", "../examples/inventory/config.toml.snippet"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", minimal, "[server]\nread_timeout = \"-1s\"\nmax_body_bytes = -1\n", "[server]\nread_timeout = 5\n",
		"[server\n", "a = \"\\uD800\"\n", "x = 1e400\n", "x = 99999999999999999999\n", "x = [[[[[[[[[[1]]]]]]]]]]\n",
		"[api_keys.k]\nrole = \"nosuch\"\nsecret = \"${FUZZ_SECRET}\"\n", "[api_keys.k]\nrole = \"admin\"\nsecret = \"${FUZZ_SECRET:-x}\"\n",
		"[server]\nlisten = \"${NOSUCH}\"\n", "[server]\nlisten = \"${1BAD}\"\n", "[server]\nlisten = \"${UNTERMINATED\"\n",
		"[databases.db]\ndriver = \"oracle\"\n", "[types.t]\ndatabase = \"nosuch\"\n[[types.t.fields]]\nname = \"a b\"\n",
		minimal + "[[types.thing.fields]]\nname = \"title\"\n", minimal + "[types.thing.fields]\n",
		"[types.\"a.b\"]\n", "[types.'x']\n[[types.'x'.fields]]\nkind = \"nosuch\"\n", "nosuch = 1\n[nosuch]\n",
		"[modules.m.api_routes.get.\"/x\"]\nsql = [\"SELECT 1\"]\n", "[modules.m.api_routes.post.x]\nparams.a = { body = 1 }\n",
	} {
		f.Add([]byte(s))
	}
	env := mapLookup(map[string]string{"FUZZ_SECRET": fuzzSecret, "FUZZ_EMPTY": "", "FUZZ_DB": "sqlite"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parse(data, "/srv/conf", "fuzz.toml", env)
		if err == nil {
			if cfg == nil {
				t.Fatalf("%q: no configuration and no error", data)
			}
			return
		}
		if cfg != nil {
			t.Fatalf("%q: a configuration and an error %v", data, err)
		}
		checkMistakes(t, data, err)
		if secretOnly(data) && strings.Contains(err.Error(), fuzzSecret) {
			t.Fatalf("%q: the error quotes a secret: %v", data, err)
		}
	})
}

// checkMistakes checks that err is a syntax error located by its line,
// or mistakes each located by its key path.
func checkMistakes(t *testing.T, data []byte, err error) {
	t.Helper()
	var syntax *Error
	if errors.As(err, &syntax) && syntax.Path == "" && err == error(syntax) {
		if syntax.File != "fuzz.toml" || syntax.Msg == "" {
			t.Fatalf("%q: syntax error %#v", data, syntax)
		}
		return
	}
	list, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("%q: %T %v is neither a syntax error nor a list of mistakes", data, err, err)
	}
	for _, e := range list.Unwrap() {
		var m *Error
		if !errors.As(e, &m) || m.Path == "" || m.Msg == "" || m.File != "fuzz.toml" {
			t.Fatalf("%q: mistake %T %#v has no key path", data, e, e)
		}
	}
}

// secretOnly reports whether data is TOML that refers to $FUZZ_SECRET
// only as API keys' secrets, where no error may quote it. Elsewhere its
// value is an ordinary value that an error may well quote.
func secretOnly(data []byte) bool {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return false
	}
	only := true
	var walk func(segs []string, v any)
	walk = func(segs []string, v any) {
		switch v := v.(type) {
		case string:
			if strings.Contains(v, "FUZZ_SECRET") && !(len(segs) == 3 && segs[0] == "api_keys" && segs[2] == "secret") {
				only = false
			}
		case map[string]any:
			for k, e := range v {
				walk(append(segs[:len(segs):len(segs)], k), e)
			}
		case []map[string]any:
			for _, e := range v {
				walk(append(segs[:len(segs):len(segs)], "[]"), e)
			}
		case []any:
			for _, e := range v {
				walk(append(segs[:len(segs):len(segs)], "[]"), e)
			}
		}
	}
	walk(nil, raw)
	return only
}
