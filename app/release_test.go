package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
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
