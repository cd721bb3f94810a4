package sqlbackend

import (
	"sync"
	"sync/atomic"
)

// Binding a string to database/sql boxes it into an interface value, which
// allocates on every query. The values bound on every read (locales and
// modes) come from a small fixed set, so each is boxed once here.
var (
	boxes     sync.Map // string -> any holding it
	boxesHeld atomic.Int32
)

// maxBoxes bounds the cache should unexpected values arrive.
const maxBoxes = 256

// boxed returns s as an interface value, boxed once per distinct value.
func boxed(s string) any {
	if v, ok := boxes.Load(s); ok {
		return v
	}
	var v any = s
	if boxesHeld.Add(1) <= maxBoxes {
		boxes.Store(s, v)
	}
	return v
}
