// Package server builds the Kratos HTTP server: the OpenTelemetry filter, the envelope encoders,
// the route table (routes.go) and the adapter that runs each handler inside the server
// middleware.
package server

import (
	"context"
	"fmt"
	"io"
	"net/http"

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
func NewMetricsServer(c *conf.Server, m *metrics.Metrics, rows *data.Encoded, changes *data.Changes, access *data.Access, authn *auth.Authenticator) *metrics.Server {
	m.Watch(metrics.Sources{CacheObjects: rows.Counts, StreamClients: changes.Clients, Decisions: access.Decisions})
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
	// cut it).
	srv, err := newServer(c, tp, logger, m.Filter, trail.Filter, guard.Filter, authn.Filter(writeError), guard.ReadOnly, live.Filter)
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

// handle adapts a service handler to a Kratos route: it names the server span after the route
// template, runs the server middleware (Kratos plain routes skip it otherwise) and passes the
// middleware's context down, so use-case and client spans are children of the server span.
func handle(h service.Handler) khttp.HandlerFunc {
	return func(kctx khttp.Context) error {
		req := kctx.Request()
		if tr, ok := transport.FromServerContext(kctx); ok {
			if ht, ok := tr.(*khttp.Transport); ok {
				span := trace.SpanFromContext(req.Context())
				span.SetName(req.Method + " " + ht.PathTemplate())
				span.SetAttributes(attribute.String("http.route", ht.PathTemplate()))
				audit.SetRoute(req.Context(), req.Method, ht.PathTemplate(), kctx.Vars())
				metrics.SetRoute(req.Context(), ht.PathTemplate())
			}
		}
		in := service.Input{Vars: kctx.Vars(), Query: kctx.Query()}
		if req.Body != nil && req.Method != http.MethodGet {
			body, err := io.ReadAll(io.LimitReader(req.Body, service.MaxBody+1))
			if err != nil {
				return biz.BadRequest("read the request body: %v", err)
			}
			if len(body) > service.MaxBody {
				return biz.BadRequest("the request body is over %d bytes", service.MaxBody)
			}
			in.Body = body
		}
		run := kctx.Middleware(func(ctx context.Context, _ any) (any, error) { return h(ctx, in) })
		out, err := run(kctx, nil)
		if err != nil {
			return err
		}
		return kctx.Result(http.StatusOK, out)
	}
}
