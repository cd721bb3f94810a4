package config

import (
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// valid is a configuration that exercises every section (the shop's
// locales, French with a path prefix); each case of TestValidate breaks it
// in one place.
const valid = `[server]
listen = "127.0.0.1:3000"
` + testkit.Locales + `prefix = "/fr"

[databases.shop]
driver = "sqlite"
dsn = "file:shop.db"

[upstreams.inventory]
url = "http://127.0.0.1:8081"

[api_keys.admin]
role = "admin"
secret = "hunter2-secret"

[types.product]
database = "shop"
table = "products"
key = "product_id"
locale = { column = "lang" }
mode = { column = "status", values = { live = "published" } }

[[types.product.fields]]
name = "title"
column = "name"

[[types.product.fields]]
name = "color"
kind = "select"
choices = ["red", "blue"]

[[types.product.fields]]
name = "createdAt"
column = "created_at"
kind = "datetime"
auto = "create"

[types.item]
upstream = "inventory"
key = "itemId"

[[types.item.fields]]
name = "warehouse"
column = "warehouse.code"

[types.item.service]
list = { path = "/items" }
get = { path = "/items/{key}" }
create = { path = "/items" }
replace = { path = "/items/{key}" }
delete = { path = "/items/{key}" }
paging = { page = "page", size = "size" }
response = { items = "items", total = "total", item = "@this" }
`

func TestValidConfig(t *testing.T) {
	if _, err := parseEnv(valid, nil); err != nil {
		t.Fatal(err)
	}
}

func TestValidate(t *testing.T) {
	tests := []mistake{ // changes to valid
		// [server]
		{"listen without port", `listen = "127.0.0.1:3000"`, `listen = "localhost"`, "server.listen", "listen", "must be host:port"},
		{"prefix without slash", `listen = "127.0.0.1:3000"`, "listen = \"127.0.0.1:3000\"\nprefix = \"api\"", "server.prefix", "prefix", "must start with /"},
		{"prefix with trailing slash", `listen = "127.0.0.1:3000"`, "listen = \"127.0.0.1:3000\"\nprefix = \"/api/\"", "server.prefix", "prefix", "not end with /"},
		{"negative body size", `listen = "127.0.0.1:3000"`, "listen = \"127.0.0.1:3000\"\nmax_body_bytes = -1", "server.max_body_bytes", "max_body_bytes", "must be positive"},
		{"negative in-flight cap", `listen = "127.0.0.1:3000"`, "listen = \"127.0.0.1:3000\"\nmax_in_flight = -1", "server.max_in_flight", "max_in_flight", "must be positive"},
		{"negative connection cap", `listen = "127.0.0.1:3000"`, "listen = \"127.0.0.1:3000\"\nmax_conns_per_ip = -2", "server.max_conns_per_ip", "max_conns_per_ip", "must be positive"},
		{"tiny header limit", `listen = "127.0.0.1:3000"`, "listen = \"127.0.0.1:3000\"\nmax_header_bytes = 512", "server.max_header_bytes", "max_header_bytes", "at least 4096"},
		{"a burst without a rate", `listen = "127.0.0.1:3000"`, "listen = \"127.0.0.1:3000\"\nrate_burst = 5", "server.rate_burst", "rate_burst", "needs rate_limit"},
		{"a rate that is no integer", `listen = "127.0.0.1:3000"`, "listen = \"127.0.0.1:3000\"\nrate_limit = 2.5", "server.rate_limit", "rate_limit", "an integer"},

		// [locales]
		{"bad locale name", `name = "fr"`, `name = "f r"`, "locales.list[1].name", `"f r"`, "must be letters"},
		{"locale listed twice", `name = "fr"`, `name = "en"` + "\n", "locales.list[1].name", "name = \"en\"\n\nprefix", "listed twice"},
		{"unknown default locale", `default = "en"`, `default = "de"`, "locales.default", "default", `"de" is not in locales.list`},
		{"prefix without slash", `prefix = "/fr"`, `prefix = "fr"`, "locales.list[1].prefix", "prefix", "must start with /"},
		{"prefix used twice", `name = "en"`, "name = \"en\"\nprefix = \"/fr\"", "locales.list[1].prefix", "prefix = \"/fr\"\n\n[databases", "used by two locales"},

		// [databases]
		{"unknown driver", `driver = "sqlite"`, `driver = "oracle"`, "databases.shop.driver", "driver", "must be one of sqlite, postgres, mysql"},
		{"empty dsn", `dsn = "file:shop.db"`, `dsn = ""`, "databases.shop.dsn", "dsn", "must not be empty"},
		{"no connections", `dsn = "file:shop.db"`, "dsn = \"file:shop.db\"\nmax_open = -1", "databases.shop.max_open", "max_open", "at least 1"},
		{"empty bootstrap file", `dsn = "file:shop.db"`, "dsn = \"file:shop.db\"\nbootstrap = [\"\"]", "databases.shop.bootstrap[0]", "bootstrap", "must be a file path"},

		// [api_keys]
		{"unknown key role", `role = "admin"`, `role = "root"`, "api_keys.admin.role", "role", "must be one of guest, contributor, editor, admin"},
		{"anonymous key", `role = "admin"`, `role = "anonymous"`, "api_keys.admin.role", "role", "must be one of guest"},
		{"shared secret", "[types.product]", "[api_keys.other]\nrole = \"guest\"\nsecret = \"hunter2-secret\"\n\n[types.product]",
			"api_keys.other.secret", "secret = \"hunter2-secret\"\n\n[types.product]", "same secret as api_keys.admin"},

		// [upstreams]
		{"ftp upstream", `url = "http://127.0.0.1:8081"`, `url = "ftp://127.0.0.1"`, "upstreams.inventory.url", "url", "must be an http or https URL"},
		{"upstream without host", `url = "http://127.0.0.1:8081"`, `url = "http://"`, "upstreams.inventory.url", "url", "must be an http or https URL"},
		{"credentials in the upstream URL", `url = "http://127.0.0.1:8081"`, `url = "http://user:pw@127.0.0.1:8081"`, "upstreams.inventory.url", "url", "must not have a query, a fragment or credentials"},
		{"negative retries", `url = "http://127.0.0.1:8081"`, "url = \"http://127.0.0.1:8081\"\nretries = -1", "upstreams.inventory.retries", "retries", "must not be negative"},
		{"query in the upstream URL", `url = "http://127.0.0.1:8081"`, `url = "http://127.0.0.1:8081/x?y=1"`, "upstreams.inventory.url", "url", "must not have a query, a fragment or credentials"},
		{"negative breaker failures", `url = "http://127.0.0.1:8081"`, "url = \"http://127.0.0.1:8081\"\nbreaker_failures = -1", "upstreams.inventory.breaker_failures", "breaker_failures", "must not be negative"},
		{"negative breaker cooldown", `url = "http://127.0.0.1:8081"`, "url = \"http://127.0.0.1:8081\"\nbreaker_cooldown = \"-1s\"", "upstreams.inventory.breaker_cooldown", "breaker_cooldown", "must not be negative"},

		// [types]: names and backends
		{"Apostrophe's own type", "types.item", `types."@apostrophecms/styles"`, `types."@apostrophecms/styles"`, "[types.\"@", "not one of Apostrophe's own"},
		{"bad type name", "types.item", `types."a b"`, `types."a b"`, "[types.\"a b\"]", "a type name is letters"},
		{"database and upstream", `key = "itemId"`, "key = \"itemId\"\ndatabase = \"shop\"", "types.item", "[types.item]", "not both"},
		{"no backend", `upstream = "inventory"`, "", "types.item", "[types.item]", "needs a database"},
		{"unknown database", `database = "shop"`, `database = "shpo"`, "types.product.database", "shpo", `no database named "shpo"`},
		{"unknown upstream", `upstream = "inventory"`, `upstream = "inv"`, "types.item.upstream", `"inv"`, `no upstream named "inv"`},
		{"missing table", "table = \"products\"\n", "", "types.product.table", "[types.product]", "is required"},
		{"table is not an identifier", `table = "products"`, `table = "products; drop table x"`, "types.product.table", "drop", "plain SQL identifier"},
		{"table on an upstream type", `key = "itemId"`, "key = \"itemId\"\ntable = \"items\"", "types.item.table", "items", "only for types with a database"},
		{"count_cache on an upstream type", `key = "itemId"`, "key = \"itemId\"\ncount_cache = \"10s\"", "types.item.count_cache", "count_cache", "only for types with a database"},
		{"service on a database type", `key = "product_id"`, "key = \"product_id\"\nservice = { search = \"q\" }", "types.product.service", "service", "only for types with an upstream"},
		{"key is not an identifier", `key = "product_id"`, `key = "product id"`, "types.product.key", "product id", "plain SQL identifier"},
		{"column is not an identifier", `column = "name"`, `column = "name--"`, "types.product.fields[0].column", "name--", "plain SQL identifier"},
		{"locale column is not an identifier", `column = "lang"`, `column = "la.ng"`, "types.product.locale.column", "la.ng", "plain SQL identifier"},
		{"upstream column is not a path", `column = "warehouse.code"`, `column = "warehouse[0]"`, "types.item.fields[0].column", "warehouse[0]", "dotted path"},

		// [types]: storage, modes and locales
		{"unknown storage", `key = "product_id"`, "key = \"product_id\"\nstorage = \"files\"", "types.product.storage", "files", "must be columns, autopublish or overlay"},
		{"overlay with a mode column", `key = "product_id"`, "key = \"product_id\"\nstorage = \"overlay\"", "types.product.mode.column", "mode =", `only used with storage "columns"`},
		{"overlay over an upstream", `key = "itemId"`, "key = \"itemId\"\nstorage = \"overlay\"", "types.item.storage", "overlay", "is for types with a database"},
		{"unknown jobs database", "[types.product]", "[jobs]\ndatabase = \"nope\"\n\n[types.product]", "jobs.database", "nope", `no database named "nope"`},
		{"no ids per job", "[types.product]", "[jobs]\nmax_ids = -1\n\n[types.product]", "jobs.max_ids", "max_ids", "must be at least 1"},
		{"ids per job as text", "[types.product]", "[jobs]\nmax_ids = \"many\"\n\n[types.product]", "jobs.max_ids", "max_ids", "must be an integer"},
		{"no running jobs", "[types.product]", "[jobs]\nmax_running = -2\n\n[types.product]", "jobs.max_running", "max_running", "must be at least 1"},
		{"no running jobs per caller", "[types.product]", "[jobs]\nmax_running_per_caller = -1\n\n[types.product]", "jobs.max_running_per_caller", "max_running_per_caller", "must be at least 1"},
		{"more jobs per caller than in all", "[types.product]", "[jobs]\nmax_running = 2\nmax_running_per_caller = 3\n\n[types.product]",
			"jobs.max_running_per_caller", "max_running_per_caller", "must not be more than max_running (2)"},
		{"columns storage without a mode column", `key = "itemId"`, "key = \"itemId\"\nstorage = \"columns\"", "types.item.storage", "columns", "needs mode.column"},
		{"autopublish with a mode column", `key = "product_id"`, "key = \"product_id\"\nstorage = \"autopublish\"", "types.product.mode.column", "mode =", `only used with storage "columns"`},
		{"unknown mode", `live = "published"`, `live = "public"`, "types.product.mode.values.live", "live", "must be one of draft, published"},
		{"mode mapped twice", `live = "published"`, `live = "published", pub = "published"`, "types.product.mode.values.pub", "pub", "already mapped from live"},
		{"mode left without a backend value", `live = "published"`, `draft = "published"`, "types.product.mode.values.draft", "mode =", "draft needs a backend value of its own"},
		{"mode values without a column", `key = "itemId"`, "key = \"itemId\"\nmode = { values = { live = \"published\" } }", "types.item.mode.values", "mode = { values", "needs mode.column"},
		{"unknown locale", `column = "lang"`, `column = "lang", values = { english = "de" }`, "types.product.locale.values.english", "english", "must be one of en, fr"},
		{"unlocalized type with a locale column", `key = "product_id"`, "key = \"product_id\"\nlocalized = false", "types.product.localized", "localized", "cannot have a locale or mode column"},

		// [types]: keys, paging, roles
		{"unknown new_keys", `key = "product_id"`, "key = \"product_id\"\nnew_keys = \"uuid\"", "types.product.new_keys", "uuid", "must be one of database, sequence, max+1, random or client"},
		{"per_page over max", `key = "product_id"`, "key = \"product_id\"\nper_page = 20\nmax_per_page = 10", "types.product.per_page", "per_page", "between 1 and max_per_page (10)"},
		{"negative max_per_page", `key = "product_id"`, "key = \"product_id\"\nmax_per_page = -5", "types.product.max_per_page", "max_per_page", "at least 1"},
		{"unknown role", `key = "product_id"`, "key = \"product_id\"\nview_role = \"everyone\"", "types.product.view_role", "everyone", "must be one of anonymous, guest"},
		{"last_published_at on a string field", `key = "product_id"`, "key = \"product_id\"\nlast_published_at = \"title\"", "types.product.last_published_at", "last_published_at", "must be a datetime or date field"},
		{"last_published_at neither field nor column", `key = "product_id"`, "key = \"product_id\"\nlast_published_at = \"published at\"", "types.product.last_published_at", "last_published_at", "names no field"},
		{"last_published_at on an upstream type", `key = "itemId"`, "key = \"itemId\"\nlast_published_at = \"modifiedAt\"", "types.item.last_published_at", "last_published_at", "only for types with a database"},

		// [[types.*.fields]]
		{"no fields", "[[types.item.fields]]\nname = \"warehouse\"\ncolumn = \"warehouse.code\"\n", "", "types.item.fields", "[types.item]", "at least one field"},
		{"field without a name", "name = \"title\"\n", "", "types.product.fields[0].name", "[[types.product.fields]]", "is required"},
		{"bad field name", `name = "title"`, `name = "2title"`, "types.product.fields[0].name", "2title", "must be letters"},
		{"reserved field name", `name = "title"`, `name = "aposMode"`, "types.product.fields[0].name", "aposMode", "set by the proxy"},
		{"field declared twice", `name = "color"`, `name = "title"`, "types.product.fields[1].name", "name = \"title\"\nkind", "declared twice"},
		{"unknown kind", `kind = "select"`, `kind = "enum"`, "types.product.fields[1].kind", "enum", "must be one of string, integer"},
		{"select without choices", "choices = [\"red\", \"blue\"]\n", "", "types.product.fields[1].choices", "[[types.product.fields]]\nname = \"color\"", "needs choices"},
		{"choices on a datetime", `auto = "create"`, "auto = \"create\"\nchoices = [\"a\"]", "types.product.fields[2].choices", "[\"a\"]", `only for kind "select"`},
		{"choice listed twice", `["red", "blue"]`, `["red", "red"]`, "types.product.fields[1].choices[1]", "[\"red\", \"red\"]", `"red" is listed twice`},
		{"unknown auto", `auto = "create"`, `auto = "always"`, "types.product.fields[2].auto", "always", "must be create or update"},
		{"auto on a date", `kind = "datetime"`, `kind = "date"`, "types.product.fields[2].auto", "auto", "only for datetime fields"},
		{"sort on an unknown field", `key = "product_id"`, "key = \"product_id\"\nsort = \"-price\"", "types.product.sort", "-price", "must name a field"},
		{"column mapped twice", `column = "created_at"`, `column = "name"`, "types.product.fields[2].column", "column = \"name\"\nkind", "already mapped by types.product.fields[0].column"},
		{"field on the key column", `column = "name"`, `column = "product_id"`, "types.product.fields[0].column", `column = "product_id"`, "a field showing the key must be read_only"},
		{"precision on a string", `column = "name"`, "column = \"name\"\nprecision = 5", "types.product.fields[0].precision", "precision", "only for decimal fields"},
		{"decimal scale over precision", `kind = "select"`, "kind = \"decimal\"\nprecision = 4\nscale = 5", "types.product.fields[1].scale", "scale = 5", "between 0 and precision (4)"},
		{"template beside a column", `column = "name"`, "column = \"name\"\ntemplate = \"{a} {b}\"", "types.product.fields[0].column", "column = \"name\"", "a template and no column"},
		{"template with a quote", `column = "name"`, "template = \"{a} 'x' {b}\"", "types.product.fields[0].template", "template", "neither quotes"},
		{"text_format on a string", `column = "name"`, "column = \"name\"\ntext_format = \"YYYY-MM-DD\"", "types.product.fields[0].text_format", "text_format", "only for date and datetime fields"},
		{"unknown time_zone", `dsn = "file:shop.db"`, "dsn = \"file:shop.db\"\ntime_zone = \"Mars/Olympus\"", "databases.shop.time_zone", "time_zone", "IANA time zone"},
		{"field on the mode column", `column = "name"`, `column = "status"`, "types.product.fields[0].column", "column = \"status\"\n", "already mapped by types.product.mode.column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := tt.apply(t, valid)
			wantError(t, err, tt.path, lineOf(t, src, tt.at), tt.msg)
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("an error shows a secret: %v", err)
			}
		})
	}
}

// TestBootstrapIgnoredForOtherDrivers covers a driver chosen from the
// environment: the sqlite bootstrap files of the file must not stop it.
func TestBootstrapIgnoredForOtherDrivers(t *testing.T) {
	src := strings.ReplaceAll(valid, `driver = "sqlite"`, "driver = \"${DRIVER:-sqlite}\"\nbootstrap = [\"schema.sql\"]")
	cfg, err := parseEnv(src, map[string]string{"DRIVER": "postgres"})
	if err != nil {
		t.Fatal(err)
	}
	if db := cfg.Databases["shop"]; db.Driver != "postgres" || db.Bootstrap != nil {
		t.Fatalf("database = %+v, want postgres without bootstrap", db)
	}
}

// TestLastPublishedAt accepts a datetime field, a date field's name or a
// column of the table for last_published_at.
func TestLastPublishedAt(t *testing.T) {
	for _, source := range []string{"createdAt", "created_at", "published_on"} {
		src := strings.ReplaceAll(valid, `key = "product_id"`, "key = \"product_id\"\nlast_published_at = \""+source+"\"")
		cfg, err := parseEnv(src, nil)
		if err != nil {
			t.Fatalf("%s: %v", source, err)
		}
		if got := cfg.Types["product"].LastPublishedAt; got != source {
			t.Fatalf("last_published_at %q, want %q", got, source)
		}
	}
}

// TestReadOnlyDatabase: a read_only database makes its types read_only,
// keeps the jobs out of it, and cannot hold what the proxy writes.
func TestReadOnlyDatabase(t *testing.T) {
	base := `
[databases.legacy]
driver = "sqlite"
dsn = "file:legacy.db"
read_only = true

[types.thing]
database = "legacy"
table = "things"
fields = [{ name = "title" }]
`
	cfg, err := Parse([]byte(base), ".")
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Types["thing"].ReadOnly || cfg.Jobs.Database != "" {
		t.Errorf("read_only %v, jobs.database %q", cfg.Types["thing"].ReadOnly, cfg.Jobs.Database)
	}
	for _, tc := range []struct{ extra, want string }{
		{"[jobs]\ndatabase = \"legacy\"\n", "jobs.database: is read_only"},
		{"[auth.store]\ndatabase = \"legacy\"\n", "auth.store.database: is read_only"},
		{"[databases.legacy2]\ndriver = \"sqlite\"\ndsn = \"x\"\njournal_mode = \"fast\"\n", "journal_mode: must be wal"},
	} {
		if _, err := Parse([]byte(base+tc.extra), "."); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.extra, err, tc.want)
		}
	}
}

// TestCompositeKeyConfig: key takes a list for an unlocalized SQL type,
// whose new keys come from the client.
func TestCompositeKeyConfig(t *testing.T) {
	base := `
[databases.legacy]
driver = "sqlite"
dsn = "file:legacy.db"

[types.tag]
database = "legacy"
table = "BookTag"
key = ["BookId", "Tag"]
fields = [{ name = "weight", kind = "integer" }]
`
	cfg, err := Parse([]byte(base), ".")
	if err != nil {
		t.Fatal(err)
	}
	if tt := cfg.Types["tag"]; !tt.Composite() || tt.Key != "BookId" || tt.NewKeys != NewKeysClient {
		t.Errorf("key %q %v, new_keys %q", tt.Key, tt.KeyParts(), tt.NewKeys)
	}
	for _, tc := range []struct{ edit, want string }{
		{"key = [\"BookId\", \"BookId\"]", "listed twice"},
		{"key = [\"BookId\", \"Tag\"]\nnew_keys = \"max+1\"", "types.tag.new_keys"},
		{"key = [\"BookId\", \"Tag\"]\nlocale = { column = \"lang\" }", "unlocalized"},
		{"key = \"BookId\"\nnew_keys = \"sequence\"", "types.tag.key_sequence"},
	} {
		src := strings.Replace(base, "key = [\"BookId\", \"Tag\"]", tc.edit, 1)
		if _, err := Parse([]byte(src), "."); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.edit, err, tc.want)
		}
	}
}
