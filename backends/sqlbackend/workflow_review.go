package sqlbackend

import (
	"context"
	"database/sql"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
)

// The members of a draft's share grant (docs/api-rules.md#70), kept with
// the draft's other members in the meta table.
const (
	memberShareKey     = "aposShareKey"
	memberShareExpires = "aposShareExpiresAt"
)

var (
	_ adapters.Sharer           = (*Adapter)(nil)
	_ adapters.SubmissionLister = (*Adapter)(nil)
)

// Share implements adapters.Sharer: one transaction that checks the draft
// exists, sets or removes its grant, and reads it back.
func (a *Adapter) Share(ctx context.Context, locale, docID string, grant *adapters.ShareGrant) (*adapters.Record, error) {
	edits := []metaEdit{dropMember(memberShareKey), dropMember(memberShareExpires)}
	if grant != nil {
		edits = []metaEdit{
			setMember(memberShareKey, appendJSONString(nil, []byte(grant.Key))),
			setMemberTime(memberShareExpires, grant.Expires),
		}
	}
	return a.workflow(ctx, docID, nil, func(tx *sql.Tx, key any) (*adapters.Record, error) {
		if _, ok, err := a.lockDraft(ctx, tx, locale, key); err != nil || !ok {
			return nil, notFound(err)
		}
		if err := a.store.edit(ctx, tx, key, apos.Scope{Locale: locale, Mode: apos.Draft}, edits...); err != nil {
			return nil, err
		}
		return a.readDraft(ctx, tx, locale, docID, key)
	})
}

// Submitted implements adapters.SubmissionLister from the meta table: the
// drafts of locale whose members hold a submission.
func (a *Adapter) Submitted(ctx context.Context, locale string) ([]adapters.Submitted, error) {
	if a.store == nil {
		return nil, nil
	}
	text := "SELECT doc_id, extra FROM " + a.store.meta +
		" WHERE type_name = ? AND locale = ? AND mode = ? AND extra LIKE ?"
	rows, err := a.db.QueryContext(a.db.ReadContext(ctx), a.db.Rebind(text),
		a.t.Name, locale, string(apos.Draft), `%"`+memberSubmitted+`"%`)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	defer rows.Close()
	var out []adapters.Submitted
	for rows.Next() {
		var id string
		var obj []byte
		if err := rows.Scan(&id, &obj); err != nil {
			return nil, a.fail(ctx, err)
		}
		sub := gjson.GetBytes(obj, memberSubmitted)
		if !sub.IsObject() {
			continue
		}
		at, _, _ := parseDateTime([]byte(sub.Get("at").Str))
		out = append(out, adapters.Submitted{DocID: apos.EncodeKey(id), Submission: adapters.Submission{
			By: sub.Get("by").Str, ByID: sub.Get("byId").Str, At: at,
		}})
	}
	return out, a.fail(ctx, rows.Err())
}
