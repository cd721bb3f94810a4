package config

import (
	"errors"
	"fmt"
	"slices"
)

// KeyColumns is a type's key as the file writes it: one column,
// key = "id", or the columns of a composite key, key = ["PlaylistId",
// "TrackId"] (docs/config.md#keys).
type KeyColumns []string

// UnmarshalTOML accepts a string or a non-empty list of distinct strings.
func (k *KeyColumns) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*k = KeyColumns{v}
		return nil
	case []any:
		cols := KeyColumns{}
		for _, c := range v {
			s, ok := c.(string)
			if !ok || s == "" {
				return errors.New("a composite key is a list of column names")
			}
			if slices.Contains(cols, s) {
				return fmt.Errorf("column %s is listed twice", s)
			}
			cols = append(cols, s)
		}
		if len(cols) == 0 {
			return errors.New("a composite key lists at least one column")
		}
		*k = cols
		return nil
	}
	return errors.New(`a key is a column name, or a list of them for a composite key, such as ["PlaylistId", "TrackId"]`)
}

// The ways a type's new documents get their keys (new_keys;
// docs/config.md#keys).
const (
	NewKeysDatabase = "database" // the column's default, identity or auto increment
	NewKeysSequence = "sequence" // nextval of key_sequence (PostgreSQL)
	NewKeysMax      = "max+1"    // one more than the largest key, under a lock
	NewKeysRandom   = "random"   // an Apostrophe-style random id
	NewKeysClient   = "client"   // the client's _createId, always
)

var newKeysStrategies = []string{NewKeysDatabase, NewKeysSequence, NewKeysMax, NewKeysRandom, NewKeysClient}

// KeyParts lists the key's columns: Keys when the file set them, else the
// one column Key.
func (t *Type) KeyParts() []string {
	if len(t.Keys) > 0 {
		return t.Keys
	}
	return []string{t.Key}
}

// Composite reports whether the type's key has several columns.
func (t *Type) Composite() bool { return len(t.Keys) > 1 }

// setKeyDefaults sets Key and Keys from each other: the default key is
// id; a composite key's Key is its first column, and its new keys come
// from the client.
func (t *Type) setKeyDefaults() {
	switch {
	case len(t.Keys) == 0:
		setZero(&t.Key, "id")
		t.Keys = KeyColumns{t.Key}
	default:
		t.Key = t.Keys[0]
	}
	if t.Composite() {
		setZero(&t.NewKeys, NewKeysClient)
	}
	setZero(&t.NewKeys, NewKeysDatabase)
}

// validateKeys checks key, new_keys and key_sequence.
func (t *Type) validateKeys(path string, errs *errorList) {
	if !slices.Contains(newKeysStrategies, t.NewKeys) {
		errs.addf(path+".new_keys", "must be one of database, sequence, max+1, random or client")
	}
	if (t.NewKeys == NewKeysSequence) != (t.KeySequence != "") {
		errs.addf(path+".key_sequence", `names the sequence of new_keys = "sequence", and only then`)
	}
	if !t.Composite() {
		return
	}
	switch {
	case t.Database == "":
		errs.addf(path+".key", "a composite key is for SQL types")
	case *t.Localized:
		errs.addf(path+".key", "a composite key is for unlocalized types (no locale or mode column)")
	case t.NewKeys != NewKeysClient:
		errs.addf(path+".new_keys", `a composite key's new keys come from the client: "client" (its _createId)`)
	}
}
