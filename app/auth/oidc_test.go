package auth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/app/stream"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// fakeIssuer is a pure unit test's OpenID provider on loopback: discovery, keys and a token
// endpoint that signs ID tokens with its own key. Like issuers that forbid reuse, it rotates the
// refresh token at every redemption and refuses one already redeemed (invalid_grant).
type fakeIssuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey

	mu        sync.Mutex
	codes     map[string]fakeCode // authorization code -> who and the sign-in's nonce
	live      map[string]string   // refresh token not yet redeemed -> username
	groups    map[string][]string // username -> groups, read at every token issued
	noRefresh bool                // give no refresh token at sign-in
	idTTL     time.Duration       // the ID tokens' lifetime
	redeemed  int                 // refresh tokens redeemed
	refused   []string            // why refresh tokens were refused
}

type fakeCode struct{ user, nonce string }

const fakeClient = "kd-test"

func newFakeIssuer(t *testing.T) *fakeIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeIssuer{key: key, codes: map[string]fakeCode{}, live: map[string]string{}, groups: map[string][]string{}, idTTL: time.Hour}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/auth", "token_endpoint": f.srv.URL + "/token",
			"jwks_uri": f.srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k1",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	mux.HandleFunc("POST /token", f.token)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeIssuer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var user, nonce string
	switch r.Form.Get("grant_type") {
	case "authorization_code":
		c, ok := f.codes[r.Form.Get("code")]
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
			return
		}
		delete(f.codes, r.Form.Get("code"))
		user, nonce = c.user, c.nonce
	case "refresh_token":
		old := r.Form.Get("refresh_token")
		var ok bool
		if user, ok = f.live[old]; !ok {
			f.refused = append(f.refused, old)
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "refresh token already redeemed or unknown"})
			return
		}
		delete(f.live, old) // rotated: the old one is never accepted again
		f.redeemed++
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": f.srv.URL, "sub": "sub-" + user, "aud": fakeClient, "iat": now.Unix(),
		"exp": now.Add(f.idTTL).Unix(), "preferred_username": user, "groups": f.groups[user]}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	out := map[string]any{"access_token": randomHex(), "token_type": "Bearer", "expires_in": 300, "id_token": f.sign(claims)}
	if !(f.noRefresh && r.Form.Get("grant_type") == "authorization_code") {
		next := "rt-" + randomHex()
		f.live[next] = user
		out["refresh_token"] = next
	}
	writeJSON(w, http.StatusOK, out)
}

// sign is claims as a compact RS256 JWT.
func (f *fakeIssuer) sign(claims map[string]any) string {
	b64 := base64.RawURLEncoding.EncodeToString
	head, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "k1"})
	body, _ := json.Marshal(claims)
	signing := b64(head) + "." + b64(body)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return signing + "." + b64(sig)
}

func (f *fakeIssuer) stats() (redeemed int, refused []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.redeemed, append([]string(nil), f.refused...)
}

// newOIDCAuth is one replica of an oidc-mode dashboard signing in at f.
func newOIDCAuth(t *testing.T, f *fakeIssuer, ttl, recheck time.Duration) *Authenticator {
	t.Helper()
	a, err := New(&conf.Auth{Mode: ModeOIDC, SessionKey: key, SessionTTL: ttl, Recheck: recheck, OIDC: &conf.OIDC{
		IssuerURL: f.srv.URL, ClientID: fakeClient, ClientSecret: "s", RedirectURL: "http://127.0.0.1/api/v1/auth/oidc/callback",
		UsernameClaim: "preferred_username", GroupsClaim: "groups",
	}}, &conf.Server{Addr: "0.0.0.0:8080"}, nil, &memorySignOuts{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// oidcSignIn runs the authorization-code flow of a against f for user and returns the session
// cookie the callback sets.
func oidcSignIn(t *testing.T, a *Authenticator, f *fakeIssuer, user string) *http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	out, err := a.OIDCLogin(context.Background(), service.Input{Request: httptest.NewRequest(http.MethodGet, "/api/v1/auth/oidc/login", nil), Reply: rec.Header()}, service.None{})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := url.Parse(out.URL)
	if err != nil {
		t.Fatal(err)
	}
	code := randomHex()
	f.mu.Lock()
	f.codes[code] = fakeCode{user: user, nonce: auth.Query().Get("nonce")}
	f.mu.Unlock()
	q := url.Values{"code": {code}, "state": {auth.Query().Get("state")}}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/auth/oidc/callback?"+q.Encode(), nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	if _, err := a.OIDCCallback(context.Background(), service.Input{Request: req, Query: q, Reply: rec.Header()}, service.None{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	t.Fatal("the callback set no session cookie")
	return nil
}

// renewed is the session cookie an answer set, or c when it set none.
func renewed(rec *httptest.ResponseRecorder, c *http.Cookie) *http.Cookie {
	for _, n := range rec.Result().Cookies() {
		if n.Name == sessionCookie && n.Value != "" {
			return n
		}
	}
	return c
}

// TestRotatedRefreshTokensKeepSessions: an issuer that rotates refresh tokens and refuses reuse,
// two replicas re-checking the same session, a browser keeping whatever cookie it was last handed
// (docs/configuration.md §2): the session never ends while the user may sign in.
func TestRotatedRefreshTokensKeepSessions(t *testing.T) {
	const recheck = time.Minute
	type step struct {
		replica int
		advance time.Duration
	}
	// A schedule where one replica hands back the cookie of its own rotation after the other one
	// rotated further, then the browser comes back to it after the interval.
	scripted := []step{{0, 5 * time.Second}, {1, 5 * time.Second}, {0, 20 * time.Second}, {0, 40 * time.Second},
		{1, 10 * time.Second}, {0, 25 * time.Second}, {1, 30 * time.Second}, {1, 40 * time.Second}, {0, 5 * time.Second},
		{1, 50 * time.Second}, {0, 61 * time.Second}, {0, 1 * time.Second}, {1, 59 * time.Second}, {0, 30 * time.Second}}
	// And many interleavings: a fixed seed, so a failure repeats.
	rnd := mrand.New(mrand.NewPCG(17, 2026))
	var random []step
	for range 80 {
		random = append(random, step{rnd.IntN(2), time.Duration(rnd.IntN(46)) * time.Second})
	}
	for _, c := range []struct {
		name  string
		steps []step
	}{{"scripted", scripted}, {"random", random}} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeIssuer(t)
			now := time.Now()
			replicas := []*Authenticator{newOIDCAuth(t, f, 8*time.Hour, recheck), newOIDCAuth(t, f, 8*time.Hour, recheck)}
			for _, a := range replicas {
				a.now = func() time.Time { return now }
			}
			browser := oidcSignIn(t, replicas[0], f, "carol")
			start := now
			for i, s := range c.steps {
				now = now.Add(s.advance)
				status, seen, rec := serve(replicas[s.replica], "/api/v1/me", "", browser)
				if status != http.StatusOK || seen == nil || seen.Name != "carol" {
					_, refused := f.stats()
					t.Fatalf("step %d (replica %d, %s in): %d %s; refused refresh tokens %v", i, s.replica, now.Sub(start), status, strings.TrimSpace(rec.Body.String()), refused)
				}
				browser = renewed(rec, browser)
			}
			redeemed, refused := f.stats()
			if intervals := now.Sub(start) / recheck; intervals < 3 || redeemed < 3 || len(refused) > 0 {
				t.Errorf("%d intervals, %d refresh tokens redeemed, refused %v: want 3 intervals or more, 3 redemptions or more, none refused", intervals, redeemed, refused)
			}
		})
	}
}

// TestStreamRotationKeepsTheBrowsersCookie: the live stream's re-check rotates the refresh token
// without the browser ever getting the new cookie; once the stream has ended and the interval
// passed, the browser's older cookie is still accepted (served as its successor) and the browser
// is handed the newest one.
func TestStreamRotationKeepsTheBrowsersCookie(t *testing.T) {
	const recheck = time.Second // real time: the stream's re-check ticks on a real ticker
	f := newFakeIssuer(t)
	a := newOIDCAuth(t, f, time.Hour, recheck)
	browser := oidcSignIn(t, a, f, "carol")

	stop, done := make(chan struct{}), make(chan int)
	go func() {
		status, _, _ := serveUntil(a, stream.Path, browser, stop)
		done <- status
	}()
	deadline := time.Now().Add(10 * time.Second)
	for redeemed, _ := f.stats(); redeemed < 2; redeemed, _ = f.stats() {
		if time.Now().After(deadline) {
			t.Fatalf("the stream's re-check redeemed %d refresh tokens in 10s, want 2", redeemed)
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	if status := <-done; status != http.StatusOK {
		t.Fatalf("the stream: %d", status)
	}
	time.Sleep(recheck + 100*time.Millisecond)
	for i := range 3 { // the older cookie, then whatever the browser is handed, over 2 intervals
		status, _, rec := serve(a, "/api/v1/me", "", browser)
		if status != http.StatusOK {
			_, refused := f.stats()
			t.Fatalf("request %d after the stream: %d %s; refused refresh tokens %v", i, status, strings.TrimSpace(rec.Body.String()), refused)
		}
		next := renewed(rec, browser)
		if i == 0 && next.Value == browser.Value {
			t.Error("the browser was not handed the renewed cookie")
		}
		browser = next
		time.Sleep(recheck / 2)
	}
	if _, refused := f.stats(); len(refused) > 0 {
		t.Errorf("refresh tokens redeemed twice: %v", refused)
	}
}

// serveUntil is serve for a request whose handler runs until stop is closed or its context ends.
func serveUntil(a *Authenticator, path string, c *http.Cookie, stop <-chan struct{}) (int, string, *httptest.ResponseRecorder) {
	h := a.Filter(func(w http.ResponseWriter, _ *http.Request, e *biz.Error) { http.Error(w, e.Message, e.Status) })(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
			w.WriteHeader(http.StatusGone) // the re-check ended the stream
		}
	}))
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec
}

// TestSessionWithoutRefreshEndsWithTheIDToken: an issuer that gives no refresh token leaves
// nothing to re-check the user with, so the session cookie expires with the ID token (not the
// session TTL); with a refresh token it lasts the TTL, re-checked every interval.
func TestSessionWithoutRefreshEndsWithTheIDToken(t *testing.T) {
	const ttl = 8 * time.Hour
	cases := []struct {
		name      string
		noRefresh bool
		idTTL     time.Duration
		want      func(idExpiry, ttlEnd time.Time) time.Time
	}{
		{"no refresh token: the ID token's expiry", true, 10 * time.Minute, func(id, _ time.Time) time.Time { return id }},
		{"refresh token: the session TTL", false, 10 * time.Minute, func(_, end time.Time) time.Time { return end }},
		{"no refresh token, ID token outliving the TTL: the TTL", true, 24 * time.Hour, func(_, end time.Time) time.Time { return end }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeIssuer(t)
			f.noRefresh, f.idTTL = c.noRefresh, c.idTTL
			a := newOIDCAuth(t, f, ttl, time.Minute)
			before := time.Now()
			got := oidcSignIn(t, a, f, "carol")
			after := time.Now()
			s, sealedExpiry, err := unsealExpiry[session](a.sessions, sessionPurpose, got.Value, after)
			if err != nil {
				t.Fatal(err)
			}
			if (s.Refresh == "") != c.noRefresh {
				t.Fatalf("session refresh token %q, want one: %v", s.Refresh, !c.noRefresh)
			}
			// The issuer stamps the ID token between before and after (whole seconds).
			lo, hi := c.want(before.Add(c.idTTL), before.Add(ttl)), c.want(after.Add(c.idTTL), after.Add(ttl))
			for what, e := range map[string]time.Time{"cookie Expires": got.Expires, "sealed expiry": sealedExpiry} {
				if e.Before(lo.Truncate(time.Second)) || e.After(hi) {
					t.Errorf("%s %s, want between %s and %s", what, e, lo.Truncate(time.Second), hi)
				}
			}
		})
	}
}
