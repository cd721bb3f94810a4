// Package service is an in-memory implementation of the legacy inventory
// service described in examples/inventory/API.md. It exists so that the
// proxy's upstream adapter can be run and tested against a real HTTP
// service that follows none of Apostrophe's conventions: its own routes,
// field names, paging, revisions and error shapes.
package service

import (
	"crypto/subtle"
	"encoding/json"
	"sync"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"
)

// Service holds the items of every language and state in memory. It is safe
// for concurrent use.
type Service struct {
	token []byte
	now   func() time.Time

	mu     sync.RWMutex
	items  map[variant]Item
	nextID int
}

// variant addresses one independent record: an item in one language and
// state.
type variant struct {
	id, language, state string
}

// New returns a service seeded with the example's items that accepts
// requests carrying token in X-Api-Token.
func New(token string) *Service {
	s := &Service{
		token: []byte(token),
		now:   func() time.Time { return time.Now().UTC().Truncate(time.Second) },
		items: make(map[variant]Item),
	}
	s.seed()
	return s
}

// Handler returns the service's routes.
func (s *Service) Handler() fasthttp.RequestHandler {
	r := router.New()
	r.GET("/v2/items", s.list)
	r.POST("/v2/items", s.create)
	r.GET("/v2/items/{itemId}", s.get)
	r.PUT("/v2/items/{itemId}", s.replace)
	r.DELETE("/v2/items/{itemId}", s.delete)
	r.POST("/v2/items/{itemId}/promote", s.promote)
	r.NotFound = func(ctx *fasthttp.RequestCtx) {
		writeError(ctx, fasthttp.StatusNotFound, "NOT_FOUND", "no such route", nil)
	}
	r.MethodNotAllowed = func(ctx *fasthttp.RequestCtx) {
		writeError(ctx, fasthttp.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "method not allowed", nil)
	}
	return s.authenticate(r.Handler)
}

// authenticate refuses requests without the service's token.
func (s *Service) authenticate(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		got := ctx.Request.Header.Peek("X-Api-Token")
		if len(got) == 0 || subtle.ConstantTimeCompare(got, s.token) != 1 {
			writeError(ctx, fasthttp.StatusUnauthorized, "UNAUTHORIZED", "missing or wrong X-Api-Token", nil)
			return
		}
		next(ctx)
	}
}

// itemEnvelope and listEnvelope are the service's success bodies.
type itemEnvelope struct {
	Data struct {
		Item Item `json:"item"`
	} `json:"data"`
}

type listEnvelope struct {
	Data struct {
		Items []Item `json:"items"`
		Total int    `json:"total"`
	} `json:"data"`
}

type errorEnvelope struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

func writeItem(ctx *fasthttp.RequestCtx, status int, it Item) {
	var env itemEnvelope
	env.Data.Item = it
	writeJSON(ctx, status, &env)
}

func writeError(ctx *fasthttp.RequestCtx, status int, code, msg string, fields map[string]string) {
	var env errorEnvelope
	env.Error.Code, env.Error.Message, env.Error.Fields = code, msg, fields
	writeJSON(ctx, status, &env)
}

func writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every envelope is made of strings and numbers; this cannot fail.
		panic(err)
	}
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(b)
}
