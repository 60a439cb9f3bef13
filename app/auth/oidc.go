package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
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
	signed, err := a.oidc.identity(ctx, q.Get("code"), st)
	if err != nil {
		return service.Redirect{}, err
	}
	u := signed.user
	audit.SetUser(ctx, u.Name, u.Groups)
	// Without a refresh token nothing can re-check the user: the session ends with the ID token.
	expires := a.now().Add(a.ttl)
	if signed.refresh == "" && !signed.expires.IsZero() && signed.expires.Before(expires) {
		expires = signed.expires
	}
	s := session{User: u.Name, Groups: u.Groups, Refresh: signed.refresh, IDToken: signed.idToken}
	if err := a.startSession(in, s, expires); err != nil {
		return service.Redirect{}, err
	}
	return service.Redirect{URL: st.Redirect}, nil
}

// signedIn is what an exchange or a refresh gives: who, and the tokens a session keeps.
type signedIn struct {
	user             *biz.User
	refresh, idToken string
	// expires is the ID token's expiry.
	expires time.Time
}

// identity exchanges the code and maps the verified claims to a Kubernetes identity.
func (o *oidcLogin) identity(ctx context.Context, code string, st loginState) (*signedIn, error) {
	provider, cfg, err := o.discover(ctx)
	if err != nil {
		return nil, err
	}
	token, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return nil, biz.Unauthorized("the OpenID provider did not exchange the code: %v", err)
	}
	if _, ok := token.Extra("id_token").(string); !ok {
		return nil, biz.Unauthorized("the OpenID provider returned no ID token")
	}
	return o.verified(ctx, provider, token, st.Nonce)
}

// refresh redeems a session's refresh token: the issuer checks the user again and gives the
// current claims (and, when it rotates them, a new refresh token). An issuer that refuses it
// ends the session; one that cannot be reached fails the request without ending it.
func (o *oidcLogin) refresh(ctx context.Context, refreshToken string) (*signedIn, error) {
	provider, cfg, err := o.discover(ctx)
	if err != nil {
		return nil, err
	}
	token, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return nil, accessEnded(fmt.Errorf("the OpenID provider refused to renew it: %s %s", re.ErrorCode, re.ErrorDescription))
		}
		return nil, biz.Unavailable(err, "the OpenID provider %s cannot re-check your sign-in now: %v", o.c.IssuerURL, err)
	}
	out, err := o.verified(ctx, provider, token, "")
	if err != nil {
		return nil, accessEnded(err)
	}
	return out, nil
}

// verified checks token's ID token (when there is one; a refresh may give none) and reads the
// identity from its claims, completed from the userinfo endpoint.
func (o *oidcLogin) verified(ctx context.Context, provider *oidc.Provider, token *oauth2.Token, nonce string) (*signedIn, error) {
	out := &signedIn{refresh: token.RefreshToken}
	claims := map[string]any{}
	if raw, ok := token.Extra("id_token").(string); ok && raw != "" {
		idToken, err := provider.Verifier(&oidc.Config{ClientID: o.c.ClientID}).Verify(ctx, raw)
		if err != nil {
			return nil, biz.Unauthorized("the ID token is not valid: %v", err)
		}
		// A refreshed ID token carries no nonce (OpenID Connect Core §12.2).
		if nonce != "" && idToken.Nonce != nonce {
			return nil, biz.Unauthorized("the ID token's nonce does not match this sign-in")
		}
		if err := idToken.Claims(&claims); err != nil {
			return nil, biz.Unauthorized("the ID token's claims cannot be read: %v", err)
		}
		out.idToken, out.expires = raw, idToken.Expiry
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
	u, err := userFromClaims(o.c, claims)
	if err != nil {
		return nil, err
	}
	out.user = u
	return out, nil
}

// endSession revokes the session's refresh token at the issuer (RFC 7009, when it has a
// revocation endpoint) and returns its RP-initiated logout address, if it has one. The session
// is already recorded as signed out here; these only end what the issuer holds.
func (o *oidcLogin) endSession(ctx context.Context, s session) string {
	provider, cfg, err := o.discover(ctx)
	if err != nil {
		return ""
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
		Revocation string `json:"revocation_endpoint"`
	}
	if err := provider.Claims(&meta); err != nil {
		return ""
	}
	if s.Refresh != "" && meta.Revocation != "" {
		form := url.Values{"token": {s.Refresh}, "token_type_hint": {"refresh_token"}}
		if req, err := http.NewRequestWithContext(ctx, http.MethodPost, meta.Revocation, strings.NewReader(form.Encode())); err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret))
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}
	if meta.EndSession == "" {
		return ""
	}
	u, err := url.Parse(meta.EndSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", o.c.ClientID)
	if s.IDToken != "" {
		q.Set("id_token_hint", s.IDToken)
	}
	if o.c.PostLogoutRedirectURL != "" {
		q.Set("post_logout_redirect_uri", o.c.PostLogoutRedirectURL)
	}
	u.RawQuery = q.Encode()
	return u.String()
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
