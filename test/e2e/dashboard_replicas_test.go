package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestUIReplicaKilled runs two dashboard binaries (token mode, one session key) behind a
// loopback proxy, as behind a Service. A viewer signs in in headless Chromium through the proxy
// and watches a namespace live; the replica serving them is killed (SIGKILL) and the proxy sends
// the next connections to the other: the session works there, the page goes live again by
// itself, and a CloneSet created afterwards appears without a reload. The browser script is
// app/web/e2e/dashboard-replicas.test.mjs; it asks this test, through a control server, to kill and to create.
func TestUIReplicaKilled(t *testing.T) {
	skipShort(t)
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	grantUI(t, "viewer")
	ns := newNamespace(t, "e2e-replicas")
	createCloneSet(t, ns, "before", 1, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)

	const key = "e2e-replicas-session-key-0123456789abcdef0123"
	var replicas [2]apiclient.Client
	var first *os.Process
	for i, name := range []string{"replica-a", "replica-b"} {
		addr, err := apiclient.FreeAddr()
		must(t, "address", err)
		c, proc, stop, err := launchDashboard(env.dir, name, env.cluster.Kubeconfig, addr, "KD_AUTH_MODE=token", "KD_AUTH_SESSION_KEY="+key)
		must(t, "start "+name, err)
		defer stop()
		replicas[i] = c
		if i == 0 {
			first = proc
		}
	}
	var target atomic.Value
	target.Store(replicas[0].URL)
	proxy := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			u, _ := url.Parse(target.Load().(string))
			r.SetURL(u)
			r.Out.Host = r.In.Host // the browser's origin stays the proxy's, as behind a Service
		},
		FlushInterval: -1, // events as they come
	})
	defer proxy.Close()
	control := http.NewServeMux()
	control.HandleFunc("POST /kill", func(w http.ResponseWriter, _ *http.Request) {
		target.Store(replicas[1].URL)
		if err := first.Kill(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	control.HandleFunc("POST /create", func(w http.ResponseWriter, _ *http.Request) {
		if _, err := newCloneSet(ns, "after", 1, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	controlServer := httptest.NewServer(control)
	defer controlServer.Close()

	shots := filepath.Join(root, "test-artifacts", "ui")
	cmd := exec.Command("node", "--test", "--test-reporter=spec", "e2e/dashboard-replicas.test.mjs")
	cmd.Dir = filepath.Join(root, "app", "web")
	cmd.Env = append(os.Environ(), "PROXY_URL="+proxy.URL, "CONTROL_URL="+controlServer.URL, "UI_NAMESPACE="+ns,
		"SCREENSHOT_DIR="+shots, "VIEWER_TOKEN="+env.cluster.Tokens["viewer"])
	out, err := cmd.CombinedOutput()
	t.Logf("browser test:\n%s", out)
	if err != nil {
		t.Fatalf("browser replica test failed: %v (screenshots in %s)", err, shots)
	}
}
