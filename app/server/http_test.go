package server

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// TestServerContract drives the server's plumbing with handlers of its own: envelope, error body
// with trace id, panics as 500 bodies, 404 and 405. The real routes are tested in app/.
func TestServerContract(t *testing.T) {
	srv, err := newServer(&conf.Server{Addr: "127.0.0.1:0", Timeout: 5 * time.Second}, sdktrace.NewTracerProvider(), log.DefaultLogger)
	if err != nil {
		t.Fatal(err)
	}
	api := srv.Route("/api/v1")
	api.GET("/ok/{name}", handle(func(_ context.Context, in service.Input, _ service.None) (map[string]string, error) {
		return map[string]string{"hello": in.Var("name"), "q": in.Query.Get("q")}, nil
	}).serve)
	api.GET("/refused", handle(func(context.Context, service.Input, service.None) (any, error) {
		return nil, biz.BadRequest("replicas must be a whole number")
	}).serve)
	api.GET("/limited", handle(func(context.Context, service.Input, service.None) (any, error) {
		return nil, biz.TooManyRequests(1500*time.Millisecond, "too many failed sign-ins from your address")
	}).serve)
	api.GET("/bug", handle(func(context.Context, service.Input, service.None) (any, error) {
		return nil, context.Canceled // not an API error: a bug, hidden behind INTERNAL_ERROR
	}).serve)
	api.GET("/panic", handle(func(context.Context, service.Input, service.None) (any, error) { panic("boom") }).serve)
	api.GET("/unencodable", handle(func(context.Context, service.Input, service.None) (func(), error) { return func() {}, nil }).serve)

	cases := []struct {
		name, method, path string
		status             int
		body, code         string
	}{
		{"envelope", "GET", "/api/v1/ok/world?q=1", 200, `{"data":{"hello":"world","q":"1"}}`, ""},
		{"API error", "GET", "/api/v1/refused", 400, "", "BAD_REQUEST"},
		{"too many requests", "GET", "/api/v1/limited", 429, "", "TOO_MANY_REQUESTS"},
		{"non-API error", "GET", "/api/v1/bug", 500, "", "INTERNAL_ERROR"},
		{"panic", "GET", "/api/v1/panic", 500, "", "INTERNAL_ERROR"},
		{"encoder failure", "GET", "/api/v1/unencodable", 500, "", "INTERNAL_ERROR"},
		{"unknown route", "GET", "/api/v1/missing", 404, "", "NOT_FOUND"},
		{"wrong method", "POST", "/api/v1/ok/world", 405, "", "METHOD_NOT_ALLOWED"},
		{"trailing slash is not redirected", "GET", "/api/v1/refused/", 404, "", "NOT_FOUND"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			if c.body != "" {
				if rec.Body.String() != c.body {
					t.Errorf("body %s, want %s", rec.Body, c.body)
				}
				return
			}
			var e struct{ TraceID, Message, Code string }
			if err := json.Unmarshal(rec.Body.Bytes(), &struct {
				TraceID *string `json:"trace_id"`
				Message *string `json:"message"`
				Code    *string `json:"code"`
			}{&e.TraceID, &e.Message, &e.Code}); err != nil {
				t.Fatal(err)
			}
			if e.Code != c.code || len(e.TraceID) != 32 || e.TraceID == "00000000000000000000000000000000" || e.Message == "" {
				t.Errorf("error body %+v, want code %s with a trace id and a message", e, c.code)
			}
			if c.status == 500 && (e.Message == "boom" || e.Message == "context canceled") {
				t.Errorf("internal errors must not leak their text: %q", e.Message)
			}
			if want := map[int]string{429: "2"}[c.status]; rec.Header().Get("Retry-After") != want {
				t.Errorf("Retry-After %q, want %q", rec.Header().Get("Retry-After"), want)
			}
		})
	}
}
