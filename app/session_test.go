package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/oidcprovider"
)

// recheckForTests is the recheck interval of the dashboards that test it.
const recheckForTests = time.Second

// withCookie is a client sending exactly the session cookie value (a copy taken from a browser).
func withCookie(d *dashboard, value string) apiclient.Client {
	return apiclient.Client{URL: d.URL, Header: http.Header{"Cookie": {"kd_session=" + value}}}
}

// sessionCookie is the session cookie a client's jar holds for d.
func sessionCookie(t *testing.T, c apiclient.Client, d *dashboard) string {
	t.Helper()
	u, _ := url.Parse(d.URL)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "kd_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// TestSessionsEnd runs two token-mode replicas (the same session key, one sign-out ConfigMap):
// a ServiceAccount's session ends on both once the ServiceAccount is deleted, its live stream
// with it; a signed-out session is refused on both, a copy of its cookie too; nothing a refused
// request asked for happens.
func TestSessionsEnd(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	ns := newNamespace(t, "sessions")
	createCloneSet(t, ns, "shop", 2)
	configure := func(bc *conf.Bootstrap) { bc.Auth.Recheck = recheckForTests }
	a := startSignedIn(t, "token", filepath.Join(t.TempDir(), "a.log"), configure)
	b := startSignedIn(t, "token", filepath.Join(t.TempDir(), "b.log"), configure)
	for _, d := range []*dashboard{a, b} {
		apiclient.Eventually(t, "the CloneSet in the dashboard", 10*time.Second, func() error {
			if status, e := as(d, "viewer").Call(t, http.MethodGet, "/workload/"+ns+"/cloneset/shop", nil); status != http.StatusOK {
				return fmt.Errorf("%d %s", status, e.Message)
			}
			return nil
		})
	}

	signIn := func(t *testing.T, d *dashboard, token string) apiclient.Client {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := apiclient.Client{URL: d.URL, HTTP: &http.Client{Jar: jar}}
		if status, body := c.Post(t, "/api/v1/auth/login", `{"token":"`+token+`"}`); status != http.StatusOK {
			t.Fatalf("sign in: %d %s", status, body)
		}
		return c
	}
	// serviceAccount is a ServiceAccount of ns that may read everything and change workloads.
	serviceAccount := func(t *testing.T, name string) string {
		token := serviceAccountToken(t, ns, name)
		user := "system:serviceaccount:" + ns + ":" + name
		bindClusterRole(t, "kd-test-read-"+ns+"-"+name, "kd-test-read-editor", user)
		bindClusterRole(t, "kd-test-edit-"+ns+"-"+name, "kd-test-edit", user)
		return token
	}
	deleteServiceAccount := func(t *testing.T, name string) {
		must(t, "delete the ServiceAccount", shared.kube.CoreV1().ServiceAccounts(ns).Delete(ctx, name, metav1.DeleteOptions{}))
	}
	scale := "/workload/" + ns + "/cloneset/shop/scale?replicas="

	t.Run("a deleted ServiceAccount's session ends on every replica", func(t *testing.T) {
		token := serviceAccount(t, "leaver")
		onA := signIn(t, a, token)
		onB := withCookie(b, sessionCookie(t, onA, a))
		for _, c := range []apiclient.Client{onA, onB} {
			var out biz.ActionResult
			c.MustOK(t, http.MethodPost, scale+"3", &out)
		}
		if strings.Contains(sessionCookie(t, onA, a), token[:20]) {
			t.Error("the session cookie shows the token in clear")
		}
		deleteServiceAccount(t, "leaver")
		before := shopVersion(t, ns)
		// The API server itself caches a token's authentication for 10 s (kube-apiserver's token
		// cache): access ends within that plus the recheck interval.
		for name, c := range map[string]apiclient.Client{"replica a": onA, "replica b": onB} {
			apiclient.Eventually(t, name+" refuses the session", 10*time.Second+2*recheckForTests, func() error {
				if status, _ := c.Call(t, http.MethodGet, "/workload/"+ns+"/cloneset", nil); status != http.StatusUnauthorized {
					return fmt.Errorf("list answers %d", status)
				}
				return nil
			})
		}
		for name, c := range map[string]apiclient.Client{"replica a": onA, "replica b": onB} {
			status, e := c.Call(t, http.MethodPost, scale+"4", nil)
			if status != http.StatusUnauthorized || !strings.Contains(e.Message, "your access ended: sign in again") {
				t.Errorf("%s, scale after the ServiceAccount was deleted: %d %q, want 401 saying access ended", name, status, e.Message)
			}
		}
		if after := shopVersion(t, ns); after != before {
			t.Errorf("a refused scale changed the CloneSet: %s -> %s", before, after)
		}
	})

	t.Run("the live stream ends with the access", func(t *testing.T) {
		token := serviceAccount(t, "watcher")
		c := signIn(t, a, token)
		stream, err := withCookie(a, sessionCookie(t, c, a)).Watch("namespace="+ns, "")
		must(t, "open the stream", err)
		defer stream.Close()
		_, err = stream.Until(10*time.Second, func(e apiclient.Event) bool { return e.Name == "ready" })
		must(t, "stream ready", err)
		deleteServiceAccount(t, "watcher")
		deadline := time.Now().Add(15 * time.Second)
		for {
			if _, err := stream.Next(time.Until(deadline)); err != nil {
				if !strings.Contains(err.Error(), "the stream ended") {
					t.Errorf("the stream did not end within 15s of the access ending: %v", err)
				}
				break
			}
		}
	})

	t.Run("sign-out ends the session on every replica, copies of the cookie too", func(t *testing.T) {
		onA := signIn(t, a, shared.cluster.Tokens["editor"])
		copied := sessionCookie(t, onA, a)
		withCookie(b, copied).MustOK(t, http.MethodGet, "/me", nil)
		var out struct {
			Data struct {
				SignedOut bool `json:"signedOut"`
			} `json:"data"`
		}
		status, body := onA.Post(t, "/api/v1/auth/logout", "")
		must(t, "decode the sign-out", json.Unmarshal(body, &out))
		if status != http.StatusOK || !out.Data.SignedOut {
			t.Fatalf("sign out: %d %s", status, body)
		}
		before := shopVersion(t, ns)
		for name, d := range map[string]*dashboard{"replica a": a, "replica b": b} {
			apiclient.Eventually(t, name+" refuses the signed-out session", 5*time.Second, func() error {
				status, e := withCookie(d, copied).Call(t, http.MethodPost, scale+"5", nil)
				if status != http.StatusUnauthorized || !strings.Contains(e.Message, "signed out") {
					return fmt.Errorf("%d %q", status, e.Message)
				}
				return nil
			})
		}
		if after := shopVersion(t, ns); after != before {
			t.Errorf("a refused scale changed the CloneSet: %s -> %s", before, after)
		}
		cm, err := shared.kube.CoreV1().ConfigMaps(signOutsNamespace).Get(ctx, "kruise-dashboard-sessions", metav1.GetOptions{})
		must(t, "read the sign-outs", err)
		if len(cm.Data) == 0 {
			t.Error("no sign-out recorded")
		}
		for id, v := range cm.Data {
			if strings.Contains(v, "editor") || strings.Contains(id, "editor") {
				t.Errorf("the sign-out record names the user: %s=%s", id, v)
			}
		}
	})

	t.Run("a user without the right to the sign-outs' ConfigMap cannot change it", func(t *testing.T) {
		status, e := as(a, "editor").Call(t, http.MethodGet, "/me", nil)
		if status != http.StatusOK {
			t.Fatalf("editor: %d %s", status, e.Message)
		}
		_, err := kubeAs(t, "editor").CoreV1().ConfigMaps(signOutsNamespace).Update(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kruise-dashboard-sessions"}}, metav1.UpdateOptions{})
		if err == nil {
			t.Error("the editor may rewrite the sign-outs")
		}
	})
}

// kubeAs is a clientset acting with user's token from the control plane's token file.
func kubeAs(t *testing.T, user string) kubernetes.Interface {
	t.Helper()
	kubeconfig, err := shared.cluster.TokenKubeconfig(user, shared.cluster.Tokens[user])
	must(t, "kubeconfig of "+user, err)
	kube, _, err := clientsFor(kubeconfig)
	must(t, "clients of "+user, err)
	return kube
}

// shopVersion is the resourceVersion of the CloneSet shop of ns on the API server.
func shopVersion(t *testing.T, ns string) string {
	t.Helper()
	cs, err := fromAPIServer(t, "cloneset", ns, "shop")
	must(t, "read cloneset", err)
	return cs.GetResourceVersion()
}

// TestOIDCSessionsEnd: an OIDC session is re-checked with its refresh token (rotated by the
// provider, the cookie renewed); a user disabled at the provider is refused after the interval;
// sign-out records the session ended and names the provider's end-session address.
func TestOIDCSessionsEnd(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	d, provider := startOIDC(t, func(bc *conf.Bootstrap) { bc.Auth.Recheck = recheckForTests })

	t.Run("a group removed at the issuer is gone after the recheck interval", func(t *testing.T) {
		carol := oidcSignIn(t, d, provider, "carol", "carol-password", "/", "/")
		var me biz.Me
		carol.MustOK(t, http.MethodGet, "/me", &me)
		if strings.Join(me.Groups, ",") != "kd-dev,kd-ops" {
			t.Fatalf("groups at sign-in %v, want the issuer's [kd-dev kd-ops]", me.Groups)
		}
		must(t, "remove carol from kd-ops at the provider", provider.SetUsers([]oidcprovider.User{
			{ID: "u-alice", Username: "alice", Password: "alice-password", Email: "alice@example.test"},
			{ID: "u-bob", Username: "bob", Password: "bob-password", Email: "bob@example.test"},
			{ID: "u-carol", Username: "carol", Password: "carol-password", Email: "carol@example.test", Groups: []string{"kd-dev"}},
		}))
		time.Sleep(recheckForTests + 200*time.Millisecond)
		carol.MustOK(t, http.MethodGet, "/me", &me)
		if me.User != "carol" || strings.Join(me.Groups, ",") != "kd-dev" {
			t.Errorf("after the recheck interval: %+v, want carol in [kd-dev] only (the refresh gives the current groups)", me)
		}
	})

	t.Run("the session is renewed while the user may sign in, and ends when disabled", func(t *testing.T) {
		bob := oidcSignIn(t, d, provider, "bob", "bob-password", "/", "/")
		first := sessionCookie(t, bob, d)
		bob.MustOK(t, http.MethodGet, "/me", nil)
		time.Sleep(recheckForTests + 200*time.Millisecond)
		var me biz.Me
		bob.MustOK(t, http.MethodGet, "/me", &me)
		if me.User != "bob" {
			t.Errorf("after the refresh: %+v", me)
		}
		if sessionCookie(t, bob, d) == first {
			t.Error("the refresh did not renew the session cookie (the provider rotates refresh tokens)")
		}
		must(t, "disable bob at the provider", provider.SetUsers([]oidcprovider.User{
			{ID: "u-alice", Username: "alice", Password: "alice-password", Email: "alice@example.test"},
		}))
		time.Sleep(recheckForTests + 200*time.Millisecond)
		status, e := bob.Call(t, http.MethodGet, "/me", nil)
		if status != http.StatusUnauthorized || !strings.Contains(e.Message, "your access ended: sign in again") || !strings.Contains(e.Message, "invalid_grant") {
			t.Errorf("bob after being disabled: %d %q, want 401 saying access ended (invalid_grant)", status, e.Message)
		}
	})

	t.Run("sign-out ends the session here and names the provider's end-session address", func(t *testing.T) {
		alice := oidcSignIn(t, d, provider, "alice", "alice-password", "/", "/")
		copied := sessionCookie(t, alice, d)
		status, body := alice.Post(t, "/api/v1/auth/logout", "")
		var out struct {
			Data struct {
				SignedOut  bool   `json:"signedOut"`
				EndSession string `json:"endSession"`
			} `json:"data"`
		}
		must(t, "decode the sign-out", json.Unmarshal(body, &out))
		end, err := url.Parse(out.Data.EndSession)
		if status != http.StatusOK || !out.Data.SignedOut || err != nil || !strings.HasPrefix(out.Data.EndSession, provider.Issuer) ||
			end.Query().Get("client_id") != provider.ClientID || end.Query().Get("id_token_hint") == "" {
			t.Fatalf("sign out: %d %s, want the provider's end-session address with the client and the ID token hint", status, body)
		}
		// Refused at once (the refresh token is revoked too); named as signed out once this replica's
		// watch has the record, within moments, as in the token-mode test.
		if status, _ := withCookie(d, copied).Call(t, http.MethodGet, "/me", nil); status != http.StatusUnauthorized {
			t.Errorf("a copy of the signed-out cookie right after sign-out: %d, want 401", status)
		}
		apiclient.Eventually(t, "the copy refused as signed out", 5*time.Second, func() error {
			if status, e := withCookie(d, copied).Call(t, http.MethodGet, "/me", nil); status != http.StatusUnauthorized || !strings.Contains(e.Message, "signed out") {
				return fmt.Errorf("%d %q", status, e.Message)
			}
			return nil
		})
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noRedirect.Get(out.Data.EndSession)
		must(t, "follow the end-session address", err)
		resp.Body.Close()
		if resp.StatusCode >= 400 {
			t.Errorf("the provider refused the end-session request: %s", resp.Status)
		}
	})
}
