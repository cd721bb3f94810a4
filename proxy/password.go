package proxy

import (
	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"golang.org/x/crypto/bcrypt"
)

// passwordCost is bcrypt's work factor for passwords written through the
// API, the one `aposproxy hash-password` uses by default.
const passwordCost = bcrypt.DefaultCost

// convertPassword converts the body value of a password field
// (docs/api-rules.md#67) and appends its value or its error: a non-empty
// string is stored as its bcrypt hash; no value (absent, null or "")
// keeps the stored hash, so that a user sent back as it was read (which
// never shows the hash) keeps its password. An insert of a required
// password must send one.
func convertPassword(f *apos.Field, r gjson.Result, w write, vals []adapters.Value, errs []apos.FieldError) ([]adapters.Value, []apos.FieldError) {
	switch {
	case !r.Exists() || r.Type == gjson.Null || r.Type == gjson.String && r.Str == "":
		if f.Required && w == writeInsert {
			errs = append(errs, apos.FieldError{Path: f.Name, Name: "required"})
		}
		return vals, errs
	case r.Type != gjson.String:
		return vals, append(errs, apos.FieldError{Path: f.Name, Name: "invalid"})
	case len(r.Str) > 72:
		return vals, append(errs, apos.FieldError{Path: f.Name, Name: "invalid", Msg: "A password is at most 72 bytes long."})
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(r.Str), passwordCost)
	if err != nil {
		return vals, append(errs, apos.FieldError{Path: f.Name, Name: "invalid"})
	}
	return append(vals, adapters.Value{Field: f.Name, V: string(hash)}), errs
}
