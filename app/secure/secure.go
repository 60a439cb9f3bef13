// Package secure holds the protections every answer gets whoever asks: the Host must be one the
// dashboard is reached by (DNS rebinding), unsafe methods must come from the dashboard's own
// origin (cross-site requests), security headers on every answer, the server's timeouts and
// header limits, and the server-wide read-only switch.
package secure

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// Codes of the refusals.
const (
	CodeForeignHost = "FORBIDDEN_HOST"
	CodeCrossOrigin = "CROSS_ORIGIN"
)

// contentSecurityPolicy allows only the dashboard's own scripts; styles may be inline because
// the UI's component library injects them at run time.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// Guard applies the protections in front of the routes.
type Guard struct {
	hosts    map[string]bool
	readOnly bool
	origin   *http.CrossOriginProtection
	fail     func(http.ResponseWriter, *http.Request, *biz.Error)
}

// NewGuard builds the guard: externalHosts are the names the dashboard is reached by besides
// loopback; fail writes a refusal as the API's error body.
func NewGuard(externalHosts []string, readOnly bool, fail func(http.ResponseWriter, *http.Request, *biz.Error)) *Guard {
	g := &Guard{hosts: map[string]bool{}, readOnly: readOnly, origin: http.NewCrossOriginProtection(), fail: fail}
	for _, h := range externalHosts {
		g.hosts[strings.ToLower(hostOnly(h))] = true
	}
	g.origin.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail(w, r, &biz.Error{Status: http.StatusForbidden, Code: CodeCrossOrigin,
			Message: "cross-origin " + r.Method + " refused: changes are accepted only from the dashboard's own pages"})
	}))
	return g
}

// Filter is the outer protection: headers, Host, then origin.
func (g *Guard) Filter(next http.Handler) http.Handler {
	protected := g.origin.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		// Probes come with the pod's address as Host; they reveal and change nothing.
		if r.URL.Path != "/healthz" && r.URL.Path != "/readyz" && !g.knownHost(r.Host) {
			g.fail(w, r, &biz.Error{Status: http.StatusForbidden, Code: CodeForeignHost,
				Message: "host " + hostOnly(r.Host) + " is not a name of this dashboard: add it to KD_EXTERNAL_HOSTS if it is"})
			return
		}
		protected.ServeHTTP(w, r)
	})
}

// ReadOnly refuses mutations while the read-only switch is on; it runs after sign-in, so the
// audit line names who tried. Signing in and out stays possible.
func (g *Guard) ReadOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.readOnly && unsafe(r.Method) && strings.HasPrefix(r.URL.Path, "/api/") && !strings.HasPrefix(r.URL.Path, "/api/v1/auth/") {
			g.fail(w, r, biz.ReadOnly())
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (g *Guard) knownHost(host string) bool {
	name := strings.ToLower(hostOnly(host))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
		return true
	}
	return g.hosts[name]
}

// hostOnly drops the port (and IPv6 brackets) of a Host header.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.Trim(host, "[]")
}

func unsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// Harden sets the server's timeouts and header limit: slow or idle clients cannot hold
// connections open. The write timeout stays above the request timeout.
func Harden(s *http.Server, requestTimeout time.Duration) {
	s.ReadHeaderTimeout = 10 * time.Second
	s.ReadTimeout = 30 * time.Second
	s.WriteTimeout = requestTimeout + 10*time.Second
	s.IdleTimeout = 120 * time.Second
	s.MaxHeaderBytes = 64 << 10
}
