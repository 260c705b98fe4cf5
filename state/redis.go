// Package state holds what several bot replicas must share: de-duplication
// of deliveries and button clicks, rate limits, the scheduler's leader lease
// with fencing tokens and its record of posted digests, ticket keys, and the
// denial watch's state (saved under the lease's fencing token). One replica
// uses the in-memory backends of bot and scheduler, and the files of
// state_dir (FileDeduper, FileDenialWatch...) to remember across restarts;
// several use Redis (REDIS_URL). When Redis fails the bot keeps
// answering: Degrading falls back to local de-duplication and says so on
// /readyz until Redis answers again.
package state

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/caracal-bot/caracal-bot/scheduler"
)

// Redis is the shared-state backend on one Redis database.
type Redis struct {
	c      *redis.Client
	prefix string
	lease  *redis.Script
	free   *redis.Script
	rate   *redis.Script
	unlock *redis.Script
	posted *redis.Script
}

// NewRedis connects lazily to the Redis at url (redis://[:password@]host:port/db);
// every key is prefixed with prefix (default "caracal-bot:").
func NewRedis(url, prefix string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("state: REDIS_URL: %w", err)
	}
	// Fail fast: shared state sits in the ack path (Slack and Discord give
	// 3 s), and Degrading falls back to local state when Redis is away.
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = 500*time.Millisecond, 500*time.Millisecond, 500*time.Millisecond
	opts.PoolTimeout = time.Second
	opts.MaxRetries = -1
	opts.DialerRetries = 1
	if prefix == "" {
		prefix = "caracal-bot:"
	}
	return &Redis{c: redis.NewClient(opts), prefix: prefix, lease: redis.NewScript(acquireScript),
		free: redis.NewScript(releaseScript), rate: redis.NewScript(countScript), unlock: redis.NewScript(unlockScript),
		posted: redis.NewScript(markPostedScript)}, nil
}

// Ping reports whether Redis answers.
func (r *Redis) Ping(ctx context.Context) error { return r.c.Ping(ctx).Err() }

// Close closes the connection pool.
func (r *Redis) Close() error { return r.c.Close() }

// FirstSeen records key for ttl and reports whether it was new (bot.Deduper).
func (r *Redis) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := r.c.SetNX(ctx, r.prefix+"dedup:"+key, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("state: redis de-duplication: %w", err)
	}
	return ok, nil
}

// Forget drops key (bot.Deduper).
func (r *Redis) Forget(ctx context.Context, key string) error {
	return r.c.Del(ctx, r.prefix+"dedup:"+key).Err()
}

// acquireScript takes or renews a lease. KEYS: lease hash, fencing counter.
// ARGV: holder, ttl in ms. Returns the fencing token, or -1 when another
// holder has it. The token grows on every change of hands.
const acquireScript = `
local holder = redis.call('HGET', KEYS[1], 'holder')
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('HGET', KEYS[1], 'token'))
end
if holder then return -1 end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return token`

// countScript counts a request in a fixed window. KEYS: counter. ARGV:
// window in ms. Returns the count so far in the window.
const countScript = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`

// releaseScript drops a lease only when holder and token still match.
const releaseScript = `
if redis.call('HGET', KEYS[1], 'holder') == ARGV[1] and redis.call('HGET', KEYS[1], 'token') == ARGV[2] then
  return redis.call('DEL', KEYS[1])
end
return 0`

// Holder returns the scheduler.Lease through which the replica id takes
// leases in Redis.
func (r *Redis) Holder(id string) scheduler.Lease { return redisHolder{r: r, id: id} }

type redisHolder struct {
	r  *Redis
	id string
}

// Acquire implements scheduler.Lease.
func (h redisHolder) Acquire(ctx context.Context, name string, ttl time.Duration) (int64, bool, error) {
	if ttl <= 0 {
		return 0, false, errors.New("state: lease ttl must be positive")
	}
	keys := []string{h.r.prefix + "lease:" + name, h.r.prefix + "fence:" + name}
	tok, err := h.r.lease.Run(ctx, h.r.c, keys, h.id, ttl.Milliseconds()).Int64()
	if err != nil {
		return 0, false, fmt.Errorf("state: redis lease %s: %w", name, err)
	}
	if tok < 0 {
		return 0, false, nil
	}
	return tok, true, nil
}

// Release implements scheduler.Lease.
func (h redisHolder) Release(ctx context.Context, name string, token int64) error {
	return h.r.free.Run(ctx, h.r.c, []string{h.r.prefix + "lease:" + name}, h.id, token).Err()
}

// markPostedScript raises a job's latest posted fire time. KEYS: the job's
// key. ARGV: the fire time in Unix milliseconds.
const markPostedScript = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`

// Posted implements scheduler.Lease: the job's key holds the latest fire
// time posted, one small key per job.
func (h redisHolder) Posted(ctx context.Context, job string, fire time.Time) (bool, error) {
	last, err := h.r.c.Get(ctx, h.r.prefix+"posted:"+job).Int64()
	switch {
	case errors.Is(err, redis.Nil):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("state: redis posted %s: %w", job, err)
	}
	return last >= fire.UnixMilli(), nil
}

// MarkPosted implements scheduler.Lease.
func (h redisHolder) MarkPosted(ctx context.Context, job string, fire time.Time) error {
	err := h.r.posted.Run(ctx, h.r.c, []string{h.r.prefix + "posted:" + job}, fire.UnixMilli()).Err()
	if err != nil {
		return fmt.Errorf("state: redis mark posted %s: %w", job, err)
	}
	return nil
}

// Allow counts one request for key in the current fixed window and reports
// whether it is within limit (bot.RateLimiter).
func (r *Redis) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	n, err := r.rate.Run(ctx, r.c, []string{r.prefix + "rate:" + key}, window.Milliseconds()).Int64()
	if err != nil {
		return false, fmt.Errorf("state: redis rate limit: %w", err)
	}
	return n <= int64(limit), nil
}

// RouteLogs sends go-redis's own log lines (pool and connection notices,
// written to the standard logger unless told otherwise) through logger,
// which scrubs them like every other line.
func RouteLogs(logger *slog.Logger) { redis.SetLogger(redisLog{logger}) }

// redisLog adapts a *slog.Logger to go-redis's logging interface.
type redisLog struct{ l *slog.Logger }

func (r redisLog) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
