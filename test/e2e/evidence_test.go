package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/trafficsim"
)

// TestEvidenceFromSimulatedTraffic: the release cockpit against the live cluster's real
// Prometheus (Debian's, make prometheus), which scrapes the demo's traffic simulator, with the
// real controllers releasing a CloneSet under a Rollout, over HTTP and in Chromium (the Rollout
// page at each stage, en and zh, screenshots rollout-<stage>-{en,zh}.png). A good image's canary
// is never worse (not enough data at first, then notWorse); approved in the dashboard, then with
// kubectl, the timeline names the approver and says the other was outside the dashboard, the
// same after the dashboard restarts. An image tag containing "bad" gives worse; with Prometheus
// stopped the evidence is unavailable, never green, and says why; approving it without a reason
// is refused (409 REASON_REQUIRED, single and bulk), with one it moves and the reason is in the
// Event and the timeline; a user who may not read the namespace gets 403 and no evidence. The
// dashboard here signs users in by token, has a 20 s window, a minimum of 50 requests and the
// reason policy on.
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
	settings := []string{"KD_AUTH_MODE=token", "KD_AUTH_SESSION_KEY=e2e-session-key-0123456789abcdef0123456789", "KD_AUTH_SESSIONS_NAMESPACE=" + ns,
		"KD_PROMETHEUS_URL=" + env.cluster.PrometheusURL, "KD_PROMETHEUS_TIMEOUT=3s", "KD_EVIDENCE_WINDOW=20s", "KD_EVIDENCE_MIN_REQUESTS=50",
		"KD_EVIDENCE_SIMULATED=true", "KD_EVIDENCE_REQUIRE_REASON_WHEN_WORSE=true"}
	dash, stop, err := runDashboard(env.dir, "dashboard-evidence", env.cluster.Kubeconfig, addr, settings...)
	must(t, "start the dashboard with the local Prometheus", err)
	defer func() { stop() }()
	as := func(user string) apiclient.Client {
		return apiclient.Client{URL: dash.URL, Header: http.Header{"Authorization": {"Bearer " + env.cluster.Tokens[user]}}}
	}
	// The approver may approve (rollouts/status) and write the dashboard's record on the Rollout.
	grantUI(t, "approver")
	grantRolloutPatch(t, ns, "approver")
	// page shows the Rollout page at a stage of the release in Chromium, signed in as the approver.
	page := func(stage string, want ...string) {
		browse(t, ns, "shop", "e2e/cockpit.test.mjs", append([]string{"DASHBOARD_URL=" + dash.URL, "UI_STAGE=" + stage,
			"UI_TOKEN=" + env.cluster.Tokens["approver"], "UI_USER=approver"}, want...)...)
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
	page("good-waiting", "UI_VERDICT=notWorse")
	t.Run("approved in the dashboard, then with kubectl: the timeline says which, and the same after a restart", func(t *testing.T) {
		as("approver").MustOK(t, http.MethodPost, "/rollout/approve/"+ns+"/shop?step=1", nil)
		waitStatus(t, ns, "shop", "step 2 waiting", 2*time.Minute, waitingAt(2))
		// kubectl-kruise rollout approve: the sub-status state patched to StepReady. The controller
		// (v0.6) may overwrite a status write landing while it reconciles (the dashboard's approve
		// re-approves for that); as a person with kubectl would, patch again while step 2 still waits.
		waitStatus(t, ns, "shop", "the good release completed", 2*time.Minute, func(st *biz.RolloutStatus) bool {
			ro, err := env.rollouts.RolloutsV1beta1().Rollouts(ns).Get(ctx, "shop", metav1.GetOptions{})
			must(t, "read the rollout", err)
			if c := ro.Status.CanaryStatus; c != nil && c.CurrentStepIndex == 2 && c.CurrentStepState == rolloutsv1beta1.CanaryStepStatePaused {
				patch := fmt.Sprintf(`{"metadata":{"resourceVersion":%q},"status":{"canaryStatus":{"currentStepState":"StepReady"}}}`, ro.ResourceVersion)
				_, err := env.rollouts.RolloutsV1beta1().Rollouts(ns).Patch(ctx, "shop", types.MergePatchType, []byte(patch), metav1.PatchOptions{}, "status")
				if err != nil && !apierrors.IsConflict(err) {
					t.Fatalf("approve step 2 with a status patch: %v", err)
				}
			}
			return st.Phase == "Healthy" && !st.Active
		})
		var before, after biz.Timeline
		apiclient.Eventually(t, "the timeline of the completed release", 30*time.Second, func() error {
			if err := as("viewer").Get(t, "/rollout/timeline/"+ns+"/shop", &before); err != nil {
				return err
			}
			if before.End == nil || before.End.Outcome != biz.EndCompleted || len(before.Steps) != 3 {
				return fmt.Errorf("end %+v, %d steps", before.End, len(before.Steps))
			}
			if a := before.Steps[0].Approval; a == nil || a.Outside || a.By != "approver" || a.At == nil {
				return fmt.Errorf("step 1's approval %+v, want by approver", a)
			}
			if a := before.Steps[1].Approval; a == nil || !a.Outside || a.By != "" {
				return fmt.Errorf("step 2's approval %+v, want outside the dashboard", a)
			}
			// The end the controller recorded comes after the approvals that led to it.
			if end := before.End.At; end == nil || end.Before(*before.Steps[0].Approval.At) {
				return fmt.Errorf("the release ended at %v, before step 1's approval at %v", end, before.Steps[0].Approval.At)
			}
			return nil
		})
		stop()
		dash, stop, err = runDashboard(env.dir, "dashboard-evidence-again", env.cluster.Kubeconfig, addr, settings...)
		must(t, "start the dashboard again", err)
		as("viewer").MustOK(t, http.MethodGet, "/rollout/timeline/"+ns+"/shop", &after)
		b, _ := json.Marshal([]any{before.Start, before.Steps, before.End})
		a, _ := json.Marshal([]any{after.Start, after.Steps, after.End})
		if string(b) != string(a) {
			t.Errorf("the timeline after a restart differs:\n%s\n%s", b, a)
		}
	})
	page("good-completed", "UI_APPROVER=approver", "UI_OUTSIDE=true")

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
	page("bad-waiting", "UI_VERDICT=worse")
	t.Run("a worse step needs a written reason, single and bulk; with one it moves", func(t *testing.T) {
		status, e := as("approver").Call(t, http.MethodPost, "/rollout/approve/"+ns+"/shop?step=1", nil)
		if status != http.StatusConflict || e.Code != biz.CodeReasonRequired || !strings.Contains(e.Message, "worse") {
			t.Errorf("approve without a reason: %d %s %q, want 409 REASON_REQUIRED naming the verdict", status, e.Code, e.Message)
		}
		var out []biz.ApproveOutcome
		as("approver").MustOKBody(t, http.MethodPost, "/rollout/approve-many", `{"items":[{"namespace":"`+ns+`","name":"shop","step":1}]}`, &out)
		if len(out) != 1 || out[0].Changed || out[0].Code != biz.CodeReasonRequired {
			t.Errorf("bulk approve without a reason: %+v, want the item refused with REASON_REQUIRED", out)
		}
		if st, err := rolloutStatus(t, ns, "shop"); err != nil || !waitingAt(1)(st) {
			t.Fatalf("a refused approval moved the release: %+v %v", st, err)
		}
		const why = "the errors are the known flaky dependency, tracked in INC-42"
		as("approver").MustOKBody(t, http.MethodPost, "/rollout/approve-many", `{"items":[{"namespace":"`+ns+`","name":"shop","step":1}],"reason":"`+why+`"}`, &out)
		if len(out) != 1 || !out[0].Changed {
			t.Fatalf("bulk approve with a reason: %+v", out)
		}
		waitStatus(t, ns, "shop", "step 2 waiting after the approval with a reason", 2*time.Minute, waitingAt(2))
		var tl biz.Timeline
		as("viewer").MustOK(t, http.MethodGet, "/rollout/timeline/"+ns+"/shop", &tl)
		if a := tl.Steps[0].Approval; a == nil || a.By != "approver" || a.Reason != why || a.Verdict != "worse" {
			t.Errorf("step 1's approval in the timeline %+v, want by approver with the reason and verdict worse", a)
		}
		apiclient.Eventually(t, "the Event with the reason", 20*time.Second, func() error {
			evs, err := env.kube.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=shop,reason=ApprovedByDashboard"})
			if err != nil {
				return err
			}
			for _, ev := range evs.Items {
				if strings.Contains(ev.Message, why) {
					return nil
				}
			}
			return fmt.Errorf("%d ApprovedByDashboard Events, none with the reason", len(evs.Items))
		})
	})
	page("bad-approved", "UI_VERDICT=worse", "UI_APPROVER=approver")
}

// grantRolloutPatch lets user patch the Rollouts of ns (the dashboard's release record).
func grantRolloutPatch(t *testing.T, ns, user string) {
	t.Helper()
	_, err := env.kube.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "record"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"rollouts.kruise.io"}, Resources: []string{"rollouts"}, Verbs: []string{"patch"}}}}, metav1.CreateOptions{})
	must(t, "create the record role", err)
	_, err = env.kube.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "record"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "record"},
		Subjects: []rbacv1.Subject{{Kind: "User", Name: user, APIGroup: "rbac.authorization.k8s.io"}}}, metav1.CreateOptions{})
	must(t, "bind the record role", err)
}
