package service

import (
	"strings"

	"github.com/tidwall/gjson"
)

// Item is one variant of an inventory item, as the service stores and
// answers it.
type Item struct {
	ItemID     string    `json:"itemId"`
	Language   string    `json:"language"`
	State      string    `json:"state"`
	Label      string    `json:"label"`
	Qty        int64     `json:"qty"`
	Warehouse  Warehouse `json:"warehouse"`
	Rev        int64     `json:"rev"`
	ModifiedAt string    `json:"modifiedAt"`
}

// Warehouse is where an item is stored.
type Warehouse struct {
	Code  string `json:"code"`
	Aisle string `json:"aisle"`
}

// The service's languages and states.
var (
	languages = map[string]bool{"en": true, "fr": true, "de": true}
	states    = map[string]bool{"draft": true, "live": true}
)

// errBadBody is a body that is not a JSON object: 400, not 422.
type errBadBody struct{}

// decodeItem reads the writable fields of an item body. It returns the field
// errors of a 422 VALIDATION answer, keyed by field path, or errBadBody.
func decodeItem(body []byte) (Item, map[string]string, error) {
	if !gjson.ValidBytes(body) {
		return Item{}, nil, errBadBody{}
	}
	doc := gjson.ParseBytes(body)
	if !doc.IsObject() {
		return Item{}, nil, errBadBody{}
	}
	var it Item
	fields := map[string]string{}
	switch label := doc.Get("label"); {
	case label.Type == gjson.Null:
		fields["label"] = "required"
	case label.Type != gjson.String:
		fields["label"] = "invalid"
	case strings.TrimSpace(label.Str) == "":
		fields["label"] = "required"
	default:
		it.Label = label.Str
	}
	switch qty := doc.Get("qty"); {
	case qty.Type == gjson.Null:
	case qty.Type != gjson.Number || qty.Float() != float64(qty.Int()):
		fields["qty"] = "invalid"
	case qty.Int() < 0:
		fields["qty"] = "min"
	default:
		it.Qty = qty.Int()
	}
	it.Warehouse.Code = optionalString(doc, "warehouse.code", fields)
	it.Warehouse.Aisle = optionalString(doc, "warehouse.aisle", fields)
	if wh := doc.Get("warehouse"); wh.Type != gjson.Null && !wh.IsObject() {
		fields["warehouse"] = "invalid"
	}
	if len(fields) > 0 {
		return Item{}, fields, nil
	}
	return it, nil, nil
}

// optionalString reads a string that may be absent or null.
func optionalString(doc gjson.Result, path string, fields map[string]string) string {
	v := doc.Get(path)
	switch v.Type {
	case gjson.Null:
		return ""
	case gjson.String:
		return v.Str
	}
	fields[path] = "invalid"
	return ""
}

func (errBadBody) Error() string { return "body must be a JSON object" }
