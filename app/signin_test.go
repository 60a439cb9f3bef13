package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/audit"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/server"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// The test users' roles (the API server's token file has them): a viewer reads, an approver
// reads and may patch rollouts/status, an editor reads and changes workloads and Rollouts, nobody
// may do nothing. The dashboard itself runs with only configs/clusterrole.yaml.
var roles sync.Once

func setUpRoles(t testing.TB) {
	t.Helper()
	roles.Do(func() {
		for _, u := range []string{"viewer", "approver", "editor", "alice"} {
			grantReadOnly(t, u)
		}
		grant(t, "approve", "approver", rbacv1.PolicyRule{APIGroups: []string{"rollouts.kruise.io"}, Resources: []string{"rollouts/status"}, Verbs: []string{"patch"}})
		bindClusterRole(t, "kd-test-approve-alice", "kd-test-approve", "alice")
		grant(t, "edit", "editor",
			rbacv1.PolicyRule{APIGroups: []string{"apps", "apps.kruise.io"}, Resources: []string{"*"}, Verbs: []string{"patch", "update", "delete"}},
			rbacv1.PolicyRule{APIGroups: []string{"rollouts.kruise.io"}, Resources: []string{"rollouts", "rollouts/status"}, Verbs: []string{"patch"}})
		out, err := runKubectl(shared.cluster.Kubeconfig, "apply", "-f", "../configs/clusterrole.yaml")
		must(t, "apply the minimal ClusterRole: "+out, err)
		bindClusterRole(t, "kd-test-dashboard", "kruise-dashboard", "dashboard")
	})
}

const testSessionKey = "0123456789abcdef0123456789abcdef-test-only"

// startSignedIn runs a dashboard in a sign-in mode as the "dashboard" user, who has only the
// minimal ClusterRole, writing its audit lines to auditPath.
func startSignedIn(t testing.TB, mode, auditPath string, configure ...func(*conf.Bootstrap)) *dashboard {
	t.Helper()
	kubeconfig, err := shared.cluster.TokenKubeconfig("dashboard", shared.cluster.Tokens["dashboard"])
	must(t, "dashboard kubeconfig", err)
	d, err := startDashboard(kubeconfig, adapters.All, true, append([]func(*conf.Bootstrap){func(bc *conf.Bootstrap) {
		bc.Auth.Mode, bc.Auth.SessionKey, bc.Audit.Path = mode, testSessionKey, auditPath
	}}, configure...)...)
	must(t, "start dashboard in mode "+mode, err)
	t.Cleanup(d.stop)
	return d
}

// as is a client sending user's token as a bearer token.
func as(d *dashboard, user string) apiclient.Client {
	return apiclient.Client{URL: d.URL, Header: http.Header{"Authorization": {"Bearer " + shared.cluster.Tokens[user]}}}
}

type route struct{ method, path, body string }

// call sends r as c, with extra headers.
func call(t *testing.T, c apiclient.Client, r route, header http.Header, out ...any) (int, apiclient.Error) {
	t.Helper()
	return c.SendBody(t, r.method, r.path, header, r.body, out...)
}

// signInFixture is a namespace with a CloneSet "shop" (2 replicas) under a Rollout "shop-ro"
// waiting for approval at step 1, and every route of the API on them.
func signInFixture(t *testing.T) (ns string, reads, writes []route) {
	ns = newNamespace(t, "signin")
	createCloneSet(t, ns, "shop", 2)
	setInRolling(t, createRollout(t, ns, "shop-ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 1, "StepPaused", false)
	w, ro := "/workload/"+ns+"/cloneset/shop", ns+"/shop-ro"
	for _, p := range []string{"/namespaces", "/cluster/metrics", "/workload-types", "/me?namespace=" + ns, "/workload/" + ns,
		"/workload/" + ns + "/cloneset", w, w + "/pods", w + "/events", "/rollout/" + ro, "/rollout/status/" + ro, "/rollout/evidence/" + ro, "/rollout/traffic/" + ro,
		"/rollout/history/" + ro, "/rollout/events/" + ro, "/rollout/timeline/" + ro, "/rollout/list/" + ns, "/rollout/active/" + ns, "/rollout/list/_all",
		w + "/rollout", "/rollout/waiting", "/summary/" + ns, "/workload/" + ns + "/cloneset?view=compact&limit=1"} {
		reads = append(reads, route{http.MethodGet, p, ""})
	}
	writes = []route{{http.MethodPost, w + "/scale?replicas=3", ""}, {http.MethodPost, w + "/restart", ""}, {http.MethodDelete, w, ""},
		{http.MethodPost, w + "/image", `{"images":{"main":"nginx:1.29"}}`},
		{http.MethodPost, "/rollout/approve-many", `{"items":[{"namespace":"` + ns + `","name":"shop-ro","step":1}]}`}}
	for _, a := range []string{"pause", "resume", "approve?step=1", "promote", "undo", "restart", "enable", "disable"} {
		// Approve with the step the person saw, as the UI calls it (the approver's test approves without).
		a, query, _ := strings.Cut(a, "?")
		if query != "" {
			query = "?" + query
		}
		writes = append(writes, route{http.MethodPost, "/rollout/" + a + "/" + ro + query, ""})
	}
	return ns, reads, writes
}

// refused checks that user may not take the action r: 403 naming the user and the verb, or for a
// bulk approval, every item refused.
func refused(t *testing.T, c apiclient.Client, r route, user string) {
	t.Helper()
	if strings.HasSuffix(r.path, "/approve-many") {
		var out []biz.ApproveOutcome
		status, e := call(t, c, r, nil, &out)
		if status != http.StatusOK || len(out) == 0 {
			t.Errorf("%s %s: %d %q", r.method, r.path, status, e.Message)
		}
		for _, o := range out {
			if o.Changed || o.Code != biz.CodeForbidden || !strings.Contains(o.Message, `"`+user+`"`) {
				t.Errorf("bulk approval by %s: %+v, want FORBIDDEN naming the user", user, o)
			}
		}
		return
	}
	status, e := call(t, c, r, nil)
	if status != http.StatusForbidden || e.Code != biz.CodeForbidden || !strings.Contains(e.Message, `"`+user+`"`) || !strings.Contains(e.Message, "patch") && !strings.Contains(e.Message, "delete") {
		t.Errorf("%s %s: %d %s %q, want 403 naming %s and the verb", r.method, r.path, status, e.Code, e.Message, user)
	}
}

// versions are the resourceVersions of the fixture's objects on the API server: a refused
// request must leave both as they were.
func versions(t *testing.T, ns string) string {
	t.Helper()
	cs, err := fromAPIServer(t, "cloneset", ns, "shop")
	must(t, "read cloneset", err)
	return cs.GetResourceVersion() + "/" + rolloutAt(t, ns, "shop-ro").ResourceVersion
}

// TestSignInToken runs the dashboard in token mode (as an identity with only the minimal
// ClusterRole) and walks every route as nobody, a viewer, an approver and an editor.
func TestSignInToken(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	ns, reads, writes := signInFixture(t)
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	d := startSignedIn(t, "token", auditPath)
	apiclient.Eventually(t, "the fixture in the dashboard's cache", 10*time.Second, func() error {
		if status, e := as(d, "viewer").Call(t, http.MethodGet, "/rollout/status/"+ns+"/shop-ro", nil); status != http.StatusOK {
			return &apiclient.StatusError{Status: status, Body: e.Message}
		}
		return nil
	})
	before := versions(t, ns)

	t.Run("anonymous gets 401 on every route", func(t *testing.T) {
		anon := apiclient.Client{URL: d.URL}
		for _, r := range append(reads, writes...) {
			if status, e := call(t, anon, r, nil); status != http.StatusUnauthorized || e.Code != biz.CodeUnauthorized {
				t.Errorf("%s %s: %d %s, want 401 UNAUTHORIZED", r.method, r.path, status, e.Code)
			}
		}
	})
	t.Run("the sign-in settings and the API document need no sign-in", func(t *testing.T) {
		anon := apiclient.Client{URL: d.URL}
		var cfg struct {
			Mode string `json:"mode"`
		}
		if anon.MustOK(t, http.MethodGet, "/auth/config", &cfg); cfg.Mode != "token" {
			t.Errorf("/auth/config: mode %q", cfg.Mode)
		}
		status, doc := anon.Raw(http.MethodGet, "/api/v1/openapi.json", nil)
		if status != http.StatusOK || !bytes.Equal(doc, server.Document()) {
			t.Errorf("GET /api/v1/openapi.json without sign-in: %d, %d bytes", status, len(doc))
		}
	})
	t.Run("a rejected bearer token is 401", func(t *testing.T) {
		bad := apiclient.Client{URL: d.URL, Header: http.Header{"Authorization": {"Bearer not-a-token"}}}
		if status, e := bad.Call(t, http.MethodGet, "/namespaces", nil); status != http.StatusUnauthorized {
			t.Errorf("%d %s %s", status, e.Code, e.Message)
		}
	})
	t.Run("API answers are never stored; HEAD is GET without a body", func(t *testing.T) {
		viewer := as(d, "viewer").Header
		anon := http.Header{}
		w := "/api/v1/workload/" + ns + "/cloneset"
		for _, c := range []struct {
			path   string
			header http.Header
			status int
		}{
			{w, viewer, http.StatusOK},           // a list
			{w + "/shop", viewer, http.StatusOK}, // a get
			{"/api/v1/me?namespace=" + ns, viewer, http.StatusOK},
			{"/api/v1/auth/config", anon, http.StatusOK}, // public
			{w, anon, http.StatusUnauthorized},
			{"/api/v1/me", anon, http.StatusUnauthorized},
			{"/healthz", anon, http.StatusOK},
			{"/", anon, http.StatusOK}, // the UI
		} {
			get, body := send(t, http.MethodGet, d.URL+c.path, c.header)
			head, headBody := send(t, http.MethodHead, d.URL+c.path, c.header)
			if get.StatusCode != c.status || head.StatusCode != c.status || len(headBody) != 0 || len(body) == 0 {
				t.Errorf("%s: GET %d (%d bytes), HEAD %d (%d bytes); want %d both, a body only for GET", c.path, get.StatusCode, len(body), head.StatusCode, len(headBody), c.status)
			}
			get.Header.Del("Date")
			head.Header.Del("Date")
			if fmt.Sprint(get.Header) != fmt.Sprint(head.Header) {
				t.Errorf("%s: HEAD's headers differ from GET's:\nGET  %v\nHEAD %v", c.path, get.Header, head.Header)
			}
			if !strings.HasPrefix(c.path, "/api/") {
				continue
			}
			if cc := get.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("GET %s: Cache-Control %q, want no-store", c.path, cc)
			}
			if c.status != http.StatusOK {
				continue
			}
			// The browser keeps nothing, the UI keeps the body in memory and revalidates it.
			etag := get.Header.Get("ETag")
			again := c.header.Clone()
			again.Set("If-None-Match", etag)
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				if resp, b := send(t, method, d.URL+c.path, again); etag == "" || resp.StatusCode != http.StatusNotModified || len(b) != 0 {
					t.Errorf("%s %s with If-None-Match %s: %d (%d bytes), want 304 without a body", method, c.path, etag, resp.StatusCode, len(b))
				}
			}
		}
		// The live stream answers HEAD with its headers and no events.
		if resp, b := send(t, http.MethodHead, d.URL+"/api/v1/watch?namespace="+ns, viewer); resp.StatusCode != http.StatusOK ||
			resp.Header.Get("Content-Type") != "text/event-stream" || len(b) != 0 {
			t.Errorf("HEAD /watch: %d %q (%d bytes)", resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
		}
	})
	t.Run("viewer reads every route and every mutation is 403", func(t *testing.T) {
		viewer := as(d, "viewer")
		for _, r := range reads {
			if status, e := call(t, viewer, r, nil); status != http.StatusOK {
				t.Errorf("%s %s: %d %s %s", r.method, r.path, status, e.Code, e.Message)
			}
		}
		for _, r := range writes {
			refused(t, viewer, r, "viewer")
		}
		if after := versions(t, ns); after != before {
			t.Errorf("refused requests changed objects: resourceVersions %s -> %s", before, after)
		}
	})
	t.Run("nobody reads nothing and sees no namespace", func(t *testing.T) {
		nobody := as(d, "nobody")
		for _, r := range reads {
			var out any
			status, e := call(t, nobody, r, nil, &out)
			switch r.path {
			case "/namespaces", "/rollout/list/_all", "/rollout/waiting":
				if status != http.StatusOK || fmt.Sprint(out) != "[]" {
					t.Errorf("%s: %d %v, want 200 and an empty list", r.path, status, out)
				}
			case "/workload-types", "/me?namespace=" + ns:
				if status != http.StatusOK {
					t.Errorf("%s: %d %s", r.path, status, e.Message)
				}
			case "/workload/" + ns + "/cloneset/shop/events", "/rollout/events/" + ns + "/shop-ro":
				if status != http.StatusForbidden { // read as the user from the API server
					t.Errorf("%s: %d, want 403", r.path, status)
				}
			default:
				if status != http.StatusForbidden || !strings.Contains(e.Message, `"nobody"`) {
					t.Errorf("%s: %d %q, want 403 naming nobody", r.path, status, e.Message)
				}
			}
		}
		if status, e := nobody.Call(t, http.MethodGet, "/workload/"+ns+"/cloneset/shop/pods/shop-0/log", nil); status != http.StatusForbidden {
			t.Errorf("pod log for nobody: %d %q, want 403", status, e.Message)
		}
		var me biz.Me
		nobody.MustOK(t, http.MethodGet, "/me?namespace="+ns, &me)
		if me.User != "nobody" || me.Workloads["cloneset"]["scale"].Allowed || me.Rollouts["approve"].Allowed ||
			!strings.Contains(me.Workloads["cloneset"]["scale"].Reason, "patch clonesets/scale") {
			t.Errorf("/me for nobody: %+v", me)
		}
	})
	t.Run("approver approves and may do nothing else", func(t *testing.T) {
		approver := as(d, "approver")
		var me biz.Me
		approver.MustOK(t, http.MethodGet, "/me?namespace="+ns, &me)
		if !me.Rollouts["approve"].Allowed || me.Rollouts["pause"].Allowed || me.Workloads["cloneset"]["scale"].Allowed {
			t.Errorf("/me for approver: %+v", me)
		}
		for _, r := range writes {
			if strings.Contains(r.path, "/approve") || strings.Contains(r.path, "/promote/") {
				continue
			}
			refused(t, approver, r, "approver")
		}
		var res biz.ActionResult
		approver.MustOK(t, http.MethodPost, "/rollout/approve/"+ns+"/shop-ro", &res)
		if !res.Changed || rolloutAt(t, ns, "shop-ro").Status.CanaryStatus.CurrentStepState != "StepReady" {
			t.Errorf("approve did not move the step: %+v", res)
		}
	})
	t.Run("editor scales, as themselves", func(t *testing.T) {
		editor := as(d, "editor")
		editor.MustOK(t, http.MethodPost, "/workload/"+ns+"/cloneset/shop/scale?replicas=3", nil)
		cs, err := fromAPIServer(t, "cloneset", ns, "shop")
		must(t, "read cloneset", err)
		if r, _, _ := unstructured.NestedInt64(cs.Object, "spec", "replicas"); r != 3 {
			t.Errorf("replicas %d after the editor's scale, want 3", r)
		}
		apiclient.Eventually(t, "the ScaledByDashboard event naming the editor", 10*time.Second, func() error {
			var events []biz.Event
			if err := editor.Get(t, "/workload/"+ns+"/cloneset/shop/events", &events); err != nil {
				return err
			}
			for _, e := range events {
				if e.Reason == "ScaledByDashboard" && strings.Contains(e.Message, "by editor") && e.Source == biz.EventSource {
					return nil
				}
			}
			return fmt.Errorf("events %+v", events)
		})
		apiclient.Eventually(t, "the API server's audit line with the impersonated editor", 10*time.Second, func() error {
			return findAPIAudit(shared.cluster.AuditLog(), "dashboard", "editor", "patch", "clonesets", "scale", ns)
		})
	})
	t.Run("audit lines for allowed and refused mutations", func(t *testing.T) {
		action := "POST /api/v1/workload/{namespace}/{type}/{name}/scale"
		for _, want := range []audit.Entry{
			{User: "editor", Action: action, Code: "OK", Status: 200, Namespace: ns, Type: "cloneset", Name: "shop"},
			{User: "viewer", Action: action, Code: biz.CodeForbidden, Status: 403, Namespace: ns, Type: "cloneset", Name: "shop"},
			{User: "", Code: biz.CodeUnauthorized, Status: 401},
			{User: "approver", Action: "POST /api/v1/rollout/approve/{namespace}/{name}", Code: "OK", Status: 200, Namespace: ns, Name: "shop-ro"},
		} {
			if err := findAudit(auditPath, want); err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("cross-origin and foreign-host mutations are refused and change nothing", func(t *testing.T) {
		before := versions(t, ns)
		editor := as(d, "editor")
		for _, r := range writes {
			cross := http.Header{"Origin": {"http://evil.example"}, "Sec-Fetch-Site": {"cross-site"}, "Content-Type": {"text/plain"}}
			if status, e := call(t, editor, r, cross); status != http.StatusForbidden || e.Code != "CROSS_ORIGIN" {
				t.Errorf("cross-origin %s %s: %d %s", r.method, r.path, status, e.Code)
			}
			if status, e := call(t, editor, r, http.Header{"Host": {"evil.example"}}); status != http.StatusForbidden || e.Code != "FORBIDDEN_HOST" {
				t.Errorf("Host evil.example %s %s: %d %s", r.method, r.path, status, e.Code)
			}
		}
		if after := versions(t, ns); after != before {
			t.Errorf("refused requests changed objects: %s -> %s", before, after)
		}
		// The dashboard's own pages (same origin) may.
		same := http.Header{"Origin": {d.URL}, "Sec-Fetch-Site": {"same-origin"}}
		if status, e := editor.Send(t, http.MethodPost, "/workload/"+ns+"/cloneset/shop/scale?replicas=2", same); status != http.StatusOK {
			t.Errorf("same-origin scale: %d %s", status, e.Message)
		}
	})
	t.Run("bad input to the new endpoints is a clear 4xx", func(t *testing.T) {
		viewer := as(d, "viewer")
		for _, c := range []struct {
			path   string
			status int
		}{
			{"/me?namespace=Not_A_Namespace", http.StatusBadRequest},
			{"/workload/" + ns + "/cloneset/Bad_Name/events", http.StatusBadRequest},
			{"/workload/" + ns + "/nosuchtype/shop/events", http.StatusBadRequest},
			{"/rollout/events/" + ns + "/Bad_Name", http.StatusBadRequest},
			{"/auth/oidc/login", http.StatusNotFound}, // not configured in token mode
		} {
			if status, e := viewer.Call(t, http.MethodGet, c.path, nil); status != c.status {
				t.Errorf("GET %s: %d %s %q, want %d", c.path, status, e.Code, e.Message, c.status)
			}
		}
		// Strict: a field the document does not list is refused, not ignored.
		for _, body := range []string{"not json", `{"token":""}`, `{"token":7}`, `{"token":"x","user":"admin"}`, `{"token":"x"} {}`} {
			if status, out := viewer.Post(t, "/api/v1/auth/login", body); status != http.StatusBadRequest {
				t.Errorf("login with %s: %d %s, want 400", body, status, out)
			}
		}
	})
	t.Run("sessions: sign in with a token, survive a restart, sign out", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		browser := apiclient.Client{URL: d.URL, HTTP: &http.Client{Jar: jar}}
		status, body := browser.Post(t, "/api/v1/auth/login", `{"token":"not-a-token"}`)
		if status != http.StatusUnauthorized {
			t.Errorf("login with a bad token: %d %s", status, body)
		}
		req, _ := http.NewRequest(http.MethodPost, d.URL+"/api/v1/auth/login", strings.NewReader(`{"token":"`+shared.cluster.Tokens["editor"]+`"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := browser.HTTP.Do(req)
		must(t, "login", err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("login: %d", resp.StatusCode)
		}
		sc := resp.Header.Get("Set-Cookie")
		for _, attr := range []string{"kd_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(sc, attr) {
				t.Errorf("session cookie %q lacks %s", sc, attr)
			}
		}
		var me biz.Me
		browser.MustOK(t, http.MethodGet, "/me", &me)
		if me.User != "editor" || me.Mode != "token" {
			t.Errorf("/me after sign-in: %+v", me)
		}
		// Another replica (or this one restarted) with the same key accepts the session.
		other := startSignedIn(t, "token", filepath.Join(t.TempDir(), "audit.log"))
		cookie := http.Header{"Cookie": {strings.Split(sc, ";")[0]}}
		if status, body := (apiclient.Client{URL: other.URL, Header: cookie}).Raw(http.MethodGet, "/api/v1/me", nil); status != http.StatusOK || !strings.Contains(string(body), `"editor"`) {
			t.Errorf("session on another replica: %d %s", status, body)
		}
		tampered := http.Header{"Cookie": {"kd_session=" + strings.Repeat("A", 80)}}
		if status, _ := (apiclient.Client{URL: d.URL, Header: tampered}).Raw(http.MethodGet, "/api/v1/me", nil); status != http.StatusUnauthorized {
			t.Errorf("a forged session: %d, want 401", status)
		}
		if status, body := browser.Post(t, "/api/v1/auth/logout", ""); status != http.StatusOK {
			t.Errorf("logout: %d %s", status, body)
		}
		if status, _ := browser.Call(t, http.MethodGet, "/me", nil); status != http.StatusUnauthorized {
			t.Errorf("after sign-out: %d, want 401", status)
		}
	})
}

// send sends a request with the headers (identity encoding unless they say otherwise: Go's client
// asks for gzip on GET but not on HEAD) and returns the answer with its body read.
func send(t *testing.T, method, url string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	must(t, "request", err)
	req.Header = header.Clone()
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, method+" "+url, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, "read "+url, err)
	return resp, body
}

// TestHardening asserts the protections every answer gets, on a dashboard in mode none with the
// read-only switch on.
func TestHardening(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "hardening")
	createCloneSet(t, ns, "shop", 2)
	d, err := startDashboard(shared.cluster.Kubeconfig, adapters.All, true, func(bc *conf.Bootstrap) { bc.Server.ReadOnly = true })
	must(t, "start read-only dashboard", err)
	defer d.stop()
	waitServedBy(t, d, "cloneset", ns, "shop")

	// A half-open request (headers never finished) must not hold its connection for long.
	closed := make(chan error, 1)
	go func() {
		conn, err := net.Dial("tcp", strings.TrimPrefix(d.URL, "http://"))
		if err != nil {
			closed <- err
			return
		}
		defer conn.Close()
		_, _ = conn.Write([]byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"))
		_ = conn.SetReadDeadline(time.Now().Add(40 * time.Second))
		_, err = bufio.NewReader(conn).ReadByte()
		closed <- err
	}()

	t.Run("read-only refuses every mutation", func(t *testing.T) {
		for _, p := range []string{"/workload/" + ns + "/cloneset/shop/scale?replicas=5", "/workload/" + ns + "/cloneset/shop/restart"} {
			if status, e := d.Call(t, http.MethodPost, p, nil); status != http.StatusForbidden || e.Code != biz.CodeReadOnly {
				t.Errorf("POST %s: %d %s, want 403 READ_ONLY", p, status, e.Code)
			}
		}
		if status, e := d.Call(t, http.MethodDelete, "/workload/"+ns+"/cloneset/shop", nil); status != http.StatusForbidden || e.Code != biz.CodeReadOnly {
			t.Errorf("DELETE: %d %s", status, e.Code)
		}
		cs, err := fromAPIServer(t, "cloneset", ns, "shop")
		must(t, "read cloneset", err)
		if cs.GetGeneration() != 1 {
			t.Errorf("read-only dashboard changed the object (generation %d)", cs.GetGeneration())
		}
		var me biz.Me
		d.MustOK(t, http.MethodGet, "/me?namespace="+ns, &me)
		if !me.ReadOnly || me.Workloads["cloneset"]["scale"].Allowed || !strings.Contains(me.Workloads["cloneset"]["scale"].Reason, "read-only") {
			t.Errorf("/me on a read-only dashboard: %+v", me.Workloads["cloneset"])
		}
	})
	t.Run("security headers", func(t *testing.T) {
		for _, p := range []string{"/", "/api/v1/namespaces", "/api/v1/missing"} {
			resp, err := http.Get(d.URL + p)
			must(t, "GET "+p, err)
			resp.Body.Close()
			h := resp.Header
			for name, want := range map[string]string{"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY",
				"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
				if !strings.Contains(h.Get(name), want) {
					t.Errorf("%s: %s = %q, want %q", p, name, h.Get(name), want)
				}
			}
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("%s: CSP %q", p, csp)
			}
			// In mode none a successful API read may be kept by the browser but is revalidated
			// (ETag) on every use; errors and everything else under /api/ are never stored.
			wantCache := "no-store"
			if p == "/api/v1/namespaces" {
				wantCache = "private, no-cache"
			}
			if strings.HasPrefix(p, "/api/") && h.Get("Cache-Control") != wantCache {
				t.Errorf("%s: Cache-Control %q, want %q", p, h.Get("Cache-Control"), wantCache)
			}
		}
	})
	t.Run("no directory listing", func(t *testing.T) {
		for _, p := range []string{"/assets/", "/assets"} {
			status, body := d.Raw(http.MethodGet, p, nil)
			if status != http.StatusOK || strings.Contains(string(body), "<pre>") || !strings.Contains(string(body), `<div id="root">`) {
				t.Errorf("GET %s: %d, a listing? %.200s", p, status, body)
			}
		}
	})
	t.Run("a foreign Host is refused, probes are not", func(t *testing.T) {
		if status, _ := d.Raw(http.MethodGet, "/api/v1/namespaces", http.Header{"Host": {"evil.example"}}); status != http.StatusForbidden {
			t.Errorf("GET with Host evil.example: %d", status)
		}
		if status, _ := d.Raw(http.MethodGet, "/healthz", http.Header{"Host": {"10.0.0.7:8080"}}); status != http.StatusOK {
			t.Errorf("a kubelet probe with the pod's address: %d", status)
		}
	})
	t.Run("a half-open connection is closed", func(t *testing.T) {
		if err := <-closed; err == nil || strings.Contains(err.Error(), "timeout") {
			t.Errorf("the server kept a half-open connection for 40s (read: %v)", err)
		}
	})
}

// findAudit looks for a line of our audit log with want's non-empty fields.
func findAudit(path string, want audit.Entry) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var e audit.Entry
		if json.Unmarshal([]byte(line), &e) != nil {
			continue
		}
		if e.User == want.User && e.Code == want.Code && e.Status == want.Status && (want.Action == "" || e.Action == want.Action) &&
			e.Namespace == want.Namespace && e.Type == want.Type && e.Name == want.Name && e.TraceID != "" && !e.Time.IsZero() {
			return nil
		}
	}
	return fmt.Errorf("no audit line like %+v in:\n%s", want, raw)
}

// findAPIAudit looks for the API server's audit line of a write by the dashboard's identity
// impersonating user.
func findAPIAudit(path, dashboardUser, user, verb, resource, subresource, ns string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		var e struct {
			Verb string `json:"verb"`
			User struct {
				Username string `json:"username"`
			} `json:"user"`
			ImpersonatedUser *struct {
				Username string `json:"username"`
			} `json:"impersonatedUser"`
			ObjectRef struct {
				Resource, Subresource, Namespace string
			} `json:"objectRef"`
			ResponseStatus struct {
				Code int `json:"code"`
			} `json:"responseStatus"`
		}
		if json.Unmarshal([]byte(line), &e) != nil || e.ImpersonatedUser == nil {
			continue
		}
		if e.Verb == verb && e.User.Username == dashboardUser && e.ImpersonatedUser.Username == user && e.ObjectRef.Resource == resource &&
			e.ObjectRef.Subresource == subresource && e.ObjectRef.Namespace == ns && e.ResponseStatus.Code == http.StatusOK {
			return nil
		}
	}
	return fmt.Errorf("no audit line of %s impersonating %s: %s %s/%s in %s", dashboardUser, user, verb, resource, subresource, ns)
}
