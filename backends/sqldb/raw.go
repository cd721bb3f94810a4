package sqldb

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// The raw read path (docs/architecture.md, "SQLite's raw read path"): a
// single-row read through database/sql and modernc.org/sqlite costs about
// 40 allocations, most of them the driver's (column names and declared
// types read again into Go strings on every query, every value boxed into
// an interface, every text copied into a string). The raw path reads the
// same rows through SQLite's C API (modernc.org/sqlite/lib) on read-only
// connections of its own, with statements prepared once per connection
// and values copied straight into the caller's cells. It only serves SQLite
// files in WAL mode, where readers on other connections see every
// committed write and never wait for the writer.

// rawPool holds the raw path's read-only connections: a channel of size
// max_open, whose nil entries are connections not opened yet, so that a
// checkout allocates nothing. A read waits while all are in use, as
// database/sql's pool makes it wait: going through database/sql instead
// would cost a third of the reads under load their allocations, since a
// goroutine descheduled in a read holds its connection meanwhile. As with
// database/sql, a caller must not read again while it holds rows open.
type rawPool struct {
	name    string   // the file, or file: URI, as the driver opens it
	pragmas []string // run on each new connection, busy_timeout first
	conns   chan *rawConn
	size    int
	stmts   atomic.Int32 // ReadStmts prepared: their slots in each connection
	// broken is set once a connection failed to open, or the pool is
	// closed: database/sql then serves every read.
	broken atomic.Bool
	once   sync.Once
	// observe is RawHook as the pool opened, nil outside measurements.
	observe func(query string, args []any)
}

// observed passes a statement the raw path ran to RawHook, if it was set.
func (p *rawPool) observed(query string, args []any) {
	if p.observe != nil {
		p.observe(query, args)
	}
}

// rawKeys are the DSN parameters the raw path honours, or that do not
// change what a read returns. A DSN with any other parameter (a VFS, a
// time zone, times read from integers, URI options such as mode or
// cache) is read through database/sql only.
var rawKeys = map[string]bool{
	"_pragma": true, "_busy_timeout": true, "_timeout": true, "_txlock": true,
	"_foreign_keys": true, "_fk": true, "_journal_mode": true, "_journal": true,
	"_synchronous": true, "_sync": true,
}

// newRawPool returns the raw path's pool of size connections for a SQLite
// database x opened with dsn, or nil when the raw path does not serve it:
// a database in memory, not in WAL mode, or a DSN it does not honour.
func newRawPool(ctx context.Context, db *DB, dsn string, size int) *rawPool {
	if _, memory := sqliteFile(dsn); memory || size < 1 {
		return nil
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || !strings.EqualFold(mode, "wal") {
		return nil
	}
	name, pragmas, ok := rawDSN(dsn)
	if !ok {
		return nil
	}
	p := &rawPool{name: name, pragmas: pragmas, conns: make(chan *rawConn, size), size: size, observe: RawHook}
	for range size {
		p.conns <- nil
	}
	return p
}

// rawDSN splits a SQLite DSN as the driver does: the name it opens (the
// whole DSN for a file: URI, the part before '?' otherwise) and the
// pragmas a read connection runs, in the driver's order (busy_timeout
// first, the others sorted). Pragmas that only matter to writers are left
// out. ok is false for a DSN with parameters the raw path does not honour.
func rawDSN(dsn string) (name string, pragmas []string, ok bool) {
	name, query, _ := strings.Cut(dsn, "?")
	if strings.HasPrefix(dsn, "file:") {
		name = dsn
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", nil, false
	}
	for k := range q {
		if !rawKeys[k] {
			return "", nil, false
		}
	}
	if v := q.Get("_timeout"); v != "" {
		pragmas = append(pragmas, "busy_timeout = "+v)
	}
	if v := q.Get("_busy_timeout"); v != "" {
		pragmas = append(pragmas, "busy_timeout = "+v)
	}
	var rest []string
	for _, v := range q["_pragma"] {
		switch p := strings.ToLower(strings.TrimSpace(v)); {
		case strings.HasPrefix(p, "journal_mode"), strings.HasPrefix(p, "foreign_keys"),
			strings.HasPrefix(p, "synchronous"):
		case strings.HasPrefix(p, "busy_timeout"):
			pragmas = append(pragmas, v)
		default:
			rest = append(rest, v)
		}
	}
	sort.Slice(rest, func(i, j int) bool {
		return strings.TrimSpace(strings.ToLower(rest[i])) < strings.TrimSpace(strings.ToLower(rest[j]))
	})
	return name, append(pragmas, rest...), true
}

// get checks out a connection, waiting while all are in use, and opening
// it on first use; nil when the raw path is off.
func (p *rawPool) get() *rawConn {
	if p.broken.Load() {
		return nil
	}
	c, ok := <-p.conns
	if !ok {
		return nil
	}
	if c == nil {
		var err error
		if c, err = openRaw(p.name, p.pragmas); err != nil {
			p.broken.Store(true)
			p.conns <- nil
			return nil
		}
	}
	return c
}

// put returns a connection get checked out.
func (p *rawPool) put(c *rawConn) { p.conns <- c }

// close closes every connection, once those in use are returned. Reads
// waiting for one, or starting later, go through database/sql.
func (p *rawPool) close() {
	p.once.Do(func() {
		p.broken.Store(true)
		for range p.size {
			if c := <-p.conns; c != nil {
				c.close()
			}
		}
		close(p.conns)
	})
}
