// Package auth signs people in and tells every API request who it acts for.
//
// Three modes (auth.mode): "none" acts as the dashboard's own identity and is allowed only on
// loopback; "token" takes a pasted Kubernetes bearer token, checked with a TokenReview; "oidc"
// signs in through an OpenID Connect provider (authorization code with PKCE). In token and oidc
// modes a script may send `Authorization: Bearer <token>` instead of signing in. Sessions are
// sealed cookies whose credential is checked again every recheck interval and whose sign-out is
// recorded for every replica (session.go); the identity reaches the data layer in the request's
// context (biz.WithUser), where writes impersonate it and cached reads are reviewed for it.
package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	khttp "github.com/go-kratos/kratos/v2/transport/http"
	"golang.org/x/sync/singleflight"
	utilcache "k8s.io/apimachinery/pkg/util/cache"

	"github.com/kruise-dashboard/kruise-dashboard/app/audit"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/app/stream"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// The modes.
const (
	ModeNone  = "none"
	ModeToken = "token"
	ModeOIDC  = "oidc"
)

const (
	sessionCookie  = "kd_session"
	sessionPurpose = "session"
	// Prefix is the path under which the sign-in endpoints live; they need no identity.
	Prefix = "/api/v1/auth/"
	// DocumentPath is the API's OpenAPI document: public, it describes the open-source code's
	// API and holds no data.
	DocumentPath = "/api/v1/openapi.json"
	// bearerTTL is how long a bearer token's review is reused (scripts call in bursts).
	bearerTTL = 10 * time.Second
)

// Reviewer checks a bearer token with the API server (TokenReview).
type Reviewer interface {
	Review(ctx context.Context, token string) (*biz.User, error)
}

// Authenticator holds the sign-in mode and its sessions.
type Authenticator struct {
	mode     string
	sessions *sealer
	ttl      time.Duration
	reviewer Reviewer
	oidc     *oidcLogin
	bearers  *utilcache.LRUExpireCache
	limits   *reviewLimits // limits.go
	now      func() time.Time
	signOuts SignOuts
	// checked holds the sessions checked within recheckEvery on this replica, by credential
	// (credentialKey); rotated the refresh tokens rotated here and latest each session's newest
	// cookie known here, until the session expires (session.go).
	checked, rotated, latest *utilcache.LRUExpireCache
	recheckEvery             time.Duration
	flight                   singleflight.Group
}

// New checks the sign-in settings against the listen address and builds the authenticator.
func New(c *conf.Auth, s *conf.Server, reviewer Reviewer, signOuts SignOuts) (*Authenticator, error) {
	a := &Authenticator{mode: c.Mode, reviewer: reviewer, bearers: utilcache.NewLRUExpireCache(4096), now: time.Now,
		signOuts: signOuts, recheckEvery: c.Recheck}
	a.checked = utilcache.NewLRUExpireCacheWithClock(16384, nowClock{a})
	// A rotated token is a key; a newest cookie up to maxCookie bytes, so fewer are kept.
	a.rotated = utilcache.NewLRUExpireCacheWithClock(65536, nowClock{a})
	a.latest = utilcache.NewLRUExpireCacheWithClock(8192, nowClock{a})
	if err := a.setLimits(c, s); err != nil {
		return nil, err
	}
	switch c.Mode {
	case ModeNone:
		if !IsLoopback(s.Addr) {
			return nil, fmt.Errorf("auth.mode none acts as the dashboard's own identity for anyone who reaches it, so it may listen only on loopback, not %q: set KD_HTTP_ADDR=127.0.0.1:8080, or sign people in with KD_AUTH_MODE=token or KD_AUTH_MODE=oidc", s.Addr)
		}
		return a, nil
	case ModeToken, ModeOIDC:
	default:
		return nil, fmt.Errorf("auth.mode %q: want none, token or oidc (KD_AUTH_MODE)", c.Mode)
	}
	key := c.SessionKey
	if c.SessionKeyFile != "" {
		raw, err := readSecretFile(c.SessionKeyFile)
		if err != nil {
			return nil, fmt.Errorf("auth.session_key_file: %w", err)
		}
		key = raw
	}
	if key == "" {
		return nil, fmt.Errorf("auth.mode %s needs a session key shared by every replica: set KD_AUTH_SESSION_KEY or KD_AUTH_SESSION_KEY_FILE (e.g. a mounted Secret holding `openssl rand -hex 32`)", c.Mode)
	}
	var err error
	if a.sessions, err = newSealer(key); err != nil {
		return nil, fmt.Errorf("auth.session_key: %w", err)
	}
	a.ttl = c.SessionTTL
	if a.recheckEvery <= 0 || a.recheckEvery > a.ttl {
		return nil, fmt.Errorf("auth.recheck must be positive and at most auth.session_ttl (%s), got %s (KD_AUTH_RECHECK)", a.ttl, a.recheckEvery)
	}
	if c.Mode == ModeOIDC {
		if a.oidc, err = newOIDCLogin(c.OIDC, a.sessions); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// nowClock is the authenticator's now, for the expiry of checked sessions (tests move it).
type nowClock struct{ a *Authenticator }

func (c nowClock) Now() time.Time { return c.a.now() }

// Mode is the sign-in mode.
func (a *Authenticator) Mode() string { return a.mode }

// IsLoopback tells whether a listen address binds only loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Filter gives every API request an identity, or answers 401. The sign-in endpoints, health
// probes and the UI's files need none.
func (a *Authenticator) Filter(fail func(http.ResponseWriter, *http.Request, *biz.Error)) khttp.FilterFunc {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, Prefix) || r.URL.Path == DocumentPath {
				next.ServeHTTP(w, r)
				return
			}
			u, session, err := a.identify(w, r)
			if err != nil {
				fail(w, r, err)
				return
			}
			audit.SetUser(r.Context(), biz.Describe(biz.WithUser(r.Context(), u)), u.Groups)
			ctx := biz.WithUser(r.Context(), u)
			if session != "" && r.URL.Path == stream.Path {
				// The live stream outlives any interval: it ends when a re-check would refuse.
				var cancel context.CancelFunc
				ctx, cancel = a.whileValid(ctx, r, session)
				defer cancel()
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// identify returns who the request acts for, and the session cookie's value when it came from one.
func (a *Authenticator) identify(w http.ResponseWriter, r *http.Request) (*biz.User, string, *biz.Error) {
	if a.mode == ModeNone {
		return &biz.User{}, "", nil
	}
	if r.Header.Get("Authorization") != "" {
		u, err := a.Bearer(r)
		return u, "", err
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, "", biz.Unauthorized("sign in first (auth mode %s), or send Authorization: Bearer <token>", a.mode)
	}
	u, e := a.fromSession(w, r, c.Value)
	return u, c.Value, e
}

// whileValid is ctx, cancelled once the session would be refused (checked every recheck interval).
func (a *Authenticator) whileValid(ctx context.Context, r *http.Request, value string) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		// Ticking faster than the interval keeps the delay past it short.
		t := time.NewTicker(max(a.recheckEvery/4, 250*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				w := headers{}
				if _, err := a.fromSession(w, r.WithContext(ctx), value); err != nil {
					cancel()
					return
				}
				// A renewed session (rotated refresh token) is checked with its new value next.
				for _, c := range (&http.Response{Header: http.Header(w)}).Cookies() {
					if c.Name == sessionCookie && c.Value != "" {
						value = c.Value
					}
				}
			}
		}
	}()
	return ctx, cancel
}

// headers is a ResponseWriter keeping only headers, for checks made outside a request's answer.
type headers http.Header

func (h headers) Header() http.Header       { return http.Header(h) }
func (headers) Write(b []byte) (int, error) { return len(b), nil }
func (headers) WriteHeader(int)             {}

// bearer reviews a token, reusing a recent answer (keyed by the token's hash, never the token).
// Bearer is who the request's `Authorization: Bearer <token>` is (TokenReview; whatever the
// sign-in mode, for listeners that take only tokens).
func (a *Authenticator) Bearer(r *http.Request) (*biz.User, *biz.Error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return nil, biz.Unauthorized("the Authorization header must be `Bearer <token>`")
	}
	return a.bearer(r, strings.TrimSpace(token))
}

func (a *Authenticator) bearer(r *http.Request, token string) (*biz.User, *biz.Error) {
	key := sha256.Sum256([]byte(token))
	if u, ok := a.bearers.Get(key); ok {
		return u.(*biz.User).WithToken(token), nil
	}
	u, err := a.limits.review(r.Context(), r, token, a.reviewer)
	if err != nil {
		return nil, asAPIError(err)
	}
	a.bearers.Add(key, u, bearerTTL)
	return u.WithToken(token), nil
}

// setCookie adds a Set-Cookie header to the answer.
func setCookie(in service.Input, c *http.Cookie) {
	if v := c.String(); v != "" {
		in.Reply.Add("Set-Cookie", v)
	}
}

// cookie is a session-scoped cookie: HttpOnly, SameSite=Lax (the OIDC provider's redirect back is
// a top-level navigation from another site; unsafe cross-site requests are refused separately),
// Secure when served over TLS.
func cookie(r *http.Request, name, path, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
	}
	return c
}

// AuthConfig is how users sign in, for the UI's sign-in page.
type AuthConfig struct {
	Mode     string `json:"mode" enum:"none,token,oidc"`
	ReadOnly bool   `json:"readOnly"`
}

// LoginBody is the body of POST /api/v1/auth/login.
type LoginBody struct {
	Token string `json:"token"`
}

// SignedOut is the answer of POST /api/v1/auth/logout.
type SignedOut struct {
	SignedOut bool `json:"signedOut"`
	// EndSession is the issuer's RP-initiated logout address (oidc mode, when it has one): the
	// UI sends the browser there to end the session at the issuer too.
	EndSession string `json:"endSession,omitempty"`
}

// Config serves GET /api/v1/auth/config: the mode, for the UI's sign-in page.
func (a *Authenticator) Config(readOnly bool) service.Handler[service.None, AuthConfig] {
	return func(context.Context, service.Input, service.None) (AuthConfig, error) {
		return AuthConfig{Mode: a.mode, ReadOnly: readOnly}, nil
	}
}

// Login serves POST /api/v1/auth/login {"token": "..."}: the token is reviewed and a session
// starts for the identity the API server gives it. The token is kept sealed in the session
// cookie (never logged or answered) to be reviewed again every recheck interval.
func (a *Authenticator) Login(ctx context.Context, in service.Input, body LoginBody) (*biz.Me, error) {
	if a.mode == ModeNone {
		return nil, biz.BadRequest("auth mode none: there is no sign-in")
	}
	token := strings.TrimSpace(body.Token)
	if token == "" {
		return nil, biz.BadRequest("token is required")
	}
	u, err := a.limits.review(ctx, in.Request, token, a.reviewer)
	if err != nil {
		return nil, asAPIError(err)
	}
	audit.SetUser(ctx, u.Name, u.Groups)
	if err := a.startSession(in, session{User: u.Name, Groups: u.Groups, Token: token}, a.now().Add(a.ttl)); err != nil {
		return nil, err
	}
	return &biz.Me{User: u.Name, Groups: u.Groups, Mode: a.mode}, nil
}

func asAPIError(err error) *biz.Error {
	var e *biz.Error
	if errors.As(err, &e) {
		return e
	}
	return biz.Unavailable(err, "check the token: %v", err)
}

// readSecretFile reads a secret mounted as a file, without its trailing newline.
func readSecretFile(path string) (string, error) {
	raw, err := os.ReadFile(path)
	return strings.TrimSpace(string(raw)), err
}
