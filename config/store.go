package config

import (
	"regexp"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

// A store type (store = true) lives in a table the proxy creates and owns
// in the type's database, for documents no legacy table holds, such as
// Apostrophe's global document and its image and file tags. The proxy
// names the table and its key, locale and mode columns; the fields are
// the configured ones, each in a column of its own name and of its kind's
// type. Beside it, the workflow's tables are those of any columns type.
const (
	storeTablePrefix  = "aposproxy_"
	storeKeyColumn    = "id"
	storeLocaleColumn = "doc_locale"
	storeModeColumn   = "doc_mode"
)

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

// StoreTable names the table of the store type name:
// @apostrophecms/image-tag is aposproxy_apostrophecms_image_tag.
func StoreTable(name string) string {
	return storeTablePrefix + strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(name), "_"), "_")
}

// setStoreDefaults sets what the proxy decides for a store type: its
// table, a random text key, a locale column when it is localized (the
// default), and a mode column with drafts unless it is autopublished. The
// keys the file set that the proxy sets itself are kept for validate.
func (t *Type) setStoreDefaults() {
	if !t.Store {
		return
	}
	for _, k := range []struct {
		key string
		set bool
	}{
		{"key", len(t.Keys) > 0}, {"new_keys", t.NewKeys != "" && t.NewKeys != "random"},
		{"locale", t.Locale.Column != "" || len(t.Locale.Values) > 0},
		{"mode", t.Mode.Column != "" || len(t.Mode.Values) > 0},
	} {
		if k.set {
			t.storeKeys = append(t.storeKeys, k.key)
		}
	}
	setZero(&t.Table, StoreTable(t.Name))
	t.Key, t.Keys, t.NewKeys = storeKeyColumn, KeyColumns{storeKeyColumn}, "random"
	if t.Localized == nil {
		localized := true
		t.Localized = &localized
	}
	t.Locale, t.Mode = ValueMap{}, ValueMap{}
	if !*t.Localized {
		return
	}
	t.Locale.Column = storeLocaleColumn
	setZero(&t.Storage, string(apos.Columns))
	if t.Storage == string(apos.Columns) {
		t.Mode.Column = storeModeColumn
	}
}

// validateStore checks a store type: it needs a database, and its
// storage keeps drafts in rows (columns) or has none (autopublish).
func (t *Type) validateStore(path string, errs *errorList) {
	if !t.Store {
		return
	}
	for _, k := range t.storeKeys {
		errs.addf(path+"."+k, "is set by the proxy for a store type")
	}
	if t.Database == "" {
		errs.addf(path+".store", "a store type needs a database to keep its table in")
	}
	if t.Storage == string(apos.Overlay) {
		errs.addf(path+".storage", `a store type's storage is "columns" or "autopublish"`)
	}
	if !strings.HasPrefix(t.Table, storeTablePrefix) {
		errs.addf(path+".table", "a store type's table is one the proxy owns: its name starts with %s", storeTablePrefix)
	}
}
