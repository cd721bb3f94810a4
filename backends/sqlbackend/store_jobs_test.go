package sqlbackend

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// TestJobStore saves, replaces and loads job documents on every engine.
func TestJobStore(t *testing.T) {
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			db := fresh(t, e)
			st, err := NewJobStore(t.Context(), db)
			noErr(t, err)
			if _, err := NewJobStore(t.Context(), db); err != nil {
				t.Fatalf("opening an existing store: %v", err)
			}
			for _, tc := range []struct {
				id, owner string
				ended     bool
				doc       string
			}{
				{"j1", "", false, `{"_id":"j1","processed":0}`},
				{"j2", "u7", false, `{"_id":"j2"}`},
				{"j1", "", true, `{"_id":"j1","processed":3}`},
			} {
				noErr(t, st.SaveJob(t.Context(), tc.id, tc.owner, "r1", tc.ended, []byte(tc.doc), 0, nil))
				owner, doc, entries, err := st.LoadJob(t.Context(), tc.id)
				noErr(t, err)
				if owner != tc.owner || string(doc) != tc.doc || len(entries) != 0 {
					t.Fatalf("loaded %q %s %q, want %q %s and no entries", owner, doc, entries, tc.owner, tc.doc)
				}
			}
			ids, err := st.StaleJobs(t.Context(), time.Now().Add(time.Minute))
			noErr(t, err)
			if !slices.Equal(ids, []string{"j2"}) {
				t.Fatalf("unfinished %v, want [j2]", ids)
			}
			ids, err = st.StaleJobs(t.Context(), time.Now().Add(-time.Minute))
			noErr(t, err)
			if len(ids) != 0 {
				t.Fatalf("jobs leased a moment ago are stale: %v", ids)
			}
			_, _, _, err = st.LoadJob(t.Context(), "nosuchjob")
			wantErr(t, err, apos.ErrNotFound)
		})
	}
}

// TestJobStoreEntries appends a job's entries over several saves, more
// than one INSERT holds, and saves again from an earlier number, as a
// retry after a failed save does: the entries come back in order, once.
func TestJobStoreEntries(t *testing.T) {
	eachDB(t, func(t *testing.T, e testkit.Engine, db *sqldb.DB) {
		st, err := NewJobStore(t.Context(), db)
		noErr(t, err)
		entries := func(from, to int) [][]byte {
			var out [][]byte
			for i := from; i < to; i++ {
				out = append(out, []byte(`{"id":"`+strings.Repeat("x", i%7)+`","n":`+strconv.Itoa(i)+`}`))
			}
			return out
		}
		noErr(t, st.SaveJob(t.Context(), "j", "u1", "r1", false, []byte(`{"processed":3}`), 0, entries(0, 3)))
		noErr(t, st.SaveJob(t.Context(), "j", "u1", "r1", false, []byte(`{"processed":450}`), 3, entries(3, 450)))
		noErr(t, st.SaveJob(t.Context(), "other", "", "r1", false, []byte(`{}`), 0, entries(0, 2)))
		noErr(t, st.SaveJob(t.Context(), "j", "u1", "r1", true, []byte(`{"processed":500}`), 400, entries(400, 500)))
		owner, doc, got, err := st.LoadJob(t.Context(), "j")
		noErr(t, err)
		want := entries(0, 500)
		if owner != "u1" || string(doc) != `{"processed":500}` || len(got) != len(want) {
			t.Fatalf("loaded %q %s and %d entries, want u1, processed 500 and %d entries", owner, doc, len(got), len(want))
		}
		for i := range want {
			if string(got[i]) != string(want[i]) {
				t.Fatalf("entry %d = %s, want %s", i, got[i], want[i])
			}
		}
	})
}
