package upstream

import (
	"context"
	"errors"
	"testing"

	"github.com/aposproxy/aposproxy/adapters"
	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/examples/inventory/service"
)

// TestServiceErrors: the service's error answers become Apostrophe's, with
// the service's own text kept from clients unless the config exposes it.
func TestServiceErrors(t *testing.T) {
	badLocale := func(a *Adapter) error {
		_, err := a.Get(context.Background(), apos.Scope{Locale: "xx", Mode: apos.Published}, "INV-0001")
		return err
	}
	duplicate := func(a *Adapter) error {
		_, err := a.Insert(context.Background(), enDraft, &adapters.Insert{DocID: "INV-0001", Values: desk})
		return err
	}
	badQuantity := func(a *Adapter) error {
		_, err := a.Insert(context.Background(), enDraft, &adapters.Insert{Values: []adapters.Value{
			{Field: "title", V: "x"}, {Field: "quantity", V: 1.5}}})
		return err
	}
	tests := []struct {
		name  string
		token string
		tweak func(*config.ServiceErrors)
		op    func(*Adapter) error
		err   error
		msg   string
	}{
		{"400", testToken, nil, badLocale, apos.ErrInvalid, ""},
		{"400 exposed", testToken, func(e *config.ServiceErrors) { e.ExposeMessages = true }, badLocale,
			apos.ErrInvalid, "language must be one of en, fr, de"},
		{"409", testToken, nil, duplicate, apos.ErrConflict, ""},
		{"a status mapped", testToken, func(e *config.ServiceErrors) {
			e.Codes = nil
			e.Statuses = map[string]string{"409": "invalid"}
		}, duplicate, apos.ErrInvalid, ""},
		{"a code wins over its status", testToken, func(e *config.ServiceErrors) {
			e.Statuses = map[string]string{"409": "invalid"}
		}, duplicate, apos.ErrConflict, ""},
		{"401 on the proxy's own token", "wrong", nil, get, apos.ErrBadGateway, ""},
		{"401 without codes", "wrong", func(e *config.ServiceErrors) { e.Codes = nil }, get, apos.ErrBadGateway, ""},
		{"422 with a field error", testToken, nil, badQuantity, apos.ErrInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serve(t, service.New(tt.token).Handler())
			a := adapterAt(t, url, func(cfg *config.Config) {
				if tt.tweak != nil {
					tt.tweak(&cfg.Types["inventory-item"].Service.Errors)
				}
			})
			err := tt.op(a)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if e, ok := apos.AsError(err); ok && e.Message != tt.msg {
				t.Errorf("client message %q, want %q", e.Message, tt.msg)
			}
		})
	}
}

// TestFieldErrorReasons: reasons Apostrophe names pass as they are; others
// become invalid, with the service's word only when messages are exposed.
func TestFieldErrorReasons(t *testing.T) {
	a, _ := inventory(t)
	for _, tt := range []struct {
		expose bool
		body   string
		want   []apos.FieldError
	}{
		{false, `{"label":"required","qty":"too_big","itemId":"invalid"}`,
			[]apos.FieldError{{Path: "title", Name: "required"}, {Path: "quantity", Name: "invalid"}}},
		{true, `{"warehouse.aisle":"too_long"}`, []apos.FieldError{{Path: "aisle", Name: "invalid", Msg: "too_long"}}},
		{false, `{"itemId":"invalid"}`, nil},
	} {
		a.errs.expose = tt.expose
		err := a.failed(answer{status: 422, body: []byte(`{"error":{"code":"VALIDATION","fields":` + tt.body + `}}`)}, "create")
		var v *apos.ValidationError
		if errors.As(err, &v) != (tt.want != nil) || v != nil && len(v.Fields) != len(tt.want) {
			t.Fatalf("%s: err = %v, want %v", tt.body, err, tt.want)
		}
		for i := range tt.want {
			if v.Fields[i] != tt.want[i] {
				t.Errorf("%s: field error %d = %+v, want %+v", tt.body, i, v.Fields[i], tt.want[i])
			}
		}
		if tt.want == nil && !errors.Is(err, apos.ErrInvalid) {
			t.Errorf("%s: err = %v, want invalid", tt.body, err)
		}
	}
}
