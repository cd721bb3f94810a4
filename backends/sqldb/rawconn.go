package sqldb

import (
	"fmt"
	"strings"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// rawConn is one read-only connection of the raw path, used by one
// goroutine at a time (rawPool): it owns its TLS (the transpiled C
// library's per-thread state), its prepared statements and the C memory
// its text arguments are copied to.
type rawConn struct {
	tls   *libc.TLS
	db    uintptr
	stmts []rawStmt // by ReadStmt.id; p is 0 until prepared here
	buf   uintptr   // C memory for text and blob arguments
	size  int
}

// rawStmt is a statement prepared on one rawConn.
type rawStmt struct {
	p uintptr
	// times marks the columns declared DATE, DATETIME or TIMESTAMP, whose
	// text the driver parses into a time.Time; declared types are fixed
	// for the statement's life, so they are read once.
	times []bool
	// hints is, per column, the parseTimeFormats index that last parsed
	// its text: the next row of the same column most likely has it too.
	hints []int8
}

const ptrSize = unsafe.Sizeof(uintptr(0))

// The flags the driver opens connections with, read-only.
const rawFlags = sqlite3.SQLITE_OPEN_READONLY | sqlite3.SQLITE_OPEN_FULLMUTEX | sqlite3.SQLITE_OPEN_URI

// openRaw opens a read-only connection to the file name and runs the
// pragmas, as the driver's newConn does for its own connections.
func openRaw(name string, pragmas []string) (_ *rawConn, err error) {
	c := &rawConn{tls: libc.NewTLS()}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	zName, err := libc.CString(name)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, zName)
	pdb, err := c.malloc(int(ptrSize))
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, pdb)
	rc := sqlite3.Xsqlite3_open_v2(c.tls, zName, pdb, rawFlags, 0)
	c.db = *(*uintptr)(cPointer(pdb))
	if rc != sqlite3.SQLITE_OK {
		return nil, c.errstr(rc)
	}
	if rc := sqlite3.Xsqlite3_extended_result_codes(c.tls, c.db, 1); rc != sqlite3.SQLITE_OK {
		return nil, c.errstr(rc)
	}
	for _, p := range pragmas {
		if err := c.exec("pragma " + p); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// close finalizes the connection's statements and closes it.
func (c *rawConn) close() {
	for _, s := range c.stmts {
		if s.p != 0 {
			sqlite3.Xsqlite3_finalize(c.tls, s.p)
		}
	}
	if c.db != 0 {
		sqlite3.Xsqlite3_close_v2(c.tls, c.db)
	}
	if c.buf != 0 {
		libc.Xfree(c.tls, c.buf)
	}
	c.tls.Close()
}

// exec runs query to its end, for the pragmas of a new connection.
func (c *rawConn) exec(query string) error {
	p, err := c.prepare(query, 0)
	if err != nil || p == 0 {
		return err
	}
	defer sqlite3.Xsqlite3_finalize(c.tls, p)
	for {
		switch rc := sqlite3.Xsqlite3_step(c.tls, p); rc {
		case sqlite3.SQLITE_ROW:
		case sqlite3.SQLITE_DONE:
			return nil
		default:
			return c.errstr(rc)
		}
	}
}

// prepare compiles the one statement of query; 0 for an empty query.
func (c *rawConn) prepare(query string, flags uint32) (uintptr, error) {
	zSQL, err := libc.CString(query)
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(c.tls, zSQL)
	pp, err := c.malloc(int(ptrSize))
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(c.tls, pp)
	if rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, zSQL, -1, flags, pp, 0); rc != sqlite3.SQLITE_OK {
		return 0, c.errstr(rc)
	}
	return *(*uintptr)(cPointer(pp)), nil
}

// stmt is s prepared on c, prepared on first use.
func (c *rawConn) stmt(s *ReadStmt) (*rawStmt, error) {
	if s.id < len(c.stmts) && c.stmts[s.id].p != 0 {
		return &c.stmts[s.id], nil
	}
	p, err := c.prepare(s.query, sqlite3.SQLITE_PREPARE_PERSISTENT)
	if err != nil {
		return nil, err
	}
	if p == 0 {
		return nil, fmt.Errorf("sqlite: empty statement")
	}
	n := int(sqlite3.Xsqlite3_column_count(c.tls, p))
	st := rawStmt{p: p, times: make([]bool, n), hints: make([]int8, n)}
	for i := range n {
		switch strings.ToUpper(libc.GoString(sqlite3.Xsqlite3_column_decltype(c.tls, p, int32(i)))) {
		case "DATE", "DATETIME", "TIMESTAMP":
			st.times[i] = true
		}
		st.hints[i] = -1
	}
	for len(c.stmts) <= s.id {
		c.stmts = append(c.stmts, rawStmt{})
	}
	c.stmts[s.id] = st
	return &c.stmts[s.id], nil
}

// reserve makes c.buf hold at least n bytes. Statements bound to the old
// buffer are all reset and bound again before they next run.
func (c *rawConn) reserve(n int) error {
	if n <= c.size {
		return nil
	}
	size := max(n, 2*c.size, 256)
	p, err := c.malloc(size)
	if err != nil {
		return err
	}
	if c.buf != 0 {
		libc.Xfree(c.tls, c.buf)
	}
	c.buf, c.size = p, size
	return nil
}

func (c *rawConn) malloc(n int) (uintptr, error) {
	if p := libc.Xmalloc(c.tls, types.Size_t(n)); p != 0 {
		return p, nil
	}
	return 0, fmt.Errorf("sqlite: cannot allocate %d bytes of memory", n)
}

// errstr is the error of result code rc, as the driver words it.
func (c *rawConn) errstr(rc int32) error {
	str := libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	var busy string
	if rc == sqlite3.SQLITE_BUSY {
		busy = " (SQLITE_BUSY)"
	}
	if c.db != 0 {
		if msg := libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db)); msg != str {
			str += ": " + msg
		}
	}
	return &rawError{code: int(rc), msg: fmt.Sprintf("%s (%v)%s", str, rc, busy)}
}

// rawError is an error of the raw path; classify sorts it as the driver's
// *sqlite.Error of the same code.
type rawError struct {
	code int
	msg  string
}

func (e *rawError) Error() string { return e.msg }

// cPointer is C memory at p as an unsafe.Pointer (go vet warns of a
// direct conversion; the memory is not Go's, so the collector ignores it).
func cPointer(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// cBytes is the n bytes of C memory at p, not copied: valid until SQLite
// or the connection reuses them.
func cBytes(p uintptr, n int) []byte {
	if p == 0 || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(cPointer(p)), n)
}
