package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/trafficsim"
)

// TestEvidenceFromSimulatedTraffic: the evidence beside Approve against the live cluster's real
// Prometheus (Debian's, make prometheus), which scrapes the demo's traffic simulator, with the
// real controllers releasing a CloneSet under a Rollout, over HTTP. A good image's canary is
// never worse (not enough data at first, then notWorse); an image tag containing "bad" gives
// worse; with Prometheus stopped the evidence is unavailable, never green, and says why; a user
// who may not read the namespace gets 403 and no evidence. The dashboard here signs users in by
// token and has a 20 s window and a minimum of 50 requests, so the verdicts come within seconds.
func TestEvidenceFromSimulatedTraffic(t *testing.T) {
	skipShort(t)
	if env.cluster.PrometheusURL == "" {
		t.Fatal("the live cluster has no Prometheus URL (localcluster's metrics.go)")
	}
	ns := newNamespace(t, "e2e-evidence")
	defer func() { // a release left waiting here is no one's business in the other tests
		_ = env.kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	}()
	label := fmt.Sprintf(`{"metadata":{"labels":{%q:"true"}}}`, trafficsim.NamespaceLabel)
	_, err := env.kube.CoreV1().Namespaces().Patch(ctx, ns, types.MergePatchType, []byte(label), metav1.PatchOptions{})
	must(t, "label the namespace for simulated traffic", err)
	grantUI(t, "viewer")

	addr, err := apiclient.FreeAddr()
	must(t, "address", err)
	dash, stop, err := runDashboard(env.dir, "dashboard-evidence", env.cluster.Kubeconfig, addr,
		"KD_AUTH_MODE=token", "KD_AUTH_SESSION_KEY=e2e-session-key-0123456789abcdef0123456789", "KD_AUTH_SESSIONS_NAMESPACE="+ns,
		"KD_PROMETHEUS_URL="+env.cluster.PrometheusURL, "KD_PROMETHEUS_TIMEOUT=3s", "KD_EVIDENCE_WINDOW=20s", "KD_EVIDENCE_MIN_REQUESTS=50",
		"KD_EVIDENCE_SIMULATED=true")
	must(t, "start the dashboard with the local Prometheus", err)
	defer stop()
	as := func(user string) apiclient.Client {
		return apiclient.Client{URL: dash.URL, Header: http.Header{"Authorization": {"Bearer " + env.cluster.Tokens[user]}}}
	}
	path := "/rollout/evidence/" + ns + "/shop"
	read := func(t *testing.T) (evidence.Result, error) {
		var r evidence.Result
		if status, e := as("viewer").Call(t, http.MethodGet, path, &r); status != http.StatusOK {
			return r, &apiclient.StatusError{Status: status, Body: e.Code + " " + e.Message}
		}
		return r, nil
	}
	// waitVerdict polls until the verdict is want; never is a verdict that must not appear meanwhile.
	waitVerdict := func(t *testing.T, want, never evidence.Verdict) evidence.Result {
		t.Helper()
		var r evidence.Result
		var seen []string
		apiclient.Eventually(t, "the verdict "+string(want), 90*time.Second, func() error {
			var err error
			if r, err = read(t); err != nil {
				return err
			}
			if len(seen) == 0 || seen[len(seen)-1] != string(r.Verdict) {
				seen = append(seen, string(r.Verdict))
			}
			if r.Verdict == never {
				t.Errorf("verdict %s (%s): must not appear here", r.Verdict, r.Reason)
			}
			if r.Verdict != want || r.Canary.Pods != 1 || r.Stable.Pods != 3 {
				return fmt.Errorf("%s (%s), canary %d pods, stable %d", r.Verdict, r.Reason, r.Canary.Pods, r.Stable.Pods)
			}
			return nil
		})
		t.Logf("verdicts in turn: %s; last: %s", strings.Join(seen, " → "), r.Reason)
		if r.Template != "http" || r.WindowSeconds != 20 || !r.Simulated || !strings.Contains(r.Canary.Queries.Requests, `namespace="`+ns+`",pod=~"`) {
			t.Errorf("template %s, window %d s, simulated %v, canary's requests query %q", r.Template, r.WindowSeconds, r.Simulated, r.Canary.Queries.Requests)
		}
		return r
	}

	cloneSetUnderRollout(t, ns, "shop", kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	setCloneSetImage(t, ns, "shop", "nginx:1.28")
	waitStatus(t, ns, "shop", "the good release waiting at step 1", 2*time.Minute, waitingAt(1))
	t.Run("a good image is not worse", func(t *testing.T) {
		r := waitVerdict(t, evidence.NotWorse, evidence.Worse)
		if r.Canary.ErrorRatio == nil || r.Stable.LatencyP95 == nil || *r.Canary.Requests < 50 {
			t.Errorf("the numbers behind notWorse: canary %+v, stable %+v", r.Canary, r.Stable)
		}
	})
	t.Run("a user who may not read the namespace gets no evidence", func(t *testing.T) {
		var r evidence.Result
		status, e := as("nobody").Call(t, http.MethodGet, path, &r)
		if status != http.StatusForbidden || e.Code != biz.CodeForbidden || r.Verdict != "" {
			t.Errorf("nobody: %d %s %q, verdict %q; want 403 and no evidence", status, e.Code, e.Message, r.Verdict)
		}
	})
	approveUntilHealthy(t, ns, "shop")

	setCloneSetImage(t, ns, "shop", "nginx:1.29-bad")
	waitStatus(t, ns, "shop", "the bad release waiting at step 1", 2*time.Minute, waitingAt(1))
	t.Run("a bad image is worse", func(t *testing.T) {
		r := waitVerdict(t, evidence.Worse, evidence.NotWorse)
		if !strings.Contains(r.Reason, "error ratio") || !strings.Contains(r.Reason, "p95 latency") {
			t.Errorf("reason %q, want both the error ratio and the p95 latency worse", r.Reason)
		}
	})
	t.Run("with Prometheus stopped the evidence is unavailable, never green", func(t *testing.T) {
		must(t, "stop Prometheus", env.cluster.StopPrometheus())
		defer func() {
			must(t, "start Prometheus again", env.cluster.StartPrometheus())
			// Its data survive the restart: the verdict comes back.
			waitVerdict(t, evidence.Worse, evidence.NotWorse)
		}()
		r, err := read(t)
		must(t, "read the evidence", err)
		if r.Verdict != evidence.Unavailable || !strings.Contains(r.Reason, "Prometheus is not running") {
			t.Errorf("%s (%s), want unavailable saying Prometheus is not running", r.Verdict, r.Reason)
		}
	})
}
