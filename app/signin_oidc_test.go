package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/oidcprovider"
)

// startOIDC starts a real OpenID provider on loopback with alice (an approver) and bob (no
// role), and a dashboard in mode oidc trusting it; the dashboard's address is chosen first
// because the provider must know its callback.
func startOIDC(t *testing.T, configure ...func(*conf.Bootstrap)) (*dashboard, *oidcprovider.Provider) {
	t.Helper()
	addr, err := apiclient.FreeAddr()
	must(t, "free address", err)
	callback := "http://" + addr + "/api/v1/auth/oidc/callback"
	provider, err := oidcprovider.Start(ctx, t.TempDir(), []oidcprovider.User{
		{ID: "u-alice", Username: "alice", Password: "alice-password", Email: "alice@example.test"},
		{ID: "u-bob", Username: "bob", Password: "bob-password", Email: "bob@example.test"},
		{ID: "u-carol", Username: "carol", Password: "carol-password", Email: "carol@example.test", Groups: []string{"kd-dev", "kd-ops"}},
	}, []string{callback})
	must(t, "start the OpenID provider", err)
	t.Cleanup(provider.Stop)
	d := startSignedIn(t, "oidc", filepath.Join(t.TempDir(), "audit.log"), append([]func(*conf.Bootstrap){func(bc *conf.Bootstrap) {
		bc.Server.Addr = addr
		bc.Auth.OIDC = &conf.OIDC{IssuerURL: provider.Issuer, ClientID: provider.ClientID, ClientSecret: provider.ClientSecret,
			RedirectURL: callback, Scopes: []string{"openid", "profile", "email", "offline_access"}, UsernameClaim: "preferred_username", GroupsClaim: "groups"}
	}}, configure...)...)
	return d, provider
}

// oidcSignIn signs user in through the provider's own login form and returns a client holding
// the session, after checking where the dashboard sends the browser back to.
func oidcSignIn(t *testing.T, d *dashboard, provider *oidcprovider.Provider, user, password, redirect, back string) apiclient.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(d.URL + "/api/v1/auth/oidc/login?redirect=" + url.QueryEscape(redirect))
	must(t, "start OIDC sign-in", err)
	resp.Body.Close()
	auth, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(auth.String(), provider.Issuer) {
		t.Fatalf("sign-in start: %d to %q, want a redirect to the issuer", resp.StatusCode, auth)
	}
	if q := auth.Query(); q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Errorf("authorization request without PKCE, nonce or state: %s", auth.RawQuery)
	}
	callback, err := provider.Login(browser, auth.String(), user, password)
	must(t, "log in at the provider", err)
	resp, err = browser.Get(callback.String())
	must(t, "callback", err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != back {
		t.Fatalf("callback: %d to %q, want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), back)
	}
	return apiclient.Client{URL: d.URL, HTTP: &http.Client{Jar: jar}}
}

// TestSignInOIDC signs in through a real OpenID provider: alice approves (and may do nothing
// else), bob may read nothing, a replayed callback is refused, bearer tokens still work.
func TestSignInOIDC(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	ns, reads, writes := signInFixture(t)
	d, provider := startOIDC(t)

	t.Run("anonymous gets 401 on every route", func(t *testing.T) {
		anon := apiclient.Client{URL: d.URL}
		for _, r := range append(reads, writes...) {
			if status, e := call(t, anon, r, nil); status != http.StatusUnauthorized {
				t.Errorf("%s %s: %d %s", r.method, r.path, status, e.Code)
			}
		}
	})
	alice := oidcSignIn(t, d, provider, "alice", "alice-password", "/rollouts?ns="+ns, "/rollouts?ns="+ns)
	t.Run("alice is who the provider says", func(t *testing.T) {
		var me biz.Me
		alice.MustOK(t, http.MethodGet, "/me?namespace="+ns, &me)
		if me.User != "alice" || me.Mode != "oidc" || !me.Rollouts["approve"].Allowed || me.Workloads["cloneset"]["scale"].Allowed {
			t.Errorf("/me: %+v", me)
		}
	})
	t.Run("alice approves and may do nothing else", func(t *testing.T) {
		before := versions(t, ns)
		for _, r := range writes {
			if strings.Contains(r.path, "/approve") || strings.Contains(r.path, "/promote/") {
				continue
			}
			refused(t, alice, r, "alice")
		}
		if after := versions(t, ns); after != before {
			t.Errorf("refused requests changed objects: %s -> %s", before, after)
		}
		var res biz.ActionResult
		alice.MustOK(t, http.MethodPost, "/rollout/approve/"+ns+"/shop-ro", &res)
		var events []biz.Event
		alice.MustOK(t, http.MethodGet, "/rollout/events/"+ns+"/shop-ro", &events)
		if len(events) == 0 || events[0].Reason != "ApprovedByDashboard" || events[0].Message != "step 1 approved by alice" {
			t.Errorf("events after alice's approval: %+v", events)
		}
		if err := findAPIAudit(shared.cluster.AuditLog(), "dashboard", "alice", "patch", "rollouts", "status", ns); err != nil {
			t.Error(err)
		}
	})
	t.Run("bob signs in and reads nothing", func(t *testing.T) {
		bob := oidcSignIn(t, d, provider, "bob", "bob-password", "/", "/")
		if status, e := bob.Call(t, http.MethodGet, "/workload/"+ns+"/cloneset", nil); status != http.StatusForbidden {
			t.Errorf("bob lists clonesets: %d %s", status, e.Message)
		}
	})
	t.Run("a callback without the browser's sign-in state is refused", func(t *testing.T) {
		status, body := (apiclient.Client{URL: d.URL}).Raw(http.MethodGet, "/api/v1/auth/oidc/callback?code=x&state=y", nil)
		if status != http.StatusBadRequest {
			t.Errorf("forged callback: %d %s", status, body)
		}
	})
	t.Run("after sign-in the browser goes back only to this site", func(t *testing.T) {
		oidcSignIn(t, d, provider, "alice", "alice-password", "//evil.example/x", "/")
	})
	t.Run("scripts may send a bearer token in oidc mode", func(t *testing.T) {
		if status, e := as(d, "viewer").Call(t, http.MethodGet, "/workload/"+ns+"/cloneset", nil); status != http.StatusOK {
			t.Errorf("viewer's bearer token: %d %s", status, e.Message)
		}
	})
}
