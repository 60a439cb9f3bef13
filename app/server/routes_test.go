package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	khttp "github.com/go-kratos/kratos/v2/transport/http"
	dto "github.com/prometheus/client_model/go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/kruise-dashboard/kruise-dashboard/app/auth"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/metrics"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/data"
)

// TestRouteTable: every route has an id, a summary and a tag, ids are unique, the server serves
// exactly the table (HEAD with every GET; the live stream, a filter, aside), the document lists
// exactly its operations, and those it says need no sign-in are those sign-in lets through.
func TestRouteTable(t *testing.T) {
	table := Routes{}.table()
	var listed, handled []string
	ids := map[string]bool{}
	for _, rt := range table {
		key := rt.Method + " /api/v1" + rt.Path
		listed = append(listed, key)
		if rt.ID == "" || rt.Summary == "" || rt.Tag == "" {
			t.Errorf("%s: needs an id, a summary and a tag", key)
		}
		if ids[rt.ID] {
			t.Errorf("operation id %s twice", rt.ID)
		}
		ids[rt.ID] = true
		forms := []string{rt.Path}
		if !rt.Global { // every cluster's form too, documented under its own operation id
			forms = append(forms, ClusterPrefix+rt.Path)
			listed = append(listed, rt.Method+" /api/v1"+ClusterPrefix+rt.Path)
			ids[rt.ID+"InCluster"] = true
		}
		switch {
		case rt.Handler.serve != nil:
			for _, p := range forms {
				handled = append(handled, rt.Method+" /api/v1"+p)
				if rt.Method == http.MethodGet {
					handled = append(handled, "HEAD /api/v1"+p) // every GET answers HEAD
				}
			}
		case rt.Path != "/watch":
			t.Errorf("%s: no handler (only the live stream is served by a filter)", key)
		}
		if rt.Handler.serve == nil || rt.Raw != nil {
			if rt.Raw == nil || rt.Handler.answer != nil {
				t.Errorf("%s: a raw answer needs its responses and no Go answer type", key)
			}
		}
		path := "/api/v1" + rt.Path
		if public := strings.HasPrefix(path, auth.Prefix) || path == auth.DocumentPath; rt.Public != public {
			t.Errorf("%s: table says public %v, sign-in says %v", key, rt.Public, public)
		}
	}

	srv, err := newServer(&conf.Server{Addr: "127.0.0.1:0", Timeout: 5 * time.Second}, sdktrace.NewTracerProvider(), log.DefaultLogger)
	if err != nil {
		t.Fatal(err)
	}
	Routes{Auth: &auth.Authenticator{}}.register(srv)
	var served []string
	err = srv.WalkRoute(func(r khttp.RouteInfo) error {
		if strings.HasPrefix(r.Path, "/api/v1/") {
			served = append(served, r.Method+" "+r.Path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(served)
	sort.Strings(handled)
	if !reflect.DeepEqual(served, handled) {
		t.Errorf("served and table differ:\nserved %v\ntable  %v", served, handled)
	}

	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(Document(), &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, item := range doc.Paths {
		for method, op := range item {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			if !ids[op.OperationID] {
				t.Errorf("%s %s: operation %q is not in the table", method, path, op.OperationID)
			}
		}
	}
	sort.Strings(documented)
	sort.Strings(listed)
	if !reflect.DeepEqual(documented, listed) {
		t.Errorf("document and table differ:\ndocumented %v\ntable      %v", documented, listed)
	}
}

// acceptGood is a TokenReview stand-in: the token "good" is alice.
type acceptGood struct{}

func (acceptGood) Review(_ context.Context, token string) (*biz.User, error) {
	if token != "good" {
		return nil, biz.Unauthorized("token rejected")
	}
	return &biz.User{Name: "alice", Groups: []string{"dev"}, Impersonate: true}, nil
}

// TestSignInRoutes: the sign-in routes go through the route table's adapter: a login body is
// decoded strictly (an unknown field is a 400 error body), and the span and the request metric
// are named after the route template, not "unmatched".
func TestSignInRoutes(t *testing.T) {
	authn, err := auth.New(&conf.Auth{Mode: auth.ModeToken, SessionKey: "0123456789abcdef0123456789abcdef", SessionTTL: time.Hour, Recheck: time.Minute}, &conf.Server{Addr: "0.0.0.0:8080"}, acceptGood{}, &data.SignOuts{})
	if err != nil {
		t.Fatal(err)
	}
	spans := tracetest.NewSpanRecorder()
	m := metrics.New("test")
	srv, err := newServer(&conf.Server{Addr: "127.0.0.1:0", Timeout: 5 * time.Second}, sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)), log.DefaultLogger, m.Filter)
	if err != nil {
		t.Fatal(err)
	}
	Routes{Auth: authn}.register(srv)

	for _, c := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"login", "POST", "/api/v1/auth/login", `{"token":"good"}`, 200, ""},
		{"an unknown field", "POST", "/api/v1/auth/login", `{"token":"good","user":"root"}`, 400, biz.CodeBadRequest},
		{"two values", "POST", "/api/v1/auth/login", `{"token":"good"}{}`, 400, biz.CodeBadRequest},
		{"not JSON", "POST", "/api/v1/auth/login", `token=good`, 400, biz.CodeBadRequest},
		{"a rejected token", "POST", "/api/v1/auth/login", `{"token":"bad"}`, 401, biz.CodeUnauthorized},
		{"config", "GET", "/api/v1/auth/config", "", 200, ""},
		{"logout", "POST", "/api/v1/auth/logout", "", 200, ""},
		{"OpenID Connect when it is not configured", "GET", "/api/v1/auth/oidc/login", "", 404, biz.CodeNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, strings.NewReader(c.body)))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if c.code != "" {
				var e struct {
					TraceID string `json:"trace_id"`
					Message string `json:"message"`
					Code    string `json:"code"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code != c.code || len(e.TraceID) != 32 || e.Message == "" {
					t.Errorf("error body %s, want code %s with a trace id and a message", rec.Body, c.code)
				}
				return
			}
			if !strings.HasPrefix(rec.Body.String(), `{"data":`) {
				t.Errorf("body %s, want the envelope", rec.Body)
			}
		})
	}
	if cookies := loginCookies(t, srv); len(cookies) != 1 || cookies[0].Name != "kd_session" || !cookies[0].HttpOnly {
		t.Errorf("login cookies %v, want the session cookie", cookies)
	}

	names := map[string]bool{}
	for _, s := range spans.Ended() {
		names[s.Name()] = true
	}
	for _, want := range []string{"POST /api/v1/auth/login", "GET /api/v1/auth/config", "POST /api/v1/auth/logout", "GET /api/v1/auth/oidc/login"} {
		if !names[want] {
			t.Errorf("no span %q among %v", want, names)
		}
	}
	if names["POST unmatched"] || names["GET unmatched"] {
		t.Errorf("a sign-in request's span is unmatched: %v", names)
	}

	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	for _, f := range families {
		if f.GetName() == "kd_http_request_duration_seconds" {
			for _, metric := range f.GetMetric() {
				routes[label(metric, "method")+" "+label(metric, "route")+" "+label(metric, "code")] = true
			}
		}
	}
	for _, want := range []string{"POST /api/v1/auth/login 200", "POST /api/v1/auth/login 400", "GET /api/v1/auth/config 200"} {
		if !routes[want] {
			t.Errorf("no request metric %q among %v", want, routes)
		}
	}
}

func loginCookies(t *testing.T, srv http.Handler) []*http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"token":"good"}`)))
	return rec.Result().Cookies()
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// TestTypedBodies: a route's body is decoded into its handler's type, strictly; a pointer body
// may be left out; a Redirect answer is a 302.
func TestTypedBodies(t *testing.T) {
	type body struct {
		N int `json:"n"`
	}
	srv, err := newServer(&conf.Server{Addr: "127.0.0.1:0", Timeout: 5 * time.Second}, sdktrace.NewTracerProvider(), log.DefaultLogger)
	if err != nil {
		t.Fatal(err)
	}
	api := srv.Route("/api/v1")
	api.POST("/required", handle(func(_ context.Context, _ service.Input, b body) (int, error) { return b.N, nil }).serve)
	api.POST("/optional", handle(func(_ context.Context, _ service.Input, b *body) (int, error) {
		if b == nil {
			return -1, nil
		}
		return b.N, nil
	}).serve)
	api.GET("/away", handle(func(context.Context, service.Input, service.None) (service.Redirect, error) {
		return service.Redirect{URL: "/back"}, nil
	}).serve)
	for _, c := range []struct {
		path, body string
		status     int
		answer     string
	}{
		{"/api/v1/required", `{"n":2}`, 200, `{"data":2}`},
		{"/api/v1/required", `{"n":2,"m":3}`, 400, ""},
		{"/api/v1/required", ``, 400, ""},
		{"/api/v1/required", strings.Repeat(" ", service.MaxBody+1), 400, ""},
		{"/api/v1/optional", ``, 200, `{"data":-1}`},
		{"/api/v1/optional", `{"n":4}`, 200, `{"data":4}`},
		{"/api/v1/optional", `{"x":4}`, 400, ""},
	} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("POST", c.path, strings.NewReader(c.body)))
		if rec.Code != c.status || c.answer != "" && rec.Body.String() != c.answer {
			t.Errorf("POST %s %.20q: %d %s, want %d %s", c.path, c.body, rec.Code, rec.Body, c.status, c.answer)
		}
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/away", nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/back" {
		t.Errorf("redirect: %d %v", rec.Code, rec.Header())
	}
}
