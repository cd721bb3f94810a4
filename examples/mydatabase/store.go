package main

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// store is the module's backend: JSON objects by _id, in memory, safe for
// concurrent requests. Objects keep their keys in the order written, _id
// first. It starts with the two objects of the recorded Apostrophe site.
type store struct {
	mu   sync.Mutex
	objs map[string][]byte
	next int
}

func newStore() *store {
	return &store{objs: map[string][]byte{
		"abc": []byte(`{"_id":"abc","title":"Alpha","n":1}`),
		"def": []byte(`{"_id":"def","title":"Delta","n":2}`),
	}}
}

// all returns every object, by _id.
func (s *store) all() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]json.RawMessage, 0, len(s.objs))
	for _, id := range slices.Sorted(maps.Keys(s.objs)) {
		out = append(out, s.objs[id])
	}
	return out
}

func (s *store) get(id string) (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objs[id]
	if !ok {
		return nil, apos.ErrNotFound
	}
	return o, nil
}

// insert stores the body's fields as a new object with an _id of its own.
func (s *store) insert(body gjson.Result) (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := "new" + strconv.Itoa(s.next)
	o, err := write([]byte(`{"_id":`+strconv.Quote(id)+`}`), body)
	if err != nil {
		return nil, err
	}
	s.objs[id] = o
	return o, nil
}

// update writes the body's fields over the object id's (patch), or in
// place of them (replace). The _id never changes.
func (s *store) update(id string, body gjson.Result, replace bool) (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objs[id]
	if !ok {
		return nil, apos.ErrNotFound
	}
	if replace {
		o = []byte(`{"_id":` + strconv.Quote(id) + `}`)
	}
	o, err := write(o, body)
	if err != nil {
		return nil, err
	}
	s.objs[id] = o
	return o, nil
}

func (s *store) remove(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objs[id]; !ok {
		return apos.ErrNotFound
	}
	delete(s.objs, id)
	return nil
}

// write sets each field of body but _id on a copy of the object o.
func write(o []byte, body gjson.Result) ([]byte, error) {
	o = slices.Clone(o)
	var err error
	body.ForEach(func(k, v gjson.Result) bool {
		if k.Str != "_id" {
			o, err = sjson.SetRawBytes(o, gjson.Escape(k.Str), []byte(v.Raw))
		}
		return err == nil
	})
	if err != nil {
		return nil, apos.Errorf(apos.ErrInvalid, "The body cannot be stored.")
	}
	return o, nil
}
