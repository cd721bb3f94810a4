package sqlbackend

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestBoundedReadsPostgres checks, on a PostgreSQL pool bounded by a
// request timeout, that a read detached from its request is cancelled by
// the server at about the timeout with the timeout error, while the slug
// sweep, the proxy's own long work, runs to its end though its statements
// take longer than the timeout too.
func TestBoundedReadsPostgres(t *testing.T) {
	const timeout = 200 * time.Millisecond
	db := open(t, config.Database{Driver: "postgres", DSN: testkit.Engines[1].Fresh(t), MaxOpen: 4, RequestTimeout: timeout})
	run(t, db, `CREATE TABLE items_src (id INTEGER NOT NULL, state VARCHAR(8) NOT NULL, name TEXT NOT NULL, PRIMARY KEY (id, state));
INSERT INTO items_src VALUES (1, 'live', 'One'), (2, 'live', 'Two');
CREATE FUNCTION slow_name(n TEXT) RETURNS TEXT AS $$ SELECT n $$ LANGUAGE sql VOLATILE;
CREATE VIEW items AS SELECT id, state, slow_name(name) AS name FROM items_src;`)
	a := mustNew(t, db, &config.Type{Name: "item", Database: "test", Table: "items", Key: "id", Storage: "columns",
		Mode:   config.ValueMap{Column: "state", Values: map[string]string{"draft": "draft", "live": "published"}},
		Fields: []config.Field{{Name: "title", Column: "name", Kind: "string"}}})
	if a.slugs == nil {
		t.Fatal("the type keeps no slugs")
	}
	run(t, db, `CREATE OR REPLACE FUNCTION slow_name(n TEXT) RETURNS TEXT AS $$ SELECT pg_sleep(0.4); SELECT n $$ LANGUAGE sql VOLATILE;`)

	req, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err := a.Get(req, apos.Scope{Locale: "en", Mode: apos.Published}, "1")
	took := time.Since(start)
	if !errors.Is(err, apos.ErrTimeout) {
		t.Fatalf("a read longer than the timeout answered %v, want the timeout error", err)
	}
	if took > time.Second {
		t.Errorf("the read was cancelled after %v, want about %v", took, timeout)
	}

	// Quick titles again, but slow inserts of slugs: the sweep's one
	// INSERT takes 0.8s, four times the timeout.
	run(t, db, `CREATE OR REPLACE FUNCTION slow_name(n TEXT) RETURNS TEXT AS $$ SELECT n $$ LANGUAGE sql VOLATILE;
CREATE FUNCTION slow_insert() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(0.8); RETURN NULL; END $$ LANGUAGE plpgsql;
CREATE TRIGGER slow_insert AFTER INSERT ON `+a.slugs.table+` FOR EACH STATEMENT EXECUTE FUNCTION slow_insert();`)
	start = time.Now()
	if err := a.sweepFirst(req, "en"); err != nil {
		t.Fatalf("the statement timeout cut the slug sweep: %v", err)
	}
	if took := time.Since(start); took < 2*timeout {
		t.Errorf("the sweep took %v: its insert was not slow", took)
	}
	var n int
	if err := db.QueryRowContext(req, "SELECT COUNT(*) FROM "+a.slugs.table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("the sweep gave no slug")
	}
}
