// Package service holds the thin HTTP handlers: each reads its path variables, query and body,
// calls one use case, and returns what it returns, typed. Routing, body decoding and encoding
// live in app/server, whose route table also derives the OpenAPI document from these types.
package service

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/wire"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// ProviderSet provides the services to Wire.
var ProviderSet = wire.NewSet(NewWorkloadService, NewClusterService, NewNamespaceService, NewRolloutService, NewTrafficService, NewMeService)

// Input is what a handler gets from the request besides its body.
type Input struct {
	Vars  url.Values
	Query url.Values
	// Request is the HTTP request, for the handlers that read cookies or headers (sign-in).
	Request *http.Request
	// Reply is the answer's header, for the handlers that set cookies (sign-in).
	Reply http.Header
}

// Handler is one endpoint: it gets the request's body decoded as In (None: it takes no body; a
// pointer: the body may be empty, nil then) and returns the value for {"data": ...}, or an error.
type Handler[In, Out any] func(ctx context.Context, in Input, body In) (Out, error)

// None is the body of an endpoint that takes none.
type None struct{}

// Redirect is a raw answer: 302 Found to URL, no envelope.
type Redirect struct{ URL string }

// MaxBody bounds a request body.
const MaxBody = 1 << 20

// Bool reads a true/false query parameter (absent: false).
func (in Input) Bool(name string) (bool, error) {
	raw, err := in.One(name)
	if err != nil || raw == "" {
		return false, err
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, biz.BadRequest("query parameter %s must be true or false, got %q", name, raw)
	}
	return b, nil
}

// Var returns a path variable.
func (in Input) Var(name string) string { return in.Vars.Get(name) }

// One returns the single value of a query parameter: a repeated parameter is ambiguous (which
// one did the caller mean?) and refused.
func (in Input) One(name string) (string, error) {
	if vs := in.Query[name]; len(vs) > 1 {
		return "", biz.BadRequest("query parameter %s is given %d times; give it once", name, len(vs))
	}
	return in.Query.Get(name), nil
}
