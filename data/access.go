package data

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilcache "k8s.io/apimachinery/pkg/util/cache"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// decisionCacheSize bounds the access decisions kept: enough for a team's users × the reviews
// a page needs, small enough to be irrelevant in memory (~100 bytes each).
const decisionCacheSize = 20000

// Access answers access questions with SubjectAccessReviews sent as the dashboard's identity
// (SelfSubjectAccessReviews for a request without a signed-in person), keeping each answer for
// a short time: reads come from the shared cache, and this is what keeps them per user.
type Access struct {
	clients *Clients
	ttl     time.Duration
	cache   *utilcache.LRUExpireCache
	flight  singleflight.Group
	// hits and misses count the questions answered from the cache and by a review.
	hits, misses atomic.Uint64
}

// Decisions are the questions answered from the cache and by a review so far.
func (a *Access) Decisions() (hits, misses uint64) { return a.hits.Load(), a.misses.Load() }

// NewAccess builds the access reviewer.
func NewAccess(clients *Clients, c *conf.Auth) *Access {
	return &Access{clients: clients, ttl: c.DecisionTTL, cache: utilcache.NewLRUExpireCache(decisionCacheSize)}
}

// Allowed implements biz.Access.
func (a *Access) Allowed(ctx context.Context, attrs biz.Attributes) (bool, error) {
	u, signedIn := biz.UserFrom(ctx)
	if signedIn && !u.Impersonate {
		signedIn = false
	}
	key := decisionKey(u, signedIn, attrs)
	if v, ok := a.cache.Get(key); ok {
		a.hits.Add(1)
		return v.(bool), nil
	}
	a.misses.Add(1)
	// Concurrent identical questions (a page's parallel reads) share one review.
	v, err, _ := a.flight.Do(key, func() (any, error) {
		allowed, err := a.review(ctx, u, signedIn, attrs)
		if err == nil {
			a.cache.Add(key, allowed, a.ttl)
		}
		return allowed, err
	})
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

func (a *Access) review(ctx context.Context, u *biz.User, signedIn bool, attrs biz.Attributes) (bool, error) {
	var ra *authorizationv1.ResourceAttributes
	var nra *authorizationv1.NonResourceAttributes
	if attrs.Path != "" {
		nra = &authorizationv1.NonResourceAttributes{Path: attrs.Path, Verb: attrs.Verb}
	} else {
		ra = &authorizationv1.ResourceAttributes{
			Namespace: attrs.Namespace, Verb: attrs.Verb, Group: attrs.Group,
			Resource: attrs.Resource, Subresource: attrs.Subresource, Name: attrs.Name,
		}
	}
	if !signedIn {
		r, err := a.clients.Service.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: ra, NonResourceAttributes: nra},
		}, metav1.CreateOptions{})
		if err != nil {
			return false, err
		}
		return r.Status.Allowed, nil
	}
	r, err := a.clients.Service.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
		Spec: authorizationv1.SubjectAccessReviewSpec{User: u.Name, Groups: u.Groups, ResourceAttributes: ra, NonResourceAttributes: nra},
	}, metav1.CreateOptions{})
	if err != nil {
		return false, err
	}
	return r.Status.Allowed, nil
}

func decisionKey(u *biz.User, signedIn bool, a biz.Attributes) string {
	who := "\x00self"
	if signedIn {
		groups := append([]string(nil), u.Groups...)
		sort.Strings(groups)
		who = u.Name + "\x00" + strings.Join(groups, "\x01")
	}
	return strings.Join([]string{who, a.Verb, a.Group, a.Resource, a.Subresource, a.Namespace, a.Name, a.Path}, "\x00")
}

// TokenReviewer checks bearer tokens with the API server (TokenReview), as the dashboard's
// identity, through the review client (its own rate limit, Clients.Review).
type TokenReviewer struct{ clients *Clients }

// NewTokenReviewer builds the token reviewer.
func NewTokenReviewer(clients *Clients) *TokenReviewer { return &TokenReviewer{clients: clients} }

// Review returns the identity the API server gives token, or an UNAUTHORIZED error.
func (t *TokenReviewer) Review(ctx context.Context, token string) (*biz.User, error) {
	r, err := t.clients.Review.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{
		Spec: authenticationv1.TokenReviewSpec{Token: token},
	}, metav1.CreateOptions{})
	if err != nil {
		var status apierrors.APIStatus
		if !errors.As(err, &status) {
			// Not the API server's answer: unreachable, or the client's own rate limit could not
			// be waited for within the request's deadline. Either way: try again later.
			return nil, biz.Unavailable(err, "the API server could not review the token now: %v", err)
		}
		return nil, biz.FromKube(err, "token review")
	}
	if !r.Status.Authenticated {
		reason := r.Status.Error
		if reason == "" {
			reason = "the API server does not accept it"
		}
		return nil, biz.TokenRejected("token rejected: %s", reason)
	}
	if r.Status.User.Username == "" {
		return nil, biz.TokenRejected("token rejected: the API server named no user for it")
	}
	return &biz.User{Name: r.Status.User.Username, Groups: r.Status.User.Groups, Impersonate: true}, nil
}
