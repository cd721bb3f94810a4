package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

func TestDefaults(t *testing.T) {
	cfg, err := parseEnv(minimal, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantServer := Server{
		Listen:          "127.0.0.1:3000",
		Prefix:          "/api/v1",
		MaxBodyBytes:    1048576,
		ReadTimeout:     Duration{10 * time.Second},
		WriteTimeout:    Duration{10 * time.Second},
		IdleTimeout:     Duration{60 * time.Second},
		RequestTimeout:  Duration{5 * time.Second},
		MaxHeaderBytes:  32768,
		MaxConns:        1024,
		MaxInFlight:     256,
		ShutdownTimeout: Duration{10 * time.Second},
	}
	if cfg.Server != wantServer {
		t.Errorf("server = %+v, want %+v", cfg.Server, wantServer)
	}
	wantLocales := Locales{Default: "en", List: []Locale{{Name: "en", Label: "English"}}}
	if !reflect.DeepEqual(cfg.Locales, wantLocales) {
		t.Errorf("locales = %+v, want %+v", cfg.Locales, wantLocales)
	}
	if got := cfg.Databases["db"].MaxOpen; got != 10 {
		t.Errorf("max_open = %d, want 10", got)
	}
	ty := cfg.Types["thing"]
	got := []any{ty.Key, ty.NewKeys, ty.Storage, *ty.Localized, ty.PerPage, ty.MaxPerPage, ty.ViewRole, ty.EditRole, ty.PublishRole, ty.Fields[0].Column, ty.Fields[0].Kind}
	want := []any{"id", "database", "autopublish", false, 50, 1000, "anonymous", "contributor", "editor", "title", "string"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("type defaults = %v, want %v", got, want)
	}
	if j := cfg.Jobs; j.MaxIDs != 1000 || j.MaxRunning != 8 || j.MaxRunningPerCaller != 2 {
		t.Errorf("jobs = %+v, want max_ids 1000, max_running 8, max_running_per_caller 2", j)
	}
}

// TestJobCapDefaults: a caller's cap defaults to at most the total cap.
func TestJobCapDefaults(t *testing.T) {
	for _, tt := range []struct {
		jobs               string
		running, perCaller int
	}{
		{"[jobs]\nmax_running = 1\n", 1, 1},
		{"[jobs]\nmax_running = 20\n", 20, 2},
		{"[jobs]\nmax_running_per_caller = 5\n", 8, 5},
	} {
		cfg, err := parseEnv(minimal+tt.jobs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Jobs.MaxRunning != tt.running || cfg.Jobs.MaxRunningPerCaller != tt.perCaller {
			t.Errorf("%q: max_running %d, per caller %d; want %d, %d", tt.jobs, cfg.Jobs.MaxRunning, cfg.Jobs.MaxRunningPerCaller, tt.running, tt.perCaller)
		}
	}
}

func TestLocaleDefaults(t *testing.T) {
	cfg, err := parseEnv(minimal+"[[locales.list]]\nname = \"fr\"\n[[locales.list]]\nname = \"de\"\nlabel = \"Deutsch\"\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Locales{Default: "fr", List: []Locale{{Name: "fr", Label: "fr"}, {Name: "de", Label: "Deutsch"}}}
	if !reflect.DeepEqual(cfg.Locales, want) {
		t.Errorf("locales = %+v, want %+v", cfg.Locales, want)
	}
}

// TestStorageDefaults covers how the mode and locale columns decide the
// storage and whether ids carry locale and mode.
func TestStorageDefaults(t *testing.T) {
	tests := []struct {
		name      string
		add       string
		storage   string
		localized bool
	}{
		{"plain table", "", "autopublish", false},
		{"locale column", "locale = { column = \"lang\" }\n", "autopublish", true},
		{"mode column", "mode = { column = \"status\" }\n", "columns", true},
		{"both", "locale = { column = \"lang\" }\nmode = { column = \"status\" }\n", "columns", true},
		{"explicitly localized", "localized = true\n", "autopublish", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "[databases.db]\ndriver = \"sqlite\"\ndsn = \"x\"\n[types.thing]\ndatabase = \"db\"\ntable = \"t\"\n" + tt.add + "[[types.thing.fields]]\nname = \"title\"\n"
			cfg, err := parseEnv(src, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ty := cfg.Types["thing"]; ty.Storage != tt.storage || *ty.Localized != tt.localized {
				t.Fatalf("storage %s, localized %v; want %s, %v", ty.Storage, *ty.Localized, tt.storage, tt.localized)
			}
		})
	}
}

func TestChoices(t *testing.T) {
	tests := []struct {
		name    string
		choices string
		want    []Choice
	}{
		{"strings", `["red", "light blue", "été"]`, []Choice{{"red", "Red"}, {"light blue", "Light blue"}, {"été", "Été"}}},
		{"tables", `[{ value = "red", label = "Rouge" }, { value = "blue" }]`, []Choice{{"red", "Rouge"}, {"blue", "Blue"}}},
		{"mixed", `["red", { value = "b", label = "Blue" }]`, []Choice{{"red", "Red"}, {"b", "Blue"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := minimal + "[[types.thing.fields]]\nname = \"color\"\nkind = \"select\"\nchoices = " + tt.choices + "\n"
			cfg, err := parseEnv(src, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Types["thing"].Fields[1].Choices; !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("choices = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSchema(t *testing.T) {
	src := minimal + `[[types.thing.fields]]
name = "color"
kind = "select"
required = true
searchable = true
choices = ["red"]

[[types.thing.fields]]
name = "updatedAt"
column = "updated_at"
kind = "datetime"
auto = "update"
`
	cfg, err := parseEnv(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &apos.Schema{
		Type:      "thing",
		Localized: false,
		Storage:   apos.Autopublish,
		Fields: []apos.Field{
			{Name: "title", Kind: apos.String},
			{Name: "color", Kind: apos.Select, Required: true, Searchable: true, Choices: []apos.Choice{{Value: "red", Label: "Red"}}},
			{Name: "updatedAt", Kind: apos.DateTime, ReadOnly: true, Auto: apos.AutoUpdate},
		},
	}
	if got := cfg.Types["thing"].Schema(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Schema() = %+v, want %+v", got, want)
	}
}

// TestFileDatabase: the proxy's own SQLite files get the pool of a
// configured database, in WAL mode (readers beside the writer).
func TestFileDatabase(t *testing.T) {
	want := Database{Driver: "sqlite", DSN: "file:data/aposproxy-jobs.db", MaxOpen: 10, JournalMode: "wal"}
	if got := FileDatabase("data/aposproxy-jobs.db"); !reflect.DeepEqual(got, want) {
		t.Errorf("FileDatabase = %+v, want %+v", got, want)
	}
}

// TestJobLease: the lease of a running job defaults to 30s; below a
// second it stops the start at its line.
func TestJobLease(t *testing.T) {
	cfg, err := parseEnv(minimal, nil)
	if err != nil || cfg.Jobs.Lease.Duration != 30*time.Second {
		t.Fatalf("default lease %v, %v", cfg.Jobs.Lease, err)
	}
	cfg, err = parseEnv(minimal+"[jobs]\nlease = \"5s\"\n", nil)
	if err != nil || cfg.Jobs.Lease.Duration != 5*time.Second {
		t.Fatalf("lease = 5s: %v, %v", cfg.Jobs.Lease, err)
	}
	src := minimal + "[jobs]\nlease = \"200ms\"\n"
	_, err = parseEnv(src, nil)
	wantError(t, err, "jobs.lease", lineOf(t, src, "lease ="), "must be at least 1s")
}
