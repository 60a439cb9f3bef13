package biz

import (
	"context"
	"fmt"
	"net/http"
)

// User is the person a request acts for. In auth mode none there is no signed-in person: the
// request acts as the dashboard's own identity and Impersonate is false.
type User struct {
	Name   string   `json:"user"`
	Groups []string `json:"groups"`
	// Impersonate is true when API-server calls made for the request carry this identity.
	Impersonate bool `json:"-"`
	// Token is the bearer token the identity was reviewed from (token sign-in, Authorization:
	// Bearer), so another cluster of the fleet can review it there; "" for OIDC and mode none.
	Token string `json:"-"`
}

// WithToken is a copy of u carrying the token it was reviewed from.
func (u *User) WithToken(token string) *User {
	c := *u
	c.Token = token
	return &c
}

type userKey struct{}

// WithUser returns ctx carrying u.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the request's user, if the sign-in layer set one.
func UserFrom(ctx context.Context) (*User, bool) {
	u, ok := ctx.Value(userKey{}).(*User)
	return u, ok && u != nil
}

// Describe names the user for messages and events ("alice", or the dashboard itself in mode none).
func Describe(ctx context.Context) string {
	if u, ok := UserFrom(ctx); ok && u.Impersonate {
		return u.Name
	}
	return "the dashboard (no sign-in)"
}

// Attributes are what an access review asks: may the user do Verb on Resource[/Subresource] of
// Group in Namespace ("" = every namespace, or a cluster-scoped resource)?
type Attributes struct {
	Verb        string
	Group       string
	Resource    string
	Subresource string
	Namespace   string
	Name        string
	// Path is a non-resource URL (e.g. /metrics) asked about instead of a resource.
	Path string
}

// String is how a denial names what was missing, e.g. `patch clonesets/scale (apps.kruise.io) in namespace demo`.
func (a Attributes) String() string {
	if a.Path != "" {
		return a.Verb + " " + a.Path
	}
	res := a.Resource
	if a.Subresource != "" {
		res += "/" + a.Subresource
	}
	if a.Group != "" {
		res += " (" + a.Group + ")"
	}
	where := "in every namespace"
	if a.Namespace != "" {
		where = "in namespace " + a.Namespace
	}
	return fmt.Sprintf("%s %s %s", a.Verb, res, where)
}

// Access asks Kubernetes RBAC (SubjectAccessReview) whether the request's user may do something.
type Access interface {
	// Allowed answers for the request's user; for a request without a signed-in person it
	// answers for the dashboard's own identity.
	Allowed(ctx context.Context, a Attributes) (bool, error)
}

// CodeReadOnly is the code of every mutation refused by the server-wide read-only switch.
const CodeReadOnly = "READ_ONLY"

// Forbidden is a 403 naming what the user may not do.
func Forbidden(user string, a Attributes) *Error {
	return newError(http.StatusForbidden, CodeForbidden, nil, "user %q may not %s", user, a)
}

// authorize lets a cached read through only when the signed-in user may do it. Without a
// signed-in person (mode none) the cache holds nothing the dashboard's identity may not read.
func Authorize(ctx context.Context, access Access, a Attributes) error {
	u, ok := UserFrom(ctx)
	if !ok || !u.Impersonate {
		return nil
	}
	allowed, err := access.Allowed(ctx, a)
	if err != nil {
		return FromKube(err, "access review for "+a.String())
	}
	if !allowed {
		return Forbidden(u.Name, a)
	}
	return nil
}

// authorizeWrite refuses up front an action the user may not take, so that a refused action
// reads nothing, writes nothing, and answers 403 even where it would have changed nothing (the
// API server, impersonating the user, decides again on the write itself).
func authorizeWrite(ctx context.Context, access Access, a Attributes, subresource string) error {
	a.Subresource = subresource
	return Authorize(ctx, access, a)
}
