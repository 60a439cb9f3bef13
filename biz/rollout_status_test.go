package biz

import (
	"testing"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
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

// TestReleaseOf: what the status says of the release, as the controller (v0.6) leaves it, and
// that the summary agrees with the fields it summarises (no step is in progress outside a
// release; only a release in flight waits for a person).
func TestReleaseOf(t *testing.T) {
	cond := func(typ rolloutsv1beta1.RolloutConditionType, status corev1.ConditionStatus, reason string) rolloutsv1beta1.RolloutCondition {
		return rolloutsv1beta1.RolloutCondition{Type: typ, Status: status, Reason: reason}
	}
	succeeded := func(s corev1.ConditionStatus) func(*rolloutsv1beta1.Rollout) {
		return func(ro *rolloutsv1beta1.Rollout) {
			ro.Status.Conditions = append(ro.Status.Conditions, cond(rolloutsv1beta1.RolloutConditionSucceeded, s, ""))
		}
	}
	phase := func(p rolloutsv1beta1.RolloutPhase) func(*rolloutsv1beta1.Rollout) {
		return func(ro *rolloutsv1beta1.Rollout) { ro.Status.Phase = p }
	}
	revisions := func(stable, canary string) func(*rolloutsv1beta1.Rollout) {
		return func(ro *rolloutsv1beta1.Rollout) {
			ro.Status.CanaryStatus.StableRevision, ro.Status.CanaryStatus.CanaryRevision = stable, canary
		}
	}
	cases := []struct {
		name string
		ro   *rolloutsv1beta1.Rollout
		want string
	}{
		{"waiting at a manual step", waitingRollout("shop"), ReleaseProgressing},
		{"held by a person's pause", waitingRollout("shop", reason(rolloutsv1beta1.ProgressingReasonPaused)), ReleasePaused},
		{"after the last step", waitingRollout("shop", reason(rolloutsv1beta1.ProgressingReasonFinalising), at(3, rolloutsv1beta1.CanaryStepStateCompleted)), ReleaseFinalising},
		{"the workload rolled back, the controller cancelling", waitingRollout("shop", reason(rolloutsv1beta1.ProgressingReasonCancelling)), ReleaseCancelling},
		// The screen: Healthy, StepPaused, step 1 — a cancelled release, not a wait.
		{"cancelled by a rollback: Healthy, the sub-status left at step 1 StepPaused", waitingRollout("shop", cancelled), ReleaseCancelled},
		{"cancelled, in the reconcile before Healthy", waitingRollout("shop", cancelled, phase(rolloutsv1beta1.RolloutPhaseProgressing)), ReleaseCancelled},
		{"cancelled, without the Succeeded condition: the canary revision is the stable one again",
			waitingRollout("shop", noRelease, func(ro *rolloutsv1beta1.Rollout) {
				ro.Status.CanaryStatus = &rolloutsv1beta1.CanaryStatus{CommonStatus: rolloutsv1beta1.CommonStatus{CurrentStepIndex: 1, CurrentStepState: rolloutsv1beta1.CanaryStepStatePaused}}
			}, revisions("5d4f8b", "5d4f8b")), ReleaseCancelled},
		{"completed through every step", waitingRollout("shop", noRelease, func(ro *rolloutsv1beta1.Rollout) {
			ro.Status.CanaryStatus = &rolloutsv1beta1.CanaryStatus{CommonStatus: rolloutsv1beta1.CommonStatus{CurrentStepIndex: 3, CurrentStepState: rolloutsv1beta1.CanaryStepStateCompleted}}
		}, succeeded(corev1.ConditionTrue), revisions("5d4f8b", "7c9e1a")), ReleaseCompleted},
		{"first deployment: the controller's synthetic Completed", waitingRollout("shop", noRelease, func(ro *rolloutsv1beta1.Rollout) {
			ro.Status.CanaryStatus = &rolloutsv1beta1.CanaryStatus{CommonStatus: rolloutsv1beta1.CommonStatus{CurrentStepIndex: 3, CurrentStepState: rolloutsv1beta1.CanaryStepStateCompleted}}
		}, revisions("5d4f8b", "5d4f8b")), ReleaseCompleted},
		{"never released", waitingRollout("shop", noRelease), ReleaseNone},
		{"Initial: workload not found", waitingRollout("shop", phase(rolloutsv1beta1.RolloutPhaseInitial), reason("")), ReleaseNone},
		{"disabled, the last release's sub-status left", waitingRollout("shop", phase(rolloutsv1beta1.RolloutPhaseDisabled)), ReleaseDisabled},
		{"disabling mid-release", waitingRollout("shop", phase(rolloutsv1beta1.RolloutPhaseDisabling)), ReleaseDisabling},
		{"being deleted", waitingRollout("shop", phase(rolloutsv1beta1.RolloutPhaseTerminating)), ReleaseTerminating},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := normaliseStatus(served(c.ro), "deployment")
			if st.Release != c.want {
				t.Errorf("release %q, want %q (phase %s, reason %s, step %d %s)", st.Release, c.want, st.Phase, st.ProgressingReason, st.CurrentStepIndex, st.CurrentStepState)
			}
			inFlight := map[string]bool{ReleaseProgressing: true, ReleasePaused: true, ReleaseFinalising: true, ReleaseCancelling: true}[st.Release]
			if inFlight != st.Active {
				t.Errorf("release %q but active %t: the summary disagrees with the status", st.Release, st.Active)
			}
			if st.WaitingForApproval && st.Release != ReleaseProgressing && st.Release != ReleasePaused {
				t.Errorf("waiting for approval with release %q", st.Release)
			}
		})
	}
}
