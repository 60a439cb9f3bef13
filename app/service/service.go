// Package service holds the thin HTTP handlers: each reads its path variables and query, calls
// one use case, and returns what it returns. Routing and encoding live in app/server.
package service

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/google/wire"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// ProviderSet provides the services to Wire.
var ProviderSet = wire.NewSet(NewWorkloadService, NewClusterService, NewNamespaceService, NewRolloutService, NewMeService)

// Input is what a handler gets from the request.
type Input struct {
	Vars  url.Values
	Query url.Values
	// Body is the request body (JSON for the endpoints that take one), at most MaxBody bytes.
	Body []byte
}

// MaxBody bounds a request body.
const MaxBody = 1 << 20

// JSON decodes the body into v, refusing unknown fields and anything after the value.
func (in Input) JSON(v any) error {
	dec := json.NewDecoder(bytes.NewReader(in.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return biz.BadRequest("the body must be JSON of the documented shape: %v", err)
	}
	if dec.More() {
		return biz.BadRequest("the body must be one JSON value")
	}
	return nil
}

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
