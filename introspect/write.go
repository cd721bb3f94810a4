package introspect

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// Options say what Generate writes around the types.
type Options struct {
	// Driver and DSN are written in [databases.main]; a DSN that carries
	// a password is not written: the file reads ${DATABASE_DSN} instead.
	Driver, DSN string
	// Command is the command line, written in the file's first comment.
	Command string
}

// Generate writes a starting configuration for tables of db: a
// [databases.main], an admin API key read from ${APOSPROXY_ADMIN_KEY}, the
// locales the locale columns hold, and one type per table. Every guess is
// marked with a # review: comment, every foreign key with a
// # relationship: comment.
func Generate(ctx context.Context, db *sqldb.DB, tables []*Table, opts Options) ([]byte, error) {
	var locales []string
	var plans []*typePlan
	for _, t := range tables {
		if len(t.Columns) == 0 {
			continue
		}
		p, err := planType(ctx, db, t, &locales)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
		plans = append(plans, p)
	}
	w := &writer{}
	w.head(opts, locales)
	for _, p := range plans {
		w.typ(p)
	}
	return w.Bytes(), nil
}

// writer writes TOML.
type writer struct{ bytes.Buffer }

func (w *writer) line(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

// head writes the comment, the database, the key and the locales.
func (w *writer) head(opts Options, locales []string) {
	w.line("# A starting aposproxy configuration, written by")
	w.line("#   %s", opts.Command)
	w.line("# from the database's schema. Read every `# review:` comment, then check the")
	w.line("# file with `aposproxy validate -live -config FILE` (docs/config.md).")
	w.line("")
	w.line("[databases.main]")
	w.line("driver = %s", str(opts.Driver))
	if hasPassword(opts.DSN) {
		w.line("# review: the DSN carries a password, so it is read from the environment.")
		w.line(`dsn = "${DATABASE_DSN}"`)
	} else {
		w.line("dsn = %s", str(strings.ReplaceAll(opts.DSN, "$", "$$")))
	}
	w.line("")
	w.line("# A key whose variable is unset does not exist: there are no default secrets.")
	w.line("[api_keys.admin]")
	w.line(`role = "admin"`)
	w.line(`secret = "${APOSPROXY_ADMIN_KEY}"`)
	if len(locales) == 0 {
		return
	}
	slices.Sort(locales)
	def := locales[0]
	if slices.Contains(locales, "en") {
		def = "en"
	}
	w.line("")
	w.line("# review: the locales are the values the locale columns hold.")
	w.line("[locales]")
	w.line("default = %s", str(def))
	for _, l := range locales {
		w.line("[[locales.list]]")
		w.line("name = %s", str(l))
	}
}

// typ writes one type and its fields.
func (w *writer) typ(p *typePlan) {
	w.line("")
	w.line("# The table %s.", p.table.Name)
	for _, r := range p.reviews {
		w.line("# review: %s.", r)
	}
	w.line("# review: who may read it; guest keeps it from anonymous callers.")
	w.line("[types.%s]", key(p.name))
	w.line(`database = "main"`)
	w.line("table = %s", str(p.table.Name))
	if len(p.keys) > 1 {
		var ks []string
		for _, k := range p.keys {
			ks = append(ks, str(k))
		}
		w.line("key = [%s]", strings.Join(ks, ", "))
	} else {
		w.line("key = %s", str(p.key))
	}
	if p.readOnly {
		w.line("read_only = true")
	}
	if p.newKeys != "" {
		w.line("new_keys = %s", str(p.newKeys))
	}
	if p.locale != "" {
		w.line("locale = { column = %s }", str(p.locale))
	}
	if p.mode != "" {
		var vals []string
		for _, v := range slices.Sorted(maps.Keys(p.modeValues)) {
			vals = append(vals, key(v)+" = "+str(p.modeValues[v]))
		}
		w.line("mode = { column = %s, values = { %s } }", str(p.mode), strings.Join(vals, ", "))
	}
	if p.sort != "" {
		w.line("sort = %s", str(p.sort))
	}
	w.line(`view_role = "guest"`)
	for _, f := range p.fields {
		w.field(p.name, f)
	}
}

func (w *writer) field(typ string, f fieldPlan) {
	w.line("")
	if f.review != "" {
		w.line("# review: %s.", f.review)
	}
	if f.relationship != "" {
		w.line("# relationship: %s.", f.relationship)
	}
	w.line("[[types.%s.fields]]", key(typ))
	w.line("name = %s", str(f.name))
	if f.column != f.name {
		w.line("column = %s", str(f.column))
	}
	if f.kind != "string" {
		w.line("kind = %s", str(f.kind))
	}
	if f.required && f.auto == "" {
		w.line("required = true")
	}
	if f.auto != "" {
		w.line("auto = %s", str(f.auto))
	}
}

var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// key writes a TOML key, quoted when it must be.
func key(s string) string {
	if bareKey.MatchString(s) {
		return s
	}
	return str(s)
}

// str writes a TOML basic string.
func str(s string) string {
	q := strconv.QuoteToASCII(s)
	return regexp.MustCompile(`\\x([0-9a-f]{2})`).ReplaceAllString(q, `\u00$1`)
}

// dsnPassword finds a password in a URL (user:pass@), a MySQL DSN
// (user:pass@tcp) or a key=value DSN (password=).
var dsnPassword = regexp.MustCompile(`://[^/@:]*:[^/@]+@|^[^/@:]+:[^/@]+@|(?i)\bpassword=`)

func hasPassword(dsn string) bool { return dsnPassword.MatchString(dsn) }
