package loadgen

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// ownKeys are the keys of a sample document that the load generator
// leaves alone besides Apostrophe's document keys: the title (each create
// sets its own) and a page's place in the tree.
var ownKeys = map[string]bool{"title": true, "historicUrls": true, "path": true, "rank": true, "level": true}

// contentKey reports whether a key of a sample document is content, which
// a write copies and a filter may use: not a "_" key, not one of
// Apostrophe's document keys, not in ownKeys.
func contentKey(key string) bool {
	return !strings.HasPrefix(key, "_") && !apos.IsDocKey(key) && !ownKeys[key]
}

// createBody is the document a write cycle creates: -body when given,
// else a copy of sample's content keys (contentKey); each create then sets
// its own title.
func (o *options) createBody(sample gjson.Result) ([]byte, error) {
	if o.body != nil {
		return o.body, nil
	}
	if !sample.IsObject() {
		return nil, errors.New("no document to copy")
	}
	body := []byte("{}")
	var err error
	sample.ForEach(func(k, v gjson.Result) bool {
		if !contentKey(k.Str) {
			return true
		}
		body, err = sjson.SetRawBytes(body, escapePath(k.Str), []byte(v.Raw))
		return err == nil
	})
	if err != nil {
		return nil, fmt.Errorf("copying a document for the write scenario: %w", err)
	}
	return body, nil
}

// escapePath escapes the characters that sjson's paths give a meaning.
func escapePath(key string) string {
	r := strings.NewReplacer(".", `\.`, "*", `\*`, "?", `\?`, "|", `\|`, "#", `\#`, "@", `\@`)
	return r.Replace(key)
}

// filterOf is the query filter of the filter scenario: -filter when given,
// else the first boolean field of sample, else its first short one-word
// string field (a select, most likely).
func (o *options) filterOf(sample gjson.Result) string {
	if o.filter != "" {
		return o.filter
	}
	var boolean, word string
	sample.ForEach(func(k, v gjson.Result) bool {
		if !contentKey(k.Str) {
			return true
		}
		switch {
		case v.IsBool() && boolean == "":
			boolean = url.QueryEscape(k.Str) + "=" + v.Raw
		case v.Type == gjson.String && word == "" && len(v.Str) > 0 && len(v.Str) <= 32 &&
			!strings.ContainsAny(v.Str, " :/"):
			word = url.QueryEscape(k.Str) + "=" + url.QueryEscape(v.Str)
		}
		return true
	})
	if boolean != "" {
		return boolean
	}
	return word
}
