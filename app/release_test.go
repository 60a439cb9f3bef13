package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestApproveFollowsTheController: approve and waitingForApproval follow what the Rollout
// controller will act on. A release cancelled by an undo (phase Healthy, Progressing Cancelled)
// still carries StepPaused in its sub-status; it is not waiting, and approving it is 409 with
// nothing written.
func TestApproveFollowsTheController(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "cancelled")
	createCloneSet(t, ns, "shop", 3)
	ro := setInRolling(t, createRollout(t, ns, "shop", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 1, "StepPaused", false)
	for _, c := range []struct {
		name, phase, reason string
	}{
		{"cancelling", string(rolloutsv1beta1.RolloutPhaseProgressing), rolloutsv1beta1.ProgressingReasonCancelling},
		{"cancelled", string(rolloutsv1beta1.RolloutPhaseHealthy), rolloutsv1beta1.ProgressingReasonCancelling},
		{"completed", string(rolloutsv1beta1.RolloutPhaseHealthy), rolloutsv1beta1.ProgressingReasonCompleted},
		{"finalising", string(rolloutsv1beta1.RolloutPhaseProgressing), rolloutsv1beta1.ProgressingReasonFinalising},
	} {
		t.Run(c.name, func(t *testing.T) {
			ro = rolloutAt(t, ns, "shop")
			ro.Status.Phase = rolloutsv1beta1.RolloutPhase(c.phase)
			ro.Status.Conditions = []rolloutsv1beta1.RolloutCondition{{Type: rolloutsv1beta1.RolloutConditionProgressing,
				Status: corev1.ConditionFalse, Reason: c.reason, LastUpdateTime: metav1.Now(), LastTransitionTime: metav1.Now()}}
			updated, err := rolloutClient(t).RolloutsV1beta1().Rollouts(ns).UpdateStatus(ctx, ro, metav1.UpdateOptions{})
			must(t, "write status", err)
			st := waitRollout(t, ns, "shop", func(s *biz.RolloutStatus) error {
				if s.ProgressingReason != c.reason {
					return errString("reason " + s.ProgressingReason)
				}
				return nil
			})
			if st.WaitingForApproval {
				t.Errorf("a %s release is reported waiting for approval: %+v", c.name, st)
			}
			status, e := shared.dash.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/shop", nil)
			if status != http.StatusConflict || !strings.Contains(e.Message, c.reason) {
				t.Errorf("approve of a %s release: %d %q, want 409 naming %s", c.name, status, e.Message, c.reason)
			}
			if after := rolloutAt(t, ns, "shop"); after.ResourceVersion != updated.ResourceVersion {
				t.Errorf("a refused approve wrote the Rollout (resourceVersion %s -> %s)", updated.ResourceVersion, after.ResourceVersion)
			}
		})
	}
}

// TestConcurrentApprovesChangeOnce: of ten approvals of one waiting step sent at once, exactly
// one answers changed: true; the others say someone else approved first.
func TestConcurrentApprovesChangeOnce(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "concurrent-approve")
	createCloneSet(t, ns, "shop", 3)
	setInRolling(t, createRollout(t, ns, "shop", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 1, "StepPaused", false)
	waitRollout(t, ns, "shop", func(s *biz.RolloutStatus) error {
		if !s.WaitingForApproval {
			return errString("not waiting yet")
		}
		return nil
	})
	var wg sync.WaitGroup
	results := make([]biz.ActionResult, 10)
	statuses := make([]int, 10)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = shared.dash.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/shop", &results[i])
		}()
	}
	wg.Wait()
	changed := 0
	for i, r := range results {
		if statuses[i] != http.StatusOK && statuses[i] != http.StatusConflict {
			t.Errorf("approve %d: status %d", i, statuses[i])
		}
		if r.Changed {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("%d approvals answered changed: true, want exactly 1 (%+v)", changed, results)
	}
	if st := rolloutAt(t, ns, "shop").Status.CanaryStatus; st.CurrentStepState != rolloutsv1beta1.CanaryStepStateReady || st.CurrentStepIndex != 1 {
		t.Errorf("step after the approvals: %d %s", st.CurrentStepIndex, st.CurrentStepState)
	}
}

// TestStrictInput: the inputs that were accepted wrongly.
func TestStrictInput(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "strict")
	createCloneSet(t, ns, "shop", 2)
	waitServed(t, "cloneset", ns, "shop")
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/rollout/list/no-such-namespace", http.StatusNotFound},
		{http.MethodGet, "/rollout/active/no-such-namespace", http.StatusNotFound},
		{http.MethodPost, "/workload/" + ns + "/cloneset/shop/scale?replicas=-0", http.StatusBadRequest},
		{http.MethodPost, "/workload/" + ns + "/cloneset/shop/scale?replicas=%2B4", http.StatusBadRequest},
		{http.MethodPost, "/workload/" + ns + "/cloneset/shop/scale?replicas=04", http.StatusBadRequest},
		{http.MethodPost, "/workload/" + ns + "/cloneset/shop/scale?replicas=3&replicas=4", http.StatusBadRequest},
		{http.MethodPost, "/rollout/undo/" + ns + "/shop?revision=1&revision=2", http.StatusBadRequest},
	} {
		if status, e := shared.dash.Call(t, c.method, c.path, nil); status != c.status {
			t.Errorf("%s %s: %d %s %q, want %d", c.method, c.path, status, e.Code, e.Message, c.status)
		}
	}
	cs, err := fromAPIServer(t, "cloneset", ns, "shop")
	must(t, "read cloneset", err)
	if cs.GetGeneration() != 1 {
		t.Errorf("refused input changed the CloneSet (generation %d)", cs.GetGeneration())
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// TestSetImage sets a container image with a server-side dry-run preview first, on a CloneSet
// under a Rollout: the preview changes nothing and says which steps will wait for a person; the
// real call changes exactly the image and records who did it.
func TestSetImage(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "set-image")
	createCloneSet(t, ns, "shop", 2)
	createBroadcastJob(t, ns, "warm")
	createRollout(t, ns, "shop-ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false))
	waitServed(t, "cloneset", ns, "shop")
	path := "/workload/" + ns + "/cloneset/shop/image"
	body := `{"images":{"main":"nginx:1.29"}}`

	t.Run("the workload links to its Rollout", func(t *testing.T) {
		var link struct {
			Name   string            `json:"name"`
			Status biz.RolloutStatus `json:"status"`
		}
		waitRollout(t, ns, "shop-ro", func(*biz.RolloutStatus) error { return nil })
		shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/cloneset/shop/rollout", &link)
		if link.Name != "shop-ro" || link.Status.Workload.Name != "shop" {
			t.Errorf("governing rollout: %+v", link)
		}
		var none any = "unset"
		shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/broadcastjob/warm/rollout", &none)
		if none != nil {
			t.Errorf("a workload without a Rollout: %v, want null", none)
		}
	})
	t.Run("preview", func(t *testing.T) {
		var res biz.SetImageResult
		status, e := shared.dash.SendBody(t, http.MethodPost, path+"?dryRun=true", nil, body, &res)
		if status != http.StatusOK {
			t.Fatalf("dry run: %d %s", status, e.Message)
		}
		if !res.DryRun || !res.Changed || len(res.Containers) != 1 || res.Containers[0] != (biz.ContainerImage{Name: "main", From: "nginx:1.27", To: "nginx:1.29"}) {
			t.Errorf("preview: %+v", res)
		}
		if len(res.Diff) != 1 || res.Diff[0] != (biz.Change{Path: "spec.containers[0].image", From: "nginx:1.27", To: "nginx:1.29"}) {
			t.Errorf("diff: %+v", res.Diff)
		}
		if res.Rollout == nil || res.Rollout.Name != "shop-ro" || !res.Rollout.StartsRelease || len(res.Rollout.Steps) != 3 ||
			!res.Rollout.Steps[0].WaitsForPerson || res.Rollout.Steps[1].WaitsForPerson || res.Rollout.Steps[2].WaitsForPerson ||
			!strings.Contains(res.Rollout.Explanation, "waiting for approval at step 1") {
			t.Errorf("release plan: %+v", res.Rollout)
		}
		if imageOf(t, "cloneset", ns, "shop") != "nginx:1.27" {
			t.Error("the dry run changed the image")
		}
	})
	t.Run("set", func(t *testing.T) {
		var res biz.SetImageResult
		status, e := shared.dash.SendBody(t, http.MethodPost, path, nil, body, &res)
		if status != http.StatusOK || !res.Changed || res.DryRun {
			t.Fatalf("set image: %d %s %+v", status, e.Message, res)
		}
		if got := imageOf(t, "cloneset", ns, "shop"); got != "nginx:1.29" {
			t.Errorf("image %s after set image", got)
		}
		var again biz.SetImageResult
		shared.dash.SendBody(t, http.MethodPost, path, nil, body, &again)
		if again.Changed || !strings.Contains(again.Message, "nothing to change") {
			t.Errorf("setting the same image again: %+v", again)
		}
		var events []biz.Event
		shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/cloneset/shop/events", &events)
		if len(events) == 0 || events[0].Reason != "ImageSetByDashboard" || !strings.Contains(events[0].Message, "main: nginx:1.27 → nginx:1.29") {
			t.Errorf("events: %+v", events)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		before := imageOf(t, "cloneset", ns, "shop")
		for _, c := range []struct {
			path, body, mention string
			status              int
		}{
			{path, `{"images":{"sidecar":"busybox"}}`, "containers: main", 400},
			{path, `{"images":{}}`, "images is required", 400},
			{path, `{"images":{"main":""}}`, "image reference", 400},
			{path, `{"images":{"main":"nginx latest"}}`, "image reference", 400},
			{path, `{"image":{"main":"nginx"}}`, "unknown field", 400},
			{path, `not json`, "JSON", 400},
			{path, ``, "JSON", 400},
			{path + "?dryRun=maybe", body, "true or false", 400},
			{"/workload/" + ns + "/broadcastjob/warm/image", body, "does not support set image", 400},
			{"/workload/" + ns + "/cloneset/missing/image", body, "not found", 404},
			{path, `{"images":{"main":"Nginx:UPPER case"}}`, "image reference", 400},
			{path, `{"images":{"main":"nginx@sha256:nothex"}}`, "image reference", 400},
			{path, `{"images":{"main":"https://registry/nginx"}}`, "image reference", 400},
		} {
			status, e := shared.dash.SendBody(t, http.MethodPost, c.path, nil, c.body)
			if status != c.status || !strings.Contains(e.Message, c.mention) {
				t.Errorf("%s %s: %d %q, want %d mentioning %q", c.path, c.body, status, e.Message, c.status, c.mention)
			}
		}
		if after := imageOf(t, "cloneset", ns, "shop"); after != before {
			t.Errorf("refused requests changed the image %s -> %s", before, after)
		}
	})
}

// TestRolloutPreviews: undo and restart with dryRun=true say what they would do and change
// nothing.
func TestRolloutPreviews(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "previews")
	kruiseHistory("cloneset", "CloneSet", kruiseV1alpha1, func(t *testing.T, ns, name string) { createCloneSet(t, ns, name, 2) })(t, ns, "shop")
	setHealthy(t, createRollout(t, ns, "shop-ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)))
	waitRollout(t, ns, "shop-ro", inPhase("Healthy"))
	waitServed(t, "cloneset", ns, "shop")
	before := imageOf(t, "cloneset", ns, "shop")

	var undo biz.UndoResult
	shared.dash.MustOK(t, http.MethodPost, "/rollout/undo/"+ns+"/shop-ro?dryRun=true", &undo)
	if !undo.DryRun || !undo.Changed || undo.ToRevision != 1 || undo.Images["main"] != "nginx:1.27" || !undo.StartsRelease ||
		len(undo.Diff) == 0 || !strings.Contains(undo.Message, "preview") || !strings.Contains(undo.Explanation, "starts a new release") {
		t.Errorf("undo preview: %+v", undo)
	}
	var restart struct {
		biz.RestartResult
		Object any `json:"object"`
	}
	shared.dash.MustOK(t, http.MethodPost, "/rollout/restart/"+ns+"/shop-ro?dryRun=true", &restart)
	if !restart.DryRun || !restart.StartsRelease || len(restart.Diff) == 0 || len(restart.Steps) != 3 {
		t.Errorf("restart preview: %+v", restart)
	}
	cs, err := fromAPIServer(t, "cloneset", ns, "shop")
	must(t, "read cloneset", err)
	if imageOf(t, "cloneset", ns, "shop") != before || cs.GetGeneration() != 2 {
		t.Errorf("previews changed the workload (generation %d)", cs.GetGeneration())
	}
}

// TestInbox: every release waiting for a person across namespaces, approved in bulk with a result
// per item and nothing approved twice.
func TestInbox(t *testing.T) {
	skipShort(t)
	var items []string
	for _, prefix := range []string{"inbox-a", "inbox-b"} {
		ns := newNamespace(t, prefix)
		createCloneSet(t, ns, "shop", 3)
		setInRolling(t, createRollout(t, ns, "shop", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 1, "StepPaused", false)
		items = append(items, ns)
	}
	quiet := newNamespace(t, "inbox-quiet")
	createCloneSet(t, quiet, "shop", 3)
	setHealthy(t, createRollout(t, quiet, "shop", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)))
	waitRollout(t, quiet, "shop", inPhase("Healthy"))

	var waiting []biz.RolloutStatus
	apiclientEventually(t, "both releases in the inbox", func() error {
		waiting = nil
		shared.dash.MustOK(t, http.MethodGet, "/rollout/waiting", &waiting)
		found := 0
		for _, w := range waiting {
			if w.Namespace == quiet {
				return errString("a healthy rollout is in the inbox")
			}
			if w.Namespace == items[0] || w.Namespace == items[1] {
				found++
			}
		}
		if found != 2 {
			return errString("not both yet")
		}
		return nil
	})
	body := `{"items":[{"namespace":"` + items[0] + `","name":"shop","step":1},{"namespace":"` + items[1] + `","name":"shop","step":1},` +
		`{"namespace":"` + items[0] + `","name":"shop","step":1},{"namespace":"` + items[1] + `","name":"shop","step":2},{"namespace":"` + quiet + `","name":"shop","step":1}]}`
	var out []biz.ApproveOutcome
	status, e := shared.dash.SendBody(t, http.MethodPost, "/rollout/approve-many", nil, body, &out)
	if status != http.StatusOK || len(out) != 5 {
		t.Fatalf("approve-many: %d %s %+v", status, e.Message, out)
	}
	for i, want := range []struct {
		changed bool
		code    string
	}{{true, "OK"}, {true, "OK"}, {false, biz.CodeConflict}, {false, biz.CodeConflict}, {false, biz.CodeConflict}} {
		if out[i].Changed != want.changed || out[i].Code != want.code {
			t.Errorf("item %d: %+v, want changed=%v code %s", i, out[i], want.changed, want.code)
		}
	}
	// Again: the same steps are no longer waiting; nothing is approved twice.
	shared.dash.SendBody(t, http.MethodPost, "/rollout/approve-many", nil, body, &out)
	for i, o := range out {
		if o.Changed {
			t.Errorf("second bulk approval, item %d changed: %+v", i, o)
		}
	}
	for _, c := range []string{`{"items":[]}`, `{}`, `{"items":[{"namespace":"Bad_NS","name":"x","step":1}]}`} {
		status, _ := shared.dash.SendBody(t, http.MethodPost, "/rollout/approve-many", nil, c)
		if c == `{"items":[{"namespace":"Bad_NS","name":"x","step":1}]}` {
			if status != http.StatusOK {
				t.Errorf("%s: %d, want 200 with a per-item BAD_REQUEST", c, status)
			}
			continue
		}
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c, status)
		}
	}
}

func apiclientEventually(t *testing.T, what string, cond func() error) {
	t.Helper()
	apiclient.Eventually(t, what, 10*time.Second, cond)
}

// TestHistoryTellsTheTruth: a finished release's status still names its old stable and canary
// revisions; the history instead marks as stable the revision every pod runs, and counts pods per
// revision.
func TestHistoryTellsTheTruth(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "history-truth")
	kruiseHistory("cloneset", "CloneSet", kruiseV1alpha1, func(t *testing.T, ns, name string) { createCloneSet(t, ns, name, 2) })(t, ns, "shop")
	_, obj := templateNow(t, "cloneset", ns, "shop")
	owner := ownerRef(obj, kruiseappsv1alpha1.SchemeGroupVersion.WithKind("CloneSet"))
	for i := 0; i < 2; i++ {
		p := createPod(t, ns, fmt.Sprintf("shop-%d", i), "shop", &owner)
		p.Labels["controller-revision-hash"] = "shop-rev2"
		_, err := shared.kube.CoreV1().Pods(ns).Update(ctx, p, metav1.UpdateOptions{})
		must(t, "label pod", err)
	}
	ro := createRollout(t, ns, "shop-ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false))
	ro = setInRolling(t, ro, 3, "StepReady", false)
	ro.Status.CanaryStatus.StableRevision, ro.Status.CanaryStatus.CanaryRevision = "shop-rev1", "shop-rev2"
	setHealthy(t, ro) // keeps the finished release's canaryStatus, as the controller does
	waitRollout(t, ns, "shop-ro", inPhase("Healthy"))
	var h historyAnswer
	apiclient.Eventually(t, "both pods counted on revision 2", 10*time.Second, func() error {
		if err := shared.dash.Get(t, "/rollout/history/"+ns+"/shop-ro", &h); err != nil {
			return err
		}
		if len(h.Revisions) != 2 || h.Revisions[1].Pods != 2 {
			return errString(fmt.Sprintf("%+v", h.Revisions))
		}
		return nil
	})
	old, now := h.Revisions[0], h.Revisions[1]
	if old.Stable || old.Canary || old.Current || old.Pods != 0 {
		t.Errorf("revision 1 after the release: %+v, want nothing marked", old)
	}
	if !now.Stable || now.Canary || !now.Current {
		t.Errorf("revision 2 after the release: %+v, want current and stable, not canary", now)
	}
}
