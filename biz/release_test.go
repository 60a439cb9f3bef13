package biz

import (
	"strings"
	"testing"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// TestPlanFor: what a template change does under a Rollout, as the controller implements it.
func TestPlanFor(t *testing.T) {
	steps := []rolloutsv1beta1.CanaryStep{
		{Replicas: ptr.To(intstr.FromInt32(1))},
		{Replicas: ptr.To(intstr.FromString("50%")), Pause: rolloutsv1beta1.RolloutPause{Duration: ptr.To[int32](60)}},
		{Replicas: ptr.To(intstr.FromString("100%"))},
	}
	rollout := func(mutate func(*rolloutsv1beta1.Rollout)) *rolloutsv1beta1.Rollout {
		ro := &rolloutsv1beta1.Rollout{ObjectMeta: metav1.ObjectMeta{Name: "shop", Annotations: map[string]string{}},
			Spec: rolloutsv1beta1.RolloutSpec{Strategy: rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{Steps: steps}}}}
		mutate(ro)
		return ro
	}
	inFlight := func(ro *rolloutsv1beta1.Rollout) {
		ro.Status.Phase = rolloutsv1beta1.RolloutPhaseProgressing
		ro.Status.Conditions = []rolloutsv1beta1.RolloutCondition{{Type: rolloutsv1beta1.RolloutConditionProgressing, Status: corev1.ConditionTrue, Reason: rolloutsv1beta1.ProgressingReasonInRolling}}
	}
	cases := []struct {
		name     string
		ro       *rolloutsv1beta1.Rollout
		toStable bool
		starts   bool
		says     string
		kase     string
	}{
		{"idle: a new release", rollout(func(*rolloutsv1beta1.Rollout) {}), false, true, "waiting for approval at step 1", "new"},
		{"disabled: the workload's own strategy", rollout(func(ro *rolloutsv1beta1.Rollout) { ro.Spec.Disabled = true }), false, false, "disabled", "disabled"},
		{"in flight, back to stable: cancelled, fast rollback", rollout(inFlight), true, false, "cancel", "cancel"},
		{"in flight, back to stable in batches", rollout(func(ro *rolloutsv1beta1.Rollout) {
			inFlight(ro)
			ro.Annotations[RollbackInBatchAnnotation] = "true"
		}), true, true, "from step 1", "rollbackInBatches"},
		{"in flight, another version: restarted from step 1", rollout(inFlight), false, true, "restarts it from step 1", "restart"},
		{"blue-green in flight: refused", rollout(func(ro *rolloutsv1beta1.Rollout) {
			inFlight(ro)
			ro.Spec.Strategy = rolloutsv1beta1.RolloutStrategy{BlueGreen: &rolloutsv1beta1.BlueGreenStrategy{Steps: steps}}
		}), false, false, "refuses", "refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := planFor(c.ro, c.toStable)
			if p.StartsRelease != c.starts || !strings.Contains(p.Explanation, c.says) || p.Case != c.kase {
				t.Errorf("plan %+v, want startsRelease=%v, case %s, saying %q", p, c.starts, c.kase, c.says)
			}
			if c.starts && (len(p.Steps) != 3 || !p.Steps[0].WaitsForPerson || p.Steps[1].WaitsForPerson || p.Steps[1].Pause != "60s" || p.Steps[2].WaitsForPerson) {
				t.Errorf("steps %+v: step 1 waits for a person, step 2 waits 60s, the final 100%% goes on", p.Steps)
			}
		})
	}
}
