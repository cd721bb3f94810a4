package upstream

import (
	"errors"
	"slices"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
)

// TestWorkflow runs the workflow operations the inventory service allows,
// and checks that the others answer 501 without calling it.
func TestWorkflow(t *testing.T) {
	a, url := inventory(t)
	ctx := t.Context()
	t.Run("locales", func(t *testing.T) {
		got, err := a.Locales(ctx, "INV-0001", []string{"en", "fr"})
		if err != nil {
			t.Fatal(err)
		}
		if want := []apos.Scope{enLive, enDraft, frLive, frDraft}; !slices.Equal(got, want) {
			t.Fatalf("locales %v, want %v", got, want)
		}
		if got, err := a.Locales(ctx, "INV-9999", []string{"en", "fr"}); err != nil || len(got) != 0 {
			t.Fatalf("locales of a missing item: %v %v", got, err)
		}
	})
	t.Run("unpublish", func(t *testing.T) {
		rec, err := a.Unpublish(ctx, "en", "INV-0001")
		if err != nil {
			t.Fatal(err)
		}
		if rec.Scope != enDraft || rec.Modified != adapters.True || string(rec.Extra) != `"lastPublishedAt":null` {
			t.Fatalf("unpublish answered %v modified %v extra %s", rec.Scope, rec.Modified, rec.Extra)
		}
		if status, _ := raw(t, url, "INV-0001", "en", "live"); status != 404 {
			t.Fatalf("the live variant is still there: %d", status)
		}
		if _, err := a.Unpublish(ctx, "en", "INV-0001"); !errors.Is(err, apos.ErrNotFound) {
			t.Fatalf("unpublishing twice: %v, want notfound", err)
		}
	})
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"revert the draft", func() error { _, err := a.RevertDraftToPublished(ctx, "en", "INV-0002"); return err }},
		{"undo a publication", func() error { _, err := a.RevertPublishedToPrevious(ctx, "en", "INV-0002"); return err }},
		{"localize", func() error { _, err := a.Localize(ctx, "INV-0002", "en", "fr", false); return err }},
		{"submit", func() error { return a.Submit(ctx, "en", "INV-0002", adapters.Submission{By: "x"}) }},
		{"dismiss", func() error { return a.DismissSubmission(ctx, "en", "INV-0002") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, apos.ErrUnimplemented) {
				t.Fatalf("error %v, want unimplemented", err)
			}
		})
	}
}
