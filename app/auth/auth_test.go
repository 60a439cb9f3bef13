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
			_, err := New(&conf.Auth{Mode: c.mode, SessionKey: c.key, SessionTTL: time.Hour, Recheck: time.Minute, OIDC: &conf.OIDC{}}, &conf.Server{Addr: c.addr}, nil, &memorySignOuts{})
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

// countingReviewer accepts the tokens in good; a pure unit test's stand-in for the TokenReview.
type countingReviewer struct {
	calls int
	good  map[string]string
}

func (r *countingReviewer) Review(_ context.Context, token string) (*biz.User, error) {
	r.calls++
	name, ok := r.good[token]
	if !ok {
		return nil, biz.Unauthorized("token rejected")
	}
	return &biz.User{Name: name, Groups: []string{"dev"}, Impersonate: true}, nil
}

// memorySignOuts is a unit test's stand-in for the ConfigMap of sign-outs.
type memorySignOuts struct{ ended map[string]bool }

func (m *memorySignOuts) End(_ context.Context, id string, _, _ time.Time) error {
	if m.ended == nil {
		m.ended = map[string]bool{}
	}
	m.ended[id] = true
	return nil
}

func (m *memorySignOuts) Ended(id string, _ time.Time) (bool, error) { return m.ended[id], nil }

// signIn starts a token-mode session for token and returns its cookie.
func signIn(t *testing.T, a *Authenticator, token string) *http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	in := service.Input{Request: httptest.NewRequest("POST", "/", nil), Reply: rec.Header()}
	if _, err := a.Login(context.Background(), in, LoginBody{Token: token}); err != nil {
		t.Fatal(err)
	}
	return rec.Result().Cookies()[0]
}

func newTokenAuth(t *testing.T, reviewer Reviewer, signOuts SignOuts) *Authenticator {
	t.Helper()
	a, err := New(&conf.Auth{Mode: ModeToken, SessionKey: key, SessionTTL: time.Hour, Recheck: time.Minute}, &conf.Server{Addr: "0.0.0.0:8080"}, reviewer, signOuts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// serve runs one request through the filter: its status and the user it acted for.
func serve(a *Authenticator, path, bearer string, c *http.Cookie) (int, *biz.User, *httptest.ResponseRecorder) {
	var seen *biz.User
	h := a.Filter(func(w http.ResponseWriter, _ *http.Request, e *biz.Error) { http.Error(w, e.Message, e.Status) })(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = biz.UserFrom(r.Context())
	}))
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if c != nil {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, seen, rec
}

func TestFilterIdentifies(t *testing.T) {
	reviewer := &countingReviewer{good: map[string]string{"good": "alice", "bobs": "bob"}}
	a := newTokenAuth(t, reviewer, &memorySignOuts{})
	sessionCookie := signIn(t, a, "bobs")
	cases := []struct {
		name, path, bearer string
		cookie             *http.Cookie
		status             int
		user               string
	}{
		{"no identity", "/api/v1/namespaces", "", nil, http.StatusUnauthorized, ""},
		{"session", "/api/v1/namespaces", "", sessionCookie, 200, "bob"},
		{"session again (checked within the interval)", "/api/v1/namespaces", "", sessionCookie, 200, "bob"},
		{"bearer", "/api/v1/namespaces", "good", nil, 200, "alice"},
		{"bearer again (cached)", "/api/v1/namespaces", "good", nil, 200, "alice"},
		{"rejected bearer", "/api/v1/namespaces", "bad", nil, http.StatusUnauthorized, ""},
		{"sign-in routes need none", "/api/v1/auth/config", "", nil, 200, ""},
		{"UI files need none", "/assets/index.js", "", nil, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, seen, _ := serve(a, c.path, c.bearer, c.cookie)
			if status != c.status {
				t.Fatalf("status %d, want %d", status, c.status)
			}
			switch {
			case seen != nil && (seen.Name != c.user || !seen.Impersonate):
				t.Errorf("user %+v, want %s", seen, c.user)
			case seen == nil && c.user != "":
				t.Errorf("no user, want %s", c.user)
			}
		})
	}
	// The sign-in, the session's first check, one bearer review, one rejected.
	if reviewer.calls != 4 {
		t.Errorf("%d token reviews, want 4 (a repeated bearer token or session is reviewed once per interval)", reviewer.calls)
	}
}

// TestSessionEndsWithItsCredential: a token the API server stops accepting ends the session at the
// first request after the recheck interval; a signed-out session is refused at once, copies too.
func TestSessionEndsWithItsCredential(t *testing.T) {
	const aliceToken = "alice-bearer-token-0123456789"
	reviewer := &countingReviewer{good: map[string]string{aliceToken: "alice", "t2": "bob"}}
	signOuts := &memorySignOuts{}
	a := newTokenAuth(t, reviewer, signOuts)
	now := time.Now()
	a.now = func() time.Time { return now }
	alice, bob := signIn(t, a, aliceToken), signIn(t, a, "t2")
	for _, c := range []*http.Cookie{alice, bob} {
		if status, _, rec := serve(a, "/api/v1/namespaces", "", c); status != 200 {
			t.Fatalf("fresh session: %d %s", status, rec.Body)
		}
	}
	// A long token: a short one could turn up in the sealed cookie's random base64 by chance.
	if strings.Contains(alice.Value, aliceToken) {
		t.Error("the cookie shows the token in clear")
	}

	delete(reviewer.good, aliceToken) // e.g. its ServiceAccount deleted
	now = now.Add(30 * time.Second)
	if status, _, _ := serve(a, "/api/v1/namespaces", "", alice); status != 200 {
		t.Errorf("within the interval: %d, want 200 (checked a minute at most ago)", status)
	}
	now = now.Add(31 * time.Second)
	status, _, rec := serve(a, "/api/v1/namespaces", "", alice)
	if status != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "your access ended: sign in again") {
		t.Errorf("after the interval: %d %s, want 401 saying access ended", status, rec.Body)
	}

	// Sign-out: recorded, and a copy of the cookie taken before is refused.
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/logout", nil)
	req.AddCookie(bob)
	if _, err := a.Logout(context.Background(), service.Input{Request: req, Reply: rec.Header()}, service.None{}); err != nil {
		t.Fatal(err)
	}
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("logout cookies %v, want the session cleared", c)
	}
	status, _, rec = serve(a, "/api/v1/namespaces", "", bob)
	if status != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "signed out") {
		t.Errorf("a copy of the signed-out cookie: %d %s", status, rec.Body)
	}
}
