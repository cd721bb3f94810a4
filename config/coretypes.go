package config

import (
	"maps"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

// The Apostrophe types a configuration may serve under their own
// @apostrophecms/ names (docs/api-rules.md#67 to #69).
const (
	UserType     = "@apostrophecms/user"
	GlobalType   = "@apostrophecms/global"
	ImageTagType = "@apostrophecms/image-tag"
	FileTagType  = "@apostrophecms/file-tag"
	PageType     = "@apostrophecms/page"
	// ImageType and FileType are Apostrophe's media library pieces,
	// usually store types with an attachment field (docs/api-rules.md#200).
	ImageType = "@apostrophecms/image"
	FileType  = "@apostrophecms/file"
)

// coreType is what one of Apostrophe's own types demands of its mapping.
type coreType struct {
	localized bool      // whether its documents have locales and modes
	role      apos.Role // the lowest role of every permission, when set
	singleton bool
}

// coreTypes are Apostrophe's types a configuration may serve. Any other
// @apostrophecms/ name is Apostrophe's own business (pages, the login...).
var coreTypes = map[string]*coreType{
	UserType:     {localized: false, role: apos.Admin},
	GlobalType:   {localized: true, singleton: true},
	ImageTagType: {localized: true},
	FileTagType:  {localized: true},
	PageType:     {localized: true},
	ImageType:    {localized: true},
	FileType:     {localized: true},
}

// coreTypeNames lists the core types, for messages.
func coreTypeNames() string {
	return strings.Join(slices.Sorted(maps.Keys(coreTypes)), ", ")
}

// IsSingleton reports whether the type is one document per locale.
func (t *Type) IsSingleton() bool { return t.Singleton != nil && *t.Singleton }

// setCoreDefaults gives a core type Apostrophe's settings: users are
// admin-only, and global is a singleton. It runs before the generic
// defaults, which would set the roles otherwise.
func (t *Type) setCoreDefaults() {
	ct := coreTypes[t.Name]
	if ct == nil {
		return
	}
	if ct.role != apos.Anonymous {
		for _, r := range []*string{&t.ViewRole, &t.EditRole, &t.PublishRole} {
			setZero(r, ct.role.String())
		}
	}
	if t.Singleton == nil {
		t.Singleton = &ct.singleton
	}
}

// validateCore checks that a core type keeps what Apostrophe's clients
// rely on: its locales or their absence, its roles, a singleton global.
func (t *Type) validateCore(path string, errs *errorList) {
	if t.IsSingleton() {
		for i, f := range t.Fields {
			if f.Required {
				errs.addf(indexKey(path+".fields", i)+".required", "a singleton's fields cannot be required: the proxy makes its document empty")
			}
		}
	}
	ct := coreTypes[t.Name]
	if ct == nil {
		if t.IsSingleton() && !*t.Localized {
			errs.addf(path+".singleton", "a singleton is one document per locale: the type must be localized")
		}
		return
	}
	if *t.Localized != ct.localized {
		errs.addf(path+".localized", "must be %t for %s, as in Apostrophe", ct.localized, t.Name)
	}
	if ct.role != apos.Anonymous {
		for _, r := range [][2]string{{"view_role", t.ViewRole}, {"edit_role", t.EditRole}, {"publish_role", t.PublishRole}} {
			if r[1] != ct.role.String() {
				errs.addf(path+"."+r[0], "must be %s: %s is %s-only, as in Apostrophe", ct.role, t.Name, ct.role)
			}
		}
	}
	if t.IsSingleton() != ct.singleton {
		errs.addf(path+".singleton", "must be %t for %s, as in Apostrophe", ct.singleton, t.Name)
	}
}

// validateFieldExtras checks a field's default (booleans only) and a
// password field: a bcrypt hash in a column of an unlocalized database
// type (a users table), written by clients in plain text and never read
// back (docs/api-rules.md#67).
func (t *Type) validateFieldExtras(fp string, f Field, errs *errorList) {
	if f.Default != nil && apos.Kind(f.Kind) != apos.Boolean {
		errs.addf(fp+".default", "is only for boolean fields")
	}
	if apos.Kind(f.Kind) != apos.Password {
		return
	}
	switch {
	case t.Database == "":
		errs.addf(fp+".kind", "password fields are only for database types")
	case *t.Localized:
		errs.addf(fp+".kind", "password fields are only for unlocalized types (localized = false), such as a users table")
	}
	if f.Searchable || f.ReadOnly || f.Auto != "" {
		errs.addf(fp+".kind", "a password field cannot be searchable, read_only or auto: it is never read back")
	}
	if strings.TrimPrefix(t.Sort, "-") == f.Name {
		errs.addf(fp+".kind", "a password field cannot be the type's sort")
	}
}
