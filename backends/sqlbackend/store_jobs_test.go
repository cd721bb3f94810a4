package sqlbackend

import (
	"slices"
	"testing"

	"github.com/aposproxy/aposproxy/apos"
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
				noErr(t, st.SaveJob(t.Context(), tc.id, tc.owner, tc.ended, []byte(tc.doc)))
				owner, doc, err := st.LoadJob(t.Context(), tc.id)
				noErr(t, err)
				if owner != tc.owner || string(doc) != tc.doc {
					t.Fatalf("loaded %q %s, want %q %s", owner, doc, tc.owner, tc.doc)
				}
			}
			ids, err := st.UnfinishedJobs(t.Context())
			noErr(t, err)
			if !slices.Equal(ids, []string{"j2"}) {
				t.Fatalf("unfinished %v, want [j2]", ids)
			}
			_, _, err = st.LoadJob(t.Context(), "nosuchjob")
			wantErr(t, err, apos.ErrNotFound)
		})
	}
}
