package service

import (
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// TestContract walks API.md's routes, in order, on one service: each step
// sees the writes of the steps before it.
func TestContract(t *testing.T) {
	base := testkit.Serve(t, New("tok").Handler())

	const q = "?language=en&state=draft"
	steps := []struct {
		name, token, method, path, body string
		status                          int
		want                            map[string]string // gjson path -> raw JSON
	}{
		{"no token", "", "GET", "/v2/items" + q, "", 401, map[string]string{"error.code": `"UNAUTHORIZED"`}},
		{"wrong token", "nope", "GET", "/v2/items" + q, "", 401, map[string]string{"error.code": `"UNAUTHORIZED"`}},
		{"list defaults to 10", "tok", "GET", "/v2/items" + q, "", 200, map[string]string{
			"data.total": "40", "data.items.#": "10", "data.items.0.itemId": `"INV-0001"`, "data.items.0.rev": "2"}},
		{"list window", "tok", "GET", "/v2/items?language=fr&state=live&start=8&count=5", "", 200, map[string]string{
			"data.total": "10", "data.items.#": "2", "data.items.1.itemId": `"INV-0037"`}},
		{"search and warehouse", "tok", "GET", "/v2/items?language=en&state=live&q=DESK&warehouse=W1", "", 200, map[string]string{
			"data.total": "3"}},
		{"count over 100", "tok", "GET", "/v2/items" + q + "&count=101", "", 400, map[string]string{"error.code": `"BAD_REQUEST"`}},
		{"bad start", "tok", "GET", "/v2/items" + q + "&start=-1", "", 400, map[string]string{"error.code": `"BAD_REQUEST"`}},
		{"bad state", "tok", "GET", "/v2/items?language=en&state=published", "", 400, map[string]string{"error.code": `"BAD_REQUEST"`}},
		{"bad language", "tok", "GET", "/v2/items/INV-0001?language=xx&state=live", "", 400, map[string]string{"error.code": `"BAD_REQUEST"`}},
		{"get", "tok", "GET", "/v2/items/INV-0001" + q, "", 200, map[string]string{
			"data.item.label": `"Oak desk"`, "data.item.warehouse.aisle": `"A1"`, "data.item.state": `"draft"`}},
		{"get missing", "tok", "GET", "/v2/items/INV-0001?language=de&state=live", "", 404, map[string]string{"error.code": `"NOT_FOUND"`}},
		{"create makes an id", "tok", "POST", "/v2/items" + q, `{"label":"New","qty":2,"warehouse":{"code":"W1"}}`, 201, map[string]string{
			"data.item.itemId": `"INV-0041"`, "data.item.rev": "1", "data.item.language": `"en"`, "data.item.warehouse.aisle": `""`}},
		{"create with an id", "tok", "POST", "/v2/items" + q, `{"itemId":"X-1","label":"New"}`, 201, map[string]string{"data.item.itemId": `"X-1"`}},
		{"duplicate", "tok", "POST", "/v2/items" + q, `{"itemId":"X-1","label":"New"}`, 409, map[string]string{"error.code": `"DUPLICATE"`}},
		{"validation", "tok", "POST", "/v2/items" + q, `{"label":" ","qty":-2}`, 422, map[string]string{
			"error.code": `"VALIDATION"`, "error.message": `"label is required"`, "error.fields": `{"label":"required","qty":"min"}`}},
		{"not an object", "tok", "POST", "/v2/items" + q, `[1]`, 400, map[string]string{"error.code": `"BAD_REQUEST"`}},
		{"replace", "tok", "PUT", "/v2/items/X-1" + q, `{"label":"Renamed","qty":1,"rev":1}`, 200, map[string]string{
			"data.item.label": `"Renamed"`, "data.item.rev": "2"}},
		{"stale revision", "tok", "PUT", "/v2/items/X-1" + q, `{"label":"Again","rev":1}`, 409, map[string]string{"error.code": `"STALE_REVISION"`}},
		{"replace invalid", "tok", "PUT", "/v2/items/X-1" + q, `{"qty":"many","rev":2}`, 422, map[string]string{
			"error.fields": `{"label":"required","qty":"invalid"}`}},
		{"replace missing", "tok", "PUT", "/v2/items/NOPE" + q, `{"label":"x","rev":1}`, 404, map[string]string{"error.code": `"NOT_FOUND"`}},
		{"promote", "tok", "POST", "/v2/items/X-1/promote?language=en", "", 200, map[string]string{
			"data.item.state": `"live"`, "data.item.label": `"Renamed"`, "data.item.rev": "1"}},
		{"promote again bumps the live rev", "tok", "POST", "/v2/items/X-1/promote?language=en", "", 200, map[string]string{"data.item.rev": "2"}},
		{"promote without a draft", "tok", "POST", "/v2/items/X-1/promote?language=fr", "", 404, map[string]string{"error.code": `"NOT_FOUND"`}},
		{"delete", "tok", "DELETE", "/v2/items/X-1" + q, "", 204, nil},
		{"delete again", "tok", "DELETE", "/v2/items/X-1" + q, "", 404, map[string]string{"error.code": `"NOT_FOUND"`}},
		{"the live variant is independent", "tok", "GET", "/v2/items/X-1?language=en&state=live", "", 200, nil},
		{"no PATCH", "tok", "PATCH", "/v2/items/X-1" + q, `{}`, 405, nil},
	}
	for _, s := range steps {
		req := fasthttp.AcquireRequest()
		resp := fasthttp.AcquireResponse()
		req.Header.SetMethod(s.method)
		req.SetRequestURI(base + s.path)
		if s.token != "" {
			req.Header.Set("X-Api-Token", s.token)
		}
		req.SetBodyString(s.body)
		if err := fasthttp.DoTimeout(req, resp, time.Second); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode() != s.status {
			t.Errorf("%s: status %d, want %d: %s", s.name, resp.StatusCode(), s.status, resp.Body())
		}
		for path, want := range s.want {
			if got := gjson.GetBytes(resp.Body(), path).Raw; got != want {
				t.Errorf("%s: %s = %s, want %s", s.name, path, got, want)
			}
		}
		fasthttp.ReleaseRequest(req)
		fasthttp.ReleaseResponse(resp)
	}
}
