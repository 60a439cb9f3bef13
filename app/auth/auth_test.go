package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

const key = "0123456789abcdef0123456789abcdef"

func TestNewChecksTheSettings(t *testing.T) {
	cases := []struct {
		name, mode, addr, key, want string
	}{
		{"none on 127.0.0.1", ModeNone, "127.0.0.1:8080", "", ""},
		{"none on ::1", ModeNone, "[::1]:8080", "", ""},
		{"none on localhost", ModeNone, "localhost:8080", "", ""},
		{"none on every interface", ModeNone, "0.0.0.0:8080", "", "KD_HTTP_ADDR=127.0.0.1:8080"},
		{"none on an empty host", ModeNone, ":8080", "", "only on loopback"},
		{"none on a private address", ModeNone, "10.1.2.3:8080", "", "KD_AUTH_MODE=token"},
		{"token without a key", ModeToken, "0.0.0.0:8080", "", "KD_AUTH_SESSION_KEY"},
		{"token with a short key", ModeToken, "0.0.0.0:8080", "short", "at least 32"},
		{"token with a key", ModeToken, "0.0.0.0:8080", key, ""},
		{"oidc without an issuer", ModeOIDC, "0.0.0.0:8080", key, "issuer_url"},
		{"unknown mode", "ldap", "127.0.0.1:8080", key, "want none, token or oidc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(&conf.Auth{Mode: c.mode, SessionKey: c.key, SessionTTL: time.Hour, OIDC: &conf.OIDC{}}, &conf.Server{Addr: c.addr}, nil)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

func TestSealedValues(t *testing.T) {
	s, err := newSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newSealer(strings.Repeat("z", 40))
	now := time.Now()
	good, err := seal(s, "session", session{User: "alice", Groups: []string{"dev"}}, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	old, _ := seal(s, "session", session{User: "alice"}, now.Add(-time.Second))
	cases := []struct {
		name, purpose, text string
		sealer              *sealer
		ok                  bool
	}{
		{"round trip", "session", good, s, true},
		{"another purpose", "oidc-state", good, s, false},
		{"another key", "session", good, other, false},
		{"expired", "session", old, s, false},
		{"tampered", "session", good[:len(good)-2] + "AA", s, false},
		{"not base64", "session", "%%%", s, false},
		{"empty", "session", "", s, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := unseal[session](c.sealer, c.purpose, c.text, now)
			if c.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, c.ok)
			}
			if c.ok && (got.User != "alice" || len(got.Groups) != 1) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestUserFromClaims(t *testing.T) {
	cases := []struct {
		name   string
		c      conf.OIDC
		claims map[string]any
		user   string
		groups []string
		err    string
	}{
		{"username and groups", conf.OIDC{UsernameClaim: "preferred_username", GroupsClaim: "groups"},
			map[string]any{"preferred_username": "alice", "groups": []any{"dev", "ops"}}, "alice", []string{"dev", "ops"}, ""},
		{"prefixes", conf.OIDC{UsernameClaim: "sub", UsernamePrefix: "oidc:", GroupsClaim: "groups", GroupsPrefix: "oidc:"},
			map[string]any{"sub": "123", "groups": "dev"}, "oidc:123", []string{"oidc:dev"}, ""},
		{"no groups claim", conf.OIDC{UsernameClaim: "email", GroupsClaim: "groups"},
			map[string]any{"email": "a@example.test", "email_verified": true}, "a@example.test", []string{}, ""},
		{"unverified email", conf.OIDC{UsernameClaim: "email"},
			map[string]any{"email": "a@example.test", "email_verified": false}, "", nil, "not verified"},
		{"missing username", conf.OIDC{UsernameClaim: "preferred_username"}, map[string]any{"sub": "1"}, "", nil, "preferred_username"},
		{"non-string groups are skipped", conf.OIDC{UsernameClaim: "sub", GroupsClaim: "groups"},
			map[string]any{"sub": "1", "groups": []any{"dev", 7}}, "1", []string{"dev"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := userFromClaims(c.c, c.claims)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || u.Name != c.user || strings.Join(u.Groups, ",") != strings.Join(c.groups, ",") || !u.Impersonate {
				t.Errorf("got %+v, %v; want %s %v", u, err, c.user, c.groups)
			}
		})
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"": "/", "/": "/", "/rollouts?ns=demo": "/rollouts?ns=demo", "//evil.example/x": "/", "https://evil.example/": "/",
		"rollouts": "/", `/\evil.example`: "/", "javascript:alert(1)": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// countingReviewer accepts one token; a pure unit test's stand-in for the TokenReview.
type countingReviewer struct{ calls int }

func (r *countingReviewer) Review(_ context.Context, token string) (*biz.User, error) {
	r.calls++
	if token != "good" {
		return nil, biz.Unauthorized("token rejected")
	}
	return &biz.User{Name: "alice", Groups: []string{"dev"}, Impersonate: true}, nil
}

func TestFilterIdentifies(t *testing.T) {
	reviewer := &countingReviewer{}
	a, err := New(&conf.Auth{Mode: ModeToken, SessionKey: key, SessionTTL: time.Hour}, &conf.Server{Addr: "0.0.0.0:8080"}, reviewer)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	in := service.Input{Request: httptest.NewRequest("POST", "/", nil), Reply: rec.Header()}
	if err := a.startSession(in, &biz.User{Name: "bob", Groups: []string{"ops"}}); err != nil {
		t.Fatal(err)
	}
	sessionCookie := rec.Result().Cookies()[0]
	var seen *biz.User
	h := a.Filter(func(w http.ResponseWriter, _ *http.Request, e *biz.Error) { w.WriteHeader(e.Status) })(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = biz.UserFrom(r.Context())
	}))
	cases := []struct {
		name, path, bearer string
		cookie             *http.Cookie
		status             int
		user               string
	}{
		{"no identity", "/api/v1/namespaces", "", nil, http.StatusUnauthorized, ""},
		{"session", "/api/v1/namespaces", "", sessionCookie, 200, "bob"},
		{"bearer", "/api/v1/namespaces", "good", nil, 200, "alice"},
		{"bearer again (cached)", "/api/v1/namespaces", "good", nil, 200, "alice"},
		{"rejected bearer", "/api/v1/namespaces", "bad", nil, http.StatusUnauthorized, ""},
		{"sign-in routes need none", "/api/v1/auth/config", "", nil, 200, ""},
		{"UI files need none", "/assets/index.js", "", nil, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seen = nil
			req := httptest.NewRequest(http.MethodGet, c.path, nil)
			if c.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+c.bearer)
			}
			if c.cookie != nil {
				req.AddCookie(c.cookie)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d", rec.Code, c.status)
			}
			switch {
			case seen != nil && (seen.Name != c.user || !seen.Impersonate):
				t.Errorf("user %+v, want %s", seen, c.user)
			case seen == nil && c.user != "":
				t.Errorf("no user, want %s", c.user)
			}
		})
	}
	if reviewer.calls != 2 {
		t.Errorf("%d token reviews, want 2 (a repeated bearer token is reviewed once)", reviewer.calls)
	}
}
