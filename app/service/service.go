// Package service holds the thin HTTP handlers: each reads its path variables and query, calls
// one use case, and returns what it returns. Routing and encoding live in app/server.
package service

import (
	"context"
	"net/url"

	"github.com/google/wire"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// ProviderSet provides the services to Wire.
var ProviderSet = wire.NewSet(NewWorkloadService, NewClusterService, NewNamespaceService, NewRolloutService, NewMeService)

// Input is what a handler gets from the request.
type Input struct {
	Vars  url.Values
	Query url.Values
}

// Var returns a path variable.
func (in Input) Var(name string) string { return in.Vars.Get(name) }

// Handler is one endpoint: it returns the value for {"data": ...} or an error.
type Handler func(ctx context.Context, in Input) (any, error)

// One returns the single value of a query parameter: a repeated parameter is ambiguous (which
// one did the caller mean?) and refused.
func (in Input) One(name string) (string, error) {
	if vs := in.Query[name]; len(vs) > 1 {
		return "", biz.BadRequest("query parameter %s is given %d times; give it once", name, len(vs))
	}
	return in.Query.Get(name), nil
}
