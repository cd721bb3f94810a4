package config

import (
	"regexp"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
)

// TextFormats are the forms a date or datetime field's text column may
// keep (Field.TextFormat); the date kind takes the first two.
var TextFormats = []string{"YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD HH:MM:SS.SSS", "YYYY-MM-DDTHH:MM:SS.SSSZ"}

// templateRef is one {Column} of a computed field's template.
var templateRef = regexp.MustCompile(`\{([^{}]*)\}`)

// maxPrecision is the most digits a decimal field may have: MySQL's
// DECIMAL limit, and within PostgreSQL's.
const maxPrecision = 65

// TemplateColumns returns the columns a computed field's template reads,
// in order, and the literal text around them: parts[i] comes before
// columns[i], and the last part after the last column.
func TemplateColumns(template string) (parts, columns []string) {
	last := 0
	for _, m := range templateRef.FindAllStringSubmatchIndex(template, -1) {
		parts = append(parts, template[last:m[0]])
		columns = append(columns, template[m[2]:m[3]])
		last = m[1]
	}
	return append(parts, template[last:]), columns
}

// keyField reports whether f shows the type's key column as a read-only
// field (docs/api-rules.md#126).
func keyField(t *Type, f Field) bool {
	return f.Column != "" && f.Column == t.Key && t.Database != ""
}

// validateFieldMapping checks the keys that map a field onto its column
// in ways of their own: a decimal's precision and scale, a computed
// field's template, a date's text format, the key shown as a field.
func (t *Type) validateFieldMapping(fp string, f Field, errs *errorList) {
	kind := apos.Kind(f.Kind)
	switch {
	case kind == apos.Decimal && (t.Database == "" || t.Store):
		errs.addf(fp+".kind", "decimal fields are only for database types over legacy tables (not upstream or store types)")
	case kind != apos.Decimal && (f.Precision != 0 || f.Scale != 0):
		errs.addf(fp+".precision", "precision and scale are only for decimal fields")
	case f.Precision == 0 && f.Scale != 0:
		errs.addf(fp+".precision", "is required with scale")
	case f.Precision != 0 && (f.Precision < 1 || f.Precision > maxPrecision):
		errs.addf(fp+".precision", "must be between 1 and %d", maxPrecision)
	case f.Scale < 0 || f.Precision != 0 && f.Scale > f.Precision:
		errs.addf(fp+".scale", "must be between 0 and precision (%d)", f.Precision)
	}
	if f.TextFormat != "" {
		formats := TextFormats
		if kind == apos.Date {
			formats = formats[:2]
		}
		switch {
		case kind != apos.Date && kind != apos.DateTime:
			errs.addf(fp+".text_format", "is only for date and datetime fields")
		case !slices.Contains(formats, f.TextFormat):
			errs.addf(fp+".text_format", "must be one of %s", oneOf(formats))
		}
	}
	if f.Template != "" {
		t.validateTemplate(fp, f, errs)
	}
	if keyField(t, f) && (!f.ReadOnly || f.Auto != "") {
		errs.addf(fp+".column", "is the key column %s: a field showing the key must be read_only", t.Key)
	}
}

// validateTemplate checks a computed field: a string field of a database
// type, without a column of its own, over plain column names.
func (t *Type) validateTemplate(fp string, f Field, errs *errorList) {
	_, cols := TemplateColumns(f.Template)
	switch {
	case t.Database == "":
		errs.addf(fp+".template", "computed fields are only for database types")
	case apos.Kind(f.Kind) != apos.String:
		errs.addf(fp+".template", "computed fields are string fields")
	case f.Column != "":
		errs.addf(fp+".column", "a computed field has a template and no column")
	case len(cols) == 0:
		errs.addf(fp+".template", "must name at least one column, as in \"{first_name} {last_name}\"")
	}
	if parts, _ := TemplateColumns(f.Template); strings.ContainsAny(strings.Join(parts, ""), `'\{}`) {
		errs.addf(fp+".template", "the text around {column} names may hold neither quotes, backslashes nor stray braces")
	}
	for _, c := range cols {
		if !sqlColumn.re.MatchString(c) {
			errs.addf(fp+".template", "{%s}: a column name %s", c, sqlColumn.msg)
		}
	}
}
