package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

// TestReleaseFromTheDashboard runs a whole release through the API against the real controllers:
// a previewed set image (nothing changes), the real one (the release waits at step 1), history
// tags checked against the pods at each stage, approvals to Healthy; then a second release rolled
// back in the middle: the preview says the Rollout cancels it, and afterwards nothing offers to
// approve the cancelled release.
func TestReleaseFromTheDashboard(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-release")
	cloneSetUnderRollout(t, ns, "shop", kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	image := "/workload/" + ns + "/cloneset/shop/image"

	var preview biz.SetImageResult
	status, e := env.dash.SendBody(t, http.MethodPost, image+"?dryRun=true", nil, `{"images":{"main":"nginx:1.28"}}`, &preview)
	if status != http.StatusOK || preview.Rollout == nil || !preview.Rollout.StartsRelease || !preview.Rollout.Steps[0].WaitsForPerson {
		t.Fatalf("preview: %d %s %+v", status, e.Message, preview)
	}
	time.Sleep(2 * time.Second) // nothing may start from a preview
	if st, err := rolloutStatus(t, ns, "shop"); err != nil || st.Active {
		t.Fatalf("a preview started a release: %+v %v", st, err)
	}

	env.dash.MustOKBody(t, http.MethodPost, image, `{"images":{"main":"nginx:1.28"}}`)
	waitStatus(t, ns, "shop", "the release waiting at step 1", 2*time.Minute, waitingAt(1))
	waitStatus(t, ns, "shop", "one canary pod ready of step 1's target of 1, three stable, each pod's state ready", time.Minute, func(st *biz.RolloutStatus) bool {
		p := st.Pods
		return p != nil && p.StepTarget == 1 && p.Replicas == 4 && p.Canary == (biz.PodCount{Total: 1, Ready: 1}) && p.Stable.Total == 3 && len(p.Items) == 4 &&
			!slices.ContainsFunc(p.Items, func(i biz.ReleasePod) bool { return i.State != biz.PodStateReady })
	})
	checkHistory(t, ns, "at step 1", map[string]string{"nginx:1.27": "stable", "nginx:1.28": "canary current"}, map[string]int{"nginx:1.28": 1, "nginx:1.27": 3})
	approveUntilHealthy(t, ns, "shop")
	waitReadyPods(t, ns, "cloneset", "shop", 4, time.Minute, imageIs("nginx:1.28"))
	checkHistory(t, ns, "after the release", map[string]string{"nginx:1.27": "", "nginx:1.28": "stable current"}, map[string]int{"nginx:1.28": 4})

	// A second release, rolled back in the middle.
	env.dash.MustOKBody(t, http.MethodPost, image, `{"images":{"main":"nginx:1.29"}}`)
	waitStatus(t, ns, "shop", "the second release waiting at step 1", 2*time.Minute, waitingAt(1))
	var undo biz.UndoResult
	env.dash.MustOK(t, http.MethodPost, "/rollout/undo/"+ns+"/shop?dryRun=true", &undo)
	if undo.Images["main"] != "nginx:1.28" || undo.StartsRelease || !strings.Contains(undo.Explanation, "cancel") {
		t.Errorf("undo preview in the middle of a release: %+v", undo)
	}
	env.dash.MustOK(t, http.MethodPost, "/rollout/undo/"+ns+"/shop", &undo)
	if !undo.Changed {
		t.Fatalf("undo: %+v", undo)
	}
	st := waitStatus(t, ns, "shop", "the cancelled release to settle", 2*time.Minute, func(st *biz.RolloutStatus) bool { return !st.Active && st.Phase == "Healthy" })
	if st.WaitingForApproval {
		t.Errorf("a cancelled release is offered for approval: %+v", st)
	}
	if status, e := env.dash.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/shop", nil); status != http.StatusConflict {
		t.Errorf("approving the cancelled release: %d %q, want 409", status, e.Message)
	}
	// The step the person last saw waiting is no longer in a release: 409, nothing approved.
	if status, e := env.dash.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/shop?step=1", nil); status != http.StatusConflict || !strings.Contains(e.Message, "no longer at step 1 (no release in progress)") {
		t.Errorf("approving step 1 of the cancelled release: %d %q, want 409 no longer at step 1", status, e.Message)
	}
	waitReadyPods(t, ns, "cloneset", "shop", 4, 2*time.Minute, imageIs("nginx:1.28"))
	// The status says the release was cancelled, and agrees with what it summarises: the real
	// controller's Succeeded condition is False, the release's canary revision is the stable one
	// again (the rolled-back template), and every pod runs the stable image (checked above) —
	// whatever step and state the sub-status was left at.
	st = waitStatus(t, ns, "shop", "the status to say cancelled", time.Minute, func(st *biz.RolloutStatus) bool { return st.Release == biz.ReleaseCancelled })
	succeeded := ""
	for _, c := range st.Conditions {
		if c.Type == rolloutsv1beta1.RolloutConditionSucceeded {
			succeeded = string(c.Status)
		}
	}
	if succeeded != "False" || st.ProgressingReason != rolloutsv1beta1.ProgressingReasonCompleted || st.CanaryRevision == "" || st.CanaryRevision != st.StableRevision {
		t.Errorf("release %q but Succeeded %q, reason %s, canary revision %q, stable %q", st.Release, succeeded, st.ProgressingReason, st.CanaryRevision, st.StableRevision)
	}
	t.Logf("cancelled release: phase %s, sub-status left at step %d %s, release %s", st.Phase, st.CurrentStepIndex, st.CurrentStepState, st.Release)
}

// checkHistory waits until the history marks each revision (by image) with exactly the tags
// given and counts the pods given.
func checkHistory(t *testing.T, ns, when string, tags map[string]string, pods map[string]int) {
	t.Helper()
	apiclient.Eventually(t, "history "+when, time.Minute, func() error {
		var h struct {
			Revisions []biz.HistoryEntry `json:"revisions"`
		}
		env.dash.MustOK(t, http.MethodGet, "/rollout/history/"+ns+"/shop", &h)
		for _, r := range h.Revisions {
			img := strings.Join(r.Images, ",")
			want, ok := tags[img]
			if !ok {
				continue
			}
			var got []string
			for name, on := range map[string]bool{"stable": r.Stable, "canary": r.Canary, "current": r.Current} {
				if on {
					got = append(got, name)
				}
			}
			if !sameWords(strings.Join(got, " "), want) || r.Pods != pods[img] {
				return fmt.Errorf("revision %d (%s): tags %v, %d pods; want %q, %d pods", r.Number, img, got, r.Pods, want, pods[img])
			}
		}
		return nil
	})
}

func sameWords(a, b string) bool {
	count := map[string]int{}
	for _, w := range strings.Fields(a) {
		count[w]++
	}
	for _, w := range strings.Fields(b) {
		count[w]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestPodLogs reads a container's log through the dashboard: the API server asks the fake node
// (kwok serves the same log for every container here).
func TestPodLogs(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-logs")
	createCloneSet(t, ns, "shop", 1, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	createCloneSet(t, ns, "other", 1, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	waitReadyPods(t, ns, "cloneset", "shop", 1, time.Minute, nil)
	waitReadyPods(t, ns, "cloneset", "other", 1, time.Minute, nil)
	pods, err := dashboardPods(t, ns, "cloneset", "shop")
	must(t, "pods", err)
	others, err := dashboardPods(t, ns, "cloneset", "other")
	must(t, "pods", err)
	base := "/workload/" + ns + "/cloneset/shop/pods/"
	var log biz.PodLog
	env.dash.MustOK(t, http.MethodGet, base+pods[0].Metadata.Name+"/log", &log)
	if log.Container != "main" || len(log.Lines) != 3 || !strings.Contains(log.Lines[1], localcluster.FakeLogLine) {
		t.Errorf("log: %+v", log)
	}
	env.dash.MustOK(t, http.MethodGet, base+pods[0].Metadata.Name+"/log?tailLines=1&container=main", &log)
	if len(log.Lines) != 1 || !strings.HasSuffix(log.Lines[0], "ready") {
		t.Errorf("the last line: %+v", log.Lines)
	}
	for _, c := range []struct {
		path   string
		status int
	}{
		{base + pods[0].Metadata.Name + "/log?container=sidecar", http.StatusBadRequest},
		{base + pods[0].Metadata.Name + "/log?tailLines=0", http.StatusBadRequest},
		{base + pods[0].Metadata.Name + "/log?tailLines=99999", http.StatusBadRequest},
		{base + others[0].Metadata.Name + "/log", http.StatusNotFound},
		{base + "Bad_Name/log", http.StatusBadRequest},
	} {
		if status, e := env.dash.Call(t, http.MethodGet, c.path, nil); status != c.status {
			t.Errorf("GET %s: %d %q, want %d", c.path, status, e.Message, c.status)
		}
	}
}

// TestDeploymentReleaseFromTheDashboard: set image on a Deployment under a Rollout (kubectl could,
// the dashboard does it the same way for every kind), the release waits at step 1, approvals take
// it to Healthy with every pod on the new image.
func TestDeploymentReleaseFromTheDashboard(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-deploy-release")
	createDeployment(t, ns, "web", 4)
	_, err := env.rollouts.RolloutsV1beta1().Rollouts(ns).Create(ctx, &rolloutsv1beta1.Rollout{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: rolloutsv1beta1.RolloutSpec{
			WorkloadRef: rolloutsv1beta1.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			Strategy: rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{Steps: []rolloutsv1beta1.CanaryStep{
				{Replicas: ptr.To(intstr.FromInt32(1))},
				{Replicas: ptr.To(intstr.FromString("100%"))},
			}}},
		},
	}, metav1.CreateOptions{})
	must(t, "create rollout", err)
	waitReadyPods(t, ns, "deployment", "web", 4, time.Minute, imageIs("nginx:1.27"))
	waitStatus(t, ns, "web", "the Rollout Healthy before the release", time.Minute, func(st *biz.RolloutStatus) bool { return st.Phase == "Healthy" })
	waitWebhookLabel(t, "the Deployment", func() (map[string]string, error) {
		d, err := env.kube.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		return d.Labels, nil
	})

	var res biz.SetImageResult
	env.dash.MustOKBody(t, http.MethodPost, "/workload/"+ns+"/deployment/web/image", `{"images":{"main":"nginx:1.28"}}`, &res)
	if !res.Changed || res.Rollout == nil || res.Rollout.Name != "web" || !res.Rollout.StartsRelease {
		t.Errorf("set image: %+v", res)
	}
	waitStatus(t, ns, "web", "the release waiting at step 1", 2*time.Minute, waitingAt(1))
	// The Rollout paused the Deployment for its steps: the dashboard says it is in a release, not
	// paused, and only while the Deployment is paused and marked by the Rollout, which is in flight.
	deploymentState := func(want string) func() error {
		return func() error {
			var p struct {
				Items []map[string]any `json:"items"`
			}
			env.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/deployment?view=compact&q=web", &p)
			if len(p.Items) != 1 || p.Items[0]["state"] != want {
				return fmt.Errorf("%d items, state %v; want %s", len(p.Items), p.Items, want)
			}
			return nil
		}
	}
	apiclient.Eventually(t, "the Deployment in the release", 30*time.Second, deploymentState("inRelease"))
	dep, err := env.kube.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	must(t, "read the deployment", err)
	if st, err := rolloutStatus(t, ns, "web"); err != nil || !st.Active || !dep.Spec.Paused || dep.Annotations[adapters.InReleaseAnnotation] == "" {
		t.Errorf("inRelease while the rollout is active %v (%v), the deployment paused %t, marked %q", st != nil && st.Active, err, dep.Spec.Paused, dep.Annotations[adapters.InReleaseAnnotation])
	}
	approveUntilHealthy(t, ns, "web")
	waitReadyPods(t, ns, "deployment", "web", 4, 2*time.Minute, imageIs("nginx:1.28"))
	apiclient.Eventually(t, "the Deployment ready once the release is over", 30*time.Second, deploymentState("ready"))
}
