package oembed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// cache keeps answers per URL for the configured lifetime. Only answers
// are kept, never failures, as in Apostrophe.
type cache interface {
	get(ctx context.Context, key string) ([]byte, bool)
	set(ctx context.Context, key string, answer []byte)
}

// memoryCache is the cache of one process, bounded: past max entries the
// oldest go first. Every entry lives the same lifetime, so the order of
// insertion is the order of expiry, and the queue is kept short by
// dropping its expired head at each insertion.
type memoryCache struct {
	mu       sync.Mutex
	lifetime time.Duration
	max      int
	entries  map[string]memoryEntry
	queue    []queued // insertion order
}

type memoryEntry struct {
	answer  []byte
	expires time.Time
}

type queued struct {
	key     string
	expires time.Time
}

func newMemoryCache(lifetime time.Duration, max int) *memoryCache {
	return &memoryCache{lifetime: lifetime, max: max, entries: map[string]memoryEntry{}}
}

func (c *memoryCache) get(_ context.Context, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !time.Now().Before(e.expires) {
		return nil, false
	}
	return e.answer, true
}

func (c *memoryCache) set(_ context.Context, key string, answer []byte) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = memoryEntry{answer: answer, expires: now.Add(c.lifetime)}
	c.queue = append(c.queue, queued{key: key, expires: now.Add(c.lifetime)})
	for len(c.queue) > 0 && (len(c.entries) > c.max || !now.Before(c.queue[0].expires)) {
		head := c.queue[0]
		c.queue[0] = queued{}
		c.queue = c.queue[1:]
		if e, ok := c.entries[head.key]; ok && e.expires.Equal(head.expires) {
			delete(c.entries, head.key)
		}
	}
}

// redisCache shares answers between the instances that share the login
// store's Redis, under <prefix>:oembed:<SHA-256 of the URL>, each key
// expiring with its answer. A Redis failure is a miss (or an answer not
// kept), logged: the query still gets its answer from the provider.
type redisCache struct {
	c        *redis.Client
	prefix   string
	lifetime time.Duration
	log      *slog.Logger
}

func (r *redisCache) key(url string) string {
	sum := sha256.Sum256([]byte(url))
	return r.prefix + ":oembed:" + hex.EncodeToString(sum[:])
}

func (r *redisCache) get(ctx context.Context, key string) ([]byte, bool) {
	b, err := r.c.Get(ctx, r.key(key)).Bytes()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			r.log.Warn("oembed: the Redis cache did not answer", "err", err)
		}
		return nil, false
	}
	return b, true
}

func (r *redisCache) set(ctx context.Context, key string, answer []byte) {
	if err := r.c.Set(ctx, r.key(key), answer, r.lifetime).Err(); err != nil {
		r.log.Warn("oembed: the Redis cache did not keep an answer", "err", err)
	}
}
