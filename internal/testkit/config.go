package testkit

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Locales are the shop's locales, English (the default) and French, as a
// configuration's TOML.
const Locales = `
[locales]
default = "en"
[[locales.list]]
name = "en"
[[locales.list]]
name = "fr"
`

// placeholder is a {{NAME}} in a test's configuration.
var placeholder = regexp.MustCompile(`\{\{[A-Z_]+\}\}`)

// Fill replaces each {{NAME}} of src with its value; vars are NAME, value
// pairs. A placeholder left without a value fails the test, rather than
// reach the configuration's parser as text.
func Fill(tb testing.TB, src string, vars ...string) string {
	tb.Helper()
	pairs := make([]string, 0, len(vars))
	for i := 0; i+1 < len(vars); i += 2 {
		pairs = append(pairs, "{{"+vars[i]+"}}", vars[i+1])
	}
	src = strings.NewReplacer(pairs...).Replace(src)
	if left := placeholder.FindString(src); left != "" {
		tb.Fatalf("%s has no value", left)
	}
	return src
}

// TempConfig makes a temporary directory, writes files (name, content)
// into it, and returns it with src; in src and the files, {{DIR}} is the
// directory and vars (as Fill takes them) fill the other placeholders.
func TempConfig(tb testing.TB, src string, files map[string]string, vars ...string) (dir, text string) {
	tb.Helper()
	dir = tb.TempDir()
	vars = append([]string{"DIR", dir}, vars...)
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(Fill(tb, content, vars...)), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir, Fill(tb, src, vars...)
}

// WriteConfig is TempConfig that writes the configuration too, as
// config.toml in the directory, and returns that file's path.
func WriteConfig(tb testing.TB, src string, files map[string]string, vars ...string) string {
	tb.Helper()
	dir, text := TempConfig(tb, src, files, vars...)
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}
