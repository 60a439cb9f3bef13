package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestBareClusterThenOutage runs a dashboard against a second control plane that starts without
// the OpenKruise CRDs: Kruise types are reported unavailable (not hung) while Deployments work;
// once the CRDs are installed they are served without a restart. Then the API server is stopped
// under the running dashboard (503 UNAVAILABLE), and started again (recovery, same dashboard).
func TestBareClusterThenOutage(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	bare, err := localcluster.Start(context.Background(), localcluster.Options{Dir: dir, SkipCRDs: true})
	if err != nil {
		t.Fatalf("start bare cluster: %v", err)
	}
	defer bare.Stop()
	dash, err := startDashboard(bare.Kubeconfig, adapters.All, true)
	if err != nil {
		t.Fatalf("start dashboard: %v", err)
	}
	defer dash.stop()

	t.Run("missing CRD is 503 naming it", func(t *testing.T) {
		status, e := dash.Call(t, http.MethodGet, "/workload/default/cloneset", nil)
		if status != http.StatusServiceUnavailable || e.Code != "UNAVAILABLE" || !strings.Contains(e.Message, "CRD") || !strings.Contains(e.Message, "clonesets") {
			t.Errorf("want 503 UNAVAILABLE naming the clonesets CRD, got %d %s %q", status, e.Code, e.Message)
		}
		status, e = dash.Call(t, http.MethodGet, "/rollout/list/_all", nil)
		if status != http.StatusServiceUnavailable || !strings.Contains(e.Message, "Rollout CRD") {
			t.Errorf("rollouts without CRD: want 503 naming the Rollout CRD, got %d %q", status, e.Message)
		}
		status, e = dash.Call(t, http.MethodPost, "/workload/default/statefulset/x/scale?replicas=1", nil)
		if status != http.StatusServiceUnavailable || !strings.Contains(e.Message, "statefulsets") {
			t.Errorf("scale of a type without CRD: want 503 naming it, got %d %q", status, e.Message)
		}
	})
	t.Run("built-in types and the aggregate still work", func(t *testing.T) {
		var deployments []object
		dash.MustOK(t, http.MethodGet, "/workload/default/deployment", &deployments)
		var all map[string][]object
		dash.MustOK(t, http.MethodGet, "/workload/default", &all)
		if items, ok := all["clonesets"]; !ok || len(items) != 0 {
			t.Errorf("a type the cluster does not serve has no objects: want clonesets: [], got %v", all)
		}
	})
	t.Run("CRDs installed later are picked up", func(t *testing.T) {
		if err := localcluster.InstallCRDs(context.Background(), bare.Kubeconfig); err != nil {
			t.Fatalf("install CRDs: %v", err)
		}
		for _, path := range []string{"/api/v1/workload/default/cloneset", "/api/v1/rollout/list/_all"} {
			apiclient.Eventually(t, path+" served after CRD install", 30*time.Second, func() error {
				status, e := dash.Raw(http.MethodGet, path, nil)
				if status != http.StatusOK {
					return &apiclient.StatusError{Status: status, Body: string(e)}
				}
				return nil
			})
		}
	})
	t.Run("API server stopped: 503, then recovery", func(t *testing.T) {
		if err := bare.StopAPIServer(); err != nil {
			t.Fatalf("stop API server: %v", err)
		}
		for _, path := range []string{"/namespaces", "/workload/default/deployment", "/cluster/metrics"} {
			apiclient.Eventually(t, "503 on "+path+" while the API server is down", 10*time.Second, func() error {
				status, body := dash.Raw(http.MethodGet, "/api/v1"+path, nil)
				if status != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"UNAVAILABLE"`) {
					return &apiclient.StatusError{Status: status, Body: string(body)}
				}
				return nil
			})
		}
		status, e := dash.Call(t, http.MethodPost, "/workload/default/deployment/x/restart", nil)
		if status != http.StatusServiceUnavailable || !strings.Contains(e.Message, "unreachable") {
			t.Errorf("write during outage: want 503 saying unreachable, got %d %q", status, e.Message)
		}
		if status, _ := dash.Raw(http.MethodGet, "/readyz", nil); status != http.StatusServiceUnavailable {
			t.Errorf("/readyz during outage: want 503, got %d", status)
		}

		if err := bare.StartAPIServer(context.Background()); err != nil {
			t.Fatalf("restart API server: %v", err)
		}
		apiclient.Eventually(t, "recovery after the API server is back", 60*time.Second, func() error {
			status, body := dash.Raw(http.MethodGet, "/api/v1/workload/default/cloneset", nil)
			if status != http.StatusOK {
				return &apiclient.StatusError{Status: status, Body: string(body)}
			}
			return nil
		})
		// The watches resumed: an object created after the outage is served.
		createDeploymentOn(t, bare.Kubeconfig, "after-outage")
		apiclient.Eventually(t, "deployment created after the outage", 30*time.Second, func() error {
			status, body := dash.Raw(http.MethodGet, "/api/v1/workload/default/deployment/after-outage", nil)
			if status != http.StatusOK {
				return &apiclient.StatusError{Status: status, Body: string(body)}
			}
			return nil
		})
	})
	t.Run("API server frozen: a write fails in seconds, not at the request timeout", func(t *testing.T) {
		createDeploymentOn(t, bare.Kubeconfig, "frozen")
		waitServedBy(t, dash, "deployment", "default", "frozen")
		must(t, "freeze the API server", bare.FreezeAPIServer(true))
		defer func() { must(t, "thaw the API server", bare.FreezeAPIServer(false)) }()
		start := time.Now()
		status, e := dash.Call(t, http.MethodPost, "/workload/default/deployment/frozen/scale?replicas=2", nil)
		// kubernetes.call_timeout is 5s; the request timeout (30s) is what it used to take.
		if took := time.Since(start); status != http.StatusServiceUnavailable || took > 15*time.Second {
			t.Errorf("write to a frozen API server: %d %q after %s, want 503 well before the 30s request timeout", status, e.Message, took)
		}
	})
}

// createDeploymentOn creates a Deployment in namespace default of the cluster of kubeconfig.
func createDeploymentOn(t *testing.T, kubeconfig, name string) {
	t.Helper()
	kube, _, err := clientsFor(kubeconfig)
	must(t, "clients", err)
	_, err = kube.AppsV1().Deployments("default").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labelsFor("x")}, Template: podTemplate("x")},
	}, metav1.CreateOptions{})
	must(t, "create deployment "+name, err)
}
