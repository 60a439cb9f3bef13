package secure

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

func TestGuard(t *testing.T) {
	g := NewGuard([]string{"dash.example.com"}, true, func(w http.ResponseWriter, _ *http.Request, e *biz.Error) {
		w.Header().Set("X-Code", e.Code)
		w.WriteHeader(e.Status)
	})
	h := g.Filter(g.ReadOnly(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })))
	cases := []struct {
		name, method, path, host string
		header                   map[string]string
		status                   int
		code                     string
	}{
		{"loopback name", "GET", "/api/v1/namespaces", "localhost:8080", nil, 200, ""},
		{"loopback address", "GET", "/", "127.0.0.2:8080", nil, 200, ""},
		{"IPv6 loopback", "GET", "/", "[::1]:8080", nil, 200, ""},
		{"configured name", "GET", "/", "DASH.example.com", nil, 200, ""},
		{"foreign name (rebinding)", "GET", "/api/v1/namespaces", "evil.example", nil, 403, CodeForeignHost},
		{"private address", "GET", "/", "10.0.0.7:8080", nil, 403, CodeForeignHost},
		{"probe with the pod's address", "GET", "/readyz", "10.0.0.7:8080", nil, 200, ""},
		{"cross-site POST", "POST", "/api/v1/auth/login", "localhost:8080", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}, 403, CodeCrossOrigin},
		{"cross-origin POST without fetch metadata", "POST", "/api/v1/auth/login", "localhost:8080", map[string]string{"Origin": "http://evil.example"}, 403, CodeCrossOrigin},
		{"same-origin POST", "POST", "/api/v1/auth/login", "localhost:8080", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost:8080"}, 200, ""},
		{"cross-site GET", "GET", "/api/v1/namespaces", "localhost:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200, ""},
		{"read-only mutation", "POST", "/api/v1/workload/demo/cloneset/shop/scale", "localhost:8080", nil, 403, biz.CodeReadOnly},
		{"read-only delete", "DELETE", "/api/v1/workload/demo/cloneset/shop", "localhost:8080", nil, 403, biz.CodeReadOnly},
		{"read-only still signs out", "POST", "/api/v1/auth/logout", "localhost:8080", nil, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.path, nil)
			req.Host = c.host
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status || rec.Header().Get("X-Code") != c.code {
				t.Errorf("%d %s, want %d %s", rec.Code, rec.Header().Get("X-Code"), c.status, c.code)
			}
			if rec.Header().Get("Content-Security-Policy") != contentSecurityPolicy || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("security headers missing: %v", rec.Header())
			}
		})
	}
}

func TestHarden(t *testing.T) {
	s := &http.Server{}
	Harden(s, 30*time.Second)
	if s.ReadHeaderTimeout <= 0 || s.ReadHeaderTimeout > 10*time.Second || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 || s.WriteTimeout <= 30*time.Second {
		t.Errorf("server limits %+v", s)
	}
}
