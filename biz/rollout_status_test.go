package biz

import (
	"testing"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func steps(last string) []rolloutsv1beta1.CanaryStep {
	return []rolloutsv1beta1.CanaryStep{
		{Replicas: ptr.To(intstr.FromInt32(1))},
		{Replicas: ptr.To(intstr.FromString("50%")), Pause: rolloutsv1beta1.RolloutPause{Duration: ptr.To[int32](30)}},
		{Replicas: ptr.To(intstr.FromString(last))},
	}
}

func rollout(phase rolloutsv1beta1.RolloutPhase, reason string, step int32, state rolloutsv1beta1.CanaryStepState, last string) RolloutObject {
	at := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	ro := &rolloutsv1beta1.Rollout{
		Spec: rolloutsv1beta1.RolloutSpec{Strategy: rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{Steps: steps(last)}}},
		Status: rolloutsv1beta1.RolloutStatus{Phase: phase,
			Conditions: []rolloutsv1beta1.RolloutCondition{{Type: rolloutsv1beta1.RolloutConditionProgressing, Reason: reason}}},
	}
	if step > 0 {
		ro.Status.CanaryStatus = &rolloutsv1beta1.CanaryStatus{CommonStatus: rolloutsv1beta1.CommonStatus{
			CurrentStepIndex: step, CurrentStepState: state, LastUpdateTime: &at}}
	}
	return RolloutObject{Raw: ro, Rollout: ro}
}

func TestNormaliseStatus(t *testing.T) {
	resume := time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC)
	cases := []struct {
		name     string
		obj      RolloutObject
		active   bool
		waiting  bool
		resumeAt *time.Time
	}{
		{"manual pause waits for approval", rollout("Progressing", "InRolling", 1, "StepPaused", "100%"), true, true, nil},
		{"timed pause resumes by itself", rollout("Progressing", "InRolling", 2, "StepPaused", "100%"), true, false, &resume},
		{"final 100% step continues by itself", rollout("Progressing", "InRolling", 3, "StepPaused", "100%"), true, false, nil},
		{"a final step below 100% waits", rollout("Progressing", "InRolling", 3, "StepPaused", "80%"), true, true, nil},
		{"upgrading is not waiting", rollout("Progressing", "InRolling", 1, "StepUpgrade", "100%"), true, false, nil},
		{"user-paused release is active", rollout("Progressing", "Paused", 1, "StepUpgrade", "100%"), true, false, nil},
		{"completed but not yet Healthy is not active", rollout("Progressing", "Completed", 3, "Completed", "100%"), false, false, nil},
		{"healthy", rollout("Healthy", "Completed", 0, "", "100%"), false, false, nil},
		{"disabled", rollout("Disabled", "", 0, "", "100%"), false, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := normaliseStatus(c.obj, "cloneset")
			gotResume := (*time.Time)(nil)
			if st.AutoResumeAt != nil {
				gotResume = &st.AutoResumeAt.Time
			}
			if st.Active != c.active || st.WaitingForApproval != c.waiting || (gotResume == nil) != (c.resumeAt == nil) ||
				(gotResume != nil && !gotResume.Equal(*c.resumeAt)) || st.Strategy != StrategyPartition || len(st.Steps) != 3 {
				t.Errorf("active %t waiting %t resume %v strategy %s; want %t %t %v", st.Active, st.WaitingForApproval, gotResume, st.Strategy, c.active, c.waiting, c.resumeAt)
			}
		})
	}
}

func TestStrategyOf(t *testing.T) {
	cases := []struct {
		strategy rolloutsv1beta1.RolloutStrategy
		want     string
	}{
		{rolloutsv1beta1.RolloutStrategy{}, StrategyNone},
		{rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{}}, StrategyPartition},
		{rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{EnableExtraWorkloadForCanary: true}}, StrategyCanary},
		{rolloutsv1beta1.RolloutStrategy{BlueGreen: &rolloutsv1beta1.BlueGreenStrategy{}}, StrategyBlueGreen},
	}
	for _, c := range cases {
		if got := strategyOf(&rolloutsv1beta1.Rollout{Spec: rolloutsv1beta1.RolloutSpec{Strategy: c.strategy}}); got != c.want {
			t.Errorf("%+v: got %s, want %s", c.strategy, got, c.want)
		}
	}
}
