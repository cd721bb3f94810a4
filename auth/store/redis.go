package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keeps grants and counters in a Redis server that several proxy
// instances share: <prefix>:token:<id>, <prefix>:session:<id> and
// <prefix>:throttle:<key>, each expiring with what it holds, so Redis
// itself forgets expired grants. go-redis is Redis's own Go client, the
// one the project's style guide names; it pools connections and is safe
// for concurrent use.
type Redis struct {
	c      *redis.Client
	prefix string
}

// NewRedis connects to the server at url (redis://[:password@]host:port/db
// or rediss:// for TLS) and checks that it answers.
func NewRedis(ctx context.Context, url, prefix string) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, err
	}
	return &Redis{c: c, prefix: prefix + ":"}, nil
}

func (r *Redis) key(k Kind, id string) string { return r.prefix + string(k) + ":" + id }

// Put implements Store.
func (r *Redis) Put(ctx context.Context, k Kind, id string, g Grant) error {
	v, err := json.Marshal(g)
	if err != nil {
		return err
	}
	return r.c.SetArgs(ctx, r.key(k, id), v, redis.SetArgs{ExpireAt: g.Expires}).Err()
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, k Kind, id string) (Grant, error) {
	v, err := r.c.Get(ctx, r.key(k, id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Grant{}, ErrNotFound
	}
	if err != nil {
		return Grant{}, err
	}
	var g Grant
	if err := json.Unmarshal(v, &g); err != nil {
		return Grant{}, err
	}
	if !g.Expires.After(time.Now()) {
		return Grant{}, ErrNotFound
	}
	return g, nil
}

// Delete implements Store.
func (r *Redis) Delete(ctx context.Context, k Kind, id string) error {
	return r.c.Del(ctx, r.key(k, id)).Err()
}

// reserveScript takes an attempt atomically: none at the limit; the first
// sets the window, the one reaching the limit sets the lockout.
var reserveScript = redis.NewScript(`
local limit = tonumber(ARGV[3])
if tonumber(redis.call('GET', KEYS[1]) or '0') >= limit then return 0 end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n == limit then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`)

// releaseScript gives an attempt back; the last one takes the counter
// with it, so that the next failure starts a window (DECR on a missing
// key would make one without an expiry).
var releaseScript = redis.NewScript(`
if tonumber(redis.call('GET', KEYS[1]) or '0') > 1 then return redis.call('DECR', KEYS[1]) end
return redis.call('DEL', KEYS[1])`)

// Reserve implements Store.
func (r *Redis) Reserve(ctx context.Context, key string, limit int, window, lockout time.Duration) (bool, error) {
	ok, err := reserveScript.Run(ctx, r.c, []string{r.prefix + "throttle:" + key},
		window.Milliseconds(), lockout.Milliseconds(), limit).Int()
	return ok == 1, err
}

// Release implements Store.
func (r *Redis) Release(ctx context.Context, key string) error {
	return releaseScript.Run(ctx, r.c, []string{r.prefix + "throttle:" + key}).Err()
}

// Failures implements Store.
func (r *Redis) Failures(ctx context.Context, key string) (int, error) {
	n, err := r.c.Get(ctx, r.prefix+"throttle:"+key).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return n, err
}

// Reset implements Store.
func (r *Redis) Reset(ctx context.Context, key string) error {
	return r.c.Del(ctx, r.prefix+"throttle:"+key).Err()
}

// Close implements Store.
func (r *Redis) Close() error { return r.c.Close() }

// Client is the store's Redis client, for other caches of the proxy to
// share its connections (the oEmbed answers). It is closed with the store.
func (r *Redis) Client() *redis.Client { return r.c }
