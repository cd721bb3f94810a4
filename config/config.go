// Package config decodes, expands and validates aposproxy's TOML
// configuration. Decoding is strict: unknown keys, bad values and broken
// references stop the start with the key path of the mistake.
package config

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Config is the whole configuration file, as Load returns it: expanded,
// with defaults set (a zero number or duration counts as unset) and
// validated. docs/config.md is the reference of every key.
type Config struct {
	Server      Server              `toml:"server"`
	Locales     Locales             `toml:"locales"`
	Databases   map[string]Database `toml:"databases"`
	APIKeys     map[string]APIKey   `toml:"api_keys"`
	Upstreams   map[string]Upstream `toml:"upstreams"`
	Types       map[string]*Type    `toml:"types"`
	Auth        Auth                `toml:"auth"`
	Modules     map[string]*Module  `toml:"modules"`
	Jobs        Jobs                `toml:"jobs"`
	Attachments Attachments         `toml:"attachments"`
	OEmbed      OEmbed              `toml:"oembed"`
	Admin       Admin               `toml:"admin"`
	Log         Log                 `toml:"log"`
	// TypeOrder lists the type names in the order of the file.
	TypeOrder []string `toml:"-"`
	// Dir is the directory of the config file; relative paths resolve
	// against it.
	Dir string `toml:"-"`
}

// Server configures the HTTP front end.
type Server struct {
	// Listen is the address to serve on. Default 127.0.0.1:3000.
	Listen string `toml:"listen"`
	// Prefix is the API prefix. Default /api/v1.
	Prefix string `toml:"prefix"`
	// MaxBodyBytes limits request bodies; larger ones get 413. Default 1 MiB.
	MaxBodyBytes int `toml:"max_body_bytes"`
	// ReadTimeout and WriteTimeout bound each connection's reads and
	// writes. Default 10s each.
	ReadTimeout  Duration `toml:"read_timeout"`
	WriteTimeout Duration `toml:"write_timeout"`
	// IdleTimeout closes idle keep-alive connections. Default 60s.
	IdleTimeout Duration `toml:"idle_timeout"`
	// RequestTimeout is the deadline of each request's backend work.
	// Default 5s. Requests may end up to DeadlineGrain later.
	RequestTimeout Duration `toml:"request_timeout"`
	// StrictParams answers 400 invalid to an unknown aposLocale or a bad
	// aposMode instead of Apostrophe's silent fallback. Default false.
	StrictParams bool `toml:"strict_params"`
	// MaxHeaderBytes bounds a request's line and headers (a larger one is
	// refused with 431). Default 32 KiB: long cookies and 200 _ids fit.
	MaxHeaderBytes int `toml:"max_header_bytes"`
	// MaxConns caps the open client connections; past it a new connection
	// gets 503 and is closed. Default 1024.
	MaxConns int `toml:"max_conns"`
	// MaxConnsPerIP caps the open connections of one address. Default:
	// no cap beyond MaxConns.
	MaxConnsPerIP int `toml:"max_conns_per_ip"`
	// MaxInFlight caps the requests being answered at once; past it a
	// request gets a fast 503 with Retry-After. Default 256.
	MaxInFlight int `toml:"max_in_flight"`
	// RateLimit is how many requests per second one address may send
	// (with bursts of RateBurst, default RateLimit); past it a request
	// gets 429 with Retry-After. Default: no limit.
	RateLimit int `toml:"rate_limit"`
	RateBurst int `toml:"rate_burst"`
	// ShutdownTimeout is how long a stopping or reloading proxy lets the
	// requests in flight finish before it closes their backends. Default
	// 10s.
	ShutdownTimeout Duration `toml:"shutdown_timeout"`
	// WatchConfig reloads the configuration when its file changes, as a
	// SIGHUP does. Default false.
	WatchConfig bool `toml:"watch_config"`
	// Compress compresses answers (gzip or brotli, as the client accepts)
	// of CompressMinBytes or more. Default false: a reverse proxy in front
	// often compresses already, and twice is CPU for nothing.
	Compress         bool `toml:"compress"`
	CompressMinBytes int  `toml:"compress_min_bytes"`
}

// Locales lists the configured locales.
type Locales struct {
	// Default is the locale used when a request names none. Default: the
	// first of List.
	Default string `toml:"default"`
	// List holds the locales, in order. Default: one locale "en".
	List []Locale `toml:"list"`
}

// Locale is one locale.
type Locale struct {
	Name    string `toml:"name"`
	Label   string `toml:"label"`
	Prefix  string `toml:"prefix"`  // optional path prefix such as /fr
	Private bool   `toml:"private"` // invisible to anonymous callers
}

// DeadlineGrain is how much later than server.request_timeout a request's
// backend work may end: requests that begin within one grain share one
// deadline (proxy/deadline.go), and PostgreSQL's statement timeout allows
// the same (sqldb.Open).
const DeadlineGrain = 20 * time.Millisecond

// Database is one named SQL database.
type Database struct {
	// Driver is sqlite, postgres or mysql.
	Driver string `toml:"driver"`
	// DSN is the driver's data source name.
	DSN string `toml:"dsn"`
	// MaxOpen caps the pool's open connections. Default 10 (1 writer for
	// SQLite files is handled by the adapter).
	MaxOpen int `toml:"max_open"`
	// Bootstrap, for SQLite only, creates and seeds the database file from
	// these SQL files when the file does not exist yet. An existing
	// database is never touched. Load makes the paths absolute (relative
	// ones are relative to the config file) and empties the list for other
	// drivers, so a driver chosen from the environment can share the file.
	Bootstrap []string `toml:"bootstrap"`
	// ReadOnly makes every type of the database read_only, and keeps the
	// proxy from creating or changing anything in it (docs/config.md#read-only).
	ReadOnly bool `toml:"read_only"`
	// JournalMode, for SQLite only, sets the file's journal mode (wal,
	// delete, truncate or persist) when the proxy opens it. Empty: the
	// file's own mode is left as it is.
	JournalMode string `toml:"journal_mode"`
	// TimeZone is the IANA time zone in which the database's datetimes
	// without a zone of their own (TIMESTAMP WITHOUT TIME ZONE, DATETIME,
	// text) are read and written. Default UTC.
	TimeZone string `toml:"time_zone"`
	// RequestTimeout is not read from the file: the proxy sets it to
	// server.request_timeout when it opens the database to serve
	// requests. On PostgreSQL it bounds every statement and network wait
	// of the pool's connections (sqldb.Open); zero leaves them unbounded.
	RequestTimeout time.Duration `toml:"-"`
}

// APIKey is one API key. A key whose secret is empty (its environment
// variable unset) does not exist: Load drops it.
type APIKey struct {
	// Role is guest, contributor, editor or admin.
	Role string `toml:"role"`
	// Secret is the key itself; write it as ${ENV_VAR} so it never sits in
	// the file. ${VAR:-default} is refused here: there are no default
	// secrets. Two keys may not share a secret.
	Secret string `toml:"secret"`
}

// Upstream is one legacy HTTP service (see the upstream adapter).
type Upstream struct {
	// URL is the service's base URL: http or https, optionally with a
	// base path, without query, fragment or credentials.
	URL string `toml:"url"`
	// Headers are sent on every call (such as the proxy's own token).
	Headers map[string]string `toml:"headers"`
	// ConnectTimeout bounds opening a connection (default 1s),
	// ReadTimeout reading or writing one call's data (default 5s) and
	// Timeout a whole call, retries included (default 5s).
	ConnectTimeout Duration `toml:"connect_timeout"`
	ReadTimeout    Duration `toml:"read_timeout"`
	Timeout        Duration `toml:"timeout"`
	// MaxConns caps the open connections (default 64) and MaxBodyBytes
	// the answers accepted (default 4 MiB).
	MaxConns     int `toml:"max_conns"`
	MaxBodyBytes int `toml:"max_body_bytes"`
	// Retries is how many times a failed read is tried again (default
	// none; writes are never sent twice).
	Retries int `toml:"retries"`
	// BreakerFailures failed calls in a row open the circuit breaker
	// (default 5), which then answers 503 at once for BreakerCooldown
	// (default 5s) before it lets one call through to probe the service.
	BreakerFailures int      `toml:"breaker_failures"`
	BreakerCooldown Duration `toml:"breaker_cooldown"`
	// IdleTimeout closes a pooled connection unused this long (default
	// 4s). Keep it below the service's own keep-alive timeout (Node's is
	// 5s), so that the proxy, not the service, closes idle connections.
	IdleTimeout Duration `toml:"idle_timeout"`
	// IdempotencyHeader names the header by which the service recognises
	// a write sent twice, such as "Idempotency-Key". When set, every write
	// carries a key in it and writes are retried like reads; when empty,
	// a write is never sent twice.
	IdempotencyHeader string `toml:"idempotency_header"`
}

// Type maps one Apostrophe document type onto a backend.
type Type struct {
	// Name is the type's key in [types]; set by Load.
	Name string `toml:"-"`
	// Database names an entry of [databases] (SQL types).
	Database string `toml:"database"`
	// Upstream names an entry of [upstreams] (types served by a legacy HTTP
	// service); Service maps the type onto that service's routes.
	Upstream string   `toml:"upstream"`
	Service  *Service `toml:"service"`
	// Table is the SQL table.
	Table string `toml:"table"`
	// Keys is the file's key: the column that becomes the aposDocId
	// (default id), or the columns of a composite key (keys.go). Key is
	// its (first) column, set by Load.
	Keys KeyColumns `toml:"key"`
	Key  string     `toml:"-"`
	// NewKeys says who makes keys for new documents: "database" (the
	// column's default or auto increment, the default), "sequence" (the
	// sequence KeySequence), "max+1", "random" (an Apostrophe-style id)
	// or "client" (the client's _createId); see keys.go.
	NewKeys     string `toml:"new_keys"`
	KeySequence string `toml:"key_sequence"`
	// Storage is columns, autopublish or overlay (docs/api-rules.md#12; overlay is
	// for SQL types whose table holds the default locale's published
	// records only). Default columns when a mode column is set,
	// autopublish otherwise.
	Storage string `toml:"storage"`
	// Localized gives ids aposDocId:locale:mode. Default true when a
	// locale or mode column is set, or the storage is overlay; an
	// unlocalized type cannot have either column.
	Localized *bool `toml:"localized"`
	// Locale maps the backend's locale field; empty Column means the
	// type holds the default locale only.
	Locale ValueMap `toml:"locale"`
	// Mode maps the backend's mode field (columns storage).
	Mode ValueMap `toml:"mode"`
	// Fields are the API fields, in output order.
	Fields []Field `toml:"fields"`
	// Sort is the default sort: a field name, after "-" for descending
	// order, e.g. "title" or "-updatedAt". Empty sorts by key.
	Sort string `toml:"sort"`
	// PerPage is the default page size (50); MaxPerPage caps it (1000).
	PerPage    int `toml:"per_page"`
	MaxPerPage int `toml:"max_per_page"`
	// CountCache, when set, keeps a list's total count (per locale, mode
	// and filter) for that long instead of counting on every page: SQL
	// types only. Zero counts every time.
	CountCache Duration `toml:"count_cache"`
	// ViewRole, EditRole and PublishRole are the lowest roles that may
	// read, write drafts (or unlocalized records), and publish. Defaults:
	// anonymous, contributor, editor.
	ViewRole    string `toml:"view_role"`
	EditRole    string `toml:"edit_role"`
	PublishRole string `toml:"publish_role"`
	// ReadOnly refuses every write with 403.
	ReadOnly bool `toml:"read_only"`
	// Store keeps the type in a table the proxy creates and owns in
	// Database (aposproxy_<name>), for Apostrophe's own types that a
	// legacy database has no table for (global, image and file tags). See
	// store.go.
	Store bool `toml:"store"`
	// Singleton makes the type one document per locale, made at start
	// and never created or deleted by clients (Apostrophe's global).
	// Default true for @apostrophecms/global, false otherwise.
	Singleton *bool `toml:"singleton"`
	// Tree maps Apostrophe's page tree onto the table (pages.go): only for
	// the type @apostrophecms/page, which needs it.
	Tree *Tree `toml:"tree"`
	// storeKeys are the keys a store type set that the proxy sets itself
	// (see setStoreDefaults), reported by validate.
	storeKeys []string
	// LastPublishedAt names the field (datetime or date) or the column of
	// the table that tells when a published record was last published,
	// for records the proxy has not published itself. Empty: the type's
	// updatedAt field, else the Unix epoch (docs/config.md).
	LastPublishedAt string `toml:"last_published_at"`
	// Relationships are the type's relationship fields, taken out of
	// Fields once checked (relationships.go).
	Relationships []Relationship `toml:"-"`
	// ProxyFields are the fields the proxy keeps in its own table
	// (store = "proxy"), taken out of Fields (attachmentfields.go).
	ProxyFields []Field `toml:"-"`
}

// ValueMap maps a backend column and its values onto Apostrophe's.
type ValueMap struct {
	Column string `toml:"column"`
	// Values maps backend values to API values, e.g. live = "published".
	// Values not listed are used as they are.
	Values map[string]string `toml:"values"`
}

// Field maps one API field onto a column.
type Field struct {
	Name       string   `toml:"name"`
	Column     string   `toml:"column"` // default: Name
	Kind       string   `toml:"kind"`   // default: string
	Required   bool     `toml:"required"`
	ReadOnly   bool     `toml:"read_only"`
	Searchable bool     `toml:"searchable"`
	Choices    []Choice `toml:"choices"`
	// Auto is "create" (set on insert) or "update" (set on every write)
	// for datetime fields the proxy maintains, or "user" (who made each
	// write) for a string field; Load makes them ReadOnly.
	Auto string `toml:"auto"`
	// Default is the value of a boolean field that a create or a
	// replacement leaves out (Apostrophe's def); unset: false.
	Default *bool `toml:"default"`
	// Precision and Scale bound a decimal field where the column does not
	// say (a SQLite column declared NUMERIC without them, a PostgreSQL
	// NUMERIC without a type modifier); both or neither.
	Precision int `toml:"precision"`
	Scale     int `toml:"scale"`
	// Template makes a computed, read-only string field of a database
	// type from its table's columns, such as "{FirstName} {LastName}";
	// such a field has no column.
	Template string `toml:"template"`
	// TextFormat says that a date or datetime field's column keeps text
	// in this form: "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS",
	// "YYYY-MM-DD HH:MM:SS.SSS" or "YYYY-MM-DDTHH:MM:SS.SSSZ". Unset, a
	// text column's form is read from its rows at start.
	TextFormat string `toml:"text_format"`
	// The keys of kind "attachment" only (attachmentfields.go).
	AttachmentKeys
	// The keys of kind "relationship" only (relationships.go).
	RelationshipKeys
}

// Choice is one value of a select field. It is written either as a plain
// string, choices = ["red", "blue"], or as a table,
// choices = [{ value = "red", label = "Red" }]. Label defaults to the
// value with its first letter upper-cased.
type Choice struct {
	Value string `toml:"value"`
	Label string `toml:"label"`
}

// UnmarshalTOML accepts both forms of a choice, strictly: a table may hold
// only string value and label keys.
func (c *Choice) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*c = Choice{Value: v}
		return nil
	case map[string]any:
		*c = Choice{}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			s, ok := v[k].(string)
			switch {
			case k != "value" && k != "label":
				return fmt.Errorf("unknown key %q (a choice has value and label)", k)
			case !ok:
				return fmt.Errorf("%s must be a string", k)
			case k == "value":
				c.Value = s
			default:
				c.Label = s
			}
		}
		return nil
	}
	return errors.New(`a choice must be a string or a table such as { value = "red", label = "Red" }`)
}

// Duration is a time.Duration written as a string such as "5s".
type Duration struct{ time.Duration }

// UnmarshalText parses a duration such as "250ms" or "5s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	if v < 0 {
		return errNegativeDuration
	}
	d.Duration = v
	return nil
}

var errNegativeDuration = errors.New("duration must not be negative")
