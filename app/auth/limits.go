package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"math"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	utilcache "k8s.io/apimachinery/pkg/util/cache"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// An unknown token costs a TokenReview and a failed one costs its sender nothing, so a flood of
// random bearer tokens (or sign-ins) would turn into as many reviews. reviewLimits stands in
// front of the reviewer: a token the API server rejected is answered from memory for a while,
// and failures are counted in token buckets per client address and over all clients; a request
// that finds either bucket empty is answered 429 without a review. A review that accepts the
// token gives its tokens back, and a token accepted before is not limited at all, so people and
// scripts with good tokens are not locked out by a flood.

// The defaults of auth.limits (docs/configuration.md §1).
const (
	defaultPerAddress      = 2
	defaultPerAddressBurst = 10
	defaultGlobal          = 10
	defaultGlobalBurst     = 20
	defaultRejectedTTL     = 30 * time.Second
)

const (
	// rejectedSize bounds the rejected tokens remembered (a hash and a message each).
	rejectedSize = 4096
	// knownSize and knownTTL bound the accepted tokens whose next review is not limited.
	knownSize = 4096
	knownTTL  = time.Hour
	// addressSize bounds the client addresses whose buckets are kept; one evicted sooner than
	// it would have refilled starts full again, which the global bucket still bounds.
	addressSize = 16384
)

type reviewLimits struct {
	proxies         []netip.Prefix
	perAddress      float64
	perAddressBurst int
	global          *bucket
	mu              sync.Mutex
	addresses       *utilcache.LRUExpireCache // bucketKey -> *bucket
	refill          time.Duration             // an address's bucket is full again this long after its last failure
	rejected, known *utilcache.LRUExpireCache // token hash -> *biz.Error / struct{}
	rejectedTTL     time.Duration
	now             func() time.Time

	accepted, refused, failed, remembered, limitedAddress, limitedGlobal atomic.Uint64
}

// setLimits builds the review limits from auth.limits and server.trusted_proxies.
func (a *Authenticator) setLimits(c *conf.Auth, s *conf.Server) error {
	l, err := newReviewLimits(c.Limits, s.TrustedProxies)
	a.limits = l
	return err
}

func newReviewLimits(c *conf.AuthLimits, trustedProxies []string) (*reviewLimits, error) {
	proxies, err := parseProxies(trustedProxies)
	if err != nil {
		return nil, err
	}
	if c == nil {
		c = &conf.AuthLimits{}
	}
	perAddress, perAddressBurst := orDefault(c.PerAddress, defaultPerAddress), orDefault(c.PerAddressBurst, defaultPerAddressBurst)
	l := &reviewLimits{
		proxies:         proxies,
		perAddress:      perAddress,
		perAddressBurst: perAddressBurst,
		global:          newBucket(orDefault(c.Global, defaultGlobal), orDefault(c.GlobalBurst, defaultGlobalBurst), time.Now()),
		refill:          time.Duration(float64(perAddressBurst) / perAddress * float64(time.Second)),
		rejectedTTL:     orDefault(c.RejectedTTL, defaultRejectedTTL),
		now:             time.Now,
	}
	clock := clockFunc(func() time.Time { return l.now() })
	l.addresses = utilcache.NewLRUExpireCacheWithClock(addressSize, clock)
	l.rejected = utilcache.NewLRUExpireCacheWithClock(rejectedSize, clock)
	l.known = utilcache.NewLRUExpireCacheWithClock(knownSize, clock)
	return l, nil
}

// clockFunc is the expiring caches' clock: the limits' own (a test's fake one).
type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

func orDefault[T int | float64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// review is reviewer.Review(ctx, token) for a request from r, within the limits.
func (l *reviewLimits) review(ctx context.Context, r *http.Request, token string, reviewer Reviewer) (*biz.User, error) {
	key := sha256.Sum256([]byte(token))
	if e, ok := l.rejected.Get(key); ok {
		l.remembered.Add(1)
		return nil, e.(*biz.Error)
	}
	var give func()
	if _, ok := l.known.Get(key); !ok {
		var err *biz.Error
		if give, err = l.take(r); err != nil {
			return nil, err
		}
	}
	u, err := reviewer.Review(ctx, token)
	switch {
	case err == nil:
		l.accepted.Add(1)
		l.known.Add(key, struct{}{}, knownTTL)
		if give != nil {
			give()
		}
	case errors.Is(err, biz.ErrTokenRejected):
		l.refused.Add(1)
		l.known.Remove(key)
		l.rejected.Add(key, asAPIError(err), l.rejectedTTL)
	default: // no answer: the attempt still cost a call, so it stays counted
		l.failed.Add(1)
	}
	return u, err
}

// take counts one failure against the client's address and against everyone, ahead of the
// review; give takes it back.
func (l *reviewLimits) take(r *http.Request) (give func(), _ *biz.Error) {
	now := l.now()
	addr := l.address(bucketKey(clientAddress(r, l.proxies)), now)
	if ok, wait := addr.take(now); !ok {
		l.limitedAddress.Add(1)
		return nil, biz.TooManyRequests(wait, "too many failed sign-ins or bearer tokens from your address: try again in %s", seconds(wait))
	}
	if ok, wait := l.global.take(now); !ok {
		addr.give(now)
		l.limitedGlobal.Add(1)
		return nil, biz.TooManyRequests(wait, "too many failed sign-ins or bearer tokens from all clients: try again in %s", seconds(wait))
	}
	return func() {
		now := l.now()
		addr.give(now)
		l.global.give(now)
	}, nil
}

// address is the bucket of a client address, kept until it would have refilled.
func (l *reviewLimits) address(key string, now time.Time) *bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.addresses.Get(key)
	if !ok {
		b = newBucket(l.perAddress, l.perAddressBurst, now)
	}
	l.addresses.Add(key, b, l.refill+time.Second)
	return b.(*bucket)
}

func seconds(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(d.Seconds())) * time.Second
}

// bucket is a token bucket that can be given back what was taken from it, once the review tells
// whether the attempt failed (golang.org/x/time/rate's reservations cannot be cancelled after
// they have been acted on).
type bucket struct {
	mu          sync.Mutex
	rate, burst float64
	tokens      float64
	last        time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

func (b *bucket) refillTo(now time.Time) {
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
}

// take takes a token, or says how long until there is one.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refillTo(now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// give puts a token back.
func (b *bucket) give(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refillTo(now)
	b.tokens = min(b.burst, b.tokens+1)
}

// TokenChecks are the unknown tokens (bearer tokens not reviewed in the last 10 s, and token
// sign-ins) by outcome: reviewed and "accepted", "rejected" or not answered ("error"); rejected
// from memory without a review ("remembered"); or refused by a limit ("limited", 429, no review).
func (a *Authenticator) TokenChecks() map[string]uint64 {
	l := a.limits
	return map[string]uint64{"accepted": l.accepted.Load(), "rejected": l.refused.Load(), "error": l.failed.Load(),
		"remembered": l.remembered.Load(), "limited": l.limitedAddress.Load() + l.limitedGlobal.Load()}
}

// Limited are the requests refused with 429 by the limit of their client address and by the
// global one.
func (a *Authenticator) Limited() (address, global uint64) {
	return a.limits.limitedAddress.Load(), a.limits.limitedGlobal.Load()
}
