package config

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

// Auth configures logins: where users come from, bearer tokens, cookie
// sessions and their CSRF check, the store that holds them, throttling,
// and which browser origins may call the API (CORS).
type Auth struct {
	// CookieName prefixes the cookies (Apostrophe's shortName):
	// <name>.sid, <name>.csrf and <name>.loggedIn. Default aposproxy.
	CookieName string `toml:"cookie_name"`
	// TokenLifetime is how long a bearer token lives. Default 14 days.
	TokenLifetime Duration `toml:"token_lifetime"`
	// SessionLifetime is how long an unused cookie session lives; each use
	// extends it. Default 14 days.
	SessionLifetime Duration `toml:"session_lifetime"`
	// FailureDelay is added to every failed login (Apostrophe waits 1s).
	// Default 1s.
	FailureDelay Duration `toml:"failure_delay"`
	// CSRF turns the double-submit cookie check of cookie-session writes
	// on or off. Default true.
	CSRF *bool `toml:"csrf"`
	// SecureCookies adds the Secure attribute to the cookies; turn it on
	// behind HTTPS. Default false.
	SecureCookies bool `toml:"secure_cookies"`
	// ShareLifetime is how long a draft's share link (POST :_id/share)
	// reads the draft before it expires. Default 7 days.
	ShareLifetime Duration `toml:"share_lifetime"`
	// CaseInsensitive compares login names without regard to case.
	CaseInsensitive bool `toml:"case_insensitive"`
	// Users are listed users; they are tried before Tables.
	Users []AuthUser `toml:"users"`
	// Tables are users tables of the configured databases, tried in order.
	Tables   []UserTable  `toml:"tables"`
	Store    AuthStore    `toml:"store"`
	Throttle AuthThrottle `toml:"throttle"`
	CORS     CORS         `toml:"cors"`
}

// AuthUser is one user listed in the configuration.
type AuthUser struct {
	Username string `toml:"username"`
	// ID is the user's _id. Default: the username.
	ID    string `toml:"id"`
	Email string `toml:"email"`
	// Title is the display name. Default: the username.
	Title string `toml:"title"`
	// Role is guest, contributor, editor or admin.
	Role string `toml:"role"`
	// PasswordHash is a bcrypt hash, as `aposproxy hash-password` prints.
	PasswordHash string `toml:"password_hash"`
}

// UserTable maps a table of an existing database onto users. The proxy
// only reads it.
type UserTable struct {
	Database string `toml:"database"`
	Table    string `toml:"table"`
	// ID is the key column, which becomes the user's _id. Default id.
	ID string `toml:"id"`
	// Login lists the columns a username is compared to, in order (such as
	// the login name, then the email).
	Login []string `toml:"login"`
	// Password is the column of the password hash; Scheme its format.
	Password string `toml:"password"`
	// Scheme is the hash format. Only bcrypt ($2a$, $2b$, $2y$) for now.
	// Default bcrypt.
	Scheme string `toml:"scheme"`
	// Title and Email are optional columns; the title defaults to the
	// first login column.
	Title string `toml:"title"`
	Email string `toml:"email"`
	// Role maps the role column's values onto guest, contributor, editor
	// and admin; values not listed are used as they are. A user whose
	// role is none of those cannot log in.
	Role ValueMap `toml:"role"`
	// Active is an optional column; users whose value is false, 0, NULL or
	// empty cannot log in.
	Active string `toml:"active"`
}

// AuthStore chooses where tokens, sessions and throttle counters live.
type AuthStore struct {
	// Kind is sql (default) or redis.
	Kind string `toml:"kind"`
	// Database names an entry of [databases] to keep the proxy's own
	// tables in. Default: the SQLite file File.
	Database string `toml:"database"`
	// File is the SQLite file used when Database is empty. Default
	// data/aposproxy-auth.db (relative to the working directory).
	File string `toml:"file"`
	// RedisURL is the Redis server, as redis://[:password@]host:port/db
	// (rediss:// for TLS). Used only by kind redis.
	RedisURL string `toml:"redis_url"`
	// Prefix names the proxy's tables (<prefix>_tokens, ...) and prefixes
	// its Redis keys (<prefix>:token:...). Default aposproxy.
	Prefix string `toml:"prefix"`
}

// AuthThrottle limits failed logins (Apostrophe's throttle option).
type AuthThrottle struct {
	// Attempts failures of one username within Per lock it for Lockout.
	// Defaults 3, 1m, 1m.
	Attempts int      `toml:"attempts"`
	Per      Duration `toml:"per"`
	Lockout  Duration `toml:"lockout"`
	// AddressAttempts failures from one client address within Per lock
	// that address for Lockout, whatever usernames it tries. Default 30.
	AddressAttempts int `toml:"address_attempts"`
}

// CORS says which browser origins may call the API.
type CORS struct {
	// Origins lists the allowed origins, such as https://shop.example.
	// Default ["*"], any origin, as Apostrophe; an empty list sends no
	// CORS headers at all.
	Origins []string `toml:"origins"`
	// Credentials lets browsers send cookies cross-origin; it needs
	// explicit origins.
	Credentials bool `toml:"credentials"`
	// MaxAge lets browsers cache a preflight answer. Default: not sent.
	MaxAge Duration `toml:"max_age"`
}

// The defaults of [auth].
const (
	defaultCookieName = "aposproxy"
	defaultLifetime   = 14 * 24 * time.Hour
	defaultAuthFile   = "data/aposproxy-auth.db"
	// defaultShareLifetime bounds a share link: Apostrophe's never
	// expire, a preview link that outlives its purpose should.
	defaultShareLifetime = 7 * 24 * time.Hour
)

var (
	cookieName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

func (a *Auth) setDefaults() {
	setZero(&a.CookieName, defaultCookieName)
	setZero(&a.TokenLifetime.Duration, defaultLifetime)
	setZero(&a.SessionLifetime.Duration, defaultLifetime)
	setZero(&a.FailureDelay.Duration, time.Second)
	setZero(&a.ShareLifetime.Duration, defaultShareLifetime)
	if a.CSRF == nil {
		on := true
		a.CSRF = &on
	}
	for i := range a.Users {
		u := &a.Users[i]
		setZero(&u.ID, u.Username)
		setZero(&u.Title, u.Username)
	}
	for i := range a.Tables {
		t := &a.Tables[i]
		setZero(&t.ID, "id")
		setZero(&t.Scheme, "bcrypt")
		if len(t.Login) > 0 {
			setZero(&t.Title, t.Login[0])
		}
	}
	s := &a.Store
	setZero(&s.Kind, "sql")
	setZero(&s.Prefix, "aposproxy")
	if s.Database == "" {
		setZero(&s.File, defaultAuthFile)
	}
	th := &a.Throttle
	setZero(&th.Attempts, 3)
	setZero(&th.Per.Duration, time.Minute)
	setZero(&th.Lockout.Duration, time.Minute)
	setZero(&th.AddressAttempts, 30)
	if a.CORS.Origins == nil {
		a.CORS.Origins = []string{"*"}
	}
}

// validate records the mistakes of [auth]; c gives the databases.
func (a *Auth) validate(c *Config, errs *errorList) {
	if !cookieName.MatchString(a.CookieName) {
		errs.addf("auth.cookie_name", "must be letters, digits, _, - and ., such as aposproxy")
	}
	logins := map[string]bool{}
	for i, u := range a.Users {
		p := indexKey("auth.users", i)
		if u.Username == "" {
			errs.addf(p+".username", "is required")
		} else if logins[u.Username] {
			errs.addf(p+".username", "user %s is listed twice", u.Username)
		}
		logins[u.Username] = true
		if !roleAtLeast(u.Role, apos.Guest) {
			errs.addf(p+".role", "must be one of %s", rolesFrom(apos.Guest))
		}
		if !strings.HasPrefix(u.PasswordHash, "$2") {
			errs.addf(p+".password_hash", "must be a bcrypt hash, as `aposproxy hash-password` prints")
		}
	}
	for i := range a.Tables {
		a.Tables[i].validate(c, indexKey("auth.tables", i), errs)
	}
	a.Store.validate(c, errs)
	th := a.Throttle
	if th.Attempts < 1 || th.AddressAttempts < 1 {
		errs.addf("auth.throttle", "attempts and address_attempts must be at least 1")
	}
	a.CORS.validate(errs)
}

func (t *UserTable) validate(c *Config, p string, errs *errorList) {
	if _, ok := c.Databases[t.Database]; !ok {
		errs.addf(p+".database", "must name an entry of [databases]")
	}
	if len(t.Login) == 0 {
		errs.addf(p+".login", "needs at least one column, such as [\"login\", \"email\"]")
	}
	if t.Password == "" {
		errs.addf(p+".password", "is required: the column of the password hash")
	}
	if t.Role.Column == "" {
		errs.addf(p+".role.column", "is required: the column of the user's role")
	}
	cols := map[string]string{"table": t.Table, "id": t.ID, "password": t.Password, "title": t.Title,
		"email": t.Email, "active": t.Active, "role.column": t.Role.Column}
	for i, l := range t.Login {
		cols[indexKey("login", i)] = l
	}
	for _, key := range slices.Sorted(maps.Keys(cols)) {
		col := cols[key]
		switch {
		case key == "table" && col == "":
			errs.addf(p+".table", "is required")
		case col != "" && !sqlColumn.re.MatchString(col):
			errs.addf(p+"."+key, "%s", sqlColumn.msg)
		}
	}
	if t.Scheme != "bcrypt" {
		errs.addf(p+".scheme", "must be bcrypt (the only scheme supported)")
	}
	for _, from := range slices.Sorted(maps.Keys(t.Role.Values)) {
		if to := t.Role.Values[from]; !roleAtLeast(to, apos.Guest) {
			errs.addf(joinKey(p+".role.values", from), "must be one of %s", rolesFrom(apos.Guest))
		}
	}
}

func (s *AuthStore) validate(c *Config, errs *errorList) {
	switch s.Kind {
	case "sql":
		if db, ok := c.Databases[s.Database]; s.Database != "" && !ok {
			errs.addf("auth.store.database", "must name an entry of [databases]")
		} else if db.ReadOnly {
			errs.addf("auth.store.database", "is read_only: the login store needs a database the proxy may write")
		}
	case "redis":
		if u, err := url.Parse(s.RedisURL); err != nil || u.Scheme != "redis" && u.Scheme != "rediss" || u.Host == "" {
			errs.addf("auth.store.redis_url", "must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379/0")
		}
	default:
		errs.addf("auth.store.kind", "must be sql or redis")
	}
	if !sqlColumn.re.MatchString(s.Prefix) {
		errs.addf("auth.store.prefix", "%s", sqlColumn.msg)
	}
}

func (c *CORS) validate(errs *errorList) {
	for i, o := range c.Origins {
		if o == "*" {
			if c.Credentials {
				errs.addf(indexKey("auth.cors.origins", i), `"*" cannot be combined with credentials = true; list the origins`)
			}
			continue
		}
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			errs.addf(indexKey("auth.cors.origins", i), `must be "*" or an origin such as https://shop.example`)
		}
	}
}
