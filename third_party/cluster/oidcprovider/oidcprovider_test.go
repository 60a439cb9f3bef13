package oidcprovider

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// The callback is never requested (Login returns it unrequested), so nothing listens there.
const redirectURI = "http://127.0.0.1:1/auth/callback"

var testUsers = []User{
	{ID: "u-alice", Username: "alice", Password: "alice-pw", Email: "alice@example.test", Groups: []string{"dev", "ops"}},
	{ID: "u-bob", Username: "bob", Password: "bob-pw", Email: "bob@example.test"},
}

func startProvider(t *testing.T) *Provider {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts the oidc-provider binary")
	}
	// A cold run builds it behind the control-plane binaries on the cache lock: allow for the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	p, err := Start(ctx, t.TempDir(), testUsers, []string{redirectURI})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

func TestProvider(t *testing.T) {
	p := startProvider(t)
	ctx := context.Background()

	t.Run("discovery", func(t *testing.T) {
		if u, err := url.Parse(p.Issuer); err != nil || u.Hostname() != "127.0.0.1" {
			t.Fatalf("issuer %q is not on 127.0.0.1 (%v)", p.Issuer, err)
		}
		resp, err := http.Get(p.Issuer + ".well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc struct {
			Issuer                string   `json:"issuer"`
			CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
			AuthorizationEndpoint string   `json:"authorization_endpoint"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if doc.Issuer != p.Issuer {
			t.Fatalf("discovery issuer %q, want %q", doc.Issuer, p.Issuer)
		}
		if !strings.Contains(strings.Join(doc.CodeChallengeMethods, ","), "S256") {
			t.Fatalf("S256 PKCE not advertised: %v", doc.CodeChallengeMethods)
		}
	})

	provider, err := oidc.NewProvider(ctx, p.Issuer) // also checks the issuer matches
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth2.Config{
		ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: provider.Endpoint(),
		RedirectURL: redirectURI, Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: p.ClientID})

	// login starts an authorization request with PKCE and a nonce, signs in and returns the code.
	login := func(t *testing.T, user User, codeVerifier, nonce string) string {
		t.Helper()
		state := randomHex(8)
		authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(codeVerifier), oidc.Nonce(nonce))
		cb, err := p.Login(http.DefaultClient, authURL, user.Username, user.Password)
		if err != nil {
			t.Fatal(err)
		}
		if got := cb.Scheme + "://" + cb.Host + cb.Path; got != redirectURI {
			t.Fatalf("callback %s, want %s", cb, redirectURI)
		}
		if cb.Query().Get("state") != state || cb.Query().Get("code") == "" {
			t.Fatalf("callback %s lacks code or state %q", cb, state)
		}
		return cb.Query().Get("code")
	}

	for _, user := range testUsers {
		t.Run("code flow "+user.Username, func(t *testing.T) {
			codeVerifier, nonce := oauth2.GenerateVerifier(), randomHex(8)
			code := login(t, user, codeVerifier, nonce)
			tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(codeVerifier))
			if err != nil {
				t.Fatal(err)
			}
			rawID, _ := tok.Extra("id_token").(string)
			idt, err := verifier.Verify(ctx, rawID)
			if err != nil {
				t.Fatal(err)
			}
			if idt.Subject != user.ID || idt.Nonce != nonce || idt.Issuer != p.Issuer {
				t.Fatalf("id token sub %q nonce %q iss %q, want %q %q %q", idt.Subject, idt.Nonce, idt.Issuer, user.ID, nonce, p.Issuer)
			}
			var idClaims map[string]any
			if err := idt.Claims(&idClaims); err != nil {
				t.Fatal(err)
			}
			t.Logf("id token claims: %v", idClaims)

			info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatal(err)
			}
			var claims struct {
				PreferredUsername string `json:"preferred_username"`
			}
			if err := info.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if info.Subject != user.ID || claims.PreferredUsername != user.Username || info.Email != user.Email || !info.EmailVerified {
				t.Fatalf("userinfo sub %q preferred_username %q email %q verified %v, want %q %q %q true",
					info.Subject, claims.PreferredUsername, info.Email, info.EmailVerified, user.ID, user.Username, user.Email)
			}
			var infoClaims map[string]any
			_ = info.Claims(&infoClaims)
			t.Logf("userinfo claims: %v", infoClaims)
		})
	}

	// The groups claim of an ID token (nil when there is none).
	groupsOf := func(t *testing.T, tok *oauth2.Token) []any {
		t.Helper()
		rawID, _ := tok.Extra("id_token").(string)
		idt, err := verifier.Verify(ctx, rawID)
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			Groups []any `json:"groups"`
		}
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		return claims.Groups
	}

	t.Run("refresh rotates, refuses reuse, and gives the current groups", func(t *testing.T) {
		offline := cfg
		offline.Scopes = append([]string{"offline_access"}, cfg.Scopes...)
		codeVerifier := oauth2.GenerateVerifier()
		authURL := offline.AuthCodeURL("st", oauth2.S256ChallengeOption(codeVerifier), oidc.Nonce("n"))
		cb, err := p.Login(http.DefaultClient, authURL, "alice", "alice-pw")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := offline.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(codeVerifier))
		if err != nil || tok.RefreshToken == "" {
			t.Fatalf("exchange: %v, refresh token %q", err, tok.RefreshToken)
		}
		if g := groupsOf(t, tok); len(g) != 2 || g[0] != "dev" || g[1] != "ops" {
			t.Fatalf("groups at sign-in %v, want [dev ops]", g)
		}
		if err := p.SetUsers([]User{{ID: "u-alice", Username: "alice", Password: "alice-pw", Email: "alice@example.test", Groups: []string{"dev"}}, testUsers[1]}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.SetUsers(testUsers) })
		refresh := func(rt string) (*oauth2.Token, error) {
			return offline.TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token()
		}
		next, err := refresh(tok.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken {
			t.Errorf("refresh gave refresh token %q after %q, want a new one (rotation)", next.RefreshToken, tok.RefreshToken)
		}
		if g := groupsOf(t, next); len(g) != 1 || g[0] != "dev" {
			t.Errorf("groups after leaving ops %v, want [dev]", g)
		}
		_, err = refresh(tok.RefreshToken)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Errorf("the redeemed refresh token again: %v, want invalid_grant", err)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		authURL := cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
		_, err := p.Login(http.DefaultClient, authURL, "alice", "bob-pw")
		if err == nil || !strings.Contains(err.Error(), "username or password wrong") {
			t.Fatalf("got %v, want the login page's rejection", err)
		}
	})

	t.Run("PKCE enforced", func(t *testing.T) {
		code := login(t, testUsers[0], oauth2.GenerateVerifier(), "n")
		if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
			t.Fatal("exchange with the wrong code_verifier succeeded")
		}
	})

	t.Run("stop", func(t *testing.T) {
		p.Stop()
		if err := getOK(ctx, http.DefaultClient, p.Issuer+".well-known/openid-configuration"); err == nil {
			t.Fatal("provider still answers after Stop")
		}
	})
}
