package fleet

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"time"

	khttp "github.com/go-kratos/kratos/v2/transport/http"
	utilcache "k8s.io/apimachinery/pkg/util/cache"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// CodeNotSignedInHere: the person's token is not accepted by that cluster's API server.
const CodeNotSignedInHere = "NOT_SIGNED_IN_HERE"

// Reviewer reviews a bearer token on one cluster (data.TokenReviewer).
type Reviewer interface {
	Review(ctx context.Context, token string) (*biz.User, error)
}

// identities keeps, per token (by its hash) and cluster, who that cluster's API server says the
// token is — or that it refused it — for the re-check interval, so a token revoked on a cluster
// ends access there within that interval, and each cluster is asked at most once per interval.
type identities struct {
	cache *utilcache.LRUExpireCache
	ttl   time.Duration
}

type identityKey struct {
	token   [sha256.Size]byte
	cluster string
}

type reviewed struct {
	user *biz.User
	err  error
}

func newIdentities(ttl time.Duration) *identities {
	if ttl <= 0 {
		ttl = time.Minute
	}
	return &identities{cache: utilcache.NewLRUExpireCache(4096), ttl: ttl}
}

// on is ctx with the request's identity on member m. The same person everywhere in modes oidc and
// none (the dashboard impersonates them with its credential for m, so m's RBAC decides and m's
// audit log names them). A token (token sign-in, Authorization: Bearer) was reviewed on the home
// cluster by sign-in — so a bogus one never costs another cluster a review — and on any other
// cluster it is reviewed there, and only the identity that cluster gives is used there: a name
// on one cluster never acts as the same name on another.
func (ids *identities) on(ctx context.Context, m *Member, home bool) (context.Context, error) {
	u, ok := biz.UserFrom(ctx)
	if !ok || u.Token == "" || home {
		return ctx, nil
	}
	key := identityKey{token: sha256.Sum256([]byte(u.Token)), cluster: m.Name()}
	if v, ok := ids.cache.Get(key); ok {
		r := v.(reviewed)
		return withUser(ctx, r, u.Token)
	}
	got, err := m.Reviewer.Review(ctx, u.Token)
	r := reviewed{user: got, err: err}
	var e *biz.Error
	if err == nil || (errors.As(err, &e) && e.Status == http.StatusUnauthorized) {
		ids.cache.Add(key, r, ids.ttl) // an outage is not remembered; an answer is
	}
	return withUser(ctx, r, u.Token)
}

func withUser(ctx context.Context, r reviewed, token string) (context.Context, error) {
	var e *biz.Error
	switch {
	case r.err == nil:
		return biz.WithUser(ctx, r.user.WithToken(token)), nil
	case errors.As(r.err, &e) && e.Status == http.StatusUnauthorized:
		return nil, notSignedInHere(e.Message)
	default:
		return nil, r.err
	}
}

func notSignedInHere(why string) *biz.Error {
	return &biz.Error{Status: http.StatusForbidden, Code: CodeNotSignedInHere,
		Message: "not signed in on this cluster: its API server does not accept your token (" + why + "); sign in with a token it accepts, or use the clusters where you are signed in"}
}

// on is ctx as the person on m, for a request about m: refused at once when m (not the home)
// does not answer, else with the person's identity there.
func (f *Fleet) on(ctx context.Context, m *Member) (context.Context, error) {
	home := m == f.home
	if !home {
		if err := unreachable(m); err != nil {
			return nil, err
		}
	}
	return f.ids.on(ctx, m, home)
}

// inCluster runs h with the request's identity on m.
func (f *Fleet) inCluster(m *Member, h khttp.HandlerFunc) khttp.HandlerFunc {
	return func(kctx khttp.Context) error {
		req := kctx.Request()
		ctx, err := f.on(req.Context(), m)
		if err != nil {
			return err
		}
		if ctx != req.Context() {
			kctx.Reset(kctx.Response(), req.WithContext(ctx))
		}
		return h(kctx)
	}
}

// CodeClusterUnreachable: the cluster's API server does not answer; nothing was tried.
const CodeClusterUnreachable = "CLUSTER_UNREACHABLE"

// unreachable is the answer for any request to a cluster whose API server stopped answering:
// at once, saying since when and why — rather than each request waiting out its timeouts (a
// read could not be authorised either: access reviews are asked of that API server). The home
// keeps its own behaviour (503 from the cache), so the unprefixed API (docs/api.md) is unchanged.
func unreachable(m *Member) error {
	h := m.Cache.Health()
	if h.Reachable || h.UnreachableSince.IsZero() {
		return nil
	}
	return &biz.Error{Status: http.StatusServiceUnavailable, Code: CodeClusterUnreachable,
		Message: fmt.Sprintf("cluster %s has not answered since %s (%s); nothing was sent to it: try again once it is reachable", m.Name(), h.UnreachableSince.Format(time.RFC3339), h.LastError)}
}
