// Package server builds the Kratos HTTP server: the OpenTelemetry filter, the envelope encoders,
// the route table (routes.go) and the adapter that runs each handler inside the server
// middleware.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware/recovery"
	"github.com/go-kratos/kratos/v2/transport"
	khttp "github.com/go-kratos/kratos/v2/transport/http"
	"github.com/google/wire"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/kruise-dashboard/kruise-dashboard/app/audit"
	"github.com/kruise-dashboard/kruise-dashboard/app/auth"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/metrics"
	"github.com/kruise-dashboard/kruise-dashboard/app/secure"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/app/stream"
	"github.com/kruise-dashboard/kruise-dashboard/app/web"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/data"
)

// ProviderSet provides the HTTP server to Wire.
var ProviderSet = wire.NewSet(NewHTTPServer, NewRoutes, NewGuard, NewStream, NewMetricsServer)

// NewMetricsServer is the metrics listener, reading the cache, the stream and the access
// reviewer at scrape time. Beyond loopback it answers only bearer tokens allowed to get the path.
func NewMetricsServer(c *conf.Server, m *metrics.Metrics, rows *data.RowStore, changes *data.Changes, access *data.Access, authn *auth.Authenticator) *metrics.Server {
	m.Watch(metrics.Sources{CacheObjects: rows.Counts, StreamClients: changes.Clients, Decisions: access.Decisions,
		TokenChecks: authn.TokenChecks, Limited: authn.Limited})
	h := m.Handler(c.Pprof)
	if c.MetricsAddr != "" && !auth.IsLoopback(c.MetricsAddr) {
		h = metrics.Protect(h, authn.Bearer, access, encodeError)
	}
	return metrics.NewServer(c.MetricsAddr, h)
}

// NewStream builds the live stream's server from the server settings.
func NewStream(c *conf.Server, uc *biz.WatchUsecase) *stream.Server {
	return stream.New(uc, c.WatchHeartbeat, writeError)
}

// NewGuard builds the protections from the server settings; refusals are written as API errors.
func NewGuard(c *conf.Server) *secure.Guard {
	return secure.NewGuard(c.ExternalHosts, c.ReadOnly, writeError)
}

// NewHTTPServer builds the server and registers the routes.
func NewHTTPServer(c *conf.Server, tp trace.TracerProvider, logger log.Logger, routes Routes, guard *secure.Guard, authn *auth.Authenticator, trail *audit.Log, live *stream.Server, m *metrics.Metrics) (*khttp.Server, error) {
	// Outermost first: the span (so every refusal carries a trace id), panics, the request
	// metrics, the audit line (so refusals are recorded too), Host/origin/headers, sign-in, the
	// read-only switch, and the live stream (a filter, so the routes' request timeout does not
	// cut it). API answers are never stored by the browser, except in mode none (allowStore).
	filters := []khttp.FilterFunc{m.Filter, trail.Filter, guard.Filter, authn.Filter(writeError), guard.ReadOnly, live.Filter}
	if authn.Mode() == auth.ModeNone {
		filters = append(filters, allowStore)
	}
	srv, err := newServer(c, tp, logger, filters...)
	if err != nil {
		return nil, err
	}
	routes.register(srv)
	srv.RegisterOnShutdown(live.Close)
	return srv, nil
}

// newServer is the server with its filters, middleware and encoders, and no routes yet; filters
// run inside the trace and recovery filters, in order.
func newServer(c *conf.Server, tp trace.TracerProvider, logger log.Logger, filters ...khttp.FilterFunc) (*khttp.Server, error) {
	srv := khttp.NewServer(
		khttp.Address(c.Addr),
		khttp.Timeout(c.Timeout),
		khttp.StrictSlash(false), // a trailing slash is a 404, not a redirect
		khttp.Logger(logger),
		// The server span starts here, outside routing, so even 404/405 bodies carry its trace id.
		khttp.Filter(append([]khttp.FilterFunc{traceFilter(tp), recoverFilter}, filters...)...),
		khttp.Middleware(recovery.Recovery()),
		khttp.ResponseEncoder(encodeResponse),
		khttp.ErrorEncoder(encodeError),
		// Unmatched GETs outside /api/ are the web UI's routes (deep links reload).
		khttp.NotFoundHandler(web.SPA(notFound())),
		khttp.MethodNotAllowedHandler(methodNotAllowed()),
	)
	secure.Harden(srv.Server, c.Timeout)
	return srv, nil
}

func traceFilter(tp trace.TracerProvider) khttp.FilterFunc {
	return func(next http.Handler) http.Handler {
		return otelhttp.NewHandler(next, "http.request",
			otelhttp.WithTracerProvider(tp),
			otelhttp.WithPropagators(propagation.TraceContext{}),
			otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " unmatched" }),
		)
	}
}

// recoverFilter turns a panic outside the handler middleware (an encoder, a filter) into a 500
// body instead of a dropped connection.
func recoverFilter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				writeError(w, r, biz.Internal(fmt.Errorf("panic: %v", p), "internal error; quote the trace id when reporting it"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Endpoint is a route's handler, with the Go types of its body (nil: none) and answer.
type Endpoint struct {
	serve        khttp.HandlerFunc
	body, answer reflect.Type
}

var (
	noneType     = reflect.TypeFor[service.None]()
	redirectType = reflect.TypeFor[service.Redirect]()
)

// handle adapts a typed service handler to a route. It names the route (span, metrics, audit
// line), decodes the body strictly into In (unless None), runs the server middleware (Kratos
// plain routes skip it otherwise) and passes the middleware's context down, so use-case and
// client spans are children of the server span. The answer is enveloped ({"data": ...}), a
// service.Redirect is a 302, an error is the error body.
func handle[In, Out any](h service.Handler[In, Out]) Endpoint {
	e := Endpoint{body: reflect.TypeFor[In](), answer: reflect.TypeFor[Out]()}
	if e.body == noneType {
		e.body = nil
	}
	e.serve = func(kctx khttp.Context) error {
		name(kctx)
		req := kctx.Request()
		var body In
		if e.body != nil {
			if err := decode(req, &body); err != nil {
				return err
			}
		}
		in := service.Input{Vars: kctx.Vars(), Query: kctx.Query(), Request: req, Reply: kctx.Response().Header()}
		run := kctx.Middleware(func(ctx context.Context, _ any) (any, error) { return h(ctx, in, body) })
		out, err := run(kctx, nil)
		if err != nil {
			return err
		}
		if r, ok := out.(service.Redirect); ok {
			http.Redirect(kctx.Response(), req, r.URL, http.StatusFound)
			return nil
		}
		return kctx.Result(http.StatusOK, out)
	}
	return e
}

// raw adapts a handler that writes its own answer (the document), naming the route.
func raw(h khttp.HandlerFunc) Endpoint {
	return Endpoint{serve: func(kctx khttp.Context) error {
		name(kctx)
		return h(kctx)
	}}
}

// name names the server span, the request's metrics and its audit line after the route template.
func name(kctx khttp.Context) {
	req := kctx.Request()
	tr, ok := transport.FromServerContext(kctx)
	if !ok {
		return
	}
	ht, ok := tr.(*khttp.Transport)
	if !ok {
		return
	}
	span := trace.SpanFromContext(req.Context())
	span.SetName(req.Method + " " + ht.PathTemplate())
	span.SetAttributes(attribute.String("http.route", ht.PathTemplate()))
	audit.SetRoute(req.Context(), req.Method, ht.PathTemplate(), kctx.Vars())
	metrics.SetRoute(req.Context(), ht.PathTemplate())
}

// decode reads the body (at most service.MaxBody bytes) as JSON into v, refusing unknown fields
// and anything after the value. An empty body leaves a pointer nil (the body is optional).
func decode[In any](req *http.Request, v *In) error {
	if req.Body == nil {
		return decodeBytes(nil, v)
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, service.MaxBody+1))
	if err != nil {
		return biz.BadRequest("read the request body: %v", err)
	}
	if len(body) > service.MaxBody {
		return biz.BadRequest("the request body is over %d bytes", service.MaxBody)
	}
	return decodeBytes(body, v)
}

func decodeBytes[In any](body []byte, v *In) error {
	if len(bytes.TrimSpace(body)) == 0 && reflect.TypeFor[In]().Kind() == reflect.Pointer {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return biz.BadRequest("the body must be JSON of the documented shape: %v", err)
	}
	if dec.More() {
		return biz.BadRequest("the body must be one JSON value")
	}
	return nil
}
