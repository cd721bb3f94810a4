package introspect

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aposproxy/aposproxy/backends/sqldb"
)

// typePlan is what Generate writes for one table.
type typePlan struct {
	table      *Table
	name       string
	key        string
	keys       []string // a composite key's columns; nil for one column
	readOnly   bool     // no key proven unique: served read-only
	newKeys    string
	locale     string
	mode       string
	modeValues map[string]string
	fields     []fieldPlan
	sort       string
	reviews    []string // # review: lines of the type
}

// fieldPlan is one field of a type.
type fieldPlan struct {
	name, column, kind, auto string
	required                 bool
	review, relationship     string
}

// reserved are the field names the proxy sets itself.
var reserved = []string{"_id", "aposDocId", "aposLocale", "aposMode", "type", "metaType", "modified"}

// localeValue is a value that reads as a locale name (en, fr, pt-BR).
var localeValue = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?$`)

// planType maps one table onto a type: its key, its locale and mode
// columns (guessed by name, confirmed by the values they hold), and a
// field per other column. locales collects the locale values seen.
func planType(ctx context.Context, db *sqldb.DB, t *Table, locales *[]string) (*typePlan, error) {
	p := &typePlan{table: t, name: typeName(t.Name)}
	if c := pick(t, localeNames); c != nil {
		vals, err := distinct(ctx, db, t.Name, c.Name)
		if err != nil {
			return nil, err
		}
		if inKey(t, c.Name) || allMatch(vals, localeValue) && len(vals) > 0 {
			p.locale = c.Name
			p.reviews = append(p.reviews, fmt.Sprintf("%s is taken for the locale column (values %s)", c.Name, strings.Join(vals, ", ")))
			for _, v := range vals {
				if !slices.Contains(*locales, v) {
					*locales = append(*locales, v)
				}
			}
		}
	}
	if err := p.planMode(ctx, db); err != nil {
		return nil, err
	}
	p.planKey()
	p.planFields()
	return p, p.jsonTexts(ctx, db)
}

// jsonTexts makes a json field of a text column whose sampled values are
// all JSON objects or arrays (SQLite and older schemas keep JSON as text).
func (p *typePlan) jsonTexts(ctx context.Context, db *sqldb.DB) error {
	for i, f := range p.fields {
		if f.kind != "string" {
			continue
		}
		col := db.Quote(f.column)
		vals, err := strings1(ctx, db, "SELECT "+db.CastText(col)+" FROM "+db.QuoteName(p.table.Name)+" WHERE "+col+" IS NOT NULL LIMIT 5")
		if err != nil {
			return err
		}
		if len(vals) > 0 && allJSON(vals) {
			p.fields[i].kind, p.fields[i].review = "json", "a text column that holds JSON"
		}
	}
	return nil
}

// allJSON reports whether every value is a JSON object or array.
func allJSON(vals []string) bool {
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" || v[0] != '{' && v[0] != '[' || !json.Valid([]byte(v)) {
			return false
		}
	}
	return true
}

// planMode takes a column named like a mode for the mode column when it is
// part of the primary key or holds both a draft and a published value.
func (p *typePlan) planMode(ctx context.Context, db *sqldb.DB) error {
	c := pick(p.table, modeNames, p.locale)
	if c == nil {
		return nil
	}
	vals, err := distinct(ctx, db, p.table.Name, c.Name)
	if err != nil {
		return err
	}
	values, unknown := modeValues(vals)
	mapped := map[string]bool{}
	for _, m := range values {
		mapped[m] = true
	}
	if !inKey(p.table, c.Name) && !(mapped["draft"] && mapped["published"]) {
		return nil
	}
	p.mode, p.modeValues = c.Name, map[string]string{}
	for v, m := range values {
		if v != m {
			p.modeValues[v] = m
		}
	}
	r := fmt.Sprintf("%s is taken for the mode column (values %s)", c.Name, strings.Join(vals, ", "))
	if len(unknown) > 0 {
		r += fmt.Sprintf("; map %s to draft or published in values", strings.Join(unknown, ", "))
	}
	p.reviews = append(p.reviews, r)
	return nil
}

// planKey chooses the key column: the primary key less the locale and
// mode columns.
func (p *typePlan) planKey() {
	t := p.table
	var rest []string
	for _, k := range t.PrimaryKey {
		if k != p.locale && k != p.mode {
			rest = append(rest, k)
		}
	}
	switch {
	case len(rest) == 1:
		p.key = rest[0]
	case len(rest) > 1 && p.locale == "" && p.mode == "":
		p.key, p.keys = rest[0], rest
		p.reviews = append(p.reviews, fmt.Sprintf("the primary key has several columns (%s): new documents need _createId", strings.Join(rest, ", ")))
		return
	case len(rest) > 1:
		p.key, p.readOnly = rest[0], true
		p.reviews = append(p.reviews, fmt.Sprintf("the primary key has several columns (%s) besides the locale and mode: composite keys are for unlocalized types, so it is read_only", strings.Join(rest, ", ")))
		return
	default:
		p.key, p.readOnly = t.Columns[0].Name, true
		if c := pick(t, []string{"id"}); c != nil {
			p.key = c.Name
		}
		p.reviews = append(p.reviews, fmt.Sprintf("the table has no primary key; %s is taken for the key and the type is read_only until you make sure it is unique", p.key))
		return
	}
	for _, c := range t.Columns {
		if c.Name != p.key {
			continue
		}
		if kind, _ := kindOf(c); kind == "string" {
			p.newKeys = "random"
		} else if !c.AutoIncr {
			p.reviews = append(p.reviews, fmt.Sprintf("the database does not number new rows' %s: creating documents needs a key", p.key))
		}
	}
}

// planFields makes a field of every column but the key, locale and mode
// columns; a name-like column becomes the title when there is none.
func (p *typePlan) planFields() {
	t := p.table
	title := ""
	if pick(t, []string{"title"}) == nil {
		if c := pick(t, titleNames, p.key, p.locale, p.mode); c != nil {
			title = c.Name
		}
	}
	for _, c := range t.Columns {
		if c.Name == p.key || slices.Contains(p.keys, c.Name) || c.Name == p.locale || c.Name == p.mode {
			continue
		}
		f := fieldPlan{name: fieldName(c.Name), column: c.Name}
		f.kind, f.review = kindOf(c)
		f.required = c.NotNull && !c.Default && !c.AutoIncr
		if c.Name == title {
			f.name, f.review = "title", "the document's title is read from "+c.Name
		}
		if slices.Contains(reserved, f.name) {
			f.name = fieldName(p.name + "_" + c.Name)
			f.review = fmt.Sprintf("%s is a name the proxy sets; renamed", fieldName(c.Name))
		}
		f.auto = autoOf(f)
		f.relationship = relationshipOf(t, c.Name)
		p.fields = append(p.fields, f)
		if f.name == "title" {
			p.sort = "title"
		}
	}
}

// autoOf makes created and updated times kept by the proxy.
func autoOf(f fieldPlan) string {
	if f.kind != "datetime" {
		return ""
	}
	switch strings.ToLower(f.column) {
	case "created_at", "createdat", "created", "date_created", "creation_date":
		return "create"
	case "updated_at", "updatedat", "modified_at", "modifiedat", "updated", "last_modified":
		return "update"
	}
	return ""
}

// relationshipOf describes the foreign key whose one column is column.
func relationshipOf(t *Table, column string) string {
	for _, fk := range t.ForeignKeys {
		if len(fk.Columns) == 1 && fk.Columns[0] == column {
			return fmt.Sprintf("%s refers to %s.%s (type %s)", column, fk.RefTable, fk.RefColumns[0], typeName(fk.RefTable))
		}
	}
	return ""
}

// distinct reads up to 20 distinct values of a column, in order.
func distinct(ctx context.Context, db *sqldb.DB, table, column string) ([]string, error) {
	col := db.Quote(column)
	return strings1(ctx, db, "SELECT DISTINCT "+db.CastText(col)+" FROM "+db.QuoteName(table)+" WHERE "+col+" IS NOT NULL ORDER BY 1 LIMIT 20")
}

func inKey(t *Table, column string) bool { return slices.Contains(t.PrimaryKey, column) }

func allMatch(vals []string, re *regexp.Regexp) bool {
	for _, v := range vals {
		if !re.MatchString(v) {
			return false
		}
	}
	return true
}
