// Package auth signs people in and tells every API request who it acts for.
//
// Three modes (auth.mode): "none" acts as the dashboard's own identity and is allowed only on
// loopback; "token" takes a pasted Kubernetes bearer token, checked with a TokenReview; "oidc"
// signs in through an OpenID Connect provider (authorization code with PKCE). In token and oidc
// modes a script may send `Authorization: Bearer <token>` instead of signing in. Sessions are
// sealed cookies (session.go); the identity reaches the data layer in the request's context
// (biz.WithUser), where writes impersonate it and cached reads are reviewed for it.
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
	utilcache "k8s.io/apimachinery/pkg/util/cache"

	"github.com/kruise-dashboard/kruise-dashboard/app/audit"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
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
}

// session is what the session cookie holds.
type session struct {
	User   string   `json:"u"`
	Groups []string `json:"g"`
}

// New checks the sign-in settings against the listen address and builds the authenticator.
func New(c *conf.Auth, s *conf.Server, reviewer Reviewer) (*Authenticator, error) {
	a := &Authenticator{mode: c.Mode, reviewer: reviewer, bearers: utilcache.NewLRUExpireCache(4096), now: time.Now}
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
	if c.Mode == ModeOIDC {
		if a.oidc, err = newOIDCLogin(c.OIDC, a.sessions); err != nil {
			return nil, err
		}
	}
	return a, nil
}

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
			u, err := a.identify(r)
			if err != nil {
				fail(w, r, err)
				return
			}
			audit.SetUser(r.Context(), biz.Describe(biz.WithUser(r.Context(), u)), u.Groups)
			next.ServeHTTP(w, r.WithContext(biz.WithUser(r.Context(), u)))
		})
	}
}

// identify returns who the request acts for.
func (a *Authenticator) identify(r *http.Request) (*biz.User, *biz.Error) {
	if a.mode == ModeNone {
		return &biz.User{}, nil
	}
	if r.Header.Get("Authorization") != "" {
		return a.Bearer(r)
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, biz.Unauthorized("sign in first (auth mode %s), or send Authorization: Bearer <token>", a.mode)
	}
	s, err := unseal[session](a.sessions, sessionPurpose, c.Value, a.now())
	if err != nil {
		return nil, biz.Unauthorized("your session is %v: sign in again", err)
	}
	return &biz.User{Name: s.User, Groups: s.Groups, Impersonate: true}, nil
}

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
		return u.(*biz.User), nil
	}
	u, err := a.limits.review(r.Context(), r, token, a.reviewer)
	if err != nil {
		return nil, asAPIError(err)
	}
	a.bearers.Add(key, u, bearerTTL)
	return u, nil
}

// startSession sets the session cookie for u.
func (a *Authenticator) startSession(in service.Input, u *biz.User) error {
	expires := a.now().Add(a.ttl)
	value, err := seal(a.sessions, sessionPurpose, session{User: u.Name, Groups: u.Groups}, expires)
	if err != nil {
		return biz.Internal(err, "seal session: %v", err)
	}
	setCookie(in, cookie(in.Request, sessionCookie, "/", value, expires))
	return nil
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
}

// Config serves GET /api/v1/auth/config: the mode, for the UI's sign-in page.
func (a *Authenticator) Config(readOnly bool) service.Handler[service.None, AuthConfig] {
	return func(context.Context, service.Input, service.None) (AuthConfig, error) {
		return AuthConfig{Mode: a.mode, ReadOnly: readOnly}, nil
	}
}

// Login serves POST /api/v1/auth/login {"token": "..."}: the token is reviewed and a session
// starts for the identity the API server gives it. The token itself is not kept.
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
	if err := a.startSession(in, u); err != nil {
		return nil, err
	}
	return &biz.Me{User: u.Name, Groups: u.Groups, Mode: a.mode}, nil
}

// Logout serves POST /api/v1/auth/logout: the session cookie is cleared. (Sessions are sealed
// cookies, so a copy taken before sign-out stays valid until it expires: keep session_ttl short.)
func (a *Authenticator) Logout(_ context.Context, in service.Input, _ service.None) (SignedOut, error) {
	setCookie(in, cookie(in.Request, sessionCookie, "/", "", time.Time{}))
	return SignedOut{SignedOut: true}, nil
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
