package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// worsePrometheus answers the evidence's queries on loopback with the canary pod (named
// "*-canary") failing half its requests and the stable pods none: the verdict is worse.
func worsePrometheus(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("query")
		v := "10" // requests per second, either side
		switch {
		case strings.Contains(q, "histogram_quantile"):
			v = "0.1"
		case strings.Contains(q, `code=~"5..`) && strings.Contains(q, "-canary"):
			v = "5"
		case strings.Contains(q, `code=~"5..`):
			v = "0"
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,%q]}]}}`, v)
	}))
	t.Cleanup(s.Close)
	return s
}

// createReleasePods creates the CloneSet "shop" (2 replicas) with a pod "shop-canary" of
// setInRolling's canary revision and a pod "shop-stable" of its stable revision.
func createReleasePods(t *testing.T, ns string) {
	t.Helper()
	cs := createCloneSet(t, ns, "shop", 2)
	owner := ownerRef(cs, kruiseappsv1alpha1.SchemeGroupVersion.WithKind("CloneSet"))
	for name, rev := range map[string]string{"shop-canary": "canary-hash", "shop-stable": "stable-hash"} {
		p := createPod(t, ns, name, "shop", &owner)
		p.Labels["controller-revision-hash"] = rev
		_, err := shared.kube.CoreV1().Pods(ns).Update(ctx, p, metav1.UpdateOptions{})
		must(t, "label pod "+name, err)
	}
}

// prometheusAt configures the evidence's Prometheus server (the metrics section of
// configs/config.yaml with the URL).
func prometheusAt(t *testing.T, url string) func(*conf.Bootstrap) {
	return func(bc *conf.Bootstrap) {
		if bc.Metrics == nil || bc.Metrics.Evidence == nil {
			t.Fatal("configs/config.yaml has no metrics.evidence section")
		}
		if bc.Metrics.Prometheus == nil {
			bc.Metrics.Prometheus = &conf.Prometheus{}
		}
		bc.Metrics.Prometheus.URL, bc.Metrics.Prometheus.Timeout = url, 5*time.Second
	}
}

// TestRolloutTimeline: the release timeline of GET /rollout/timeline, and the reason policy.
// A release started and approved through the dashboard names who set the image and who approved,
// read back by another dashboard started after the first stopped (the record is on the Rollout,
// not in a replica); with the policy on, a step whose verdict is worse is not approved without a
// reason (409 REASON_REQUIRED, single and bulk) and is with one, the reason in the audit line, the
// Event and the timeline; an approval made by patching the status (kubectl) and one by a user who
// may not patch the Rollout are shown as approved outside the dashboard; a user who may not get
// the Rollout gets 403.
func TestRolloutTimeline(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	ns := newNamespace(t, "timeline")
	// shop: a release whose canary is worse.
	createReleasePods(t, ns)
	setInRolling(t, createRollout(t, ns, "shop-ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 1, "StepPaused", false)
	// cart: a release started through the dashboard (no pods: not enough data, no reason asked).
	createCloneSet(t, ns, "cart", 1)
	createRollout(t, ns, "cart-ro", refTo(kruiseV1alpha1, "CloneSet", "cart"), canaryStrategy(false))
	// tea: approved with kubectl; pot: approved by a user who may patch only the status.
	createCloneSet(t, ns, "tea", 1)
	setInRolling(t, createRollout(t, ns, "tea-ro", refTo(kruiseV1alpha1, "CloneSet", "tea"), canaryStrategy(false)), 1, "StepPaused", false)
	createCloneSet(t, ns, "pot", 1)
	setInRolling(t, createRollout(t, ns, "pot-ro", refTo(kruiseV1alpha1, "CloneSet", "pot"), canaryStrategy(false)), 1, "StepPaused", false)

	withProm := prometheusAt(t, worsePrometheus(t).URL)
	policyOn := func(bc *conf.Bootstrap) {
		withProm(bc)
		bc.Metrics.Evidence.RequireReasonWhenWorse = true
	}
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	first := startSignedIn(t, "token", auditPath, policyOn)
	outer := t // the dashboards a subtest starts for the later ones live as long as the test
	editor := as(first, "editor")

	// timelineOf waits until d's answer satisfies ok (its cache follows the API server).
	timelineOf := func(t *testing.T, d *dashboard, name string, ok func(*biz.Timeline) error) *biz.Timeline {
		t.Helper()
		var tl biz.Timeline
		apiclient.Eventually(t, name+"'s timeline", 10*time.Second, func() error {
			tl = biz.Timeline{}
			if err := as(d, "viewer").Get(t, "/rollout/timeline/"+ns+"/"+name, &tl); err != nil {
				return err
			}
			return ok(&tl)
		})
		return &tl
	}
	// moveOn plays the controller: the release goes on to step 2, waiting.
	moveOn := func(t *testing.T, name string) {
		t.Helper()
		setInRolling(t, rolloutAt(t, ns, name), 2, "StepPaused", false)
	}

	t.Run("a release through the dashboard names who set the image and who approved, on another dashboard after a restart", func(t *testing.T) {
		var set biz.SetImageResult
		editor.MustOKBody(t, http.MethodPost, "/workload/"+ns+"/cloneset/cart/image", `{"images":{"main":"nginx:1.29"}}`, &set)
		if set.Warning != "" || set.Rollout == nil {
			t.Fatalf("set image: %+v, want it under cart-ro and recorded", set)
		}
		setInRolling(t, rolloutAt(t, ns, "cart-ro"), 1, "StepPaused", false)
		var res biz.ActionResult
		apiclient.Eventually(t, "cart-ro waiting in the cache", 10*time.Second, func() error {
			res = biz.ActionResult{}
			if status, e := editor.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/cart-ro?step=1", &res); status != http.StatusOK {
				return &apiclient.StatusError{Status: status, Body: e.Code + " " + e.Message}
			}
			return nil
		})
		if !res.Changed || res.Warning != "" {
			t.Fatalf("approve: %+v, want approved and recorded", res)
		}
		moveOn(t, "cart-ro")
		first.stop()
		second := startSignedIn(t, "token", os.DevNull)
		tl := timelineOf(t, second, "cart-ro", func(tl *biz.Timeline) error {
			if len(tl.Steps) != 3 || tl.Steps[1].State != biz.StepCurrent {
				return errString(fmt.Sprintf("steps %+v, want step 2 current", tl.Steps))
			}
			return nil
		})
		if s := tl.Start; s == nil || !s.Recorded || !strings.Contains(s.By, "editor") || s.Images["main"] != "nginx:1.29" || s.At == nil {
			t.Errorf("start %+v, want editor setting main=nginx:1.29, with the controller's start time", tl.Start)
		}
		a := tl.Steps[0].Approval
		if a == nil || a.Outside || !strings.Contains(a.By, "editor") || a.At == nil {
			t.Errorf("step 1 approval %+v, want editor's with its time", a)
		}
		if tl.Steps[1].WaitingSince == nil || tl.Steps[1].StartedAt == nil {
			t.Errorf("step 2 %+v, want when it started (the approval) and began waiting", tl.Steps[1])
		}
		first = startSignedIn(outer, "token", auditPath, policyOn)
		editor = as(first, "editor")
	})

	t.Run("a user who may not get the Rollout gets 403", func(t *testing.T) {
		status, e := as(first, "nobody").Call(t, http.MethodGet, "/rollout/timeline/"+ns+"/cart-ro", nil)
		if status != http.StatusForbidden || e.Code != biz.CodeForbidden || !strings.Contains(e.Message, `"nobody"`) {
			t.Errorf("nobody: %d %s %q, want 403 naming nobody", status, e.Code, e.Message)
		}
	})

	t.Run("a worse verdict needs a reason, single and bulk; with one the step moves and the reason is kept", func(t *testing.T) {
		apiclient.Eventually(t, "shop-ro's evidence worse", 15*time.Second, func() error {
			var r evidence.Result
			if err := as(first, "viewer").Get(t, "/rollout/evidence/"+ns+"/shop-ro", &r); err != nil {
				return err
			}
			if r.Verdict != evidence.Worse {
				return errString(string(r.Verdict) + ": " + r.Reason)
			}
			return nil
		})
		before := rolloutAt(t, ns, "shop-ro").ResourceVersion
		status, e := editor.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/shop-ro?step=1", nil)
		if status != http.StatusConflict || e.Code != biz.CodeReasonRequired || !strings.Contains(e.Message, "worse") {
			t.Errorf("approve without a reason: %d %s %q, want 409 REASON_REQUIRED naming the verdict", status, e.Code, e.Message)
		}
		var out []biz.ApproveOutcome
		editor.MustOKBody(t, http.MethodPost, "/rollout/approve-many", `{"items":[{"namespace":"`+ns+`","name":"shop-ro","step":1}]}`, &out)
		if len(out) != 1 || out[0].Changed || out[0].Code != biz.CodeReasonRequired || !strings.Contains(out[0].Message, "worse") {
			t.Errorf("bulk approve without a reason: %+v, want the item refused with REASON_REQUIRED", out)
		}
		if after := rolloutAt(t, ns, "shop-ro"); after.ResourceVersion != before || after.Status.CanaryStatus.CurrentStepState != rolloutsv1beta1.CanaryStepStatePaused {
			t.Fatalf("a refused approval wrote: %+v", after.Status.CanaryStatus)
		}
		if status, e := editor.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/shop-ro?step=1&reason="+url.QueryEscape(strings.Repeat("x", 501)), nil); status != http.StatusBadRequest {
			t.Errorf("a reason of 501 characters: %d %q, want 400", status, e.Message)
		}
		const why = "errors are the known flaky health check"
		editor.MustOKBody(t, http.MethodPost, "/rollout/approve-many", `{"items":[{"namespace":"`+ns+`","name":"shop-ro","step":1}],"reason":"`+why+`"}`, &out)
		if len(out) != 1 || !out[0].Changed || out[0].Code != "OK" {
			t.Fatalf("bulk approve with a reason: %+v", out)
		}
		if got := rolloutAt(t, ns, "shop-ro").Status.CanaryStatus.CurrentStepState; got != rolloutsv1beta1.CanaryStepStateReady {
			t.Errorf("step state %s, want StepReady", got)
		}
		apiclient.Eventually(t, "the Event with the reason", 10*time.Second, func() error {
			evs, err := shared.kube.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=shop-ro"})
			if err != nil {
				return err
			}
			for _, ev := range evs.Items {
				if ev.Reason == "ApprovedByDashboard" && strings.Contains(ev.Message, why) && strings.Contains(ev.Message, "worse") {
					return nil
				}
			}
			return errString(fmt.Sprintf("%d events, none an approval with the reason", len(evs.Items)))
		})
		moveOn(t, "shop-ro")
		tl := timelineOf(t, first, "shop-ro", func(tl *biz.Timeline) error {
			if a := tl.Steps[0].Approval; a == nil || a.Reason != why {
				return errString(fmt.Sprintf("step 1 approval %+v, want the reason", a))
			}
			return nil
		})
		if a := tl.Steps[0].Approval; a.Verdict != "worse" || !strings.Contains(a.By, "editor") {
			t.Errorf("step 1 approval %+v, want editor's with the verdict worse", a)
		}
		apiclient.Eventually(t, "the audit line with the reason", 5*time.Second, func() error {
			raw, err := os.ReadFile(auditPath)
			if err != nil {
				return err
			}
			for _, line := range strings.Split(string(raw), "\n") {
				if strings.Contains(line, "approve-many") && strings.Contains(line, `"reason":"`+why+`"`) {
					return nil
				}
			}
			return errString("no approve-many line with the reason")
		})
	})

	t.Run("approvals outside the dashboard are shown as such", func(t *testing.T) {
		// kubectl-kruise rollout approve: the sub-status state patched to StepReady.
		_, err := rolloutClient(t).RolloutsV1beta1().Rollouts(ns).Patch(ctx, "tea-ro", types.MergePatchType,
			[]byte(`{"status":{"canaryStatus":{"currentStepState":"StepReady"}}}`), metav1.PatchOptions{}, "status")
		must(t, "approve with a status patch", err)
		timelineOf(t, first, "tea-ro", func(tl *biz.Timeline) error {
			if a := tl.Steps[0].Approval; a == nil || !a.Outside || a.By != "" || a.At != nil {
				return errString(fmt.Sprintf("step 1 approval %+v, want outside the dashboard with no time", a))
			}
			return nil
		})
		moveOn(t, "tea-ro")
		timelineOf(t, first, "tea-ro", func(tl *biz.Timeline) error {
			if a := tl.Steps[0].Approval; a == nil || !a.Outside || a.NotAfter == nil || tl.Steps[1].State != biz.StepCurrent {
				return errString(fmt.Sprintf("step 1 approval %+v, want outside the dashboard, before the controller's time of step 2", a))
			}
			return nil
		})

		// The approver may patch rollouts/status, not rollouts: approved, with a warning.
		var res biz.ActionResult
		apiclient.Eventually(t, "pot-ro waiting in the cache", 10*time.Second, func() error {
			res = biz.ActionResult{}
			if status, e := as(first, "approver").Call(t, http.MethodPost, "/rollout/approve/"+ns+"/pot-ro?step=1", &res); status != http.StatusOK {
				return &apiclient.StatusError{Status: status, Body: e.Code + " " + e.Message}
			}
			return nil
		})
		if !res.Changed || !strings.Contains(res.Warning, "not in the release timeline") {
			t.Errorf("approver's approval: %+v, want approved with a warning that it is not in the timeline", res)
		}
		if ro := rolloutAt(t, ns, "pot-ro"); ro.Annotations[biz.RecordAnnotation] != "" {
			t.Errorf("a record was written for a user who may not patch the Rollout: %s", ro.Annotations[biz.RecordAnnotation])
		}
		moveOn(t, "pot-ro")
		timelineOf(t, first, "pot-ro", func(tl *biz.Timeline) error {
			if a := tl.Steps[0].Approval; a == nil || !a.Outside {
				return errString(fmt.Sprintf("step 1 approval %+v, want outside the dashboard", a))
			}
			return nil
		})
	})
}
