package service

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// maxCount is the largest page the service serves.
const maxCount = 100

// scope reads the language and state query parameters every route but
// promote takes; it answers 400 and returns false when they are bad.
func scope(ctx *fasthttp.RequestCtx, withState bool) (language, state string, ok bool) {
	args := ctx.QueryArgs()
	language = string(args.Peek("language"))
	if !languages[language] {
		writeError(ctx, fasthttp.StatusBadRequest, "BAD_REQUEST", "language must be one of en, fr, de", nil)
		return "", "", false
	}
	if !withState {
		return language, "", true
	}
	state = string(args.Peek("state"))
	if !states[state] {
		writeError(ctx, fasthttp.StatusBadRequest, "BAD_REQUEST", "state must be draft or live", nil)
		return "", "", false
	}
	return language, state, true
}

// intArg reads a non-negative integer query parameter no larger than max.
func intArg(ctx *fasthttp.RequestCtx, name string, def, max int) (int, bool) {
	raw := ctx.QueryArgs().Peek(name)
	if raw == nil {
		return def, true
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil || n < 0 || n > max {
		writeError(ctx, fasthttp.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("%s must be an integer from 0 to %d", name, max), nil)
		return 0, false
	}
	return n, true
}

func (s *Service) list(ctx *fasthttp.RequestCtx) {
	language, state, ok := scope(ctx, true)
	if !ok {
		return
	}
	start, ok := intArg(ctx, "start", 0, int(^uint(0)>>1))
	if !ok {
		return
	}
	count, ok := intArg(ctx, "count", 10, maxCount)
	if !ok {
		return
	}
	q := strings.ToLower(string(ctx.QueryArgs().Peek("q")))
	warehouse := ctx.QueryArgs().Peek("warehouse")

	var env listEnvelope
	s.mu.RLock()
	for v, it := range s.items {
		if v.language != language || v.state != state ||
			q != "" && !strings.Contains(strings.ToLower(it.Label), q) ||
			warehouse != nil && it.Warehouse.Code != string(warehouse) {
			continue
		}
		env.Data.Items = append(env.Data.Items, it)
	}
	s.mu.RUnlock()
	slices.SortFunc(env.Data.Items, func(a, b Item) int { return strings.Compare(a.ItemID, b.ItemID) })
	env.Data.Total = len(env.Data.Items)
	env.Data.Items = env.Data.Items[min(start, env.Data.Total):min(start+count, env.Data.Total)]
	if env.Data.Items == nil {
		env.Data.Items = []Item{}
	}
	writeJSON(ctx, fasthttp.StatusOK, &env)
}

func (s *Service) get(ctx *fasthttp.RequestCtx) {
	v, ok := target(ctx)
	if !ok {
		return
	}
	s.mu.RLock()
	it, found := s.items[v]
	s.mu.RUnlock()
	if !found {
		writeError(ctx, fasthttp.StatusNotFound, "NOT_FOUND", "no such item", nil)
		return
	}
	writeItem(ctx, fasthttp.StatusOK, it)
}

func (s *Service) create(ctx *fasthttp.RequestCtx) {
	language, state, ok := scope(ctx, true)
	if !ok {
		return
	}
	it, ok := decodeBody(ctx)
	if !ok {
		return
	}
	id := gjson.GetBytes(ctx.PostBody(), "itemId")
	if id.Exists() && (id.Type != gjson.String || id.Str == "" || strings.ContainsAny(id.Str, "/?#")) {
		writeError(ctx, fasthttp.StatusUnprocessableEntity, "VALIDATION", "itemId is invalid", map[string]string{"itemId": "invalid"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if it.ItemID = id.Str; it.ItemID == "" {
		it.ItemID = s.newID()
	}
	v := variant{it.ItemID, language, state}
	if _, exists := s.items[v]; exists {
		writeError(ctx, fasthttp.StatusConflict, "DUPLICATE", "this item already exists in this language and state", nil)
		return
	}
	it.Language, it.State, it.Rev, it.ModifiedAt = language, state, 1, s.stamp()
	s.items[v] = it
	writeItem(ctx, fasthttp.StatusCreated, it)
}

func (s *Service) replace(ctx *fasthttp.RequestCtx) {
	v, ok := target(ctx)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, found := s.items[v]
	if !found {
		writeError(ctx, fasthttp.StatusNotFound, "NOT_FOUND", "no such item", nil)
		return
	}
	if !gjson.ValidBytes(ctx.PostBody()) {
		writeError(ctx, fasthttp.StatusBadRequest, "BAD_REQUEST", errBadBody{}.Error(), nil)
		return
	}
	if rev := gjson.GetBytes(ctx.PostBody(), "rev"); rev.Type != gjson.Number || rev.Int() != cur.Rev {
		writeError(ctx, fasthttp.StatusConflict, "STALE_REVISION", "rev does not match the stored revision", nil)
		return
	}
	it, ok := decodeBody(ctx)
	if !ok {
		return
	}
	it.ItemID, it.Language, it.State, it.Rev, it.ModifiedAt = v.id, v.language, v.state, cur.Rev+1, s.stamp()
	s.items[v] = it
	writeItem(ctx, fasthttp.StatusOK, it)
}

func (s *Service) delete(ctx *fasthttp.RequestCtx) {
	v, ok := target(ctx)
	if !ok {
		return
	}
	s.mu.Lock()
	_, found := s.items[v]
	delete(s.items, v)
	s.mu.Unlock()
	if !found {
		writeError(ctx, fasthttp.StatusNotFound, "NOT_FOUND", "no such item", nil)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Service) promote(ctx *fasthttp.RequestCtx) {
	language, _, ok := scope(ctx, false)
	if !ok {
		return
	}
	id := itemID(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	draft, found := s.items[variant{id, language, "draft"}]
	if !found {
		writeError(ctx, fasthttp.StatusNotFound, "NOT_FOUND", "no draft to promote", nil)
		return
	}
	live := draft
	live.State, live.Rev, live.ModifiedAt = "live", 1, s.stamp()
	if prev, exists := s.items[variant{id, language, "live"}]; exists {
		live.Rev = prev.Rev + 1
	}
	s.items[variant{id, language, "live"}] = live
	writeItem(ctx, fasthttp.StatusOK, live)
}

// decodeBody reads an item body, answering 400 or 422 when it is bad.
func decodeBody(ctx *fasthttp.RequestCtx) (Item, bool) {
	it, fields, err := decodeItem(ctx.PostBody())
	var bad errBadBody
	switch {
	case errors.As(err, &bad):
		writeError(ctx, fasthttp.StatusBadRequest, "BAD_REQUEST", err.Error(), nil)
		return Item{}, false
	case fields != nil:
		writeError(ctx, fasthttp.StatusUnprocessableEntity, "VALIDATION", validationMessage(fields), fields)
		return Item{}, false
	}
	return it, true
}

// validationMessage names the first bad field, in a stable order.
func validationMessage(fields map[string]string) string {
	paths := make([]string, 0, len(fields))
	for p := range fields {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	switch reason := fields[paths[0]]; reason {
	case "min":
		return paths[0] + " must not be negative"
	default:
		return paths[0] + " is " + reason
	}
}

// target is the variant a route with an item id names: the id, and the
// language and state of its query (scope).
func target(ctx *fasthttp.RequestCtx) (variant, bool) {
	language, state, ok := scope(ctx, true)
	return variant{itemID(ctx), language, state}, ok
}

func itemID(ctx *fasthttp.RequestCtx) string {
	id, _ := ctx.UserValue("itemId").(string)
	return id
}

// newID makes the next free item id; the caller holds s.mu.
func (s *Service) newID() string {
	for {
		s.nextID++
		id := fmt.Sprintf("INV-%04d", s.nextID)
		if !s.exists(id) {
			return id
		}
	}
}

// exists reports whether any variant of id exists; the caller holds s.mu.
func (s *Service) exists(id string) bool {
	for v := range s.items {
		if v.id == id {
			return true
		}
	}
	return false
}

func (s *Service) stamp() string { return s.now().Format("2006-01-02T15:04:05Z") }
