package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/kruise-dashboard/kruise-dashboard/app/audit"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

const (
	stateCookie  = "kd_oidc"
	statePurpose = "oidc-state"
	statePath    = Prefix + "oidc/"
	// stateTTL bounds how long a sign-in at the provider may take.
	stateTTL = 10 * time.Minute
)

// oidcLogin is the authorization-code flow with PKCE against one issuer. The provider's discovery
// document is read on first use (and again until it succeeds), so the dashboard starts even
// while the provider is down.
type oidcLogin struct {
	c        conf.OIDC
	secret   string
	scopes   []string
	sealer   *sealer
	mu       sync.Mutex
	provider *oidc.Provider
}

// loginState is what the state cookie carries between the redirect out and the callback.
type loginState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Redirect string `json:"r"`
}

func newOIDCLogin(c *conf.OIDC, s *sealer) (*oidcLogin, error) {
	if c == nil || c.IssuerURL == "" || c.ClientID == "" || c.RedirectURL == "" {
		return nil, fmt.Errorf("auth.mode oidc needs auth.oidc issuer_url, client_id and redirect_url (KD_OIDC_ISSUER_URL, KD_OIDC_CLIENT_ID, KD_OIDC_REDIRECT_URL)")
	}
	if c.UsernameClaim == "" {
		return nil, fmt.Errorf("auth.oidc.username_claim is required (KD_OIDC_USERNAME_CLAIM), e.g. email or preferred_username")
	}
	secret := c.ClientSecret
	if c.ClientSecretFile != "" {
		raw, err := readSecretFile(c.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("auth.oidc.client_secret_file: %w", err)
		}
		secret = raw
	}
	scopes := slices.Clone(c.Scopes)
	if len(scopes) == 0 || !contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	return &oidcLogin{c: *c, secret: secret, scopes: scopes, sealer: s}, nil
}

func (o *oidcLogin) discover(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		p, err := oidc.NewProvider(ctx, o.c.IssuerURL)
		if err != nil {
			return nil, nil, biz.Unavailable(err, "the OpenID provider %s cannot be reached: %v", o.c.IssuerURL, err)
		}
		o.provider = p
	}
	return o.provider, &oauth2.Config{
		ClientID: o.c.ClientID, ClientSecret: o.secret, RedirectURL: o.c.RedirectURL,
		Endpoint: o.provider.Endpoint(), Scopes: o.scopes,
	}, nil
}

// OIDCLogin serves GET /api/v1/auth/oidc/login?redirect=/path: off to the provider.
func (a *Authenticator) OIDCLogin(ctx context.Context, in service.Input, _ service.None) (service.Redirect, error) {
	if a.oidc == nil {
		return service.Redirect{}, biz.NotFound("OpenID Connect sign-in is not configured (auth mode %s)", a.mode)
	}
	_, cfg, err := a.oidc.discover(ctx)
	if err != nil {
		return service.Redirect{}, err
	}
	st := loginState{State: randomHex(), Nonce: randomHex(), Verifier: oauth2.GenerateVerifier(), Redirect: localPath(in.Query.Get("redirect"))}
	expires := a.now().Add(stateTTL)
	value, err := seal(a.sessions, statePurpose, st, expires)
	if err != nil {
		return service.Redirect{}, biz.Internal(err, "seal sign-in state: %v", err)
	}
	setCookie(in, cookie(in.Request, stateCookie, statePath, value, expires))
	return service.Redirect{URL: cfg.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))}, nil
}

// OIDCCallback serves GET /api/v1/auth/oidc/callback: the code is exchanged (with the PKCE
// verifier), the ID token verified (issuer, audience, expiry, nonce), the identity read from the
// configured claims, and a session started.
func (a *Authenticator) OIDCCallback(ctx context.Context, in service.Input, _ service.None) (service.Redirect, error) {
	if a.oidc == nil {
		return service.Redirect{}, biz.NotFound("OpenID Connect sign-in is not configured (auth mode %s)", a.mode)
	}
	c, err := in.Request.Cookie(stateCookie)
	if err != nil {
		return service.Redirect{}, biz.BadRequest("no sign-in in progress in this browser: start again at %slogin", statePath)
	}
	st, err := unseal[loginState](a.sessions, statePurpose, c.Value, a.now())
	if err != nil {
		return service.Redirect{}, biz.BadRequest("the sign-in state is %v: start again", err)
	}
	setCookie(in, cookie(in.Request, stateCookie, statePath, "", time.Time{}))
	q := in.Query
	if e := q.Get("error"); e != "" {
		return service.Redirect{}, biz.Unauthorized("the OpenID provider refused the sign-in: %s %s", e, q.Get("error_description"))
	}
	if q.Get("state") == "" || q.Get("state") != st.State {
		return service.Redirect{}, biz.BadRequest("the sign-in state does not match: start again")
	}
	u, err := a.oidc.identity(ctx, q.Get("code"), st)
	if err != nil {
		return service.Redirect{}, err
	}
	audit.SetUser(ctx, u.Name, u.Groups)
	if err := a.startSession(in, u); err != nil {
		return service.Redirect{}, err
	}
	return service.Redirect{URL: st.Redirect}, nil
}

// identity exchanges the code and maps the verified claims to a Kubernetes identity.
func (o *oidcLogin) identity(ctx context.Context, code string, st loginState) (*biz.User, error) {
	provider, cfg, err := o.discover(ctx)
	if err != nil {
		return nil, err
	}
	token, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return nil, biz.Unauthorized("the OpenID provider did not exchange the code: %v", err)
	}
	raw, ok := token.Extra("id_token").(string)
	if !ok {
		return nil, biz.Unauthorized("the OpenID provider returned no ID token")
	}
	idToken, err := provider.Verifier(&oidc.Config{ClientID: o.c.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, biz.Unauthorized("the ID token is not valid: %v", err)
	}
	if idToken.Nonce != st.Nonce {
		return nil, biz.Unauthorized("the ID token's nonce does not match this sign-in")
	}
	claims := map[string]any{}
	if err := idToken.Claims(&claims); err != nil {
		return nil, biz.Unauthorized("the ID token's claims cannot be read: %v", err)
	}
	// Providers may keep profile claims out of the ID token: the userinfo endpoint has them.
	if _, ok := claims[o.c.UsernameClaim]; !ok {
		info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(token))
		if err != nil {
			return nil, biz.Unauthorized("the ID token has no %q claim and the userinfo endpoint failed: %v", o.c.UsernameClaim, err)
		}
		extra := map[string]any{}
		if err := info.Claims(&extra); err == nil {
			for k, v := range extra {
				if _, ok := claims[k]; !ok {
					claims[k] = v
				}
			}
		}
	}
	return userFromClaims(o.c, claims)
}

// userFromClaims reads the username and groups as the API server's --oidc-username-claim,
// --oidc-username-prefix, --oidc-groups-claim and --oidc-groups-prefix would.
func userFromClaims(c conf.OIDC, claims map[string]any) (*biz.User, error) {
	name, _ := claims[c.UsernameClaim].(string)
	if name == "" {
		return nil, biz.Unauthorized("the provider gave no %q claim (auth.oidc.username_claim) for this user", c.UsernameClaim)
	}
	if c.UsernameClaim == "email" {
		if verified, ok := claims["email_verified"].(bool); ok && !verified {
			return nil, biz.Unauthorized("the email %s is not verified by the provider", name)
		}
	}
	u := &biz.User{Name: c.UsernamePrefix + name, Groups: []string{}, Impersonate: true}
	if c.GroupsClaim != "" {
		switch g := claims[c.GroupsClaim].(type) {
		case string:
			u.Groups = append(u.Groups, c.GroupsPrefix+g)
		case []any:
			for _, item := range g {
				if s, ok := item.(string); ok {
					u.Groups = append(u.Groups, c.GroupsPrefix+s)
				}
			}
		}
	}
	return u, nil
}

// localPath keeps a post-sign-in redirect on this site: a path, never another origin.
func localPath(p string) string {
	u, err := url.Parse(p)
	if p == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, `\`) {
		return "/"
	}
	return p
}

func randomHex() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
