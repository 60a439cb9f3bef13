package data

import (
	"testing"

	rolloutsv1alpha1 "github.com/openkruise/kruise-rollout-api/rollouts/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// TestAlphaToBeta checks the v1alpha1 fields the dashboard reads land where v1beta1 keeps them.
// app/rollout_v1alpha1_test.go runs the fallback against an API server serving only v1alpha1.
func TestAlphaToBeta(t *testing.T) {
	now := metav1.Now()
	cases := []struct {
		name     string
		style    string
		wantXtra bool
	}{{"partition style", "partition", false}, {"canary style", "canary", true}, {"no annotation", "", false}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := &rolloutsv1alpha1.Rollout{
				ObjectMeta: metav1.ObjectMeta{Name: "ro", Namespace: "ns", Annotations: map[string]string{rolloutsv1alpha1.RolloutStyleAnnotation: c.style}},
				Spec: rolloutsv1alpha1.RolloutSpec{
					ObjectRef: rolloutsv1alpha1.ObjectRef{WorkloadRef: &rolloutsv1alpha1.WorkloadRef{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}},
					Disabled:  true,
					Strategy: rolloutsv1alpha1.RolloutStrategy{Paused: true, Canary: &rolloutsv1alpha1.CanaryStrategy{Steps: []rolloutsv1alpha1.CanaryStep{
						{TrafficRoutingStrategy: rolloutsv1alpha1.TrafficRoutingStrategy{Weight: ptr.To[int32](20)}, Replicas: ptr.To(intstr.FromInt32(1))},
						{Replicas: ptr.To(intstr.FromString("100%")), Pause: rolloutsv1alpha1.RolloutPause{Duration: ptr.To[int32](30)}},
					}}},
				},
				Status: rolloutsv1alpha1.RolloutStatus{Phase: rolloutsv1alpha1.RolloutPhaseProgressing, ObservedGeneration: 3,
					Conditions: []rolloutsv1alpha1.RolloutCondition{{Type: rolloutsv1alpha1.RolloutConditionProgressing, Reason: "InRolling"}},
					CanaryStatus: &rolloutsv1alpha1.CanaryStatus{CurrentStepIndex: 1, CurrentStepState: rolloutsv1alpha1.CanaryStepStatePaused,
						NextStepIndex: 2, StableRevision: "s", CanaryRevision: "c", CanaryReplicas: 1, LastUpdateTime: &now}},
			}
			b := alphaToBeta(a)
			steps := b.Spec.Strategy.GetSteps()
			if b.Spec.WorkloadRef.Kind != "Deployment" || b.Spec.WorkloadRef.Name != "web" || !b.Spec.Disabled || !b.Spec.Strategy.Paused ||
				len(steps) != 2 || *steps[0].Traffic != "20%" || steps[1].Traffic != nil || *steps[1].Pause.Duration != 30 ||
				b.Spec.Strategy.Canary.EnableExtraWorkloadForCanary != c.wantXtra {
				t.Errorf("spec: %+v", b.Spec)
			}
			cs := b.Status.CanaryStatus
			if b.Status.Phase != rolloutsv1beta1.RolloutPhaseProgressing || b.Status.ObservedGeneration != 3 || len(b.Status.Conditions) != 1 ||
				cs.CurrentStepState != rolloutsv1beta1.CanaryStepStatePaused || cs.NextStepIndex != 2 || cs.CanaryRevision != "c" ||
				b.Status.CurrentStepIndex != 1 || b.Status.BlueGreenStatus != nil {
				t.Errorf("status: %+v", b.Status)
			}
		})
	}
	if b := alphaToBeta(&rolloutsv1alpha1.Rollout{}); b.Spec.WorkloadRef.Name != "" || b.Status.CanaryStatus != nil {
		t.Errorf("an empty v1alpha1 Rollout maps to an empty one: %+v", b)
	}
}
